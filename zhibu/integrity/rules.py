"""真实性核查: rules that flag records as 存疑 (suspect) for an inspector's look, never as
proven (docs/rules.md, DQ-06 … DQ-09).

- DQ-06 copied minutes: near-duplicate 会议记录 within a branch or across branches,
  names, dates and numbers taken out first (``zhibu.integrity.similarity``: MinHash
  buckets, then the exact similarity of the candidates only).
- DQ-07 back-filling: a meeting entered long after it was held; a burst of a period's
  meetings entered on one day. (Attachments keep only their upload time, not the file's
  own date, so "photos taken after the record" cannot be checked.)
- DQ-08 impossible attendance beyond DQ-05 (which checks the roll — after death or
  transfer, before the first span — and overlapping timed meetings): present at home while
  recorded 外出流动 (away), present before the 入党日期, present the same day at two places
  when the times that would tell are not recorded.
- DQ-09 suspiciously perfect: a large branch with 100 % attendance at every meeting of a
  year (so far: at least ``min_meetings``); every month's meetings at identical start and
  end times (only a whole year has every month).

Every rule reads its whole subtree with a fixed number of queries and reports only the
suspect subjects (no "ok" rows: a clean record has nothing to review).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from zhibu.core.rules import (
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
from zhibu.integrity import similarity
from zhibu.meetings.models import Attendance, Meeting
from zhibu.members.models import Member, Mobility
from zhibu.orgs.models import Org

BRANCHES = frozenset(Org.BRANCH_KINDS)
MEETING_ORGS = BRANCHES | frozenset({Org.Kind.GROUP}) | frozenset(Org.COMMITTEE_KINDS)
HELD = Meeting.HELD_STATUSES
NOTE = "真实性核查，存疑待核，不作定论（整治形式主义为基层减负有关要求）"


def period_of(rule: Rule, ctx: Context) -> Period:
    return ctx.period or Period.containing(rule.period_kind, ctx.on)


def _ref(public_id) -> str:
    return f"meeting:{public_id}"


# --- DQ-06: copied minutes ----------------------------------------------------------------------


def member_names(ctx: Context) -> similarity.Names:
    """The names of the subtree's members, taken out of minutes before comparing."""
    return ctx.memo(
        "integrity-names",
        lambda: similarity.Names(
            Member.objects.filter(org__in=ctx.org_in).values_list("name", flat=True).distinct()
        ),
    )


@register
class CopiedMinutes(Rule):
    code = "DQ-06"
    title = "会议记录不应相互抄袭或套用（疑似雷同的会议记录）"
    citation = Citation("条例", "≈第十八条", Confidence.ARTICLE_UNCERTAIN, note=NOTE)
    kinds = MEETING_ORGS
    period_kind = "year"
    module = "integrity"
    reads = ("meetings.Meeting", "members.Member")
    dated = ()
    params = (
        Param("similarity", "相似度阈值（%）", 85, "%", stricter="lower"),
        Param("min_chars", "参与比较的最少字数", 100, "字", stricter="lower"),
        Param("lookback_days", "向前比较的天数", 365, "天", stricter="higher"),
    )

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        names = member_names(ctx)
        since = period.start - timedelta(days=ctx.params["lookback_days"])
        signatures: dict[int, tuple[int, ...]] = {}
        order: dict[int, tuple] = {}
        rows = (
            Meeting.objects.filter(
                org__in=ctx.org_in, status__in=HELD, on__gte=since, on__lt=period.end
            )
            .exclude(minutes="")
            .order_by()
            .values_list("pk", "on", "minutes")
        )
        for pk, on, minutes in rows.iterator(chunk_size=2000):
            text = similarity.normalise(minutes, names)
            if len(text) < ctx.params["min_chars"]:
                continue
            signatures[pk] = similarity.signature(similarity.shingles(text))
            order[pk] = (on, pk)
        pairs = [
            (a, b)
            for a, b in similarity.candidates(signatures, order)
            if order[b][0] >= period.start
        ]
        if not pairs:
            return []
        wanted = {pk for pair in pairs for pk in pair}
        info = {}
        sets = {}
        for pk, org_id, org_name, public_id, on, title, minutes in Meeting.objects.filter(
            pk__in=wanted
        ).values_list("pk", "org", "org__name", "public_id", "on", "title", "minutes"):
            info[pk] = (org_id, org_name, public_id, on, title)
            sets[pk] = similarity.shingles(similarity.normalise(minutes, names))
        threshold = ctx.params["similarity"] / 100
        best: dict[int, tuple[float, tuple, int]] = {}
        for a, b in pairs:
            score = similarity.jaccard(sets[a], sets[b])
            if score < threshold:
                continue
            # The later record is the suspect copy; its closest earlier source is shown.
            key = (-score, order[a])
            if b not in best or key < (-best[b][0], best[b][1]):
                best[b] = (score, order[a], a)
        outcomes = []
        for later, (score, _order, source) in sorted(best.items(), key=lambda i: order[i[0]]):
            org_id, _name, public_id, on, title = info[later]
            _sorg, source_org, source_id, source_on, source_title = info[source]
            pct = round(score * 100)
            where: Message | str = _("本组织") if info[source][0] == org_id else source_org
            explanation = _(
                "%(day)s“%(title)s”的会议记录与%(where)s %(other_day)s“%(other)s”的记录"
                "相似度 %(pct)s%%（已去除姓名、日期和数字后比较），疑似抄袭或套用，请核查。"
            ) % {
                "day": on,
                "title": title,
                "where": where,
                "other_day": source_on,
                "other": source_title,
                "pct": pct,
            }
            outcomes.append(
                Outcome(
                    org_id,
                    Status.SUSPECT,
                    explanation,
                    {"similarity": pct, "source": str(source_id)},
                    subject_type="meeting",
                    subject_id=later,
                    refs=[_ref(public_id), _ref(source_id)],
                )
            )
        return outcomes


