"""Writes of discipline records and appeals. Each refusal is a Chinese message kept as a
constant (tests assert on them) and nothing is written; the periods of effect are computed
here (``periods.compute``), never claimed by the caller."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.discipline import periods
from zhibu.discipline.models import (
    LIGHT,
    MEASURES,
    SEVERITY,
    Appeal,
    DisciplineRecord,
)

K = DisciplineRecord.Kind

DECIDED_IN_FUTURE = _("决定日期不能晚于今天。")
FACTS_REQUIRED = _("请填写事实和依据摘要。")
ORG_NOT_ABOVE = _("决定组织应是该党员所在的党组织或其上级党组织。")
FORM_MISMATCH = _("“%(kind)s”应计入%(forms)s（DISC-07，《中国共产党党内监督条例》第七条）。")
PROBATION_YEARS = _("留党察看的期限为一年或二年（DISC-04，《中国共产党纪律处分条例》）。")
YEARS_NOT_PROBATION = _("只有留党察看有察看期；“%(kind)s”不应填写察看期。")
EXTENSION_NOT_PROBATION = _("只有留党察看可以延长察看期；“%(kind)s”不能延长。")
EXTENSION_ONE_YEAR = _("只有察看期为一年的留党察看可以延长一年（DISC-04）。")
EXTENSION_OUTSIDE_TERM = _("延长察看期的决定应在原察看期内（%(start)s 至 %(end)s）作出。")
OUTCOME_NOT_PROBATION = _("只有留党察看在期满时作出恢复党员权利或开除党籍的决定。")
OUTCOME_DATE = _("请填写察看期满处理决定的日期。")
OUTCOME_BEFORE_TERM_END = _(
    "恢复党员权利应在察看期满（%(end)s）后作出；察看期间有严重错误的，可在期内开除党籍。"
)
OUTCOME_IN_FUTURE = _("处理决定日期不能晚于今天。")
OUTCOME_BEFORE_DECISION = _("处理决定日期不能早于留党察看决定日期。")
REMOVAL_NEEDS_POST = _("撤销党内职务须填写被撤销的原任党内职务及其组织（DISC-03）。")
REF_ORG_MISSING = _("填写原任党内职务时，请同时选择原任职组织。")
REVOKED_READONLY = _("该记录已因申诉被撤销，不能再修改。")
APPEAL_ON_REVOKED = _("该记录已被撤销，不能再申诉。")
APPEAL_BEFORE_DECISION = _("申诉日期不能早于决定日期（%(day)s）。")
APPEAL_IN_FUTURE = _("申诉日期和复查决定日期不能晚于今天。")
APPEAL_DECIDED_BEFORE_FILED = _("复查决定日期不能早于申诉日期。")
APPEAL_CHANGE_TARGET = _("变更须选择变更后的种类，且应轻于原处分（“%(kind)s”）。")
APPEAL_CHANGE_UNWANTED = _("只有“变更”需要选择变更后的种类。")
APPEAL_CHANGE_TO_PROBATION = _("申诉变更不能改为留党察看或开除党籍。")


def default_form(kind: str) -> int:
    """The 四种形态 a kind counts under (DISC-07): measures 1, light sanctions 2, heavy 3
    (a heavy case that went to criminal proceedings may be counted as 4)."""
    if kind in MEASURES:
        return 1
    if kind in LIGHT:
        return 2
    return 3


def allowed_forms(kind: str) -> tuple[int, ...]:
    if kind in MEASURES:
        return (1,)
    if kind in LIGHT:
        return (2,)
    return (3, 4)


def _validate(record: DisciplineRecord, today: date) -> None:
    errors: dict[str, list] = {}

    def add(field: str, message) -> None:
        errors.setdefault(field, []).append(message)

    kind_label = K(record.kind).label if record.kind in K.values else record.kind
    if record.decided_on and record.decided_on > today:
        add("decided_on", DECIDED_IN_FUTURE)
    if not (record.facts or "").strip():
        add("facts", FACTS_REQUIRED)
    if record.member_id and not record.member.org.path.startswith(record.deciding_org.path):
        add("deciding_org", ORG_NOT_ABOVE)
    if record.form not in allowed_forms(record.kind):
        forms = "、".join(str(DisciplineRecord.Form(f).label) for f in allowed_forms(record.kind))
        add("form", FORM_MISMATCH % {"kind": kind_label, "forms": forms})
    if record.kind == K.PROBATION:
        if record.probation_years not in (1, 2):
            add("probation_years", PROBATION_YEARS)
        elif record.extended_on:
            if record.probation_years != 1:
                add("extended_on", EXTENSION_ONE_YEAR)
            else:
                end = periods.probation_end(record.decided_on, 1, False) or record.decided_on
                if not (record.decided_on < record.extended_on <= end):
                    add(
                        "extended_on",
                        EXTENSION_OUTSIDE_TERM % {"start": record.decided_on, "end": end},
                    )
                elif record.extended_on > today:
                    add("extended_on", DECIDED_IN_FUTURE)
        if record.outcome:
            if not record.outcome_on:
                add("outcome_on", OUTCOME_DATE)
            elif record.outcome_on > today:
                add("outcome_on", OUTCOME_IN_FUTURE)
            elif record.outcome_on < record.decided_on:
                add("outcome_on", OUTCOME_BEFORE_DECISION)
            elif record.outcome == DisciplineRecord.Outcome.RESTORED and record.probation_years:
                term_end = periods.probation_end(
                    record.decided_on, record.probation_years, bool(record.extended_on)
                )
                if term_end and record.outcome_on < term_end:
                    add("outcome_on", OUTCOME_BEFORE_TERM_END % {"end": term_end})
    else:
        if record.probation_years:
            add("probation_years", YEARS_NOT_PROBATION % {"kind": kind_label})
        if record.extended_on:
            add("extended_on", EXTENSION_NOT_PROBATION % {"kind": kind_label})
        if record.outcome or record.outcome_on:
            add("outcome", OUTCOME_NOT_PROBATION)
    if record.kind == K.REMOVAL and not (record.ref_post and record.ref_org_id):
        add("ref_post", REMOVAL_NEEDS_POST)
    elif record.ref_post and not record.ref_org_id:
        add("ref_org", REF_ORG_MISSING)
    if errors:
        raise ValidationError(errors)


EDITABLE = (
    "deciding_org",
    "kind",
    "form",
    "decided_on",
    "document_no",
    "facts",
    "probation_years",
    "extended_on",
    "outcome",
    "outcome_on",
    "ref_post",
    "ref_org",
)


@transaction.atomic
def record_save(
    *,
    member=None,
    record: DisciplineRecord | None = None,
    by=None,
    today: date | None = None,
    **fields,
) -> DisciplineRecord:
    """Create (``member``) or update (``record``) a record: validated, periods computed."""
    today = today or timezone.localdate()
    if record is None:
        record = DisciplineRecord(member=member, created_by=by)
        record.id_index = member.id_index or ""
    elif record.is_revoked:
        raise ValidationError(REVOKED_READONLY)
    for name in EDITABLE:
        if name in fields:
            setattr(record, name, fields[name])
    if record.form is None and record.kind:
        record.form = default_form(record.kind)
    record.outcome = record.outcome or ""
    record.ref_post = record.ref_post or ""
    record.document_no = record.document_no or ""
    _validate(record, today)
    record.effect_until, record.post_bar_until = periods.compute(record)
    record.full_clean(exclude=["id_index"])
    record.save()
    return record


@transaction.atomic
def appeal_record(
    *,
    record: DisciplineRecord,
    filed_on: date,
    decided_on: date,
    outcome: str,
    changed_to: str = "",
    note: str = "",
    by=None,
    today: date | None = None,
) -> Appeal:
    """Record a 申诉 and its outcome. 撤销 revokes the record (it restricts nothing from
    then on); 变更 changes it to a lighter kind and recomputes its periods."""
    today = today or timezone.localdate()
    record = (
        DisciplineRecord.objects.select_for_update()
        .select_related("member__org", "deciding_org")
        .get(pk=record.pk)
    )
    if record.is_revoked:
        raise ValidationError(APPEAL_ON_REVOKED)
    errors: dict[str, list] = {}
    if filed_on < record.decided_on:
        errors["filed_on"] = [APPEAL_BEFORE_DECISION % {"day": record.decided_on}]
    if filed_on > today or decided_on > today:
        errors.setdefault("decided_on", []).append(APPEAL_IN_FUTURE)
    if decided_on < filed_on:
        errors.setdefault("decided_on", []).append(APPEAL_DECIDED_BEFORE_FILED)
    if outcome == Appeal.Outcome.CHANGED:
        if changed_to in (K.PROBATION, K.EXPULSION):
            errors["changed_to"] = [APPEAL_CHANGE_TO_PROBATION]
        elif changed_to not in K.values or SEVERITY.index(K(changed_to)) >= SEVERITY.index(
            K(record.kind)
        ):
            errors["changed_to"] = [APPEAL_CHANGE_TARGET % {"kind": record.get_kind_display()}]
    elif changed_to:
        errors["changed_to"] = [APPEAL_CHANGE_UNWANTED]
    if errors:
        raise ValidationError(errors)
    appeal = Appeal(
        record=record,
        filed_on=filed_on,
        decided_on=decided_on,
        outcome=outcome,
        changed_from=record.kind if outcome == Appeal.Outcome.CHANGED else "",
        changed_to=changed_to,
        note=note,
        created_by=by,
    )
    appeal.full_clean()
    if outcome == Appeal.Outcome.REVOKED:
        record.status = DisciplineRecord.Status.REVOKED
        record.save()
    elif outcome == Appeal.Outcome.CHANGED:
        record_save(
            record=record,
            kind=changed_to,
            form=default_form(changed_to),
            probation_years=None,
            extended_on=None,
            outcome="",
            outcome_on=None,
            ref_post=record.ref_post if changed_to != K.REMOVAL or record.ref_post else "",
            by=by,
            today=today,
        )
    appeal.save()
    return appeal
