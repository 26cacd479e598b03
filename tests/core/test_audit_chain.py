"""The audit chain verifies after the database round trip, whatever the time zone of the
clock, the address or the JSON details (regression: a back-dated demo approval, recorded
with an Asia/Shanghai time, read back as UTC and was reported as tampered)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhibu.core.audit import audit_record, audit_verify
from zhibu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**62), max_value=2**62)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
zones = st.sampled_from(
    [UTC, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/St_Johns"), timezone(timedelta(hours=-11))]
)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31), allow_imaginary=False
)
addresses = st.none() | st.ip_addresses().map(str)


class _Request:
    def __init__(self, ip):
        self.META = {"REMOTE_ADDR": ip} if ip else {}
        self.user = mock.Mock(is_authenticated=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    moment=moments,
    zone=zones,
    details=st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    ip=addresses,
    summary=st.text(max_size=40),
)
def test_any_event_written_and_read_back_verifies(moment, zone, details, ip, summary):
    when = moment.replace(tzinfo=zone)
    with mock.patch("django.utils.timezone.now", return_value=when):
        event = audit_record(
            kind=AuditEvent.Kind.CONFIG_CHANGED,
            summary=summary or "x",
            request=_Request(ip),
            details={"payload": details},
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.at == when
    result = audit_verify()
    assert result.ok, result.reason
