"""安全管理员: accounts locked by django-axes, and unlocking them."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse

from zhibu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lockout_without_backoff(settings):
    """These tests are about the lockout page: five quick failures lock, with no growing
    delay in between (that delay is tested in test_passwords.py)."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.ZHIBU_LOGIN_BACKOFF_SECONDS = 0


def fail_login(username: str, times: int) -> None:
    stranger = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(times):
        stranger.post(reverse("login"), {"username": username, "password": "wrong-password"})


@pytest.fixture
def security(admins, login):
    return login(admins.security)


def test_security_admin_sees_locked_and_failing_accounts(cast, admins, security):
    fail_login("dangyuan", 5)
    fail_login("zhibu1", 2)
    response = security.get(reverse("accounts:lockouts"))
    rows = response.context["rows"]
    assert [(r.username, r.failures, r.locked) for r in rows] == [
        ("dangyuan", 5, True),
        ("zhibu1", 2, False),
    ]
    body = response.content.decode()
    assert "已锁定" in body and "203.0.113.7" in body and "5 / 5" in body


def test_no_lockouts_shows_an_empty_state(admins, security):
    assert "当前没有被锁定的账号" in security.get(reverse("accounts:lockouts")).content.decode()


def test_security_admin_unlocks_an_account_and_it_is_audited(cast, admins, security, last_seq):
    fail_login("dangyuan", 5)
    seq = last_seq()
    response = security.post(reverse("accounts:unlock"), {"username": "dangyuan"}, follow=True)
    assert "已解锁账号 dangyuan。" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="dangyuan").exists()
    [event] = AuditEvent.objects.filter(seq__gt=seq)
    assert (event.kind, event.actor, event.object_id, event.details["username"]) == (
        AuditEvent.Kind.UNLOCKED,
        admins.security,
        str(cast.ordinary.public_id),
        "dangyuan",
    )
    signed_in = Client().post(
        reverse("login"), {"username": "dangyuan", "password": "Test-pass-2026"}
    )
    assert signed_in.status_code == 302


def test_unlocking_leaves_other_accounts_locked(cast, admins, security):
    fail_login("dangyuan", 5)
    fail_login("zhibu1", 5)
    security.post(reverse("accounts:unlock"), {"username": "dangyuan"})
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["zhibu1"]


@pytest.mark.parametrize("username", ["nobody", ""])
def test_unlocking_an_account_without_failures_is_refused(cast, admins, security, username):
    fail_login("zhibu1", 5)
    attempts, events = AccessAttempt.objects.count(), AuditEvent.objects.count()
    response = security.post(reverse("accounts:unlock"), {"username": username}, follow=True)
    body = response.content.decode()
    assert ("没有登录失败记录" if username else "请指定要解锁的用户名") in body
    assert (AccessAttempt.objects.count(), AuditEvent.objects.count()) == (attempts, events)


def test_the_failure_log_is_shown_when_axes_keeps_it(admins, security, settings):
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    AccessFailureLog.objects.create(
        username="dangyuan",
        ip_address="198.51.100.4",
        user_agent="x",
        http_accept="x",
        path_info="/accounts/login/",
        locked_out=True,
    )
    body = security.get(reverse("accounts:lockouts")).content.decode()
    assert "最近的登录失败日志" in body and "198.51.100.4" in body
