"""Rulebook entries about organisational life (docs/rules.md: MTG, VOTE, MBR-06/07, DQ-05;
EDU-01/02 moved to zhibu.study.rules, which sums every source of 学时).

Every rule judges exactly one period of its own kind (``ctx.period``) for all orgs of the
context with a fixed number of aggregate queries, then pure Python; MBR-06 alone is a
snapshot, judged over the months before its reference day.

Orgs founded or dissolved inside a period are judged on the part of it they existed: the
meetings counted are those held while the org existed, and the requirement is the whole
one — a branch founded in the third month of a quarter still owes that quarter's
支部党员大会 (its founding 党员大会 usually is one). Where that is unreasonable the
engine's exemptions (with reason and approver) clear the finding.

Statuses: ok when met; due while the (existing part of the) period is still running;
missing when it is over; late where a deadline applies and was met only after it
(主题党日 past its fixed day plus the allowed postponement; 组织生活会 and 民主评议 held
after the year they review); suspect for records that cannot be right (VOTE, DQ-05).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from zhibu.committees.rules import committees_in_office
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
from zhibu.core.rules.messages import Message
from zhibu.core.rules.messages import msg as _
from zhibu.discipline.voters import voter_roll
from zhibu.meetings import votes
from zhibu.meetings.models import (
    Attendance,
    Correction,
    Decision,
    Meeting,
    MeetingKind,
    MeetingKindRow,
    Talk,
)
from zhibu.meetings.selectors import (
    COMMITTEE_POSTS,
    held_number,
    held_tally,
    held_year_tally,
    pair,
    settings_for,
)
from zhibu.members.models import Member, MemberSpan, Mobility
from zhibu.members.selectors import spans_on
from zhibu.orgs.models import CommitteePost, Org

BRANCHES = frozenset(Org.BRANCH_KINDS)
ON_ROLL = (Member.Status.FULL, Member.Status.PROBATIONARY)


def period_of(rule: Rule, ctx: Context) -> Period:
    return ctx.period or Period.containing(rule.period_kind, ctx.on)


def window(org: Org, period: Period) -> tuple[date, date]:
    """The part [start, end) of ``period`` in which ``org`` existed."""
    start = max(period.start, org.established_on)
    end = min(period.end, org.dissolved_on) if org.dissolved_on else period.end
    return start, end


def existed_throughout(org: Org, period: Period) -> bool:
    """Whether ``window(org, period)`` is the whole period (the common case)."""
    return org.established_on <= period.start and (
        org.dissolved_on is None or org.dissolved_on >= period.end
    )


def shortfall(window_end: date, today: date) -> str:
    """Not met: still due while the period runs, missing once it is over."""
    return Status.DUE if window_end > today else Status.MISSING


def meeting_refs(items) -> list[str]:
    return [f"meeting:{public_id}" for _on, public_id in items]


def held_ref(kind: str, start: date, end: date, n: int) -> list[str]:
    """The meetings behind a count, as a query reference resolved when shown."""
    return [f"held:{kind}:{start.isoformat()}:{end.isoformat()}"] if n else []


SUFFIX = {
    Status.DUE: _("本期尚未结束，请按时召开。"),
    Status.MISSING: _("本期已结束，未达到要求。"),
}


def meeting_settings(ctx: Context, orgs) -> dict:
    """Effective meeting settings of ``orgs``, read once per run (they are not dated)."""
    cache = ctx.shared.setdefault("meeting-settings", {})
    missing = [org for org in orgs if org.id not in cache]
    if missing:
        cache.update(settings_for(missing))
    return cache


class CountRule(Rule):
    """At least ``min_count`` held meetings of ``meeting_kind`` per org and period."""

    # Tables read (besides orgs, supplements, exemptions): zhibu.rulebook.run.Marks.
    reads = ("meetings.MeetingKindRow",)

    meeting_kind: str
    noun: Message  # the meeting's name in explanations
    module = "meetings"
    action = Action(gettext_lazy("登记会议"), "meetings:record_new")

    def targets(self, ctx: Context) -> list[Org]:
        return list(ctx.orgs)

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        required = ctx.params["min_count"]
        targets = self.targets(ctx)
        if not targets:
            return []
        # Counted on the run's path ranges (Context.within), not a list of the targets'
        # ids: the other orgs' counts are not looked at.
        held = held_number(self.meeting_kind, ctx.within("org"), period.start, period.end)
        template = _("%(period)s召开%(noun)s %(n)s 次（应不少于 %(required)s 次）。")
        label, noun, kind = period.message.value, self.noun.value, self.meeting_kind
        whole = (period.start, period.end, period.start.isoformat(), period.end.isoformat())
        outcomes = []
        append = outcomes.append
        # Orgs with the same count and window share one (immutable) status, explanation,
        # numbers and refs: built once, and fingerprinted once by the run (run.prepare).
        made: dict[tuple, tuple] = {}
        for org in targets:
            # Most orgs existed for the whole period: its dates as text are made once.
            if existed_throughout(org, period):
                start, end, first_day, end_day = whole
            else:
                start, end = window(org, period)
                first_day, end_day = start.isoformat(), end.isoformat()
            n = held.get(org.id, 0)
            key = (n, first_day, end_day)
            content = made.get(key)
            if content is None:
                status = Status.OK if n >= required else shortfall(end, ctx.today)
                text = template.fill({"period": label, "noun": noun, "n": n, "required": required})
                if status != Status.OK:
                    text += SUFFIX[status]
                numbers = {"required": required, "held": n, "from": first_day, "to": end_day}
                refs = [f"held:{kind}:{first_day}:{end_day}"] if n else []
                content = made[key] = (status, text, numbers, refs)
            status, text, numbers, refs = content
            append(Outcome(org.id, status, text, numbers, "org", org.id, refs))
        return outcomes


@register
class BranchAssemblyQuarterly(CountRule):
    code = "MTG-01"
    dated = ()
    title = "支部党员大会每季度至少召开 1 次"
    citation = Citation("条例", "第十一条", Confidence.CONFIRMED)
    kinds = BRANCHES
    period_kind = "quarter"
    params = (Param("min_count", "每季度次数", 1, "次", stricter="higher"),)
    meeting_kind = MeetingKind.BRANCH_ASSEMBLY
    noun = _("支部党员大会")


@register
class BranchCommitteeMonthly(CountRule):
    code = "MTG-02"
    dated = ("orgs.Committee.elected_on", "orgs.Committee.ended_on")
    title = "支部委员会会议每月至少召开 1 次（设支部委员会的党支部）"
    citation = Citation("条例", "第十二条", Confidence.CONFIRMED)
    reads = ("meetings.MeetingKindRow", "orgs.Committee")
    kinds = BRANCHES
    period_kind = "month"
    params = (Param("min_count", "每月次数", 1, "次", stricter="higher"),)
    meeting_kind = MeetingKind.BRANCH_COMMITTEE
    noun = _("支部委员会会议")

    def targets(self, ctx: Context) -> list[Org]:
        # Only branches with a committee in office (ORG-04); a secretary alone holds none.
        in_office = committees_in_office(ctx)
        return [org for org in ctx.orgs if org.id in in_office]


@register
class GroupMeetingMonthly(CountRule):
    code = "MTG-03"
    dated = ()
    title = "党小组会每月至少召开 1 次"
    citation = Citation("条例", "第十三条", Confidence.CONFIRMED)
    kinds = frozenset({Org.Kind.GROUP})
    period_kind = "month"
    params = (Param("min_count", "每月次数", 1, "次", stricter="higher"),)
    meeting_kind = MeetingKind.GROUP_MEETING
    noun = _("党小组会")


@register
class PartyLectureQuarterly(CountRule):
    code = "MTG-04"
    dated = ()
    title = "党支部党课（频次由地方/单位规定，默认每季度 1 次）"
    citation = Citation("地方", "", Confidence.LOCAL, note="党课频次，默认每季度 1 次")
    kinds = BRANCHES
    period_kind = "quarter"
    params = (Param("min_count", "每季度次数", 1, "次", stricter="higher"),)
    meeting_kind = MeetingKind.PARTY_LECTURE
    noun = _("党课")


@register
class SecretaryLecture(Rule):
    code = "MTG-05"
    dated = ()
    reads = ("meetings.Meeting", "meetings.MeetingKindRow", "members.Member", "orgs.CommitteePost")
    title = "党委书记每年至少讲 1 次党课"
    citation = Citation("条例", "第十六条", Confidence.CONFIRMED)
    kinds = frozenset({Org.Kind.COMMITTEE})
    period_kind = "year"
    params = (Param("min_count", "每年次数", 1, "次", stricter="higher"),)
    module = "meetings"
    action = Action(gettext_lazy("登记会议"), "meetings:record_new")

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        required = ctx.params["min_count"]
        posts = list(
            CommitteePost.objects.filter(
                org__in=ctx.org_in, post=CommitteePost.Post.SECRETARY, start__lt=period.end
            )
            .filter(Q(end__isnull=True) | Q(end__gt=period.start))
            .values_list("org", "holder", "start", "end", "holder__name")
        )
        holders = {holder for _org, holder, *_rest in posts}
        lectures = list(
            MeetingKindRow.objects.filter(
                kind=MeetingKind.PARTY_LECTURE,
                held=True,
                on__gte=period.start,
                on__lt=period.end,
                meeting__lecturer__in=holders,
            ).values_list("meeting__lecturer", "on", "meeting__public_id")
        )
        by_org: dict[int, list] = defaultdict(list)
        names: dict[int, list[str]] = defaultdict(list)
        for org_id, holder, start, end, name in posts:
            names[org_id].append(name)
            for lecturer, on, public_id in lectures:
                if lecturer == holder and start <= on and (end is None or on < end):
                    by_org[org_id].append((on, str(public_id)))
        outcomes = []
        for org in ctx.orgs:
            _start, end = window(org, period)
            items = sorted(set(by_org.get(org.pk, [])))
            n = len(items)
            who = "、".join(dict.fromkeys(names.get(org.pk, []))) or _("（书记空缺）")
            status = Status.OK if n >= required else shortfall(end, ctx.today)
            text = _("%(period)s党委书记%(who)s讲党课 %(n)s 次（应不少于 %(required)s 次）。") % {
                "period": period.message,
                "who": who,
                "n": n,
                "required": required,
            }
            outcomes.append(
                Outcome(
                    org.pk,
                    status,
                    text,
                    {"required": required, "held": n},
                    refs=meeting_refs(items),
                )
            )
        return outcomes


@register
class ThemeDayMonthly(Rule):
    reads = ("meetings.MeetingKindRow", "meetings.MeetingSettings")
    code = "MTG-06"
    dated = ()
    title = "每月相对固定 1 天开展主题党日"
    citation = Citation(
        "条例", "第十六条", Confidence.CONFIRMED, note="节假日顺延不超过 1 周为地方/单位规定"
    )
    kinds = BRANCHES
    period_kind = "month"
    params = (
        Param("min_count", "每月次数", 1, "次", stricter="higher"),
        Param("postpone_days", "固定日后顺延上限（天）", 7, "天", stricter="lower"),
    )
    module = "meetings"
    action = Action(gettext_lazy("登记会议"), "meetings:record_new")

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        required, postpone = ctx.params["min_count"], ctx.params["postpone_days"]
        held = held_tally(MeetingKind.THEME_DAY, ctx.within("org"), period.start, period.end)
        conf = meeting_settings(ctx, ctx.orgs)
        short = _("%(period)s开展主题党日 %(n)s 次（应不少于 %(required)s 次）。")
        met = _("%(period)s开展主题党日 %(n)s 次。")
        late = _("固定日为 %(fixed)s，最迟应于 %(latest)s 前开展，实际于 %(on)s 开展。")
        label = period.message.value
        last = (period.end - timedelta(days=1)).day
        whole = (period.start, period.end)
        outcomes = []
        made: dict[tuple, tuple] = {}  # explanation, numbers and refs per distinct content
        deadlines: dict[int, tuple[date, date]] = {}  # fixed day and latest, per theme day
        for org in ctx.orgs:
            start, end = whole if existed_throughout(org, period) else window(org, period)
            n, first = held.get(org.id, (0, None))
            fixed = None
            if n < required:
                status = shortfall(end, ctx.today)
            else:
                status = Status.OK
                settings = conf[org.id]
                if settings.theme_day_set:
                    found = deadlines.get(settings.theme_day)
                    if found is None:
                        day = min(settings.theme_day, last)
                        fixed = date(period.start.year, period.start.month, day)
                        found = deadlines[settings.theme_day] = (
                            fixed,
                            fixed + timedelta(days=postpone),
                        )
                    fixed, latest = found
                    if first > latest:
                        status = Status.LATE
            # Orgs alike in all of these share one (immutable) set of parts: built once,
            # and fingerprinted once by the run (run.prepare).
            key = (n, status, start, end, fixed, first if status == Status.LATE else None)
            parts = made.get(key)
            if parts is None:
                numbers = {"required": required, "held": n}
                values = {"period": label, "n": n, "required": required}
                if n < required:
                    text = short.fill(values) + SUFFIX[status]
                else:
                    text = met.fill(values)
                    if fixed is not None:
                        latest = fixed + timedelta(days=postpone)
                        numbers.update(fixed_day=fixed.isoformat(), latest=latest.isoformat())
                        if status == Status.LATE:
                            text += late % {"fixed": fixed, "latest": latest, "on": first}
                refs = held_ref(MeetingKind.THEME_DAY, start, end, n)
                parts = made[key] = (text, numbers, refs)
            text, numbers, refs = parts
            outcomes.append(Outcome(org.id, status, text, numbers, "org", org.id, refs))
        return outcomes


class YearlyReviewRule(Rule):
    """A yearly meeting that reviews the year (组织生活会, 民主评议): ok when held within the
    year, late when held afterwards (often January), due/missing when not held."""

    action = Action(gettext_lazy("登记会议"), "meetings:record_new")

    meeting_kind: str
    noun: Message
    kinds = BRANCHES
    period_kind = "year"
    reads = ("meetings.MeetingKindRow",)
    module = "meetings"

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        required = ctx.params["min_count"]
        year = period.start.year
        held = held_year_tally(self.meeting_kind, ctx.org_in, year)
        ok = _("%(year)s年度%(noun)s已召开 %(n)s 次。")
        late = _("%(year)s年度%(noun)s于 %(on)s 召开，晚于该年度。")
        short = _("%(year)s年度%(noun)s召开 %(n)s 次（应不少于 %(required)s 次）。")
        outcomes = []
        for org in ctx.orgs:
            _start, end = window(org, period)
            n, in_time, last = held.get(org.pk, (0, 0, None))
            values = {"year": year, "noun": self.noun, "n": n, "required": required}
            numbers = {"required": required, "held": n, "in_time": in_time}
            if in_time >= required:
                status, text = Status.OK, ok % values
            elif n >= required:
                status = Status.LATE
                text = late % {**values, "on": last}
            else:
                status = shortfall(end, ctx.today)
                text = short % values + SUFFIX[status]
            refs = [f"held-year:{self.meeting_kind}:{year}"] if n else []
            outcomes.append(Outcome(org.pk, status, text, numbers, refs=refs))
        return outcomes


@register
class LifeMeetingYearly(YearlyReviewRule):
    code = "MTG-07"
    dated = ()
    title = "每年至少召开 1 次组织生活会"
    citation = Citation("条例", "第十七条", Confidence.CONFIRMED)
    params = (Param("min_count", "每年次数", 1, "次", stricter="higher"),)
    meeting_kind = MeetingKind.LIFE_MEETING
    noun = _("组织生活会")


@register
class MemberReviewYearly(YearlyReviewRule):
    code = "MTG-09"
    dated = ()
    title = "每年开展 1 次民主评议党员"
    citation = Citation("条例", "第十九条", Confidence.CONFIRMED, note="评议等次为地方/单位规定")
    params = (Param("min_count", "每年次数", 1, "次", stricter="higher"),)
    meeting_kind = MeetingKind.MEMBER_REVIEW
    noun = _("民主评议党员")


@register
class TalkPairs(Rule):
    code = "MTG-08"
    dated = ("members.MemberSpan.start", "members.MemberSpan.end")
    reads = ("meetings.Talk", "members.MemberSpan")
    title = "谈心谈话每年每两人之间一般不少于 1 次"
    citation = Citation("条例", "≈第十八条", Confidence.ARTICLE_UNCERTAIN)
    kinds = BRANCHES
    period_kind = "year"
    params = (Param("min_coverage", "覆盖比例（%）", 100, "%", stricter="higher"),)
    module = "meetings"
    action = Action(gettext_lazy("安排谈话"), "meetings:talks")

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        minimum = ctx.params["min_coverage"]
        members: dict[int, set[int]] = defaultdict(set)
        for org_id, member_id in spans_on(ctx.on, org_ids=ctx.org_in, statuses=ON_ROLL).values_list(
            "org", "member"
        ):
            members[org_id].add(member_id)
        talked: dict[int, set[tuple[int, int]]] = defaultdict(set)
        talks = Talk.objects.filter(org__in=ctx.org_in, on__gte=period.start, on__lt=period.end)
        for org_id, a, b in talks.values_list("org", "member_a", "member_b"):
            talked[org_id].add(pair(a, b))
        outcomes = []
        for org in ctx.orgs:
            _start, end = window(org, period)
            ids = members.get(org.pk, set())
            required = len(ids) * (len(ids) - 1) // 2
            covered = sum(1 for a, b in talked.get(org.pk, ()) if a in ids and b in ids)
            percent = 100 if required == 0 else math.floor(100 * covered / required)
            numbers = {
                "members": len(ids),
                "required_pairs": required,
                "covered_pairs": covered,
                "coverage": percent,
                "min_coverage": minimum,
            }
            values = {
                "year": period.start.year,
                "n": len(ids),
                "covered": covered,
                "required": required,
                "pct": percent,
            }
            text = (
                _(
                    "%(year)s年 %(n)s 名党员两两之间应谈心谈话 %(required)s 对，已谈 %(covered)s 对（%(pct)s%%）。"
                )
                % values
            )
            status = Status.OK if percent >= minimum else shortfall(end, ctx.today)
            outcomes.append(Outcome(org.pk, status, text, numbers))
        return outcomes


# --- VOTE: recorded decisions re-tallied against the roster -------------------------------------


def _vote_problems(ctx: Context, period: Period) -> dict[int, list[dict]]:
    """Each decision recorded at the orgs in the period, re-tallied with the entitled voters
    recomputed from the roster as it stands now for the meeting date (without members
    whose vote a discipline record suspends). Five queries."""
    decisions = list(
        Decision.objects.filter(
            meeting__org__in=ctx.org_in,
            meeting__on__gte=period.start,
            meeting__on__lt=period.end,
            meeting__status__in=Meeting.HELD_STATUSES,
        ).values(
            "pk",
            "meeting_id",
            "meeting__org",
            "meeting__on",
            "meeting__public_id",
            "title",
            "body",
            "entitled",
            "present",
            "yes",
            "written_yes",
            "passed",
        )
    )
    if not decisions:
        return {}
    org_ids = {d["meeting__org"] for d in decisions}
    voters = voter_roll(org_ids=org_ids, start=period.start, end=period.end)
    posts: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    for org_id, holder, start, end in (
        CommitteePost.objects.filter(
            org__in=org_ids, post__in=COMMITTEE_POSTS, start__lt=period.end
        )
        .filter(Q(end__isnull=True) | Q(end__gt=period.start))
        .values_list("org", "holder", "start", "end")
    ):
        posts[org_id].append((holder, start, end))
    present: dict[int, set[int]] = defaultdict(set)
    for meeting_id, member in Attendance.objects.filter(
        meeting__in={d["meeting_id"] for d in decisions}, status=Attendance.Status.PRESENT
    ).values_list("meeting", "member"):
        present[meeting_id].add(member)

    def running(start, end, day):
        return start <= day and (end is None or day < end)

    problems: dict[int, list[dict]] = defaultdict(list)
    for d in decisions:
        day, org_id = d["meeting__on"], d["meeting__org"]
        if d["body"] == Decision.Body.ASSEMBLY:
            entitled = voters.on(org_id, day)
        else:
            entitled = {h for h, s, e in posts[org_id] if running(s, e, day)}
            # 留党察看 (DISC-04): no vote, as decision_record counted it.
            entitled = {m for m in entitled if not voters.barred(m, day)}
        n_entitled = len(entitled)
        n_present = len(present[d["meeting_id"]] & entitled)
        d.update(
            n_entitled=n_entitled,
            n_present=n_present,
            quorum_ok=votes.has_quorum(n_entitled, n_present),
            majority_ok=votes.has_majority(n_entitled, d["yes"] + d["written_yes"]),
        )
        problems[org_id].append(d)
    return problems


class VoteRule(Rule):
    reads = (
        "meetings.Meeting",
        "meetings.Decision",
        "meetings.Attendance",
        "members.Member",
        "members.MemberSpan",
        "discipline.DisciplineRecord",  # 留党察看 bars a vote (DISC-04)
        "orgs.CommitteePost",
    )
    kinds = BRANCHES
    period_kind = "quarter"
    module = "meetings"
    action = Action(gettext_lazy("更正会议记录"), "meetings:record", "meeting")
    body: str | None = None  # which decisions the rule looks at (None: all)

    def wrong(self, d: dict) -> bool:
        raise NotImplementedError

    def describe(self, d: dict) -> str:
        raise NotImplementedError

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        outcomes = []
        for org_id, decisions in _vote_problems(ctx, period).items():
            relevant = [d for d in decisions if self.body is None or d["body"] == self.body]
            if not relevant:
                continue
            bad = [d for d in relevant if d["passed"] and self.wrong(d)]
            numbers = {"decisions": len(relevant), "suspect": len(bad)}
            if bad:
                text = Message.join("；", (self.describe(d) for d in bad)) + "。"
                refs = list(dict.fromkeys(f"meeting:{d['meeting__public_id']}" for d in bad))
                outcomes.append(Outcome(org_id, Status.SUSPECT, text, numbers, refs=refs))
            else:
                text = _("%(period)s登记表决 %(n)s 项，到会人数和票数符合规定。") % {
                    "period": period.message,
                    "n": len(relevant),
                }
                outcomes.append(Outcome(org_id, Status.OK, text, numbers))
        return outcomes


def _facts(d: dict) -> dict:
    return {
        "day": d["meeting__on"],
        "title": d["title"],
        "entitled": d["n_entitled"],
        "present": d["n_present"],
        "yes": d["yes"] + d["written_yes"],
    }


@register
class AssemblyQuorum(VoteRule):
    code = "VOTE-01"
    dated = ()
    title = "党员大会表决须有半数以上有表决权的党员到会"
    citation = Citation("条例", "第十一条", Confidence.CONFIRMED)
    body = Decision.Body.ASSEMBLY

    def wrong(self, d):
        return not d["quorum_ok"]

    def describe(self, d):
        return _(
            "%(day)s“%(title)s”登记为通过，但应到有表决权党员 %(entitled)s 名、实到 %(present)s 名，未过半数"
        ) % _facts(d)


@register
class Majority(VoteRule):
    code = "VOTE-02"
    dated = ()
    title = "决议须经应到会有表决权党员半数以上赞成方为通过"
    citation = Citation("条例", "第十一条", Confidence.CONFIRMED)

    def wrong(self, d):
        return not d["majority_ok"]

    def describe(self, d):
        return _(
            "%(day)s“%(title)s”登记为通过，但赞成 %(yes)s 票（含书面意见）未超过应到 %(entitled)s 人的半数"
        ) % _facts(d)


@register
class CommitteeQuorum(VoteRule):
    code = "VOTE-03"
    dated = ()
    title = "支部委员会会议须有半数以上委员到会"
    citation = Citation("条例", "第十二条", Confidence.CONFIRMED)
    body = Decision.Body.COMMITTEE

    def wrong(self, d):
        return not d["quorum_ok"]

    def describe(self, d):
        return _(
            "%(day)s“%(title)s”登记为通过，但应到委员 %(entitled)s 名、实到 %(present)s 名，未过半数"
        ) % _facts(d)


# --- MBR-06: months without organisational life ---------------------------------------------------


@register
class NoOrganisationalLife(Rule):
    """Members on the roll of a branch for the whole window who neither attended nor asked
    leave for any meeting held in it, while their branch did hold meetings.

    Judged as of a day over the ``months`` before it. Only the organisational-life part of
    MBR-06 is checked here; unpaid dues (DUES-11) and assigned work join with their modules.
    It is "suspect", not a verdict: 自行脱党 needs the branch to find there was no good
    reason. Excluded: members the branch excused from organisational life (年老体弱) and
    流动党员 away from the branch (their contact is followed by MBR-05).
    """

    code = "MBR-06"
    reads = (
        "meetings.Meeting",
        "meetings.Attendance",
        "members.Member",
        "members.MemberSpan",
        "members.Mobility",
    )
    title = "连续 6 个月不参加党的组织生活，应核实是否无正当理由"
    citation = Citation("党章", "第九条", Confidence.CONFIRMED, note="教育管理 第三十一条")
    kinds = BRANCHES
    params = (Param("months", "连续月数", 6, "个月", stricter="lower"),)
    module = "meetings"

    def evaluate(self, ctx: Context):
        months = ctx.params["months"]
        since = ctx.on + timedelta(days=1) - relativedelta(months=months)
        window = Attendance.held_between(since, ctx.on + timedelta(days=1))
        window &= Q(meeting__status__in=Meeting.HELD_STATUSES)
        # Meetings with attendance recorded: a semi-join on the meeting's index (a join
        # counted distinct read every attendance row of the window).
        recorded = Attendance.objects.filter(meeting=OuterRef("pk"))
        held = dict(
            Meeting.objects.filter(
                Exists(recorded),
                org__in=ctx.org_in,
                on__gte=since,
                on__lte=ctx.on,
                status__in=Meeting.HELD_STATUSES,
            )
            .order_by()
            .values_list("org")
            .annotate(n=Count("pk"))
        )
        on_roll_at_start = MemberSpan.objects.filter(
            member=OuterRef("member"), org=OuterRef("org"), start__lte=since
        ).filter(Q(end__isnull=True) | Q(end__gt=since))
        took_part = Attendance.objects.filter(
            window,
            member=OuterRef("member"),
            status__in=(Attendance.Status.PRESENT, Attendance.Status.LEAVE),
        )
        away = Mobility.objects.filter(
            member=OuterRef("member"), direction=Mobility.Direction.OUT, started_on__lte=ctx.on
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=ctx.on))
        rows = (
            MemberSpan.objects.filter(
                org__in=ctx.org_in,
                status__in=ON_ROLL,
                start__lte=ctx.on,
                member__frail_exempt=False,
            )
            .filter(Q(end__isnull=True) | Q(end__gt=ctx.on))
            .filter(Exists(on_roll_at_start), ~Exists(took_part), ~Exists(away))
            .values_list("org", "member", "member__public_id", "member__name")
        )
        flagged = defaultdict(list)
        for org_id, member_id, public_id, name in rows:
            if held.get(org_id):  # no meetings: nothing to judge by (MTG rules flag the branch)
                flagged[org_id].append((member_id, public_id, name))
        outcomes = []
        numbers = {"since": since.isoformat(), "months": months}
        for org in ctx.orgs:
            n = held.get(org.pk, 0)
            values = {"since": since, "n": n, "months": months}
            for member_id, public_id, name in flagged.get(org.pk, ()):
                text = _(
                    "%(name)s自 %(since)s 起连续 %(months)s 个月未参加党的组织生活（支部期间召开会议 %(n)s 次，"
                    "既未出席也未请假），请核实有无正当理由。"
                ) % {**values, "name": name}
                outcomes.append(
                    Outcome(
                        org.pk,
                        Status.SUSPECT,
                        text,
                        {**numbers, "meetings": n},
                        subject_type="member",
                        subject_id=member_id,
                        refs=[f"member:{public_id}"],
                    )
                )
            if n and not flagged.get(org.pk):
                # Without the window's first day, which moves every day: a branch whose
                # members all took part keeps its finding until the number of meetings
                # in the window changes, instead of having it rewritten every night.
                text = _("近 %(months)s 个月支部召开会议 %(n)s 次，党员均参加或已请假。") % {
                    "months": months,
                    "n": n,
                }
                outcomes.append(Outcome(org.pk, Status.OK, text, {"months": months, "meetings": n}))
        return outcomes


# --- MBR-07: 限期改正 tracked to its end --------------------------------------------------------------


@register
class CorrectionDeadline(Rule):
    code = "MBR-07"
    reads = ("meetings.Correction", "meetings.Meeting", "members.Member")
    title = "限期改正最长 1 年，期满应作出结论"
    citation = Citation("教育管理", "第三十条", Confidence.CONFIRMED, note="第三十至三十一条")
    kinds = BRANCHES
    period_kind = "year"
    params = (Param("max_months", "最长期限（月）", 12, "个月", stricter="lower"),)
    module = "meetings"

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        limit = ctx.params["max_months"]
        rows = Correction.objects.filter(
            org__in=ctx.org_in, ends_on__gte=period.start, ends_on__lt=period.end
        ).values_list(
            "org",
            "member",
            "member__public_id",
            "member__name",
            "starts_on",
            "ends_on",
            "outcome",
            "closed_on",
        )
        outcomes = []
        for org_id, member_id, public_id, name, starts, ends, outcome, closed in rows:
            values = {"name": name, "ends": ends}
            numbers = {
                "starts_on": starts.isoformat(),
                "ends_on": ends.isoformat(),
                "outcome": outcome,
            }
            if ends > starts + relativedelta(months=limit):
                status, text = (
                    Status.SUSPECT,
                    _("%(name)s 的限期改正至 %(ends)s，超过 1 年。") % values,
                )
            elif outcome != Correction.Outcome.OPEN and closed and closed <= ends:
                status, text = Status.OK, _("%(name)s 的限期改正已于期限内作出结论。") % values
            elif outcome != Correction.Outcome.OPEN:
                status, text = (
                    Status.LATE,
                    _("%(name)s 的限期改正期满（%(ends)s）后才作出结论。") % values,
                )
            elif ends >= ctx.today:
                status, text = (
                    Status.DUE,
                    _("%(name)s 的限期改正将于 %(ends)s 期满，请按时作出结论。") % values,
                )
            else:
                status, text = (
                    Status.LATE,
                    _("%(name)s 的限期改正已于 %(ends)s 期满，尚未作出结论。") % values,
                )
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
        return outcomes


# --- DQ-05: present while not on the roll, or at two meetings at once -----------------------------------


def _reason_order(item: tuple[str, Message]) -> tuple:
    """DQ-05's reasons in the order of their Chinese text ("day name phrase"), then by
    meeting, without rendering them: day, name, then the message id's phrase."""
    ref, reason = item
    msgid, values = reason.parts[0]
    return (values["day"], values["name"], msgid, ref)


