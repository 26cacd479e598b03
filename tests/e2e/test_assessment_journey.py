"""党建考核 in one browser journey (issue 17's done-when for the assessment): the 党委 makes
the year's scheme from the standard one and computes the draft sheets → the branch's
missing 支委会 months show as deductions that open their findings → the assessor adjusts
one score with a reason and issues the sheet → the branch appeals → the assessor answers
and confirms: the sheet is graded."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.assessment.conftest import finding
from tests.e2e.helpers import sign_in
from zhibu.assessment import services
from zhibu.assessment.models import Scheme, Sheet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_draft_sheet_adjust_appeal_confirm(cast, live_server, page):
    year = timezone.localdate().year - 1
    missing = [finding(cast.branch1, "MTG-02", f"{year}-{m:02d}") for m in (2, 7)]
    main = page.locator("main")

    # The 党委 makes the scheme from the standard one and computes the drafts.
    sign_in(page, live_server, "dangwei")
    page.goto(live_server.url + "/assessment/")
    page.get_by_role("link", name="新建考核方案").click()
    page.get_by_label("年度").fill(str(year))
    page.get_by_label("方案名称").fill(f"{year} 年度党支部规范化建设考核")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="计算草稿考核表").click()
    expect(main.locator("#sheets tbody tr")).to_have_count(2)
    main.locator("#sheets").get_by_role("link", name="第一党支部").click()
    page.wait_for_url("**/assessment/sheets/*/")
    row = main.locator("tr", has_text="支部委员会会议每月召开")
    assert "6.0" in row.inner_text()  # 10 − 2 × 2
    links = row.locator("ul a[href^='/duties/findings/']")
    assert links.count() == 2
    assert links.first.get_attribute("href") == f"/duties/findings/{missing[0].pk}/"

    # One score adjusted with a reason (the manual ones scored behind the scenes).
    row.get_by_role("link", name="调整").click()
    page.get_by_label("得分").fill("8")
    page.get_by_label("评分/调整理由").fill("7 月支委会已召开，记录补录")
    page.get_by_role("button", name="保存").click()
    assert "已调整" in main.locator("tr", has_text="支部委员会会议每月召开").inner_text()
    sheet = Sheet.objects.get(scheme__year=year, org=cast.branch1)
    for line in sheet.lines.filter(computed__isnull=True):
        services.line_adjust(line=line, score="5", reason="现场查阅", by=cast.party_secretary)
    page.reload()
    page.get_by_role("button", name="下发").click()
    assert page.locator("#sheet-status").inner_text() == "已下发"

    # The branch sees its own sheet and appeals.
    sign_in(page, live_server, "zhibu1")
    page.goto(live_server.url + f"/assessment/?year={year}")
    main.get_by_role("link", name="第一党支部").click()
    page.get_by_role("link", name="提出申诉").click()
    page.get_by_label("申诉理由").fill("2 月支委会因春节顺延至 3 月初召开，请予核减。")
    page.get_by_role("button", name="保存").click()
    assert "等待考核组织答复" in page.content()

    # The 党委 answers and confirms; the grade follows the thresholds.
    sign_in(page, live_server, "dangwei")
    page.goto(live_server.url + f"/assessment/sheets/{sheet.public_id}/")
    page.get_by_label("答复意见").fill("延期未报备，维持原评分。")
    page.get_by_role("button", name="答复", exact=True).click()
    page.get_by_role("button", name="确认考核结果").click()
    assert page.locator("#sheet-status").inner_text() == "已确认"
    sheet.refresh_from_db()
    assert sheet.grade and page.locator("#sheet-grade").inner_text() == sheet.get_grade_display()
    assert Scheme.objects.get(year=year).sheets.filter(status=Sheet.Status.CONFIRMED).count() == 1
