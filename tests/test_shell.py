"""The page shell: sign-in, lockout, idle timeout, language, error pages, health check."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert "用户名" in body and "密码" in body and "登录" in body


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_user_signs_in_and_sees_the_chinese_home_page(client, user):
    response = login(client, "zhangsan", "Secret-pass-123")
    assert response.status_code == 302
    home = client.get(reverse("home"))
    body = home.content.decode()
    assert "您好，张三" in body
    assert "工作台" in body
    assert reverse("orgs:tree") not in body  # a user without roles is offered no module


def test_navigation_offers_the_modules_a_role_holds(cast, login):
    body = login(cast.party_secretary).get(reverse("home")).content.decode()
    assert "组织" in body and "驾驶舱" in body
    assert "审计日志" not in body
    body = login(cast.ordinary).get(reverse("home")).content.decode()
    assert "驾驶舱" not in body


def test_wrong_password_gives_a_chinese_error_and_no_session(client, user):
    response = login(client, "zhangsan", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_account_locks_after_ten_failures_even_with_the_right_password(client, user):
    # From the fourth failure on each try waits a growing delay (test_passwords.py).
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(10):
            login(client, "zhangsan", "wrong-password")
            clock.shift(timedelta(minutes=11))
        response = login(client, "zhangsan", "Secret-pass-123")
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_thirty_minutes(client, user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(10):
            login(client, "zhangsan", "wrong-password")
            clock.shift(timedelta(minutes=11))
        assert login(client, "zhangsan", "Secret-pass-123").status_code == 429
        clock.shift(timedelta(minutes=31))
        response = login(client, "zhangsan", "Secret-pass-123")
    assert response.status_code == 302


def test_idle_session_ends_after_thirty_minutes(client, user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200  # activity keeps it alive
        clock.shift(timedelta(minutes=31))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_needs_post_and_ends_the_session(signed_in):
    assert signed_in.get(reverse("logout")).status_code == 405
    response = signed_in.post(reverse("logout"))
    assert response.status_code == 302
    assert signed_in.get(reverse("home")).status_code == 302


def test_language_switch_shows_english(signed_in):
    signed_in.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = signed_in.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
    assert "Workbench" in body and "Sign out" in body


def test_password_change_rejects_a_weak_password_in_chinese(signed_in, user):
    response = signed_in.post(
        reverse("password_change"),
        {
            "old_password": "Secret-pass-123",
            "new_password1": "abcdefghij",
            "new_password2": "abcdefghij",
        },
    )
    assert response.status_code == 200
    assert "三类" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("Secret-pass-123")


def test_password_change_works(signed_in, user):
    response = signed_in.post(
        reverse("password_change"),
        {
            "old_password": "Secret-pass-123",
            "new_password1": "Neu-Pass-2026!",
            "new_password2": "Neu-Pass-2026!",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Neu-Pass-2026!")


def test_unknown_page_answers_a_chinese_404(signed_in, settings):
    settings.DEBUG = False
    response = signed_in.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_healthz_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db import DatabaseError
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503


def test_favicon_ico_leads_to_the_icon_in_static(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("zhibu/favicon.svg")
    assert finders.find("zhibu/favicon.svg") is not None


def test_a_refused_request_logs_one_line_without_a_traceback(cast, login):
    import io
    import logging

    from zhibu.core.logs import ForbiddenWithoutTraceback

    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ForbiddenWithoutTraceback) for f in h.filters)
    )
    stream, handler.stream = handler.stream, io.StringIO()
    try:
        response = login(cast.ordinary).get("/admin/users/")
        written = handler.stream.getvalue()
    finally:
        handler.stream = stream
    assert response.status_code == 403
    assert "Forbidden" in written and "Traceback" not in written
