"""Issue 19's 党内统计 journey in a real browser: the committee's 组织 lead opens the
year-end tables, drills into a cell to the members behind it, and exports the workbook."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_year_end_tables_drill_down_and_export(cast, live_server, page):
    sign_in(page, live_server, "dangwei")
    page.get_by_role("link", name="党内统计").first.click()
    # expect() waits for the page the click opened; inner_text() could read the old one.
    expect(page.locator("main")).to_contain_text("表间校验通过")
    # 集团党委 on last 31 December: 李书记, 王党员 (女), 赵党员
    assert (
        page.locator("#census-flow")
        .get_by_role("row", name="统计时点党员数")
        .inner_text()
        .endswith("3")
    )
    page.locator("#census-gender a[data-cell='gender:F:n']").click()
    cell = page.locator("#census-cell")
    expect(cell).to_contain_text("王党员")
    assert "李书记" not in cell.inner_text()
    assert "党员按性别" in page.locator("#census-cell-label").inner_text()

    page.get_by_role("link", name="返回统计表").click()
    expect(page.locator("#census-chart-data")).to_have_count(1)
    with page.expect_download() as info:
        page.locator("#census-export").click()
    # The browser keeps the download under a temporary name without the .xlsx ending.
    book = load_workbook(BytesIO(Path(info.value.path()).read_bytes()))
    assert len(book.sheetnames) == 13
    assert "党员增减变化" in book[book.sheetnames[0]]["A1"].value
