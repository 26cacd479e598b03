"""Writes to development cases: opening a case, recording steps, 公示, overrides,
probation (extension, cancellation, 转正), stopping, and the annual plan.

``step_record`` runs every rule that checks the step (``rules.blocking_rules_for``) and
refuses with the rule code, article and earliest allowed date; nothing is written then.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core import workdays
from zhibu.core.audit import audit_record
from zhibu.core.crypto import blind_index
from zhibu.core.models import AuditEvent
from zhibu.core.rules.params import params_for
from zhibu.development import rules
from zhibu.development.models import (
    OPEN_STATUSES,
    Case,
    DevPlan,
    DevPlanQuota,
    Override,
    Publicity,
    Step,
    StepPerson,
)
from zhibu.development.steps import PUBLICITY_LABELS, STEPS
from zhibu.discipline.restrictions import readmission_barred
from zhibu.members import idnumber
from zhibu.members.models import Member, MemberEvent
from zhibu.members.services import member_create, member_record_event, pinyin_of
from zhibu.orgs.models import Org
from zhibu.rulebook.run import refresh_after_change

CASE_DUPLICATE = _("该公民身份号码已有进行中的发展党员记录（%(org)s）。")
ALREADY_MEMBER = _("该公民身份号码已登记为党员“%(name)s”。")
CASE_ORG_NOT_BRANCH = _("发展党员由党支部负责，请选择党支部。")
STEP_IN_FUTURE = _("步骤日期不能晚于今天。")
OVERRIDE_REASON = _("请说明特批理由。")
OVERRIDE_APPROVER = _("特批须由上级党委有审批权限的负责人批准（%(code)s）。")
OVERRIDE_NOT_NEEDED = _("%(code)s 是党内法规明确的规定，不能特批。")
OVERRIDE_DONE = _("该特批申请已处理。")
PUBLICITY_DAYS = _("公示期应不少于 1 个工作日。")
PUBLICITY_KEY = _("没有这一公示事项。")
STOP_REASON = _("请填写终止原因。")
PLAN_QUOTA_OVER = _("各支部名额合计 %(sum)s 名，超过年度发展总数 %(total)s 名。")
PLAN_NOT_COMMITTEE = _("年度发展计划由党委制定。")
READMISSION_BARRED = _("开除党籍的，五年内不得重新入党：%(restriction)s。")


class StepRefused(ValidationError):
    """A step broken a rule: carries the violations (code, article, earliest date)."""

    def __init__(self, violations: list[rules.Violation]) -> None:
        self.violations = violations
        super().__init__({"on": [ValidationError(v.as_text(), code=v.code) for v in violations]})


def _person_checks(
    *, id_number: str, birth_date: date, gender: str, exclude_case: int | None = None
) -> dict:
    errors: dict[str, list] = {}
    if not id_number:
        return errors
    try:
        info = idnumber.parse(id_number)
    except idnumber.InvalidIdNumber as exc:
        return {"id_number": [exc.message]}
    if info.birth_date != birth_date:
        errors.setdefault("birth_date", []).append(
            idnumber.ID_BIRTH_MISMATCH % {"day": info.birth_date}
        )
    if info.gender != gender:
        errors.setdefault("gender", []).append(
            idnumber.ID_SEX_MISMATCH % {"sex": "男" if info.gender == "M" else "女"}
        )
    index = blind_index(info.number)
    other = (
        Case.objects.filter(id_index=index, status__in=OPEN_STATUSES)
        .exclude(pk=exclude_case)
        .select_related("org")
        .first()
    )
    if other is not None:
        errors.setdefault("id_number", []).append(CASE_DUPLICATE % {"org": other.org})
    member = Member.objects.filter(id_index=index).first()
    if member is not None:
        errors.setdefault("id_number", []).append(ALREADY_MEMBER % {"name": member.name})
    return errors


@transaction.atomic
def case_open(
    *,
    org,
    name: str,
    gender: str,
    birth_date: date,
    applied_on: date,
    id_number: str = "",
    by=None,
    today: date | None = None,
    **fields,
) -> Case:
    """Open a case with step 1 (递交入党申请书), checked against DEV-01."""
    if not org.is_branch:
        raise ValidationError({"org": CASE_ORG_NOT_BRANCH})
    # DISC-05: only the restriction is shown, never the discipline record behind it.
    restriction = readmission_barred(id_number, applied_on) if id_number else None
    if restriction is not None:
        raise ValidationError(
            {
                "id_number": ValidationError(
                    READMISSION_BARRED % {"restriction": restriction.text}, code="DISC-05"
                )
            }
        )
    errors = _person_checks(id_number=id_number, birth_date=birth_date, gender=gender)
    if errors:
        raise ValidationError(errors)
    number = idnumber.normalise(id_number)
    case = Case(
        org=org,
        name=name,
        gender=gender,
        birth_date=birth_date,
        id_number=number,
        id_index=blind_index(number) if number else None,
        **fields,
    )
    case.name_pinyin, case.name_initials = pinyin_of(name)
    case.full_clean(exclude=["id_index"])
    case.save()
    step_record(case=case, number=1, on=applied_on, by=by, today=today)
    case.refresh_from_db()
    return case


@transaction.atomic
def step_record(
    *,
    case: Case,
    number: int,
    on: date,
    by=None,
    people: dict[str, list] | None = None,
    document: str = "",
    note: str = "",
    conclusion: str = "",
    training_days=None,
    training_hours=None,
    decision=None,
    outcome: str = "",
    extend_months: int | None = None,
    today: date | None = None,
) -> Step:
    """Record one step. Refused (``StepRefused``) when a rule forbids it, unless every
    violation is overridable and an approved override exists for it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    today = today or timezone.localdate()
    if on > today:
        raise ValidationError({"on": STEP_IN_FUTURE})
    people = people or {}
    sc = rules.StepContext(
        case=case,
        number=number,
        on=on,
        steps=list(case.steps.order_by("on", "id")),
        people=people,
        conclusion=conclusion,
        training_days=training_days,
        training_hours=training_hours,
        decision=decision,
        outcome=outcome or (Step.Outcome.CONFIRM if number == 23 else ""),
        extend_months=extend_months,
        publicities=list(case.publicities.all()),
    )
    violations = []
    for rule in rules.blocking_rules_for(number, on):
        sc.params = params_for(rule, case.org, on)
        found = rule.check(sc)
        if found is not None:
            violations.append(found)
            if rule.code == "DEV-00":
                break  # out of order: the other checks would only add noise
    overrides = _usable_overrides(case, number, violations)
    blocking = [v for v in violations if not (v.overridable and v.code in overrides)]
    if blocking:
        raise StepRefused(blocking)
    step = Step.objects.create(
        case=case,
        number=number,
        on=on,
        document=document,
        note=note,
        conclusion=conclusion,
        training_days=training_days,
        training_hours=training_hours,
        decision=decision,
        outcome=sc.outcome,
        extend_months=extend_months,
        recorded_by=by,
    )
    roles = {
        "talker": StepPerson.Role.TALKER,
        "contacts": StepPerson.Role.CONTACT,
        "introducers": StepPerson.Role.INTRODUCER,
    }
    StepPerson.objects.bulk_create(
        [
            StepPerson(step=step, member=m, role=roles[key])
            for key, members in people.items()
            for m in members
        ]
    )
    for code in {v.code for v in violations}:
        Override.objects.filter(pk=overrides[code].pk).update(state=Override.State.USED, step=step)
    _after_step(case, step, by)
    refresh_after_change(org=case.org, on=on, by=by)
    return step


