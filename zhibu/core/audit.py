"""Writing and verifying the audit chain (see ``AuditEvent``).

Events are chained by HMAC-SHA256 under a key derived from ``ZHIBU_FIELD_KEY`` (HKDF,
its own label), which lives outside the database: whoever can write the table but not
read the key cannot recompute the chain after an edit. Events written before the key
was introduced keep their plain SHA-256 (``algorithm``), and a plain event after a keyed
one is itself a break (a downgrade). ``tick`` appends the chain head to an append-only
anchor file (and optionally syslog), so deleting the tail and resetting the head is
caught too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import syslog
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhibu.core.files import secure_append
from zhibu.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
PLAIN = AuditEvent.Algorithm.SHA256
KEYED = AuditEvent.Algorithm.HMAC_SHA256


@cache
def _keys() -> tuple[bytes, ...]:
    """The chain keys: from the current field key first, then from the retired ones, so
    events keyed before a field-key rotation still verify."""
    masters = [settings.FIELD_KEY, *getattr(settings, "FIELD_KEYS_OLD", [])]
    return tuple(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"zhibu-audit-chain-v1").derive(
            bytes.fromhex(master)
        )
        for master in masters
    )


def _canonical(event: AuditEvent) -> bytes:
    """The event's fields exactly as the database gives them back: the time in UTC (an
    aware time in another zone reads back as UTC), the address as stored."""
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
    return canonical.encode("utf-8")


def _digest(event: AuditEvent, key: bytes | None = None) -> str:
    if event.algorithm == PLAIN:
        return hashlib.sha256(_canonical(event)).hexdigest()
    return hmac.new(key or _keys()[0], _canonical(event), hashlib.sha256).hexdigest()


def _digest_matches(event: AuditEvent) -> bool:
    if event.algorithm == PLAIN:
        return hmac.compare_digest(_digest(event), event.hash)
    return any(hmac.compare_digest(_digest(event, key), event.hash) for key in _keys())


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
        algorithm=KEYED,
    )
    event.hash = _digest(event)
    event.save(force_insert=True)
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    """``checked``: events walked; ``breaks``: every fault found, in chain order."""

    checked: int
    breaks: list[Break] = field(default_factory=list)
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def broken_seq(self) -> int | None:
        return self.breaks[0].seq if self.breaks else None

    @property
    def reason(self) -> str:
        return self.breaks[0].reason if self.breaks else ""


def audit_verify() -> VerifyResult:
    """Walk the whole chain and report every break: a missing event, a broken link, a
    changed event, a downgrade to the unkeyed hash, a head that does not match the end,
    and an anchored head (``read_anchors``) that the chain no longer contains."""
    breaks: list[Break] = []
    previous = GENESIS
    expected_seq = 1
    checked = 0
    keyed_seen = False
    anchors = read_anchors()
    anchored = {anchor.seq for anchor in anchors}
    hashes_at: dict[int, str] = {}  # only the anchored events' hashes: memory stays small
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        checked += 1
        if event.seq != expected_seq:
            missing = (
                f"#{expected_seq}"
                if event.seq == expected_seq + 1
                else f"#{expected_seq}–#{event.seq - 1}"
            )
            breaks.append(Break(expected_seq, f"事件 {missing} 缺失"))
        elif event.prev_hash != previous:
            breaks.append(Break(event.seq, f"事件 #{event.seq} 与前一事件的链接不符"))
        if event.algorithm == PLAIN and keyed_seen:
            breaks.append(Break(event.seq, f"事件 #{event.seq} 改用了无密钥的哈希（降级）"))
        elif not _digest_matches(event):
            breaks.append(Break(event.seq, f"事件 #{event.seq} 的内容被改动"))
        keyed_seen = keyed_seen or event.algorithm == KEYED
        if event.seq in anchored:
            hashes_at[event.seq] = event.hash
        previous = event.hash
        expected_seq = event.seq + 1
    last_seq = expected_seq - 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != last_seq or head.hash != previous):
        breaks.append(
            Break(
                last_seq + 1,
                f"链尾记录为 #{head.seq}，实际链尾为 #{last_seq}（末尾事件被删除）",
            )
        )
    for anchor in anchors:
        stored = hashes_at.get(anchor.seq)
        if stored is None:
            breaks.append(
                Break(
                    anchor.seq,
                    f"{anchor.at:%Y-%m-%d %H:%M} 锚定的事件 #{anchor.seq} 已不存在（历史被删除）",
                )
            )
        elif not hmac.compare_digest(stored, anchor.hash):
            breaks.append(
                Break(
                    anchor.seq,
                    f"事件 #{anchor.seq} 与 {anchor.at:%Y-%m-%d %H:%M} 的锚点不符（历史被改写）",
                )
            )
    breaks.sort(key=lambda b: b.seq)
    return VerifyResult(checked=checked, breaks=breaks, anchors=len(anchors))


# --- anchors outside the database -----------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    at: datetime
    seq: int
    hash: str


def anchor_path() -> Path:
    return Path(settings.ZHIBU_AUDIT_ANCHOR_FILE)


def read_anchors() -> list[Anchor]:
    """The anchors written so far (a missing file has none; a malformed line is skipped,
    since only the anchors that parse can be checked)."""
    path = anchor_path()
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        try:
            anchors.append(Anchor(datetime.fromisoformat(parts[0]), int(parts[1]), parts[2]))
        except ValueError:
            continue
    return anchors


def anchor_write() -> Anchor | None:
    """Append the chain's last event (seq, hash, time) to the anchor file (and syslog when
    ``ZHIBU_AUDIT_ANCHOR_SYSLOG``). An empty chain has nothing to anchor."""
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    if last is None:
        return None
    anchor = Anchor(timezone.now().astimezone(UTC), last.seq, last.hash)
    line = f"{anchor.at.isoformat()} {anchor.seq} {anchor.hash}"
    secure_append(anchor_path(), line + "\n")
    if getattr(settings, "ZHIBU_AUDIT_ANCHOR_SYSLOG", False):
        syslog.openlog("zhibu", 0, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_NOTICE, f"audit anchor {line}")
    return anchor
