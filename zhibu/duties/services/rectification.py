"""Writes to rectification items (RESP-05): create (also from a 组织生活会), 销号 with
evidence, re-check."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from zhibu.core.rules.base import PROBLEM_STATUSES
from zhibu.core.rules.models import Finding
from zhibu.core.rules.periods import Period
from zhibu.core.scope import subtree_q
from zhibu.core.versioning import check_version
from zhibu.duties.models import Inspection, Rectification
from zhibu.duties.selectors.rectification import life_problem_ref
from zhibu.duties.services.evidence import evidence_add_many, ref_of
from zhibu.meetings.models import Meeting
from zhibu.members.models import Member
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run

PROBLEM_EMPTY = _("请填写问题。")
MEASURE_EMPTY = _("请填写整改措施。")
DEADLINE_PAST = _("整改期限不能早于今天。")
EVIDENCE_EMPTY = _("销号须有整改成效说明或佐证材料文件（RESP-05：整改须有佐证才能销号）。")
FINDING_NOT_PROBLEM = _("该检查结果不是问题，无须整改。")
FINDING_TAKEN = _("该检查结果已转为整改事项，尚未复查通过。")
FINDING_RECHECK = _(
    "由合规检查结果转来的整改事项，检查期间（%(period)s）尚未结束，"
    "须重新检查不再发现该问题才能复查通过，不能人工复查（RESP-05）。"
)
FINDING_MANUAL_NOTE = _(
    "检查期间已结束、重新检查无法再通过，人工复查通过时须写明复查意见（RESP-05）。"
)
NOT_FROM_FINDING = _("该整改事项不是由合规检查结果转来的。")
NOUN = _("整改事项")
AUTO_PASSED = _("重新检查未再发现该问题，自动复查通过。")
AUTO_REOPENED = _("重新检查再次发现该问题，整改事项重新打开。")
NOT_OPEN = _("只有整改中的事项可以销号。")
NOT_CLOSED = _("只有已销号的事项可以复查。")
CLOSE_IN_FUTURE = _("销号日期不能晚于今天。")
RECHECK_BEFORE_CLOSE = _("复查日期不能早于销号日期（%(day)s）。")
RECHECK_NOTE = _("复查未通过时请写明复查意见。")
OWNER_ELSEWHERE = _("责任人应是本组织的党员。")


@transaction.atomic
def rectification_create(
    *,
    org: Org,
    problem: str,
    measure: str,
    deadline: date,
    source: str = Rectification.Source.OTHER,
    owner: Member | None = None,
    source_ref: str = "",
    source_label: str = "",
    by=None,
    today: date | None = None,
) -> Rectification:
    if not problem.strip():
        raise ValidationError({"problem": PROBLEM_EMPTY})
    if not measure.strip():
        raise ValidationError({"measure": MEASURE_EMPTY})
    if deadline < (today or timezone.localdate()):
        raise ValidationError({"deadline": DEADLINE_PAST})
    if owner is not None and not owner.org.path.startswith(org.path):
        raise ValidationError({"owner": OWNER_ELSEWHERE})
    item = Rectification(
        org=org,
        problem=problem.strip(),
        measure=measure.strip(),
        deadline=deadline,
        source=source,
        owner=owner,
        source_ref=source_ref,
        source_label=source_label[:200],
        created_by=by,
    )
    item.full_clean(exclude=["owner", "created_by"])
    item.save()
    return item


@transaction.atomic
def life_problem_add(
    *,
    meeting: Meeting,
    problem: str,
    measure: str,
    deadline: date,
    owner: Member | None = None,
    by=None,
) -> Rectification:
    """A problem found at a 组织生活会 becomes a tracked rectification item (RESP-05)."""
    return rectification_create(
        org=meeting.org,
        problem=problem,
        measure=measure,
        owner=owner,
        deadline=deadline,
        source=Rectification.Source.LIFE_MEETING,
        source_ref=life_problem_ref(meeting),
        source_label=str(meeting),
        by=by,
    )


def _locked(item: Rectification, version) -> Rectification:
    locked = Rectification.objects.select_for_update().select_related("org").get(pk=item.pk)
    check_version(locked, version, noun=NOUN)
    return locked


@transaction.atomic
def rectification_close(
    *,
    item: Rectification,
    evidence: str,
    on: date,
    by=None,
    files=(),
    version=None,
    today: date | None = None,
) -> Rectification:
    """销号: the owner's side declares the problem fixed, with evidence — a text, files or
    both (files are checked before anything is written)."""
    item = _locked(item, version)
    if item.status != Rectification.Status.OPEN:
        raise ValidationError(NOT_OPEN)
    if not evidence.strip() and not files:
        raise ValidationError({"evidence": EVIDENCE_EMPTY})
    if on > (today or timezone.localdate()):
        raise ValidationError({"on": CLOSE_IN_FUTURE})
    item.status, item.evidence, item.closed_on, item.closed_by = (
        Rectification.Status.CLOSED,
        evidence.strip(),
        on,
        by,
    )
    item.save()
    if files:
        evidence_add_many(org=item.org, ref=ref_of("rectification", item), uploads=files, by=by)
    return item


def finding_period_ended(item: Rectification, today: date | None = None) -> bool:
    """Whether the period of the item's finding is over: re-evaluation then can never pass
    (a meeting missing in July stays missing), so the level above may 复查 by hand."""
    if not item.from_finding:
        return False
    return Period.parse(item.finding_period).end <= (today or timezone.localdate())


@transaction.atomic
def rectification_recheck(
    *,
    item: Rectification,
    passed: bool,
    on: date,
    note: str = "",
    by=None,
    version=None,
    today: date | None = None,
) -> Rectification:
    """复查 by the level above: passing verifies the item; failing reopens it. An item
    from a finding passes only by re-evaluation (``rectification_recheck_finding``) while
    its finding's period is open; once the period has ended, by hand with a note."""
    item = _locked(item, version)
    if passed and item.from_finding and not finding_period_ended(item, today):
        raise ValidationError(FINDING_RECHECK % {"period": item.finding_period})
    if item.status != Rectification.Status.CLOSED:
        raise ValidationError(NOT_CLOSED)
    if item.closed_on and on < item.closed_on:
        raise ValidationError({"on": RECHECK_BEFORE_CLOSE % {"day": item.closed_on}})
    if not passed and not note.strip():
        raise ValidationError({"note": RECHECK_NOTE})
    if passed and item.from_finding and not note.strip():
        raise ValidationError({"note": FINDING_MANUAL_NOTE})
    item.rechecked_on, item.rechecked_by, item.recheck_note = on, by, note.strip()[:300]
    if passed:
        item.status = Rectification.Status.VERIFIED
    else:
        item.status = Rectification.Status.OPEN
        item.reopened += 1
    item.save()
    return item