def _usable_overrides(case: Case, number: int, violations) -> dict[str, Override]:
    codes = [v.code for v in violations if v.overridable]
    if not codes:
        return {}
    rows = Override.objects.filter(
        case=case, step_number=number, rule_code__in=codes, state=Override.State.APPROVED
    )
    return {o.rule_code: o for o in rows}


def _after_step(case: Case, step: Step, by) -> None:
    """Derive the case's stage and status, and keep the member record in step."""
    case.last_step = max(case.last_step, step.number)
    case.last_step_on = step.on
    case.stage = STEPS[case.last_step].stage
    if step.number == 15:
        case.admitted_on = step.on  # DEV-13: probation starts on the 支部大会 date
    elif step.number == 17:
        _admit(case, by)
        case.status = Case.Status.PROBATION
    elif step.number == 23 and step.outcome == Step.Outcome.EXTEND:
        case.extended = True
        case.probation_months += step.extend_months or 0
    elif step.number == 24:
        _decide_probation(case, step, by)
    elif step.number == 25:
        case.status = Case.Status.ARCHIVED
    case.save()


def _admit(case: Case, by) -> None:
    """The higher committee approved: the person becomes a 预备党员 from the 支部大会 date."""
    member = member_create(
        org=case.org,
        name=case.name,
        gender=case.gender,
        birth_date=case.birth_date,
        id_number=case.id_number,
        admitted_on=case.admitted_on,
        full_on=None,
        applied_on=case.steps.get(number=1).on,
        by=by,
        ethnicity=case.ethnicity,
        education=case.education,
        occupation=case.occupation,
        work_unit=case.work_unit,
        phone=case.phone,
        front_line=case.front_line,
        document_no=_document(case, 17),
    )
    case.member = member


def _decide_probation(case: Case, step: Step, by) -> None:
    """The higher committee's decision on the 支部大会's proposal (step 23's outcome)."""
    meeting = case.steps.filter(number=23).order_by("-on", "-id").first()
    outcome = meeting.outcome if meeting else Step.Outcome.CONFIRM
    if outcome == Step.Outcome.CONFIRM:
        # DEV-17: party age counts from the 转正 date, the day probation ended.
        member_record_event(
            member=case.member,
            kind=MemberEvent.Kind.CONFIRMED,
            on=case.probation_end,
            by=by,
            document_no=step.document,
            today=max(step.on, case.probation_end),
        )
        case.status = Case.Status.CONFIRMED
    elif outcome == Step.Outcome.CANCEL:
        member_record_event(
            member=case.member,
            kind=MemberEvent.Kind.PROBATION_CANCELLED,
            on=step.on,
            by=by,
            document_no=step.document,
        )
        case.status = Case.Status.STOPPED
        case.stop_reason = str(_("取消预备党员资格"))
    else:
        member_record_event(
            member=case.member,
            kind=MemberEvent.Kind.PROBATION_EXTENDED,
            on=step.on,
            by=by,
            document_no=step.document,
            note=str(_("延长预备期 %(n)s 个月") % {"n": meeting.extend_months}),
        )
        # A new discussion follows the extended probation: steps 22–24 may be recorded again.
        case.last_step = 21