# --- DQ-07: back-filled records -----------------------------------------------------------------


@register
class BackfilledRecords(Rule):
    code = "DQ-07"
    title = "会议记录应及时录入，不应事后集中补录"
    citation = Citation("条例", "≈第十八条", Confidence.ARTICLE_UNCERTAIN, note=NOTE)
    kinds = MEETING_ORGS
    period_kind = "quarter"
    module = "integrity"
    reads = ("meetings.Meeting",)
    dated = ()
    params = (
        Param("late_days", "会后录入超过的天数", 30, "天", stricter="lower"),
        Param("burst_size", "同一天集中录入的会议数", 4, "个", stricter="lower"),
        Param("burst_span_days", "集中录入的会议跨越天数", 45, "天", stricter="lower"),
    )

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        late_days = ctx.params["late_days"]
        rows = (
            Meeting.objects.filter(
                org__in=ctx.org_in,
                status__in=HELD,
                on__gte=period.start,
                on__lt=period.end,
                recorded_at__isnull=False,
            )
            .order_by("on", "pk")
            .values_list("pk", "org", "public_id", "on", "title", "recorded_at")
        )
        by_entry_day: dict[tuple, list] = defaultdict(list)
        entries = []
        for pk, org_id, public_id, on, title, recorded_at in rows:
            entered = timezone.localdate(recorded_at)
            entries.append((pk, org_id, public_id, on, title, entered))
            by_entry_day[(org_id, entered)].append((on, public_id))
        outcomes = []
        in_burst: set = set()
        for (org_id, entered), items in sorted(by_entry_day.items()):
            days = [on for on, _pid in items]
            span = (max(days) - min(days)).days
            if len(items) >= ctx.params["burst_size"] and span >= ctx.params["burst_span_days"]:
                in_burst.update(pid for _on, pid in items)
                outcomes.append(
                    Outcome(
                        org_id,
                        Status.SUSPECT,
                        _(
                            "%(entered)s 一天内集中录入了 %(n)s 个会议（%(first)s 至 %(last)s 召开），"
                            "疑似期末集中补录，请核查。"
                        )
                        % {
                            "entered": entered,
                            "n": len(items),
                            "first": min(days),
                            "last": max(days),
                        },
                        {"meetings": len(items), "entered": str(entered), "span_days": span},
                        refs=[_ref(pid) for _on, pid in items],
                    )
                )
        for pk, org_id, public_id, on, title, entered in entries:
            late = (entered - on).days
            if late > late_days and public_id not in in_burst:
                outcomes.append(
                    Outcome(
                        org_id,
                        Status.SUSPECT,
                        _(
                            "%(day)s“%(title)s”于 %(entered)s 才录入，会后 %(late)s 天"
                            "（超过 %(limit)s 天），疑似事后补录，请核查。"
                        )
                        % {
                            "day": on,
                            "title": title,
                            "entered": entered,
                            "late": late,
                            "limit": late_days,
                        },
                        {"late_days": late},
                        subject_type="meeting",
                        subject_id=pk,
                        refs=[_ref(public_id)],
                    )
                )
        return outcomes