# --- from a compliance finding (RESP-05) -----------------------------------------------


def finding_problem_text(finding: Finding) -> str:
    return f"{finding.rule_code} {finding.period_code}：{finding.text}（{finding.citation_text}）"


def _finding_key_q(prefix: str = "") -> dict:
    return {
        f"{prefix}rule_code": OuterRef("finding_rule"),
        f"{prefix}period_code": OuterRef("finding_period"),
        f"{prefix}org_id": OuterRef("org_id"),
        f"{prefix}subject_type": OuterRef("finding_subject_type"),
        f"{prefix}subject_id": OuterRef("finding_subject_id"),
    }


def items_of_finding(finding: Finding):
    return Rectification.objects.filter(
        finding_rule=finding.rule_code,
        finding_period=finding.period_code,
        org_id=finding.org_id,
        finding_subject_type=finding.subject_type,
        finding_subject_id=finding.subject_id,
    )


@transaction.atomic
def rectification_from_finding(
    *,
    finding: Finding,
    measure: str,
    deadline: date,
    owner=None,
    problem: str = "",
    by=None,
    today: date | None = None,
) -> Rectification:
    """转为整改: a problem finding becomes an item that keeps its source; it is verified
    only when a rule run no longer finds the problem (``reevaluate_after_run``)."""
    if not finding.is_problem:
        raise ValidationError(FINDING_NOT_PROBLEM)
    if items_of_finding(finding).exclude(status=Rectification.Status.VERIFIED).exists():
        raise ValidationError(FINDING_TAKEN)
    item = rectification_create(
        org=finding.org,
        problem=problem.strip() or finding_problem_text(finding),
        measure=measure,
        deadline=deadline,
        owner=owner,
        source=Rectification.Source.FINDING,
        source_ref=f"finding:{finding.pk}",
        source_label=f"{finding.rule_code} {finding.period_code}",
        by=by,
        today=today,
    )
    item.finding_rule, item.finding_period = finding.rule_code, finding.period_code
    item.finding_subject_type, item.finding_subject_id = finding.subject_type, finding.subject_id
    item.save()
    return item


