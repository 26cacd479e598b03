"""Passwords and sign-in throttling (issue 14, item 9)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from zhibu.accounts.models import PasswordHistory

pytestmark = pytest.mark.django_db
PASSWORD = "Test-pass-2026"


def change_password(client: Client, old: str, new: str):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_last_five_passwords_cannot_be_chosen_again(cast, login):
    client = login(cast.ordinary)
    passwords = [PASSWORD] + [f"Neues-Kennwort-{n}x" for n in range(1, 6)]
    for old, new in itertools.pairwise(passwords):
        assert change_password(client, old, new).status_code == 302
    assert PasswordHistory.objects.filter(user=cast.ordinary).count() == 5
    # The current one and the four before it are refused, in Chinese; the sixth-last is not.
    for reused in passwords[2:]:
        response = change_password(client, passwords[-1], reused)
        assert "不能使用最近用过的 5 个密码。" in response.content.decode()
    assert change_password(client, passwords[-1], passwords[1]).status_code == 302


def test_an_administrator_cannot_set_a_recent_password_again(cast):
    user = cast.ordinary
    user.set_password("Frisch-Kennwort-7x")
    user.save()
    with pytest.raises(ValidationError, match="最近用过"):
        validate_password("Frisch-Kennwort-7x", user)


@pytest.mark.parametrize(
    "password",
    ["woaini1314", "Woaini@1314", "Qwe@123456", "Zhangsan123!", "Liming@1990", "Wang-Fang1988"],
)
def test_common_and_pinyin_name_passwords_are_refused_in_chinese(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, None)
    assert any("常见" in m or "姓名拼音" in m for m in refused.value.messages)


def test_a_password_with_the_users_own_name_in_pinyin_is_refused(cast):
    user = UserFactory(username="u-ouyang", full_name="欧阳明远")
    with pytest.raises(ValidationError, match="姓名拼音"):
        validate_password("Ouyangmingyuan#77", user)


@pytest.mark.parametrize("password", ["Tiger#Moon88", "Zhibu@2026demo", "Banana@1985x"])
def test_ordinary_strong_passwords_pass(password):
    validate_password(password, None)


def test_a_platform_admins_password_expires_after_90_days(admins):
    old = timezone.now() - timedelta(days=91)
    type(admins.system).objects.filter(pk=admins.system.pk).update(date_joined=old)
    PasswordHistory.objects.filter(user=admins.system).update(created_at=old)
    client = Client()
    client.post(reverse("login"), {"username": "xitong", "password": PASSWORD})
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "您的密码已到期" in response.content.decode()
    assert change_password(client, PASSWORD, "Frisch-Kennwort-7x").status_code == 302
    assert client.get(reverse("accounts:users")).status_code == 200


def test_other_passwords_do_not_expire_by_default(cast):
    old = timezone.now() - timedelta(days=400)
    type(cast.ordinary).objects.filter(pk=cast.ordinary.pk).update(date_joined=old)
    PasswordHistory.objects.filter(user=cast.ordinary).update(created_at=old)
    client = Client()
    client.post(reverse("login"), {"username": "dangyuan", "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200


def test_one_address_cannot_spray_forty_accounts(cast):
    for n in range(40):
        UserFactory(username=f"spray{n}")
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    refused = 0
    for n in range(40):
        response = sprayer.post(reverse("login"), {"username": f"spray{n}", "password": "x"})
        refused += "该网络地址登录失败次数过多" in response.content.decode()
    assert refused == 10  # the 31st to the 40th try were not even checked
    assert AccessAttempt.objects.count() == 30
    # Even a right password from that address waits; another address signs in.
    right = {"username": "dangyuan", "password": PASSWORD}
    assert sprayer.post(reverse("login"), right).status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.1").post(reverse("login"), right).status_code == 302


def test_five_quick_requests_cannot_lock_anyone_out(cast):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        prankster = Client(REMOTE_ADDR="203.0.113.9")
        bodies = [
            prankster.post(
                reverse("login"), {"username": "dangyuan", "password": "x"}
            ).content.decode()
            for _ in range(5)
        ]
        # Three failures, then a growing delay: the fourth and fifth are not even tried.
        assert ["请 5 秒后再试" in b for b in bodies] == [False, False, False, True, True]
        assert AccessAttempt.objects.get(username="dangyuan").failures_since_start == 3
        clock.shift(6)
        owner = Client(REMOTE_ADDR="198.51.100.1")
        right = {"username": "dangyuan", "password": PASSWORD}
        assert owner.post(reverse("login"), right).status_code == 302


def test_the_delay_grows_until_the_lockout(cast):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = Client(REMOTE_ADDR="203.0.113.9")
        waited = 0
        for failures in range(10):
            body = client.post(reverse("login"), {"username": "dangyuan", "password": "x"})
            assert "秒后再试" not in body.content.decode()
            wait = 0 if failures < 2 else 5 * 2 ** (failures - 2)
            clock.shift(wait + 1)
            waited += wait
        assert AccessAttempt.objects.get(username="dangyuan").failures_since_start == 10
        right = {"username": "dangyuan", "password": PASSWORD}
        locked = Client(REMOTE_ADDR="198.51.100.1").post(reverse("login"), right)
        assert locked.status_code == 429  # axes' lockout, after 10 failures over 10+ minutes
        assert waited >= 600


def test_the_bad_token_counter_is_shared_across_processes(cast):
    api = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        api.get("/api/v1/orgs", HTTP_AUTHORIZATION="Bearer zb_nope_nope")
    # Another process has its own cache objects but the same database table.
    elsewhere = DatabaseCache("zhibu_cache", {})
    key = "zhibu:api:bad-token:203.0.113.9"
    assert elsewhere.get(key) >= 10
    assert caches["shared"].get(key) >= 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM zhibu_cache")
        assert cursor.fetchone()[0] >= 1
    response = api.get("/api/v1/orgs", HTTP_AUTHORIZATION="Bearer zb_nope_nope")
    assert response.status_code == 429
