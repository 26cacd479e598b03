"""A member in a real browser (issue 13): first sign-in with the one-time code from the
distribution sheet, a password of their own, then a home page that lists only the meetings
they are invited to — their branch's 主题党日, not its 支委会, not another branch's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_member
from zhibu.accounts import signin_codes
from zhibu.committees import services as committee_services
from zhibu.meetings.services.scheduling import meeting_plan
from zhibu.members import accounts

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Dangyuan-Xin-2026q"


def test_a_member_signs_in_with_a_code_and_sees_only_meetings_they_are_invited_to(
    cast, live_server, page
):
    today = timezone.localdate()
    committee_services.committee_elect(org=cast.branch1, elected_on=date(today.year - 2, 3, 1))
    soon = today + timedelta(days=3)
    meeting_plan(org=cast.branch1, title="本支部主题党日", on=soon, kinds=["theme_day"])
    meeting_plan(org=cast.branch1, title="本支部支委会", on=soon, kinds=["branch_committee"])
    meeting_plan(org=cast.branch2, title="第二支部主题党日", on=soon, kinds=["theme_day"])
    member = make_member(cast.branch1, "孙党员", birth_date=date(1990, 5, 6))
    issued = accounts.accounts_issue(members=[member], by=cast.branch_secretary)[0]

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="首次登录？使用通知单上的一次性登录码").click()
    page.get_by_label("用户名").fill(issued.username)
    page.get_by_label("一次性登录码").fill(signin_codes.shown(issued.code))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/accounts/password/")
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("新密码确认").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_url(lambda url: "/accounts/password/done/" in url)

    page.goto(live_server.url + "/")
    panel = page.locator("section.card", has_text="我的近期会议")
    panel.wait_for()
    assert panel.get_by_text("本支部主题党日").count() == 1
    assert panel.get_by_text("本支部支委会").count() == 0
    assert panel.get_by_text("第二支部主题党日").count() == 0
    page.goto(live_server.url + "/meetings/my/")
    body = page.locator("main").inner_text()
    assert "本支部主题党日" in body
    assert "本支部支委会" not in body and "第二支部主题党日" not in body
