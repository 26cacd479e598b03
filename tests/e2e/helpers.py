"""Steps the browser journeys share: signing in as a cast user (tests/conftest.py) and
opening a responsibility letter from the letters list."""

from __future__ import annotations

PASSWORD = "Test-pass-2026"  # tests/factories.UserFactory


def sign_in(page, live_server, username: str) -> None:
    """Sign in afresh (the previous user's session cookie is dropped first)."""
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


def open_letter(page, live_server, recipient: str) -> None:
    page.goto(live_server.url + "/duties/letters/")
    page.locator("tbody tr", has_text=recipient).filter(has_not_text="范本").get_by_role(
        "link"
    ).first.click()
    page.wait_for_url("**/duties/letters/*/")
