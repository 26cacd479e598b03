"""The demo organisation loaded by ``manage.py demo_data`` (and ``make demo``).

Deterministic by seed and idempotent: running it twice changes nothing. The logins
listed in ``DEMO_LOGINS`` are the ones the README and ``make demo`` print.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (DemoLogin("admin", "演示管理员", "演示管理员（全部功能）"),)


@transaction.atomic
def build(*, seed: int = 2026) -> dict[str, int]:
    """Create the demo data if absent; return counts of what was created."""
    User = get_user_model()
    created = 0
    for login in DEMO_LOGINS:
        user, was_created = User.objects.get_or_create(
            username=login.username, defaults={"full_name": login.full_name}
        )
        if was_created:
            user.set_password(settings.ZHIBU_DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
    return {"users": created}