def _document(case: Case, number: int) -> str:
    step = case.steps.filter(number=number).order_by("-id").first()
    return step.document if step else ""


@transaction.atomic
def publicity_start(
    *,
    case: Case,
    key: str,
    start: date,
    working_days: int | None = None,
    objections: str = "",
    by=None,
) -> Publicity:
    """Record a 公示: its end is counted in working days on the statutory calendar (DEV-10)."""
    if key not in PUBLICITY_LABELS:
        raise ValidationError({"key": PUBLICITY_KEY})
    if working_days is None:
        rule = rules.Publicity()
        working_days = params_for(rule, case.org, start)["working_days"]
    if working_days < 1:
        raise ValidationError({"working_days": PUBLICITY_DAYS})
    span = workdays.working_days_end(start, working_days)
    return Publicity.objects.create(
        case=case,
        key=key,
        start=start,
        working_days=working_days,
        ends_on=span.end,
        official_calendar=span.is_official,
        objections=objections,
        recorded_by=by,
    )


@transaction.atomic
def override_request(
    *, case: Case, step_number: int, rule_code: str, reason: str, by, request=None
) -> Override:
    """Ask to pass an L-limit for one step; a requester who may approve approves at once."""
    rule = next(
        (
            r
            for r in rules.blocking_rules_for(step_number, timezone.localdate())
            if r.code == rule_code
        ),
        None,
    )
    if rule is None or not rule.can_override:
        raise ValidationError({"rule_code": OVERRIDE_NOT_NEEDED % {"code": rule_code}})
    if not (reason or "").strip():
        raise ValidationError({"reason": OVERRIDE_REASON})
    override = Override.objects.create(
        case=case,
        step_number=step_number,
        rule_code=rule_code,
        reason=reason.strip(),
        requested_by=by,
    )
    if may_approve(by, case):
        return override_decide(override=override, approve=True, by=by, request=request)
    return override


def may_approve(user, case: Case) -> bool:
    """A higher-committee role: development.approve granted from an org above the branch."""
    return permissions.can_strictly_below(user, "development.approve", case.org)


@transaction.atomic
def override_decide(*, override: Override, approve: bool, by, request=None) -> Override:
    override = Override.objects.select_for_update().get(pk=override.pk)
    if override.state != Override.State.REQUESTED:
        raise ValidationError({"__all__": OVERRIDE_DONE})
    if by is None or not may_approve(by, override.case):
        raise ValidationError({"approver": OVERRIDE_APPROVER % {"code": override.rule_code}})
    override.state = Override.State.APPROVED if approve else Override.State.REJECTED
    override.approver = by
    override.decided_at = timezone.now()
    override.save()
    audit_record(
        kind=AuditEvent.Kind.OVERRIDE,
        summary=f"{'批准' if approve else '驳回'} {override.case.name} 步骤 {override.step_number} 的 {override.rule_code} 特批",
        actor=by,
        request=request,
        obj=override.case,
        org_path=override.case.org.path,
        details={
            "rule": override.rule_code,
            "step": override.step_number,
            "reason": override.reason,
            "approved": approve,
        },
    )
    return override


@transaction.atomic
def case_stop(*, case: Case, reason: str, on: date, by=None, decision=None) -> Case:
    """Stop a case (a failed vote, withdrawal, not qualified): it can no longer advance."""
    if not (reason or "").strip():
        raise ValidationError({"reason": STOP_REASON})
    case.status = Case.Status.STOPPED
    case.stop_reason = reason.strip()
    case.save(update_fields=["status", "stop_reason", "updated_at"])
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        summary=f"终止 {case.name} 的发展程序：{reason}",
        actor=by,
        obj=case,
        org_path=case.org.path,
        details={"on": on, "decision": str(decision.public_id) if decision else ""},
    )
    return case


@transaction.atomic
def plan_save(*, committee, year: int, quota: int, quotas: dict, by=None, **targets) -> DevPlan:
    """The annual plan (DEV-20): quotas by branch may not exceed the committee's total."""
    if committee.kind != Org.Kind.COMMITTEE:
        raise ValidationError({"committee": PLAN_NOT_COMMITTEE})
    total = sum(quotas.values())
    if total > quota:
        raise ValidationError({"quota": PLAN_QUOTA_OVER % {"sum": total, "total": quota}})
    plan, _created = DevPlan.objects.update_or_create(
        committee=committee, year=year, defaults={"quota": quota, **targets}
    )
    plan.quotas.all().delete()
    DevPlanQuota.objects.bulk_create(
        [DevPlanQuota(plan=plan, org=org, quota=n) for org, n in quotas.items() if n]
    )
    return plan
