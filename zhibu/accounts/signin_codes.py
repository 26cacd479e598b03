"""One-time sign-in codes for members' accounts (issue 13, "members who can sign in").

A code is shown once — on the distribution sheet printed when it is issued — and stored
only as an HMAC-SHA256 keyed with the site's secret: 12 characters from an alphabet without
look-alikes (about 60 bits), so a keyed fast hash is enough and issuing hundreds of
accounts stays quick. A code expires after ``settings.ZHIBU_SIGN_IN_CODE_DAYS`` days (14 by
default), is used up by signing in with it, and issuing a new one voids the user's unused
ones. Signing in with a code goes through ``authenticate`` (``SignInCodeBackend``), so
django-axes' lockout and the sign-in throttle count its failures like a password's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.utils import timezone

from zhibu.accounts.models import SignInCode, User

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
LENGTH = 12


def code_days() -> int:
    return int(getattr(settings, "ZHIBU_SIGN_IN_CODE_DAYS", 14))


def normalise(code: str) -> str:
    """As typed: case, spaces and dashes do not matter."""
    return "".join(ch for ch in str(code).upper() if ch not in " -\t")


def code_hash(code: str) -> str:
    key = f"zhibu.sign-in-code:{settings.SECRET_KEY}".encode()
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def shown(code: str) -> str:
    """``ABCD-EFGH-JKMN`` as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_issue(*, user: User, by: User | None) -> str:
    """A new code for ``user`` (their unused ones are voided); returns it in clear, once."""
    now = timezone.now()
    SignInCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    SignInCode.objects.create(
        user=user,
        code_hash=code_hash(code),
        expires_at=now + timedelta(days=code_days()),
        created_by=by,
    )
    return code


def codes_issue(*, users: list[User], by: User | None) -> dict[int, str]:
    """``code_issue`` for many users in two statements: {user pk: code}."""
    now = timezone.now()
    SignInCode.objects.filter(user__in=users, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    codes = {u.pk: "".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for u in users}
    SignInCode.objects.bulk_create(
        SignInCode(
            user_id=pk,
            code_hash=code_hash(code),
            expires_at=now + timedelta(days=code_days()),
            created_by=by,
        )
        for pk, code in codes.items()
    )
    return codes


@transaction.atomic
def code_redeem(*, username: str, code: str) -> User | None:
    """The active user ``username`` if ``code`` is one of their live codes (then used up)."""
    if not username or not code:
        return None
    now = timezone.now()
    row = (
        SignInCode.objects.select_for_update()
        .select_related("user")
        .filter(
            code_hash=code_hash(code),
            user__username__iexact=username.strip(),
            used_at__isnull=True,
            expires_at__gt=now,
        )
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    row.used_at = now
    row.save(update_fields=["used_at"])
    user = row.user
    # The code stands for a temporary password: the owner chooses one at once.
    if not user.must_change_password:
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
    return user


class SignInCodeBackend(ModelBackend):
    """``authenticate(request, username=..., sign_in_code=...)``; sessions as ModelBackend."""

    def authenticate(self, request, username=None, password=None, sign_in_code=None, **kwargs):
        if sign_in_code is None or password is not None:
            return None
        user = code_redeem(username=username or "", code=sign_in_code)
        return user if user is not None and self.user_can_authenticate(user) else None
