"""Votes at a 支部党员大会 or 支委会: the result is computed (VOTE-01..04), never claimed."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from zhibu.discipline.restrictions import Restriction, vote_barred
from zhibu.discipline.voters import assembly_roll
from zhibu.meetings import votes
from zhibu.meetings.models import Attendance, Decision, Meeting, MeetingKind
from zhibu.meetings.selectors import committee_member_ids
from zhibu.meetings.services.locking import guard_lock
from zhibu.members.models import Member

NOT_HELD = _("会议尚未登记为已召开。")
DECISION_WRONG_MEETING = _("表决只能在支部党员大会或支部委员会会议上进行。")
DECISION_MANY_CANDIDATES = _("多名对象应逐一表决（VOTE-04），请每名对象单独登记一项表决。")
DECISION_NOT_PASSED = _(
    "按规定表决未通过，不能登记为通过：应到有表决权 %(entitled)s 人，实到 %(present)s 人"
    "（须超过半数），赞成 %(yes)s 票（含书面意见），须达到 %(needed)s 票（VOTE-01/02/03）。"
)
BALLOT_BARRED = _("%(name)s 到会但没有表决权，其表决票不能计入：%(restriction)s。")
DECISION_PASSED_BY_NUMBERS = _(
    "按票数该事项已通过（赞成 %(yes)s 票，须 %(needed)s 票），请核对表决结果。"
)


def decision_body(meeting: Meeting) -> str:
    if MeetingKind.BRANCH_ASSEMBLY in meeting.kinds:
        return Decision.Body.ASSEMBLY
    if MeetingKind.BRANCH_COMMITTEE in meeting.kinds:
        return Decision.Body.COMMITTEE
    raise ValidationError(DECISION_WRONG_MEETING)


def assembly_voters(meeting: Meeting) -> tuple[set[int], dict[int, Restriction]]:
    """The members with a vote at ``meeting`` (VOTE-01), and those of the roll left out by
    a discipline restriction (留党察看, DISC-04) with it: two queries."""
    return assembly_roll(meeting.org, meeting.on)


def excluded_voters(meeting: Meeting) -> list[tuple[Member, Restriction]]:
    """The members left out of the entitled count, for the vote page: each name with only
    the restriction's text ("受限至 …（纪律处分）" and its article), never the record."""
    _entitled, barred = assembly_voters(meeting)
    members = Member.objects.filter(pk__in=list(barred)).order_by("name_pinyin", "pk")
    return [(m, barred[m.pk]) for m in members]


def entitled_and_present(meeting: Meeting, body: str) -> tuple[int, int]:
    """(entitled, present) for a vote: from the roster on the meeting date (VOTE-01/03),
    without members whose vote a discipline restriction suspends (DISC-04)."""
    if body == Decision.Body.ASSEMBLY:
        entitled, _barred = assembly_voters(meeting)
    else:
        entitled = committee_member_ids(meeting.org, meeting.on)
        entitled -= set(vote_barred(entitled, meeting.on))
    present = set(
        meeting.attendance.filter(
            status=Attendance.Status.PRESENT, member__in=entitled
        ).values_list("member", flat=True)
    )
    return len(entitled), len(present)


def _barred_ballots(meeting: Meeting, tally: votes.Tally) -> list[str]:
    """Why ballots beyond those present with a vote cannot be recorded: members present
    whose vote a discipline restriction suspends (DISC-04)."""
    if tally.yes + tally.no + tally.abstain <= tally.present:
        return []
    attending = meeting.attendance.filter(status=Attendance.Status.PRESENT).values_list(
        "member", flat=True
    )
    barred = vote_barred(attending, meeting.on)
    if not barred:
        return []
    names = Member.objects.filter(pk__in=list(barred)).order_by("name_pinyin", "pk")
    return [str(BALLOT_BARRED % {"name": m.name, "restriction": barred[m.pk].text}) for m in names]


MANY_SEPARATORS = ("、", ",", "，", ";", "；", "/", " 和 ", "及")


@transaction.atomic
def decision_record(
    *,
    meeting: Meeting,
    title: str,
    yes: int,
    no: int,
    abstain: int,
    passed: bool | None = None,
    kind: str = Decision.Kind.GENERAL,
    candidate: str = "",
    written_yes: int = 0,
    written_no: int = 0,
    written_abstain: int = 0,
    note: str = "",
    reason: str = "",
    by=None,
    today: date | None = None,
) -> Decision:
    """Record one vote. The result is computed (VOTE-01..03); a claimed result that the
    numbers do not support is refused, so a failed vote can never be filed as passed."""
    if not meeting.is_held:
        raise ValidationError(NOT_HELD)
    body = decision_body(meeting)
    if any(sep in candidate for sep in MANY_SEPARATORS):
        raise ValidationError(
            {"candidate": ValidationError(DECISION_MANY_CANDIDATES, code="VOTE-04")}
        )
    entitled, present = entitled_and_present(meeting, body)
    tally = votes.Tally(
        entitled, present, yes, no, abstain, written_yes, written_no, written_abstain
    )
    result = votes.count_votes(tally)
    if result.errors:
        raise ValidationError({"yes": [*result.errors, *_barred_ballots(meeting, tally)]})
    numbers = {
        "entitled": entitled,
        "present": present,
        "yes": result.yes_total,
        "needed": result.needed,
    }
    # The rule a refused claim is about: quorum (VOTE-01 at the assembly, VOTE-03 at the
    # committee) or majority (VOTE-02); the code reaches the API as details[].rule.
    if passed is True and not result.passed:
        if result.quorum_met:
            rule = "VOTE-02"
        else:
            rule = "VOTE-01" if body == Decision.Body.ASSEMBLY else "VOTE-03"
        raise ValidationError(
            {"passed": ValidationError(DECISION_NOT_PASSED, code=rule, params=numbers)}
        )
    if passed is False and result.passed:
        raise ValidationError(
            {"passed": ValidationError(DECISION_PASSED_BY_NUMBERS, code="VOTE-02", params=numbers)}
        )
    guard_lock(meeting, reason=reason, by=by, what=_t("登记表决"), today=today)
    return Decision.objects.create(
        meeting=meeting,
        title=title,
        kind=kind,
        candidate=candidate.strip(),
        body=body,
        entitled=entitled,
        present=present,
        yes=yes,
        no=no,
        abstain=abstain,
        written_yes=written_yes,
        written_no=written_no,
        written_abstain=written_abstain,
        quorum_met=result.quorum_met,
        passed=result.passed,
        note=note,
        recorded_by=by,
    )
