"""A few everyday journeys in a real browser: the cockpit drill-down, finding a member by
pinyin initials, recording a development step refused by its article, and a phone screen."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tests.e2e.helpers import sign_in
from zhibu.committees import services as committee_services
from zhibu.core.rules import Period
from zhibu.rulebook.run import rules_run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_party_secretary_drills_down_from_the_cockpit_to_the_article(cast, live_server, page):
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(
        record=post, on=timezone.localdate().replace(year=timezone.localdate().year - 1)
    )
    period = Period.containing("quarter", timezone.localdate())
    rules_run(root=cast.committee, period=period)
    sign_in(page, live_server, "dangwei")
    page.get_by_role("link", name="驾驶舱").first.click()
    page.wait_for_url("**/cockpit/**")
    assert page.locator("table.zb-matrix").is_visible()
    # Regression: Bootstrap's table styles painted every status cell white.
    late = page.locator("td.zb-cell-late").first
    assert late.evaluate("cell => getComputedStyle(cell).backgroundColor") == "rgb(246, 201, 203)"
    # The general branch's ORG-08 cell, then its findings with explanation and citation.
    page.goto(
        f"{live_server.url}/cockpit/findings/?org={cast.committee.public_id}&period={period.code}&rule=ORG-08"
    )
    row = page.locator("tbody tr", has_text="第一党支部")
    assert "书记职务自" in row.inner_text()
    assert "地方/单位规定" in row.inner_text()


def test_branch_secretary_finds_a_member_by_pinyin_initials(cast, live_server, page):
    sign_in(page, live_server, "zhibu1")
    page.goto(live_server.url + "/members/")
    page.locator("#id_q").fill("wdy")  # 王党员
    page.get_by_role("button", name="查询").click()
    body = page.locator("main").inner_text()
    assert "王党员" in body and "赵党员" not in body and "钱党员" not in body


def test_a_step_refused_by_its_article_is_explained_on_the_page(cast, live_server, page):
    from zhibu.development import services

    case = services.case_open(
        org=cast.branch1,
        name="申请人甲",
        gender="M",
        birth_date=date(1999, 5, 5),
        applied_on=date(2025, 3, 1),
    )
    sign_in(page, live_server, "zhibu1")
    page.goto(f"{live_server.url}/development/{case.public_id}/")
    assert "党组织派人谈话" in page.locator("main").inner_text()
    page.locator("input[name=on]").fill("2025-02-01")  # before the application: out of order
    page.get_by_role("button", name="登记此步骤").click()
    alert = page.get_by_role("alert").first.inner_text()
    assert "DEV-00" in alert and "早于上一步骤" in alert
    assert case.steps.count() == 1


def test_the_shell_works_on_a_360_px_phone(cast, browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, live_server, "dangyuan")
        assert page.get_by_role("button", name="打开导航").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways: {width}px"
        page.goto(live_server.url + "/meetings/my/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


@pytest.mark.refresh_on_save
def test_a_secretary_records_a_meeting_and_the_to_do_updates_at_once(cast, live_server, page):
    today = timezone.localdate()
    committee_services.committee_elect(org=cast.branch1, elected_on=date(today.year - 2, 3, 1))
    month = Period.containing("month", today)
    rules_run(root=cast.committee, period=month)
    sign_in(page, live_server, "zhibu1")
    this_month = page.locator("li.list-group-item", has_text=f"第一党支部 · {month.code}").filter(
        has_text="MTG-02"
    )
    assert this_month.count() == 1
    page.goto(f"{live_server.url}/meetings/org/{cast.branch1.public_id}/new/")
    page.get_by_label("会议名称").fill("本月支委会")
    page.get_by_label("支部委员会", exact=True).check()
    page.get_by_label("主题党日", exact=True).uncheck()
    secretary = page.locator(
        f"input[name='att-{cast.secretary_member.public_id}'][value='present']"
    )
    secretary.wait_for()
    page.wait_for_function(
        f"() => !document.querySelector(\"input[name='att-{cast.ordinary_member.public_id}']\")"
    )
    page.get_by_role("button", name="保存记录").click()
    page.wait_for_url(lambda u: "/meetings/" in u and "/org/" not in u)
    page.goto(live_server.url + "/")
    assert this_month.count() == 0
