"""Writes of 问责 decisions: record one (closing its signals), edit it with its version,
attach files. Every refusal is a ValidationError with a Chinese message, raised before
anything is written; every write is audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.uploads import check_upload
from zhibu.core.versioning import check_version
from zhibu.discipline.models import DisciplineRecord
from zhibu.discipline.selectors import visible_records
from zhibu.members.models import Member
from zhibu.orgs.models import Org

from .models import Decision, DecisionAttachment, DecisionSignal
from .sources import Signal

NOUN = _("问责决定")
NO_SIGNALS = _("请至少选择一条问责线索：问责决定须以线索为依据。")
REASON_EMPTY = _("请填写问责事由。")
DATE_FUTURE = _("决定日期不能晚于今天。")
BAD_KIND = _("请选择问责方式（检查、通报、诫勉、组织调整、纪律处分）。")
SIGNAL_ELSEWHERE = _("线索“%(title)s”不属于被问责组织或其下级组织。")
SIGNAL_CLOSED = _("线索“%(title)s”已由另一问责决定处理，不能重复问责。")
PERSON_ELSEWHERE = _("责任人应是被问责组织（或其下级组织）的党员。")
DECIDER_NOT_ABOVE = _("决定机关应是被问责组织本身或其上级党组织。")
REF_ONLY_SANCTION = _("只有纪律处分类的问责决定才能关联纪律处分记录。")
REF_UNKNOWN = _("未找到决定文号为“%(ref)s”的纪律处分记录（或您无权查看）。")
REF_OTHER_PERSON = _("该纪律处分记录的对象不是本决定的责任人。")
MAX_MB = 10


def _check(
    *,
    org: Org,
    kind: str,
    decided_on: date,
    deciding_org: Org,
    reason: str,
    person: Member | None,
    discipline_ref: str,
    today: date,
) -> None:
    errors: dict[str, list] = {}
    if kind not in Decision.Kind.values:
        errors.setdefault("kind", []).append(BAD_KIND)
    if not reason.strip():
        errors.setdefault("reason", []).append(REASON_EMPTY)
    if decided_on > today:
        errors.setdefault("decided_on", []).append(DATE_FUTURE)
    if not org.path.startswith(deciding_org.path):
        errors.setdefault("deciding_org", []).append(DECIDER_NOT_ABOVE)
    if person is not None and not person.org.path.startswith(org.path):
        errors.setdefault("person", []).append(PERSON_ELSEWHERE)
    if discipline_ref.strip() and kind != Decision.Kind.SANCTION:
        errors.setdefault("discipline_ref", []).append(REF_ONLY_SANCTION)
    if errors:
        raise ValidationError(errors)


def _discipline_record(by, ref: str, person: Member | None) -> DisciplineRecord | None:
    """The discipline record a 纪律处分 decision names (by 决定文号 or id), looked up only
    among the records ``by`` may see (the discipline app's strict scope)."""
    ref = ref.strip()
    if not ref:
        return None
    records = visible_records(by) if by is not None else DisciplineRecord.objects.none()
    match = records.filter(document_no=ref).first()
    if match is None:
        try:
            match = records.filter(public_id=ref).first()
        except ValidationError:
            match = None
    if match is None:
        raise ValidationError({"discipline_ref": REF_UNKNOWN % {"ref": ref}})
    if person is not None and match.member_id != person.pk:
        raise ValidationError({"discipline_ref": REF_OTHER_PERSON})
    return match


@transaction.atomic
def decision_create(
    *,
    org: Org,
    kind: str,
    decided_on: date,
    deciding_org: Org,
    reason: str,
    signals: list[Signal],
    person: Member | None = None,
    document_no: str = "",
    discipline_ref: str = "",
    files=(),
    by=None,
    request=None,
    today: date | None = None,
) -> Decision:
    """Record a decision answering ``signals`` (already resolved within the caller's
    scope), which closes them. Nothing is written when any check fails."""
    today = today or timezone.localdate()
    if not signals:
        raise ValidationError({"signals": NO_SIGNALS})
    _check(
        org=org,
        kind=kind,
        decided_on=decided_on,
        deciding_org=deciding_org,
        reason=reason,
        person=person,
        discipline_ref=discipline_ref,
        today=today,
    )
    record = _discipline_record(by, discipline_ref, person)
    orgs = {o.id: o.path for o in Org.objects.filter(id__in={s.org_id for s in signals})}
    for signal in signals:
        if not orgs.get(signal.org_id, "").startswith(org.path):
            raise ValidationError({"signals": SIGNAL_ELSEWHERE % {"title": signal.title}})
    taken = DecisionSignal.objects.filter(
        kind__in={s.kind for s in signals}, key__in={s.key for s in signals}
    ).values_list("kind", "key")
    closed = set(taken)
    for signal in signals:
        if (signal.kind, signal.key) in closed:
            raise ValidationError({"signals": SIGNAL_CLOSED % {"title": signal.title}})
    checked = [(f, check_upload(f, max_mb=MAX_MB, field="attachments")) for f in files]
    decision = Decision(
        org=org,
        kind=kind,
        decided_on=decided_on,
        deciding_org=deciding_org,
        reason=reason.strip(),
        person=person,
        document_no=document_no.strip()[:100],
        discipline_ref=discipline_ref.strip()[:64],
        discipline_record=record,
        created_by=by,
    )
    decision.full_clean(exclude=["person", "created_by"])
    decision.save()
    DecisionSignal.objects.bulk_create(
        [
            DecisionSignal(
                decision=decision,
                kind=s.kind,
                key=s.key,
                org_id=s.org_id,
                title=str(s.title)[:300],
                evidence_url=s.evidence_url[:300],
                since=s.since,
            )
            for s in dict.fromkeys(signals)
        ]
    )
    _store_files(decision, checked, by)
    audit_record(
        kind=AuditEvent.Kind.ACCOUNTABILITY,
        summary=_("登记问责决定：%(kind)s %(org)s")
        % {"kind": decision.get_kind_display(), "org": org.name},
        actor=by,
        request=request,
        obj=decision,
        org_path=org.path,
        details={
            "kind": kind,
            "decided_on": decided_on,
            "document_no": decision.document_no,
            "signals": [f"{s.kind}:{s.key}" for s in signals],
            "files": len(checked),
        },
    )
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    kind: str,
    decided_on: date,
    deciding_org: Org,
    reason: str,
    person: Member | None = None,
    document_no: str = "",
    discipline_ref: str = "",
    files=(),
    version=None,
    by=None,
    request=None,
    today: date | None = None,
) -> Decision:
    """Edit a decision (its signals stay): refused when it changed since ``version``."""
    locked = Decision.objects.select_for_update().select_related("org").get(pk=decision.pk)
    check_version(locked, version, noun=NOUN)
    _check(
        org=locked.org,
        kind=kind,
        decided_on=decided_on,
        deciding_org=deciding_org,
        reason=reason,
        person=person,
        discipline_ref=discipline_ref,
        today=today or timezone.localdate(),
    )
    record = _discipline_record(by, discipline_ref, person)
    checked = [(f, check_upload(f, max_mb=MAX_MB, field="attachments")) for f in files]
    before = {
        "kind": locked.kind,
        "decided_on": locked.decided_on,
        "reason": locked.reason,
        "document_no": locked.document_no,
    }
    locked.kind, locked.decided_on, locked.deciding_org = kind, decided_on, deciding_org
    locked.reason, locked.person = reason.strip(), person
    locked.document_no, locked.discipline_ref = (
        document_no.strip()[:100],
        discipline_ref.strip()[:64],
    )
    locked.discipline_record = record
    locked.full_clean(exclude=["person", "created_by"])
    locked.save()
    _store_files(locked, checked, by)
    audit_record(
        kind=AuditEvent.Kind.ACCOUNTABILITY,
        summary=_("修改问责决定：%(kind)s %(org)s")
        % {"kind": locked.get_kind_display(), "org": locked.org.name},
        actor=by,
        request=request,
        obj=locked,
        org_path=locked.org.path,
        details={"before": before, "files": len(checked)},
    )
    return locked


def _store_files(decision: Decision, checked, by) -> list[DecisionAttachment]:
    stored: list[DecisionAttachment] = []
    try:
        for upload, facts in checked:
            item = DecisionAttachment(
                decision=decision,
                original_name=facts.original_name,
                content_type=facts.content_type,
                size=facts.size,
                sha256=facts.sha256,
                uploaded_by=by,
            )
            item.file.save(upload.name, upload, save=False)
            stored.append(item)
            item.save()
    except Exception:
        for item in stored:
            item.file.storage.delete(item.file.name)
        raise
    return stored