@register
class ImpossibleAttendance(Rule):
    reads = ("meetings.Meeting", "meetings.Attendance", "members.Member", "members.MemberSpan")
    code = "DQ-05"
    dated = ()
    title = "出席记录不应出现已转出、已去世或同一时间出席两个会议的人员"
    citation = Citation(
        "教育管理", "≈第二十五条", Confidence.ARTICLE_UNCERTAIN, note="数据质量检查，由 MBR-02 推出"
    )
    kinds = BRANCHES | frozenset({Org.Kind.GROUP}) | frozenset(Org.COMMITTEE_KINDS)
    period_kind = "quarter"
    module = "meetings"

    action = Action(gettext_lazy("更正出席记录"), "meetings:record", "meeting")

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        in_period = Attendance.held_between(period.start, period.end) & Q(
            meeting__status__in=Meeting.HELD_STATUSES
        )
        here = Attendance.objects.filter(
            in_period, meeting__org__in=ctx.org_in, status=Attendance.Status.PRESENT
        )
        meetings_per_org = defaultdict(set)
        for org_id, meeting_id in Meeting.objects.filter(
            org__in=ctx.org_in,
            on__gte=period.start,
            on__lt=period.end,
            status__in=Meeting.HELD_STATUSES,
        ).values_list("org", "pk"):
            meetings_per_org[org_id].add(meeting_id)
        on_roll = MemberSpan.objects.filter(
            member=OuterRef("member"), start__lte=OuterRef("meeting__on")
        ).filter(Q(end__isnull=True) | Q(end__gt=OuterRef("meeting__on")))
        problems: dict[int, list[tuple[str, str]]] = defaultdict(list)
        # Only members whose roll status changed during the period can have been off the
        # roll on a meeting day; the per-row check runs for those few, not for everyone.
        throughout = MemberSpan.objects.filter(status__in=ON_ROLL, start__lte=period.start).filter(
            Q(end__isnull=True) | Q(end__gte=period.end)
        )
        # NOT EXISTS, an anti-join: PostgreSQL hashes the members on the roll throughout
        # once. (NOT IN hashed them only while they fit in work_mem; at 10^6 members it
        # rescanned the list for every attendance row and the query never finished.)
        changed = here.exclude(Exists(throughout.filter(member=OuterRef("member"))))
        for org_id, public_id, name, on in (
            changed.annotate(rolled=Exists(on_roll))
            .filter(rolled=False)
            .values_list("meeting__org", "meeting__public_id", "member__name", "meeting__on")
        ):
            problems[org_id].append(
                (
                    str(public_id),
                    _("%(day)s %(name)s 不在党员名册中（已转出、去世或出党）")
                    % {"day": on, "name": name},
                )
            )
        # Two meetings at once needs two present rows of one person on one day: those people
        # are found by one GROUP BY over the period's timed meetings, and only their rows are
        # read and compared (the scope is checked below, by meeting).
        present_timed = Attendance.objects.filter(
            in_period,
            status=Attendance.Status.PRESENT,
            meeting__starts_at__isnull=False,
            meeting__ends_at__isnull=False,
        )
        twice = (
            present_timed.order_by()
            .values("member", "meeting__on")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values("member")
        )
        timed = present_timed.filter(member__in=twice).values_list(
            "member",
            "member__name",
            "meeting",
            "meeting__org",
            "meeting__public_id",
            "meeting__on",
            "meeting__starts_at",
            "meeting__ends_at",
        )
        by_day = defaultdict(list)
        for row in timed:
            by_day[(row[0], row[5])].append(row)
        for rows in by_day.values():
            for i, a in enumerate(rows):
                for b in rows[i + 1 :]:
                    if a[2] != b[2] and a[6] < b[7] and b[6] < a[7]:
                        for mine, _other in ((a, b), (b, a)):
                            if mine[3] in meetings_per_org and mine[2] in meetings_per_org[mine[3]]:
                                problems[mine[3]].append(
                                    (
                                        str(mine[4]),
                                        _("%(day)s %(name)s 同一时间出席了两个会议")
                                        % {"day": mine[5], "name": mine[1]},
                                    )
                                )
        outcomes = []
        for org in ctx.orgs:
            # Sorted (each reason starts with its day): rows come in no fixed order, and a
            # re-run must store the same explanation (PostgreSQL returned them shuffled).
            found = sorted(problems.get(org.pk, []), key=_reason_order)
            n = len(meetings_per_org.get(org.pk, ()))
            if not n:
                continue
            if found:
                text = Message.join("；", dict.fromkeys(reason for _ref, reason in found)) + "。"
                refs = list(dict.fromkeys(f"meeting:{ref}" for ref, _r in found))
                outcomes.append(
                    Outcome(
                        org.pk,
                        Status.SUSPECT,
                        text,
                        {"meetings": n, "problems": len(found)},
                        refs=refs,
                    )
                )
            else:
                text = _("%(period)s %(n)s 个会议的出席记录未见异常。") % {
                    "period": period.message,
                    "n": n,
                }
                outcomes.append(Outcome(org.pk, Status.OK, text, {"meetings": n, "problems": 0}))
        return outcomes
