"""Writing spreadsheets safely: every export goes through ``workbook_response``.

Cells are written as plain values; text that a spreadsheet would run as a formula
(starting with = + - @, a tab or a line break) is neutralised with a leading
apostrophe-quote prefix, so exports never carry formulas (CSV/formula injection). Line
breaks are one newline each (a browser's CRLF would show as ``_x000D_``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zhibu.core.text import normal_newlines

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """A value that a spreadsheet shows as written and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, int | float | date):
        return value
    text = normal_newlines(str(value))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def build_workbook(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], *, text_columns=()
) -> bytes:
    """sheets: (title, headers, rows). Columns named in ``text_columns`` are stored as text."""
    book = Workbook(write_only=False)
    book.remove(book.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="B3121B")
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(vertical="center")
        text_indexes = {i for i, h in enumerate(headers) if h in text_columns}
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
            if text_indexes:
                for i in text_indexes:
                    sheet.cell(row=sheet.max_row, column=i + 1).number_format = "@"
        for i, header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = max(
                10, min(40, len(str(header)) * 2 + 4)
            )
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def build_report_workbook(
    sheets: Sequence[tuple[str, str, Sequence[str], Sequence[str], Iterable[Sequence]]],
) -> bytes:
    """A statistician's workbook: per sheet (name, title, notes, headers, rows) a merged
    bold title, note lines (reporting unit, as-of date, unit of count), then the table.
    Values go through ``safe_cell`` like every export."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name, title, notes, headers, rows in sheets:
        sheet = book.create_sheet(title=name[:31])
        width = max(2, len(headers))
        sheet.append([safe_cell(title)])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="center")
        for note in notes:
            sheet.append([safe_cell(note)])
        sheet.append([safe_cell(h) for h in headers])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center", vertical="center")
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        sheet.column_dimensions["A"].width = 30
        for i in range(2, width + 1):
            sheet.column_dimensions[get_column_letter(i)].width = 14
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
