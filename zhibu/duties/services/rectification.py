"""Writes to rectification items (RESP-05): create (also from a 组织生活会), 销号 with
evidence, re-check."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.duties.models import Rectification
from zhibu.duties.selectors.rectification import life_problem_ref
from zhibu.meetings.models import Meeting
from zhibu.members.models import Member
from zhibu.orgs.models import Org

PROBLEM_EMPTY = _("请填写问题。")
MEASURE_EMPTY = _("请填写整改措施。")
DEADLINE_PAST = _("整改期限不能早于今天。")
EVIDENCE_EMPTY = _("销号须填写整改成效和佐证材料。")
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


@transaction.atomic
def rectification_close(
    *, item: Rectification, evidence: str, on: date, by=None, today: date | None = None
) -> Rectification:
    """销号: the owner's side declares the problem fixed, with evidence."""
    if item.status != Rectification.Status.OPEN:
        raise ValidationError(NOT_OPEN)
    if not evidence.strip():
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
    return item


@transaction.atomic
def rectification_recheck(
    *, item: Rectification, passed: bool, on: date, note: str = "", by=None
) -> Rectification:
    """复查 by the level above: passing verifies the item; failing reopens it."""
    if item.status != Rectification.Status.CLOSED:
        raise ValidationError(NOT_CLOSED)
    if item.closed_on and on < item.closed_on:
        raise ValidationError({"on": RECHECK_BEFORE_CLOSE % {"day": item.closed_on}})
    if not passed and not note.strip():
        raise ValidationError({"note": RECHECK_NOTE})
    item.rechecked_on, item.rechecked_by, item.recheck_note = on, by, note.strip()[:300]
    if passed:
        item.status = Rectification.Status.VERIFIED
    else:
        item.status = Rectification.Status.OPEN
        item.reopened += 1
    item.save()
    return item
