"""A newcomer's first journey: open Zhibu, sign in as the demo 党委书记, see the Chinese home."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo_party_secretary_signs_in_and_sees_the_chinese_home_page(live_server, page):
    # One journey (building the demo organisation takes half a minute): a mistyped password
    # first, then the right one.
    call_command("demo_data")
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.get_by_label("用户名").fill("dangwei")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码不正确")

    page.get_by_label("用户名").fill("dangwei")
    page.get_by_label("密码").fill(settings.ZHIBU_DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("您好")
    assert page.get_by_role("navigation", name="模块导航").is_visible()
    # The theme's stylesheet loaded from our own static files, not a CDN.
    top_bar = page.locator("header.zb-topbar")
    assert top_bar.evaluate("el => getComputedStyle(el).position") == "sticky"
