"""Roster workbooks: the import template, safe opening of uploads, and the export.

Uploads are untrusted zip archives. ``inspect_upload`` refuses anything that is not a
plain .xlsx before openpyxl parses a byte of XML: wrong extension or signature, too big,
too many entries, encrypted entries, macros, or a zip bomb (declared uncompressed sizes
too large in total or too highly compressed). The declared sizes are what count: Python's
zip reader never inflates an entry past its declared size. openpyxl parses the XML with
defusedxml (no entity expansion, no external entities).

Exports are written with openpyxl's write-only mode (constant memory); text that a
spreadsheet would take for a formula (``= + - @``, tab, CR) gets a leading apostrophe.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zhibu.core.crypto import mask_id_number, mask_phone
from zhibu.members.choices import ETHNICITIES, Education
from zhibu.members.models import Member

MAX_UPLOAD_BYTES = 40 * 1024 * 1024  # about 400,000 rows of the template
MAX_UNCOMPRESSED_BYTES = 800 * 1024 * 1024
MAX_RATIO = 100  # xlsx sheets compress 5-20x; bombs compress 1000x and more
RATIO_FLOOR = 1024 * 1024  # small entries may compress well without harm
MAX_ENTRIES = 500
MAX_ROWS = 200_000

NOT_XLSX = _("只能上传 Excel 2007 及以上版本的 .xlsx 文件（可在 Excel 中“另存为 .xlsx”）。")
TOO_BIG = _("文件过大：不超过 %(mb)s MB（约 %(rows)s 行）。")
NOT_A_WORKBOOK = _("文件已损坏或不是有效的 .xlsx 工作簿。")
ZIP_BOMB = _("文件解压后体积异常（疑似压缩炸弹），已拒绝。")
ENCRYPTED = _("文件已加密，请取消密码保护后再上传。")
MACROS = _("文件含有宏，请另存为不含宏的 .xlsx 文件后再上传。")
EMPTY_FILE = _("文件是空的。")

SHEET_TITLE = "党员名册"
NOTES_TITLE = "填写说明"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    kind: str = "text"  # text | date | choice | id
    note: str = ""
    width: int = 14


def _labels(choices) -> list[str]:
    return [str(label) for _, label in choices]


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, note="不超过 50 字", width=10),
    Column("gender", "性别", kind="choice", note="男 / 女；留空则按身份证号推定", width=6),
    Column(
        "id_number",
        "公民身份号码",
        True,
        kind="id",
        note="18 位，末位可为 X；本列须为文本格式，不能是数字或公式",
        width=22,
    ),
    Column("birth_date", "出生日期", kind="date", note="如 1988-05-17；留空则按身份证号推定"),
    Column("ethnicity", "民族", kind="choice", note="56 个民族之一，如 汉族；留空为汉族", width=10),
    Column("native_place", "籍贯", note="如 山东莱州"),
    Column("education", "学历", kind="choice", note="、".join(_labels(Education.choices))),
    Column("degree", "学位", note="如 工学学士"),
    Column(
        "category",
        "人员类别",
        True,
        kind="choice",
        note="、".join(_labels(Member.Category.choices)),
    ),
    Column("applied_on", "申请入党日期", kind="date", note="如 2010-03-01"),
    Column(
        "admitted_on",
        "入党日期",
        True,
        kind="date",
        note="支部大会通过接收为预备党员的日期，须在年满 18 周岁之后",
    ),
    Column(
        "full_on",
        "转正日期",
        kind="date",
        note="预备党员留空；填写则不早于入党日期满一年（党籍状态据此推定）",
    ),
    Column(
        "org", "所在党支部", True, note="组织代码（推荐）或党支部全称，须在您的管理范围内", width=18
    ),
    Column("group", "所在党小组", note="组织代码或名称，须属于所填党支部", width=14),
    Column("work_unit", "工作单位", note="须与系统中登记的单位名称一致", width=18),
    Column("occupation", "岗位/职务"),
    Column("phone", "联系电话", note="手机 11 位，或固定电话如 010-12345678", width=16),
    Column("address", "家庭住址", width=24),
    Column("former_name", "曾用名", width=10),
)
BY_KEY = {c.key: c for c in COLUMNS}


def header_key(text) -> str | None:
    """The column key for a header cell: "姓名*", " 姓名 " and "姓名" all mean ``name``."""
    cleaned = str(text or "").replace("*", "").replace("＊", "").strip()
    for column in COLUMNS:
        if column.header == cleaned:
            return column.key
    return None


def choice_lists() -> dict[str, list[str]]:
    return {
        "gender": _labels(Member.Gender.choices),
        "ethnicity": list(ETHNICITIES),
        "education": _labels(Education.choices),
        "category": _labels(Member.Category.choices),
    }


def template_workbook() -> bytes:
    """The import template: headers (* = required), list validations, ID column as text."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE9E7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index, value=column.header + ("*" if column.required else ""))
        cell.font = bold
        if column.required:
            cell.fill = fill
        letter = cell.column_letter
        ws.column_dimensions[letter].width = column.width
        if column.kind == "id":
            # Text, so Excel keeps all 18 digits (a number keeps 15 and shows 1.1E+17).
            ws.column_dimensions[letter].number_format = "@"
        elif column.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "B2"
    # Drop-down lists; the long ethnicity list lives on the notes sheet.
    notes = wb.create_sheet(NOTES_TITLE)
    lists = choice_lists()
    for key, values in lists.items():
        letter = ws.cell(row=1, column=_position(key)).column_letter
        if sum(len(v) + 1 for v in values) < 250:
            formula = '"' + ",".join(values) + '"'
        else:
            formula = f"'{NOTES_TITLE}'!$F$2:$F${len(values) + 1}"
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.error = str(_("请从下拉列表中选择"))
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    _write_notes(notes, lists["ethnicity"])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _position(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)


