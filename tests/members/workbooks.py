"""Roster workbooks built in memory with openpyxl, for the import tests."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhibu.members import excel, idnumber

HEADERS = [c.header + ("*" if c.required else "") for c in excel.COLUMNS]


def person(n: int, *, org: str = "ZB1", **overrides) -> dict:
    """One valid row (by column key): a full member admitted at 25, confirmed a year later."""
    born = date(1960 + n % 40, 1 + n % 12, 1 + n % 28)
    gender = "男" if n % 2 else "女"
    # Unique per n: the birth date repeats every 840 rows, the sequence number does not.
    first17 = f"220102{born:%Y%m%d}{(n // 840) * 2 + n % 2:03d}"
    row = {
        "name": f"导入{n:05d}",
        "gender": gender,
        "id_number": first17 + idnumber.check_digit(first17),
        "birth_date": born.isoformat(),
        "ethnicity": "汉族",
        "category": "在职",
        "admitted_on": date(born.year + 25, 7, 1).isoformat(),
        "full_on": date(born.year + 26, 7, 1).isoformat(),
        "org": org,
        "phone": f"138{n:08d}",
        "education": "大学本科",
    }
    row.update(overrides)
    return row


def workbook(rows: list[dict], *, headers: list[str] | None = None, raw=None) -> bytes:
    """An .xlsx with the template's headers and ``rows``; ``raw(ws)`` may add odd cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = excel.SHEET_TITLE
    headers = headers or HEADERS
    ws.append(headers)
    keys = [excel.header_key(h) for h in headers]
    for row in rows:
        ws.append([row.get(key) for key in keys])
    if raw:
        raw(ws)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
