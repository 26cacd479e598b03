"""Two-factor sign-in (TOTP, django-otp) and its recovery codes.

Who must use it: the three platform administrators and anyone holding an action that may
reveal or export personal data (``member.reveal``, ``member.export``), when
``ZHIBU_REQUIRE_2FA`` is on (production default). Anyone else may enrol from the account
page; whoever has a confirmed device is asked for a code after every password sign-in,
whatever the setting. API personal access tokens do not pass through here.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhibu.accounts.permissions import PLATFORM, grants

# Actions whose holders must use a second factor: they may reveal or export personal data.
PERSONAL_DATA_ACTIONS = ("member.reveal", "member.export")
RECOVERY_CODES = 10


# What a signed-in session still owes (kept in the session, decided once at sign-in, so
# pages pay no query for it): a code from the user's device, or enrolment.
SESSION_KEY = "zhibu_2fa"
VERIFY, ENROL = "verify", "enrol"


def two_factor_required(user) -> bool:
    """Must ``user`` have a second factor before using Zhibu? (see the module docstring)"""
    if not settings.ZHIBU_REQUIRE_2FA:
        return False
    return any(
        grant.level == PLATFORM or grant.actions.intersection(PERSONAL_DATA_ACTIONS)
        for grant in grants(user)
    )


def state_at_login(user) -> str | None:
    """What a fresh password sign-in of ``user`` owes: VERIFY, ENROL or nothing."""
    if has_device(user):
        return VERIFY
    return ENROL if two_factor_required(user) else None


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def totp_pending(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device (its secret is shown during enrolment)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="totp", confirmed=False)
    return device


def otpauth_uri(device: TOTPDevice) -> str:
    return device.config_url  # the issuer is settings.OTP_TOTP_ISSUER


def base32_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it when typed in, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def totp_confirm(*, user, token: str) -> list[str] | None:
    """Confirm the pending device with a first code; returns the new recovery codes.

    Returns ``None`` (and changes nothing) when the code is wrong. Confirming replaces
    any earlier devices, so an old phone stops working.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user) -> list[str]:
    """Ten new one-time recovery codes (the old ones stop working); shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    return "".join(secrets.choice(alphabet) for _ in range(10))


def token_match(*, user, token: str):
    """The confirmed device that accepts ``token`` (a recovery code is used up), or None.

    Each device's own throttling (django-otp: growing delay after failures) applies.
    """
    token = token.strip().replace(" ", "").lower()
    if not token:
        return None
    # Six digits are an authenticator's code, anything else a recovery code: trying a
    # code on the wrong kind of device would only grow that device's throttling delay.
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kind) and device.verify_token(token):
                return device
    return None


def devices_remove(*, user) -> None:
    """Switch two-factor sign-in off for a user who is not required to use it."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()
