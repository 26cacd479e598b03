"""EDU-01/02: yearly 学时 per member from every source (meetings, courses, approved
self-study; ``zhibu.study.selectors.hours``), and EDU-02's one 集中培训 a year for
secretaries and committee members.

Moved here from ``zhibu.meetings.rules`` when courses and self-study joined the meetings'
学时: one rule counts all three. With no course and no self-study the findings are those
the meetings-only rule made. The 集中培训 of EDU-02 is judged once the year is over (while
it runs a training may still come); a cadre without one is then short even with enough
hours.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import DateField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.translation import gettext_lazy

from zhibu.core.rules import (
    Action,
    Citation,
    Confidence,
    Context,
    Outcome,
    Param,
    Period,
    Rule,
    Status,
    register,
)
from zhibu.core.rules.messages import msg as _
from zhibu.meetings.rules import BRANCHES, ON_ROLL, period_of, shortfall, window
from zhibu.meetings.selectors import COMMITTEE_POSTS
from zhibu.members.models import MemberSpan
from zhibu.members.selectors import spans_on
from zhibu.orgs.models import CommitteePost, Org
from zhibu.study.selectors.hours import central_trainees, study_hours_between

# --- EDU: study hours per member -------------------------------------------------------------------


# How many members behind on their study hours an org's finding names (已学/应学), the
# fewest hours first; the rest are counted.
NAMED_BEHIND = 10


NO_TRAINING = _("%(name)s %(year)s年未参加集中培训。")


def _hours(value: Decimal) -> str:
    """学时 as people write them, the same on every engine: 12, 12.5 (PostgreSQL's
    numeric says 12.0 where SQLite says 12)."""
    return f"{Decimal(value).normalize():f}"


class StudyHoursRule(Rule):
    period_kind = "year"
    reads = (
        "meetings.Attendance",
        "meetings.Meeting",
        "meetings.MeetingKindRow",
        "members.Member",
        "members.MemberSpan",
        "orgs.CommitteePost",
        "study.Course",
        "study.CourseAttendance",
        "study.SelfStudy",
    )
    module = "study"
    action = Action(gettext_lazy("学时台账"), "study:ledger")
    # EDU-02: 集中培训 a year, judged when the year is over (0: not required).
    trainings_param = ""

    # The field of ``people_query``'s model that names the member.
    member_field = "member"

    def people_query(self, ctx: Context, period: Period) -> QuerySet:
        """Rows (org id, member id, member public id, name, first day on the roll in the
        period, or None for the period's start) of the people who owe 学时."""
        raise NotImplementedError

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        minimum = ctx.params["min_hours"]
        query = self.people_query(ctx, period)
        people = [(o, m, str(p), n, first or period.start) for o, m, p, n, first in query]
        if not people:
            return []
        # Their hours, and who attended a 集中培训, are read for the same people as a
        # subquery: no IN list of thousands of ids (SQLite caps its parameters), and no
        # hours of members outside the run's orgs (a fan-out part reads its own).
        ids = query.values(self.member_field)
        hours = study_hours_between(period.start, period.end, ids)
        running = period.end > ctx.today
        trainings = ctx.params.get(self.trainings_param, 0) if self.trainings_param else 0
        trained: set[int] = set()
        if trainings and not running:
            trained = central_trainees(period.start, period.end, ids)
        days = (period.end - period.start).days
        orgs_by_id = {o.pk: o for o in ctx.orgs}
        short_text = _("%(name)s %(year)s年累计学时 %(done)s，不足 %(required)s。")
        outcomes = []
        tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # org → [members, short]
        behind: dict[int, list[tuple[str, str, Decimal, int]]] = defaultdict(list)
        for org_id, member_id, public_id, name, first in people:
            # A member who joined the roll during the year owes the part of the year since.
            share = (period.end - max(first, period.start)).days / days
            required = int(minimum * share + 0.5)  # rounded to whole 学时
            done = hours.get(member_id, Decimal("0"))
            untrained = bool(trainings) and not running and member_id not in trained
            tally[org_id][0] += 1
            if done >= required and not untrained:
                continue
            tally[org_id][1] += 1
            if running:
                # While the year runs the org's finding names who is behind; members are
                # judged one by one at its end.
                behind[org_id].append((name, public_id, done, required))
                continue
            status = shortfall(window(orgs_by_id[org_id], period)[1], ctx.today)
            values = {
                "name": name,
                "year": period.start.year,
                "done": _hours(done),
                "required": required,
            }
            numbers = {"hours": float(done), "required": required, "minimum": minimum}
            text = short_text % values if done < required else None
            if untrained:
                numbers["trainings"] = 0
                missed = NO_TRAINING % values
                text = missed if text is None else text + missed
            assert text is not None  # short of hours, or of the training
            outcomes.append(
                Outcome(
                    org_id,
                    status,
                    text,
                    numbers,
                    subject_type="member",
                    subject_id=member_id,
                    refs=[f"member:{public_id}"],
                )
            )
        # One outcome per org: all met (ok); or, while the year runs, how many are behind.
        for org_id, (members, short) in tally.items():
            numbers = {"members": members, "short": short, "minimum": minimum}
            values = {"year": period.start.year, "n": members, "short": short, "minimum": minimum}
            if not short:
                text = (
                    _("%(year)s年 %(n)s 名应参学人员累计学时均达到要求（%(minimum)s 学时）。")
                    % values
                )
                outcomes.append(Outcome(org_id, Status.OK, text, numbers))
            elif running:
                people_behind = sorted(behind[org_id], key=lambda p: (p[2], p[0]))
                named = "、".join(
                    f"{name}（{_hours(done)}/{required}）"
                    for name, _id, done, required in people_behind[:NAMED_BEHIND]
                )
                values["named"] = named + (_("等") if short > NAMED_BEHIND else "")
                text = (
                    _(
                        "%(year)s年尚有 %(short)s 名（共 %(n)s 名）累计学时未达到 %(minimum)s 学时，本年度尚未结束：%(named)s。"
                    )
                    % values
                )
                refs = [f"member:{pid}" for _name, pid, _d, _r in people_behind[:NAMED_BEHIND]]
                outcomes.append(Outcome(org_id, Status.DUE, text, numbers, refs=refs))
        return outcomes


def _first_on_roll(period: Period) -> Subquery:
    return Subquery(
        MemberSpan.objects.filter(
            member=OuterRef("member"), status__in=ON_ROLL, start__lt=period.end
        )
        .filter(Q(end__isnull=True) | Q(end__gt=period.start))
        .order_by("start")
        .values("start")[:1]
    )


@register
class MemberStudyHours(StudyHoursRule):
    code = "EDU-01"
    dated = ("members.MemberSpan.start", "members.MemberSpan.end")
    title = "党员每年集中学习培训不少于 32 学时"
    citation = Citation(
        "教育管理", "第二十条", Confidence.CONFIRMED, note="年老体弱、重病党员除外（第二十三条）"
    )
    kinds = BRANCHES
    params = (Param("min_hours", "学时", 32, "学时", stricter="higher"),)

    def people_query(self, ctx, period):
        return (
            spans_on(ctx.on, org_ids=ctx.org_in, statuses=ON_ROLL)
            .filter(member__frail_exempt=False)  # MTG-11 / EDU-05
            .annotate(first=_first_on_roll(period))
            .values_list("org", "member", "member__public_id", "member__name", "first")
        )


@register
class CadreStudyHours(StudyHoursRule):
    code = "EDU-02"
    dated = ("orgs.CommitteePost.start", "orgs.CommitteePost.end")
    title = "基层党组织书记和班子成员每年学习培训不少于 56 学时"
    citation = Citation("培训规划", "", Confidence.CONFIRMED, note="另须参加 1 次集中培训")
    kinds = BRANCHES | frozenset(Org.COMMITTEE_KINDS)
    params = (
        Param("min_hours", "学时", 56, "学时", stricter="higher"),
        Param("trainings", "集中培训", 1, "次", stricter="higher"),
    )
    trainings_param = "trainings"

    member_field = "holder"

    def people_query(self, ctx, period):
        # Post holders owe the whole year: the requirement comes with the post, not the
        # roll (no first day: the period's start).
        return (
            CommitteePost.objects.filter(
                org__in=ctx.org_in, post__in=COMMITTEE_POSTS, start__lte=ctx.on
            )
            .filter(Q(end__isnull=True) | Q(end__gt=ctx.on))
            .annotate(first=Value(None, output_field=DateField()))
            .values_list("org", "holder", "holder__public_id", "holder__name", "first")
            .distinct()
        )
