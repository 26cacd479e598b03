"""The three platform administrators (三员), next to the shared fixture cast."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.core.models import AuditEvent


@dataclass
class Admins:
    system: object
    security: object
    audit: object


@pytest.fixture
def admins(cast):
    system = UserFactory(username="xitong", full_name="系统管理员")
    security = UserFactory(username="anquan", full_name="安全管理员")
    audit = UserFactory(username="shenji", full_name="审计管理员")
    grant(system, Role.SYSTEM_ADMIN, None)
    grant(security, Role.SECURITY_ADMIN, None)
    grant(audit, Role.AUDIT_ADMIN, None)
    return Admins(system=system, security=security, audit=audit)


@pytest.fixture
def last_seq():
    """The newest audit event's seq now, to find the events a test wrote."""

    def newest() -> int:
        event = AuditEvent.objects.order_by("-seq").first()
        return event.seq if event else 0

    return newest
