"""The import's sheet reader gives the values openpyxl gives (``data_only=False``), streamed."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from tests.members.workbooks import person, upload, workbook
from zhibu.members import excel, imports
from zhibu.members.models import ImportBatch
from zhibu.members.sheetrows import SheetRows

pytestmark = pytest.mark.django_db


def odd_cells() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = excel.SHEET_TITLE
    ws.append(["姓名", "公民身份号码", "出生日期", "入党日期", "x"])
    ws.append(["张三", "110101199003071234", date(1990, 3, 7), datetime(2012, 7, 1), True])
    ws.append(["=A2", 110101199003071234, "2012-07-01", 41091, 3.5])
    ws["C3"].number_format = ws["D3"].number_format = "yyyy-mm-dd"
    ws.append([None] * 5)
    ws.append(["  ", "李四", time(10, 30), "=SUM(1,2)", "#N/A"])
    ws["A7"], ws["AB9"], ws["B9"], ws["D9"] = "孤行", 1e20, False, "x_x005F_y"
    ws["C9"] = CellRichText(["富", TextBlock(InlineFont(b=True), "文本")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


SHARED = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
    "<si><t>共享</t></si>"
    '<si><r><t>王</t></r><r><t xml:space="preserve">小 明</t></r><rPh sb="0" eb="1"><t>ワン</t></rPh></si>'
    "</sst>"
)


def rewrite(content: bytes, sheet, *, shared: bool = False) -> bytes:
    """The workbook with its first sheet's XML changed (and a shared-strings part added)."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            data = source.read(entry.filename).decode()
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = sheet(data)
            elif shared and entry.filename == "[Content_Types].xml":
                data = data.replace(
                    "</Types>",
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif shared and entry.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    "</Relationships>",
                    '<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
                    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                    "</Relationships>",
                )
            out.writestr(entry, data.encode())
        if shared:
            out.writestr("xl/sharedStrings.xml", SHARED.encode())
    return target.getvalue()


def openpyxl_rows(wb) -> list:
    rows = enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1)
    found = [(n, {i: v for i, v in enumerate(row, start=1) if v is not None}) for n, row in rows]
    return [(n, cells) for n, cells in found if cells]


def test_the_values_are_openpyxls(tmp_path):
    path = tmp_path / "odd.xlsx"
    path.write_bytes(odd_cells())
    wb = load_workbook(path, read_only=True, data_only=False)
    got = [(n, cells) for n, cells in SheetRows(wb, wb.worksheets[0]) if cells]
    assert got == openpyxl_rows(wb)
    assert got[2][1][1] == "=A2" and got[2][1][4] == datetime(2012, 7, 1)


def test_shared_and_inline_strings_are_read_without_phonetic_runs(tmp_path):
    cells = (
        '<c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c>'
        '<c r="C2" t="inlineStr"><is><r><t>李</t></r><rPh sb="0" eb="1"><t>リ</t></rPh></is></c>'
    )
    content = rewrite(
        odd_cells(),
        lambda xml: xml.replace(xml.split('<row r="2"')[1].split("</row>")[0], ">" + cells),
        shared=True,
    )
    path = tmp_path / "strings.xlsx"
    path.write_bytes(content)
    wb = load_workbook(path, read_only=True)
    rows = dict(SheetRows(wb, wb.worksheets[0]))
    assert rows[2] == {1: "王小 明", 2: "共享", 3: "李"} == dict(openpyxl_rows(wb))[2]


def test_a_sheet_declaring_entities_is_refused_as_not_a_workbook(cast):
    bomb = '<!DOCTYPE worksheet [<!ENTITY a "aaaa">]>'
    content = rewrite(workbook([person(1)]), lambda xml: bomb + xml)
    batch = imports.import_upload(upload=upload(content), by=cast.branch_secretary)
    imports.run_check(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID and "不是有效的" in batch.message


def test_the_size_comes_from_the_stream_declared_or_estimated(tmp_path):
    """The workbook opens without a pass over the sheet for its size; the stream reports
    the declared size, or estimates it when the sheet declares none (write-only files)."""
    from zhibu.members.sheetrows import open_workbook

    declared = tmp_path / "declared.xlsx"
    declared.write_bytes(workbook([person(n) for n in range(1, 31)]))
    undeclared = tmp_path / "undeclared.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(excel.SHEET_TITLE)
    for n in range(1, 3001):
        ws.append([f"姓名{n}", f"{n:018d}", "2012-07-01"])
    wb.save(undeclared)
    for path, expected in ((declared, range(30, 31)), (undeclared, range(2000, 4500))):
        sizes: list[int] = []
        wb = open_workbook(path)
        rows = list(SheetRows(wb, wb.worksheets[0], sizes.append))
        wb.close()
        assert len(sizes) == 1 and sizes[0] in expected, (path.name, sizes)
        full = load_workbook(path, read_only=True, data_only=False)
        assert rows == [(n, c) for n, c in SheetRows(full, full.worksheets[0])]
        full.close()