# --- DQ-08: impossible attendance beyond DQ-05 ----------------------------------------------------


@register
class AttendanceWhileAway(Rule):
    code = "DQ-08"
    title = "出席记录不应出现外出流动期间、入党以前或同日分处两地的党员"
    citation = Citation(
        "教育管理", "≈第二十五条", Confidence.ARTICLE_UNCERTAIN, note="数据质量检查，DQ-05 的补充"
    )
    kinds = MEETING_ORGS
    period_kind = "quarter"
    module = "integrity"
    reads = ("meetings.Meeting", "meetings.Attendance", "members.Member", "members.Mobility")
    dated = ()

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        in_period = Attendance.held_between(period.start, period.end)
        here = Attendance.objects.filter(
            in_period,
            meeting__org__in=ctx.org_in,
            meeting__status__in=HELD,
            status=Attendance.Status.PRESENT,
        )
        covering = {"started_on__lte": OuterRef("meeting__on")}
        open_then = Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("meeting__on"))
        away = Mobility.objects.filter(
            open_then, member=OuterRef("member"), direction=Mobility.Direction.OUT, **covering
        )
        # Staying with the branch that received them (流入 recorded there) is no contradiction.
        hosted = Mobility.objects.filter(
            open_then,
            member=OuterRef("member"),
            direction=Mobility.Direction.IN,
            org=OuterRef("meeting__org"),
            **covering,
        )
        problems: dict[tuple[int, int], list] = defaultdict(list)
        fields = ("meeting__org", "member", "member__public_id", "member__name")
        for org_id, member_id, member_pid, name, public_id, on, place in (
            here.annotate(away=Exists(away), hosted=Exists(hosted))
            .filter(away=True, hosted=False)
            .annotate(place=Subquery(away.order_by("-started_on").values("place")[:1]))
            .values_list(*fields, "meeting__public_id", "meeting__on", "place")
        ):
            problems[(org_id, member_id)].append(
                (
                    on,
                    public_id,
                    member_pid,
                    _("%(day)s %(name)s 记录为出席，但当时登记为外出流动（%(place)s）")
                    % {"day": on, "name": name, "place": place},
                )
            )
        for org_id, member_id, member_pid, name, public_id, on, admitted in here.filter(
            member__admitted_on__gt=F("meeting__on")
        ).values_list(*fields, "meeting__public_id", "meeting__on", "member__admitted_on"):
            problems[(org_id, member_id)].append(
                (
                    on,
                    public_id,
                    member_pid,
                    _("%(day)s %(name)s 记录为出席，但其入党日期为 %(admitted)s")
                    % {"day": on, "name": name, "admitted": admitted},
                )
            )
        # Two places on one day: the people present at two meetings that day (one GROUP BY),
        # then their rows; a pair with both times recorded is DQ-05's to judge.
        twice = (
            Attendance.objects.filter(
                in_period,
                meeting__status__in=HELD,
                status=Attendance.Status.PRESENT,
                member__in=here.values("member"),
            )
            .exclude(meeting__place="")
            .order_by()
            .values("member", "meeting__on")
            .annotate(n=Count("pk"), places=Count("meeting__place", distinct=True))
            .filter(places__gt=1)
            .values_list("member", flat=True)
        )
        rows = (
            Attendance.objects.filter(
                in_period,
                member__in=twice,
                meeting__status__in=HELD,
                status=Attendance.Status.PRESENT,
            )
            .exclude(meeting__place="")
            .values_list(
                *fields,
                "meeting__public_id",
                "meeting__on",
                "meeting__place",
                "meeting__starts_at",
                "meeting__ends_at",
            )
        )
        by_day = defaultdict(list)
        for row in rows:
            by_day[(row[1], row[5])].append(row)
        in_scope = set(ctx.org_ids)
        for same_day in by_day.values():
            for a in same_day:
                others = [
                    b
                    for b in same_day
                    if b[4] != a[4] and b[6] != a[6] and None in (a[7], a[8], b[7], b[8])
                ]
                if others and a[0] in in_scope:
                    problems[(a[0], a[1])].append(
                        (
                            a[5],
                            a[4],
                            a[2],
                            _(
                                "%(day)s %(name)s 同日在“%(place)s”和“%(other)s”出席会议，未登记起止时间，无法排除同时分处两地"
                            )
                            % {"day": a[5], "name": a[3], "place": a[6], "other": others[0][6]},
                        )
                    )
        outcomes = []
        for (org_id, member_id), found in sorted(problems.items()):
            found.sort(key=lambda item: (item[0], str(item[1])))
            member_pid = found[0][2]
            text = Message.join("；", dict.fromkeys(reason for *_x, reason in found)) + "。"
            outcomes.append(
                Outcome(
                    org_id,
                    Status.SUSPECT,
                    text,
                    {"problems": len(found)},
                    subject_type="member",
                    subject_id=member_id,
                    refs=[
                        f"member:{member_pid}",
                        *dict.fromkeys(_ref(pid) for _on, pid, *_r in found),
                    ],
                )
            )
        return outcomes