def reevaluate_after_run(run, *, root, period, codes, today) -> None:
    """After-run hook (``zhibu.rulebook.hooks``), set-based over the run's subtree: items
    made from findings of the rules and periods the run judged are verified (复查通过)
    when 销号 and no longer a problem, and reopened when their finding is a problem again
    after they were verified. Two reads and at most two bulk writes, whatever the size."""
    judged = Rectification.objects.filter(
        subtree_q([root.path], field="org__path"),
        source=Rectification.Source.FINDING,
        finding_period__in=_period_codes(period),
    ).exclude(finding_rule="")
    if codes:
        judged = judged.filter(finding_rule__in=codes)
    problem = Exists(Finding.objects.filter(status__in=PROBLEM_STATUSES, **_finding_key_q()))
    passed = list(
        judged.filter(status=Rectification.Status.CLOSED)
        .annotate(still_problem=problem)
        .filter(still_problem=False)
    )
    returned = list(
        judged.filter(status=Rectification.Status.VERIFIED, rechecked_by__isnull=True)
        .annotate(still_problem=problem)
        .filter(still_problem=True)
    )
    now = timezone.now()
    for item in passed:
        item.status, item.rechecked_on, item.rechecked_by = (
            Rectification.Status.VERIFIED,
            today,
            None,
        )
        item.recheck_note, item.updated_at = str(AUTO_PASSED), now
    for item in returned:
        item.status, item.reopened = Rectification.Status.OPEN, item.reopened + 1
        item.recheck_note, item.updated_at = str(AUTO_REOPENED), now
        item.closed_on = None
    fields = ["status", "rechecked_on", "rechecked_by", "recheck_note", "reopened", "closed_on"]
    if passed or returned:
        bulk_update_with_history(
            passed + returned, Rectification, [*fields, "updated_at"], batch_size=500
        )


def _period_codes(period: Period) -> list[str]:
    """The codes of every period a run over ``period`` may judge (its months, quarters,
    the year, and the containing quarter and year for a shorter run)."""
    found = {period.code}
    for kind in ("month", "quarter", "year"):
        found.update(p.code for p in _split(period, kind))
        found.add(Period.containing(kind, period.start).code)
    return sorted(found)


def _split(period: Period, kind: str) -> list[Period]:
    try:
        return period.split(kind)
    except (ValueError, KeyError):
        return []


def rectification_recheck_finding(*, item: Rectification, by=None, today: date | None = None):
    """重新检查: run the item's rule over its org and period now; the after-run hook then
    verifies the item (or leaves it open)."""
    if not item.from_finding:
        raise ValidationError(NOT_FROM_FINDING)
    return rules_run(
        root=item.org,
        period=Period.parse(item.finding_period),
        today=today,
        by=by,
        codes=[item.finding_rule],
        trigger="recheck",
    )


# --- inspections (检查、巡察) ------------------------------------------------------------

TITLE_EMPTY = _("请填写检查名称。")
INSPECTION_FUTURE = _("检查日期不能晚于今天。")


@transaction.atomic
def inspection_create(
    *,
    org: Org,
    title: str,
    on: date,
    kind: str = Inspection.Kind.CHECK,
    inspectors: str = "",
    summary: str = "",
    by=None,
    today: date | None = None,
) -> Inspection:
    if not title.strip():
        raise ValidationError({"title": TITLE_EMPTY})
    if on > (today or timezone.localdate()):
        raise ValidationError({"on": INSPECTION_FUTURE})
    item = Inspection(
        org=org,
        kind=kind,
        title=title.strip(),
        on=on,
        inspectors=inspectors.strip()[:200],
        summary=summary.strip(),
        created_by=by,
    )
    item.full_clean(exclude=["created_by"])
    item.save()
    return item


def inspection_ref(inspection: Inspection) -> str:
    return f"inspection:{inspection.public_id}"


@transaction.atomic
def inspection_problem_add(
    *,
    inspection: Inspection,
    problem: str,
    measure: str,
    deadline: date,
    owner: Member | None = None,
    by=None,
    today: date | None = None,
) -> Rectification:
    """A problem found by an inspection becomes a rectification item (RESP-05)."""
    return rectification_create(
        org=inspection.org,
        problem=problem,
        measure=measure,
        deadline=deadline,
        owner=owner,
        source=Rectification.Source.INSPECTION,
        source_ref=inspection_ref(inspection),
        source_label=inspection.title,
        by=by,
        today=today,
    )