def _write_notes(ws, ethnicities: list[str]) -> None:
    ws.append(["列名", "是否必填", "填写要求"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        ws.append([column.header, "必填" if column.required else "选填", column.note])
    ws.append([])
    for line in (
        "1. 请在“党员名册”工作表第 2 行起逐行填写，每行一名党员，不要改动表头。",
        "2. 公民身份号码列须为文本格式；请勿使用公式，含公式的单元格会被拒绝。",
        "3. 导入前系统会逐行校验，列出每一行的问题；全部无误后方可确认导入，且要么全部导入、要么都不导入。",
        "4. 已登记的党员（按公民身份号码识别）会被跳过，同一文件重复上传不会重复导入。",
        "5. 党籍状态按日期推定：填写转正日期为正式党员，否则为预备党员。",
    ):
        ws.append([line])
    ws.cell(row=1, column=6, value="民族列表").font = Font(bold=True)
    for index, name in enumerate(ethnicities, start=2):
        ws.cell(row=index, column=6, value=name)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 70
    for row in ws.iter_rows(min_row=2, max_col=3):
        row[2].alignment = Alignment(wrap_text=True)


# --- opening uploads safely -----------------------------------------------------------------


def inspect_upload(upload) -> None:
    """Refuse anything but a plain, reasonably sized .xlsx; raise ``ValidationError``."""

    def refuse(message, **params):
        raise ValidationError({"file": message % params if params else message})

    if upload is None or not upload.size:
        refuse(EMPTY_FILE)
    if PurePath(upload.name or "").suffix.lower() != ".xlsx":
        refuse(NOT_XLSX)
    if upload.size > MAX_UPLOAD_BYTES:
        refuse(TOO_BIG, mb=MAX_UPLOAD_BYTES // (1024 * 1024), rows=f"{MAX_ROWS:,}")
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":
        refuse(NOT_XLSX)
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        refuse(NOT_A_WORKBOOK)
    finally:
        upload.seek(0)
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        refuse(NOT_A_WORKBOOK)
    if len(entries) > MAX_ENTRIES:
        refuse(ZIP_BOMB)
    if any(entry.flag_bits & 0x1 for entry in entries):
        refuse(ENCRYPTED)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        refuse(MACROS)
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            refuse(ZIP_BOMB)
    if total > MAX_UNCOMPRESSED_BYTES:
        refuse(ZIP_BOMB)


# --- export ---------------------------------------------------------------------------------


def neutralise(value):
    """Text a spreadsheet could run as a formula gets a leading apostrophe (CWE-1236)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


EXPORT_HEADERS = (
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "所在党支部",
    "所在党小组",
    "人员类别",
    "党籍状态",
    "入党日期",
    "转正日期",
    "党龄（年）",
    "学历",
    "学位",
    "岗位/职务",
    "工作单位",
    "联系电话",
    "家庭住址",
    "年老体弱免予要求",
)
ID_COLUMN = EXPORT_HEADERS.index("公民身份号码")
PHONE_COLUMN = EXPORT_HEADERS.index("联系电话")
DATE_COLUMNS = {EXPORT_HEADERS.index(h) for h in ("出生日期", "入党日期", "转正日期")}


def export_row(member: Member, *, today: date, full: bool = False) -> list:
    id_number = member.id_number if full else mask_id_number(member.id_number)
    phone = member.phone if full else mask_phone(member.phone)
    return [
        member.name,
        member.get_gender_display(),
        member.ethnicity,
        member.birth_date,
        id_number,
        member.org.name,
        member.group.name if member.group_id else "",
        member.get_category_display(),
        member.get_status_display(),
        member.admitted_on,
        member.full_on,
        member.party_age_on(today) if member.full_on else None,
        member.get_education_display(),
        member.degree,
        member.occupation,
        member.work_unit.name if member.work_unit_id else "",
        phone,
        member.address,
        "是" if member.frail_exempt else "",
    ]


def export_workbook(members, *, today: date, full: bool = False) -> tuple[bytes, int]:
    """The roster as .xlsx bytes and the number of rows, streamed in constant memory."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    for index in range(len(EXPORT_HEADERS)):
        width = 22 if index == ID_COLUMN else 12
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "B2"
    header_font = Font(bold=True)
    header = []
    for title in EXPORT_HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = header_font
        header.append(cell)
    ws.append(header)
    count = 0
    for member in members:
        row = []
        for index, value in enumerate(export_row(member, today=today, full=full)):
            cell = WriteOnlyCell(ws, value=_cell_value(value))
            if index in (ID_COLUMN, PHONE_COLUMN):
                cell.number_format = "@"  # IDs and phones are text, never numbers
            elif index in DATE_COLUMNS:
                cell.number_format = "yyyy-mm-dd"
            row.append(cell)
        ws.append(row)
        count += 1
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count


def _cell_value(value):
    if value is None:
        return None
    if isinstance(value, date | datetime | int | float):
        return value
    return neutralise(str(value))
