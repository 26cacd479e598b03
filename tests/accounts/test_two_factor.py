"""Two-factor sign-in (issue 14, item 6): TOTP with django-otp, recovery codes, enrolment."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhibu.accounts import twofactor

pytestmark = pytest.mark.django_db
PASSWORD = "Test-pass-2026"


def sign_in(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = twofactor.totp_pending(user)
    codes = twofactor.totp_confirm(user=user, token=code_for(device))
    assert codes is not None
    # Enrolled a minute ago: a code is accepted once only, so the enrolment's code
    # would not pass again within the same 30 seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=F("last_t") - 2)
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def require_2fa(settings):
    settings.ZHIBU_REQUIRE_2FA = True


def test_sign_in_requires_the_code_when_enrolled(cast):
    device, _codes = enrol(cast.ordinary)
    client = sign_in(cast.ordinary)
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url.startswith(reverse("two_factor_verify"))
    assert client.get(reverse("account_security")).status_code == 302
    assert client.get("/api/v1/members/").status_code == 403
    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device), "next": reverse("home")}
    )
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused_in_chinese(cast):
    enrol(cast.ordinary)
    client = sign_in(cast.ordinary)
    response = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert response.status_code == 200
    assert "验证码不正确，请重试。" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_works_once(cast):
    _device, codes = enrol(cast.ordinary)
    assert len(codes) == 10 and len(set(codes)) == 10
    first = sign_in(cast.ordinary)
    assert first.post(reverse("two_factor_verify"), {"code": codes[0]}).status_code == 302
    assert first.get(reverse("home")).status_code == 200
    assert StaticToken.objects.filter(device__user=cast.ordinary).count() == 9
    second = sign_in(cast.ordinary)
    response = second.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert "验证码不正确" in response.content.decode()
    assert second.get(reverse("home")).status_code == 302


def test_a_platform_admin_without_a_device_is_sent_to_enrolment(admins, require_2fa):
    client = sign_in(admins.system)
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url.startswith(reverse("two_factor_setup"))
    page = client.get(reverse("two_factor_setup"))
    assert "otpauth://totp/" in page.content.decode() and page.context["required"]
    device = TOTPDevice.objects.get(user=admins.system, confirmed=False)
    wrong = client.post(reverse("two_factor_setup"), {"code": "123456"})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the next try waits a growing delay
    device.throttle_reset()
    done = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert len(done.context["codes"]) == 10
    assert client.get(reverse("home")).status_code == 200
    assert TOTPDevice.objects.get(user=admins.system).confirmed


@pytest.mark.parametrize("who", ["system", "security", "audit"])
def test_the_three_platform_admins_must_enrol(admins, require_2fa, who):
    client = sign_in(getattr(admins, who))
    assert client.get(reverse("accounts:users")).url.startswith(reverse("two_factor_setup"))


def test_required_roles_cannot_skip_enrolment(cast, require_2fa):
    # The branch secretary may reveal and export members' personal data.
    client = sign_in(cast.branch_secretary)
    for path in (reverse("home"), reverse("account_security"), reverse("password_change")):
        assert client.get(path).url.startswith(reverse("two_factor_setup"))
    assert client.get("/api/v1/members/").status_code == 403
    # Enrolled, they cannot switch it off either.
    device, _ = enrol(cast.branch_secretary)
    client = sign_in(cast.branch_secretary)
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    response = client.post(reverse("two_factor_remove"), follow=True)
    assert "您的角色要求两步验证，不能关闭" in response.content.decode()
    assert twofactor.has_device(cast.branch_secretary)


def test_others_are_not_asked_and_may_enrol_and_switch_it_off(cast, require_2fa):
    client = sign_in(cast.ordinary)
    assert client.get(reverse("home")).status_code == 200
    assert "启用两步验证" in client.get(reverse("account_security")).content.decode()
    device = twofactor.totp_pending(cast.ordinary)
    assert client.post(reverse("two_factor_setup"), {"code": code_for(device)}).status_code == 200
    assert twofactor.has_device(cast.ordinary)
    client.post(reverse("two_factor_remove"))
    assert not twofactor.has_device(cast.ordinary)


def test_a_session_opened_before_enrolment_cannot_switch_it_off(cast):
    earlier = sign_in(cast.ordinary)
    enrol(cast.ordinary)
    response = earlier.post(reverse("two_factor_remove"), follow=True)
    assert "请先退出并用验证码重新登录" in response.content.decode()
    assert twofactor.has_device(cast.ordinary)


def test_the_demo_and_development_do_not_require_it_by_default(cast, settings):
    settings.ZHIBU_REQUIRE_2FA = False
    assert sign_in(cast.branch_secretary).get(reverse("home")).status_code == 200


def test_a_code_is_accepted_once_only(cast):
    device, _ = enrol(cast.ordinary)
    code = code_for(device)
    assert (
        sign_in(cast.ordinary).post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    )
    again = sign_in(cast.ordinary).post(reverse("two_factor_verify"), {"code": code})
    assert again.status_code == 200


def test_the_next_page_after_verification_stays_on_this_site(cast):
    device, _ = enrol(cast.ordinary)
    client = sign_in(cast.ordinary)
    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response.url == reverse("home")
