"""In a real headless Chromium at 360 px: a member asks for leave on the phone, and the
secretary's one-page record form starts from it. Skips when Debian's chromium is missing."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.meetings.conftest import url
from zhibu.meetings.models import Attendance, Meeting
from zhibu.meetings.services.scheduling import meeting_plan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def phone():
    executable = os.environ.get("ZHIBU_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        if os.environ.get("ZHIBU_REQUIRE_E2E") == "1":
            pytest.fail(f"browser tests need chromium at {executable}")
        pytest.skip(f"browser tests need chromium at {executable}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
            context = browser.new_context(
                locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True
            )
            page = context.new_page()
            page.set_default_timeout(15000)
            yield page
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("Test-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_leave_on_a_phone_then_record_in_one_page(live_server, phone, cast):
    today = timezone.localdate()
    meeting = meeting_plan(
        org=cast.branch1, title="主题党日", on=today + timedelta(days=3), kinds=["theme_day"]
    )
    sign_in(phone, live_server.url, "dangyuan")
    phone.goto(live_server.url + "/meetings/my/")
    assert no_sideways_scroll(phone)
    phone.get_by_role("link", name="请假").click()
    phone.get_by_label("请假事由").fill("出差")
    phone.get_by_role("button", name="提交请假").click()
    phone.wait_for_url(live_server.url + "/meetings/my/")
    assert phone.get_by_text("已请假").first.is_visible()
    assert Attendance.objects.get(meeting=meeting).status == "leave"

    phone.context.clear_cookies()
    sign_in(phone, live_server.url, "zhibu1")
    phone.goto(live_server.url + url("record_new", cast.branch1))
    assert no_sideways_scroll(phone)
    phone.get_by_label("会议名称").fill("今天的主题党日")
    assert phone.locator(
        f"input[name='att-{cast.ordinary_member.public_id}'][value='present']"
    ).is_checked()
    phone.locator(f"label[for='att-{cast.ordinary_member.public_id}-absent']").click()
    phone.get_by_role("button", name="保存记录").click()
    phone.wait_for_url(lambda u: "/meetings/" in u and "/org/" not in u)
    held = Meeting.objects.exclude(pk=meeting.pk).get()
    assert held.on == today and held.status == "recorded"
    assert dict(held.attendance.values_list("member__name", "status")) == {
        "李书记": "present",
        "王党员": "absent",
    }
