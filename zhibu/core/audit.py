"""Writing and verifying the audit chain (see ``AuditEvent``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhibu.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _digest(event: AuditEvent) -> str:
    """The event's hash, from its fields exactly as the database gives them back: the time
    in UTC (an aware time in another zone reads back as UTC), the address as stored."""
    payload = {
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "kind": event.kind,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "org_path": event.org_path,
        "ip": event.ip,
        "summary": event.summary,
        "details": event.details,
        "prev": event.prev_hash,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _stored(value: Any) -> Any:
    """``value`` as a JSON column returns it on every engine: JSON types only, no NUL
    characters (PostgreSQL refuses them), and whole floats as integers (jsonb prints
    ``1e20`` back as ``100000000000000000000``)."""
    if isinstance(value, dict):
        return {_stored(str(k)): _stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def client_ip(request) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


@transaction.atomic
def audit_record(
    *,
    kind: str,
    summary: str,
    actor=None,
    request=None,
    obj: Any = None,
    org_path: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Appends are serialised by locking the chain head."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    ip = client_ip(request)
    event = AuditEvent(
        seq=head.seq + 1,
        at=timezone.now(),
        actor=actor,
        actor_name=(getattr(actor, "username", "") or "") if actor else "",
        kind=kind,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "public_id", getattr(obj, "pk", ""))) if obj is not None else "",
        org_path=org_path,
        ip=AuditEvent._meta.get_field("ip").get_prep_value(ip) if ip else None,
        summary=_stored(str(summary)[:300]),
        # Normalised as the database will return it, so the hash verifies after the
        # round trip (dates become strings; NaN and infinities are refused).
        details=_stored(
            json.loads(json.dumps(details or {}, ensure_ascii=False, default=str, allow_nan=False))
        ),
        prev_hash=head.hash,
    )
    event.hash = _digest(event)
    event.save(force_insert=True)
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain in order; report the first event whose link or content is broken."""
    previous = GENESIS
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"事件 #{expected_seq} 缺失")
        if event.prev_hash != previous:
            return VerifyResult(
                False, checked, event.seq, f"事件 #{event.seq} 与前一事件的链接不符"
            )
        if _digest(event) != event.hash:
            return VerifyResult(False, checked, event.seq, f"事件 #{event.seq} 的内容被改动")
        previous = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != previous):
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"链尾记录为 #{head.seq}，实际只有 {checked} 个事件（末尾事件被删除）",
        )
    return VerifyResult(True, checked)