# --- DQ-09: suspiciously perfect records ---------------------------------------------------------


@register
class PerfectRecords(Rule):
    code = "DQ-09"
    title = "过于完美的记录请核查：大支部全年全勤、每月会议时间完全相同"
    citation = Citation("条例", "≈第十八条", Confidence.ARTICLE_UNCERTAIN, note=NOTE)
    kinds = BRANCHES
    period_kind = "year"
    module = "integrity"
    reads = ("meetings.Meeting", "meetings.Attendance")
    dated = ("meetings.Meeting.on",)
    params = (
        Param("large_branch", "大支部应到人数", 30, "人", stricter="lower"),
        Param("min_meetings", "最少会议数", 10, "个", stricter="lower"),
    )

    def evaluate(self, ctx: Context):
        period = period_of(self, ctx)
        rows = (
            Meeting.objects.filter(
                org__in=ctx.org_in,
                status__in=HELD,
                on__gte=period.start,
                on__lt=period.end,
                on__lte=ctx.on,
            )
            .annotate(
                n=Count("attendance"),
                present=Count("attendance", filter=Q(attendance__status=Attendance.Status.PRESENT)),
            )
            .order_by("on", "pk")
            .values_list("org", "public_id", "on", "starts_at", "ends_at", "n", "present")
        )
        per_org = defaultdict(list)
        for row in rows:
            per_org[row[0]].append(row)
        outcomes = []
        for org in ctx.orgs:
            meetings = per_org.get(org.pk, [])
            if len(meetings) < ctx.params["min_meetings"]:
                continue
            reasons = []
            smallest = min(m[5] for m in meetings)
            if smallest >= ctx.params["large_branch"] and all(m[5] == m[6] for m in meetings):
                reasons.append(
                    _(
                        "%(period)s %(n)s 个会议每次应到 %(least)s 人以上且全部出席，无一人请假或缺席"
                    )
                    % {"period": period.message, "n": len(meetings), "least": smallest}
                )
            times = {(m[3], m[4]) for m in meetings}
            months = {m[2].month for m in meetings}
            if len(times) == 1 and None not in next(iter(times)) and len(months) == 12:
                starts, ends = next(iter(times))
                assert starts is not None and ends is not None
                reasons.append(
                    _("%(period)s 每个月的 %(n)s 个会议起止时间完全相同（%(starts)s—%(ends)s）")
                    % {
                        "period": period.message,
                        "n": len(meetings),
                        "starts": starts.strftime("%H:%M"),
                        "ends": ends.strftime("%H:%M"),
                    }
                )
            if reasons:
                outcomes.append(
                    Outcome(
                        org.pk,
                        Status.SUSPECT,
                        Message.join("；", reasons) + _("，请核查记录是否如实。"),
                        {"meetings": len(meetings), "reasons": len(reasons)},
                        refs=[_ref(m[1]) for m in meetings],
                    )
                )
        return outcomes
