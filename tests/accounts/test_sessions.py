"""A user's own sessions and the absolute session lifetime (issue 14, item 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhibu.accounts.models import UserSession

pytestmark = pytest.mark.django_db
PASSWORD = "Test-pass-2026"


def sign_in(user, agent: str = "Firefox", ip: str = "198.51.100.1") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_the_security_page_lists_ones_own_sessions(cast):
    office = sign_in(cast.ordinary, "Firefox on the office PC", "198.51.100.1")
    sign_in(cast.ordinary, "Safari on the phone", "203.0.113.5")
    sign_in(cast.branch_secretary, "Edge", "192.0.2.7")
    response = office.get(reverse("account_security"))
    rows = response.context["sessions"]
    assert [(r.user_agent, r.ip_address, r.current) for r in rows] == [
        ("Firefox on the office PC", "198.51.100.1", True),
        ("Safari on the phone", "203.0.113.5", False),
    ]
    assert "Edge" not in response.content.decode()


def test_a_user_ends_one_of_their_other_sessions(cast):
    office = sign_in(cast.ordinary)
    phone = sign_in(cast.ordinary, "Safari")
    other = UserSession.objects.get(user_agent="Safari")
    response = office.post(reverse("session_revoke", args=[other.public_id]), follow=True)
    assert "已结束该会话。" in response.content.decode()
    assert not signed_in(phone) and signed_in(office)
    assert not UserSession.objects.filter(pk=other.pk).exists()


def test_nobody_can_end_another_users_session(cast):
    theirs = sign_in(cast.branch_secretary)
    row = UserSession.objects.get(user=cast.branch_secretary)
    mine = sign_in(cast.ordinary)
    assert mine.post(reverse("session_revoke", args=[row.public_id])).status_code == 404
    assert signed_in(theirs)


def test_sign_out_everywhere_else(cast):
    here = sign_in(cast.ordinary)
    elsewhere = [sign_in(cast.ordinary, f"Browser {n}") for n in range(3)]
    secretary = sign_in(cast.branch_secretary)
    response = here.post(reverse("sessions_revoke_others"), follow=True)
    assert "已在其他 3 处退出登录。" in response.content.decode()
    assert signed_in(here) and signed_in(secretary)
    assert not any(signed_in(c) for c in elsewhere)
    assert UserSession.objects.filter(user=cast.ordinary).count() == 1


def test_signing_out_drops_the_session_from_the_list(cast):
    client = sign_in(cast.ordinary)
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=cast.ordinary).exists()


def test_a_session_ends_after_12_hours_however_active(cast):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = sign_in(cast.ordinary)
        for _ in range(35):  # a request every 20 minutes: never idle
            clock.shift(timedelta(minutes=20))
            assert signed_in(client)
        clock.shift(timedelta(minutes=21))  # past 12 hours after signing in
        response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("login"))
        assert "登录时间已达上限" in response.content.decode()
