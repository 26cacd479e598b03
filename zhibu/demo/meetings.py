"""The demo's organisational life, from 1 January last year up to yesterday.

Every branch plans its year with ``plan_generate`` (a monthly 主题党日 on the fixed day,
with the quarter's 支部党员大会 and 党课 in its last month; a monthly 支委会 where a
committee is in office; a monthly 党小组会 per group; the 组织生活会 and 民主评议 in
December) and then holds the plan: each meeting is recorded through ``meeting_record``
with the roster as of its date, mostly present, some on leave with a reason, a few
absent. The 党委 holds a monthly 理论学习中心组 and a yearly 民主生活会, each 党总支 a
monthly committee meeting; branches that elected their committee within the period
record the election's 支部党员大会. 谈心谈话 cover every pair of last year's members (in
the 53-member 一分公司 about 60% of its 1378 pairs) and part of this year's; last year's
民主评议 rates one habitual absentee 不合格 (限期改正); each 组织生活会 files two problems
to rectify (RESP-05), closed when done and re-checked by the 党委组织部.

Study hours are set so that a member who misses no more than the odd meeting passes the
32 学时 of EDU-01 (and a committee member the 56 of EDU-02); the members in ``HABITS``
do not. The gaps in ``seeded_gaps`` are left on purpose.

Everything is entered as if at the time (``clock``): most records the day of the meeting,
two of them weeks later (补录), the latest two not yet complete (待完善记录).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from functools import partial

from zhibu.accounts.models import User
from zhibu.core import workdays
from zhibu.core.rules import Period
from zhibu.core.scope import subtree_q
from zhibu.demo import texts
from zhibu.demo.clock import Timeline, at, moment
from zhibu.demo.logins import ROOT_CODE
from zhibu.demo.state import Demo
from zhibu.discipline.voters import voters_on
from zhibu.duties.services.rectification import (
    life_problem_add,
    rectification_close,
    rectification_recheck,
)
from zhibu.meetings import selectors
from zhibu.meetings.models import Attendance, Decision, Meeting, MeetingKind
from zhibu.meetings.services.decisions import decision_record
from zhibu.meetings.services.leave import leave_request
from zhibu.meetings.services.life import life_prep_update
from zhibu.meetings.services.org_settings import settings_update
from zhibu.meetings.services.plans import plan_generate, plan_items
from zhibu.meetings.services.recording import GuestIn, MeetingInput, meeting_record
from zhibu.meetings.services.reviews import (
    correction_update,
    review_entry_update,
    review_finish,
    review_open,
)
from zhibu.meetings.services.scheduling import meeting_cancel, meeting_notice
from zhibu.meetings.services.talks import talk_record
from zhibu.members.models import Member, MemberSpan
from zhibu.members.selectors import members_on
from zhibu.orgs.models import Committee, CommitteePost, Linkage, Org

K = MeetingKind
P = CommitteePost.Post
PRESENT, LEAVE, ABSENT = (
    Attendance.Status.PRESENT,
    Attendance.Status.LEAVE,
    Attendance.Status.ABSENT,
)

# 组织生活设置: the 党委 fixes the days for everyone; two branches keep their own 主题党日.
SETTINGS: dict[str, dict[str, int]] = {
    ROOT_CODE: {"theme_day": 10, "committee_day": 5, "group_day": 20},
    "RLJT-RY": {"theme_day": 15},  # shift work: the day after the shift change
    "RLJT-LT": {"theme_day": 12},  # retirees meet on the activity centre's open day
}
SETTINGS_BY = {ROOT_CODE: "dangwei", "RLJT-RY": "zhibu", "RLJT-LT": "dangwei"}
DEFAULT_THEME_DAY = SETTINGS[ROOT_CODE]["theme_day"]

# The deliberate gaps (see ``seeded_gaps``).
GAP_ASSEMBLY = "RLJT-FG3"  # secretary gone: the last complete quarter had no 支部党员大会
GAP_COMMITTEE = "RLJT-GW"  # term expired, committee slack: three months without a 支委会
GAP_GROUP = "RLJT-FG1-3"  # 城南供热站: last month's 党小组会 called off for 注水试压
GAP_TALKS = "RLJT-FG1"  # 53 members, 1378 pairs: last year's 谈心谈话 covered about 60%
TALKS_COVERED = {GAP_TALKS: 0.6}
GROUP_CANCELLED = "供暖前管网注水试压，小组党员全员在岗，会议取消"
COMMITTEE_CANCELLED = "支部书记参加集团党校培训，会议取消，未另行安排"

# Members whose attendance follows a habit: (key, branch, leave reason, chance present,
# most 学时 a year they come to), so that each falls short of the 32 学时 of EDU-01.
HABITS: tuple[tuple[str, str, str, float, int], ...] = (
    ("absentee", "RLJT-FG1", "个人事务", 0.4, 22),  # until last year's 民主评议: 不合格
    ("posted", "RLJT-GW", "在外地项目部施工", 0.25, 16),
    ("away", "RLJT-LT", "随子女在外地居住", 0.2, 12),
    ("sick", "RLJT-DD", "病休（住院治疗）", 0.0, 0),  # March–September last year: exempted
)
# What an ordinary member misses at most in a year: the year's branch meetings give 62
# 学时, so even a member elected to a committee in December has the 56 of EDU-02.
LOST_HOURS_BUDGET = Decimal("6")
MISS_CHANCE = 0.06

HOURS = {
    "theme": Decimal("4"),
    "quarter": Decimal("6"),
    "committee": Decimal("2"),
    "group": Decimal("1"),
    "life": Decimal("4"),
    "review": Decimal("2"),
    "general": Decimal("2"),
    "root": Decimal("3"),
    "leadership": Decimal("4"),
    "vote": Decimal("1"),
}
SLOTS: dict[str, tuple[tuple[time, time], ...]] = {
    "committee": ((time(8, 30), time(10)), (time(15), time(16, 30))),
    "group": ((time(10, 30), time(11, 30)), (time(16), time(17))),
    "theme": ((time(14), time(17)), (time(9), time(12))),
    "general": ((time(10), time(11, 30)), (time(15), time(16, 30))),
    "root": ((time(9), time(11, 30)), (time(14, 30), time(17))),
    "vote": ((time(15), time(16, 30)), (time(9), time(10, 30))),
    "life": ((time(14), time(17, 30)), (time(8, 30), time(12))),
    "review": ((time(14), time(17)), (time(8, 30), time(11, 30))),
}
EVENING = (time(19), time(20, 30))
POST_ORDER = (P.SECRETARY, P.DEPUTY_SECRETARY, P.ORGANIZATION, P.PUBLICITY, P.DISCIPLINE, P.MEMBER)
RECORDER_ORDER = (P.ORGANIZATION, P.PUBLICITY, P.DISCIPLINE, P.MEMBER, P.DEPUTY_SECRETARY)

PLACES = {
    ROOT_CODE: "集团公司党委会议室",
    "RLJT-JG": "集团公司第二会议室",
    "RLJT-SC": "调度中心会议室",
    "RLJT-GC": "管网工程公司会议室",
    "RLJT-JG01": "集团公司机关党员活动室",
    "RLJT-JG02": "集团公司机关党员活动室",
    "RLJT-KF": "客服中心会议室",
    "RLJT-DD": "调度中心党员活动室",
    "RLJT-RY": "热源厂党员活动室",
    "RLJT-FG1": "一分公司党员活动室",
    "RLJT-FG2": "二分公司会议室",
    "RLJT-FG3": "三分公司会议室",
    "RLJT-GW": "管网工程公司会议室",
    "RLJT-AZ": "安装公司会议室",
    "RLJT-LH": "设计院会议室",
    "RLJT-LT": "离退休职工活动中心",
}


@dataclass(frozen=True)
class Habit:
    reason: str
    present: float
    most: int  # 学时 a year
    start: date
    end: date  # exclusive

    def applies(self, day: date) -> bool:
        return self.start <= day < self.end


def window_start(today: date) -> date:
    """The demo's history begins on 1 January last year, so last year is judged whole."""
    return date(today.year - 1, 1, 1)


def gap_periods(today: date) -> dict[str, list[Period]]:
    """The periods of the deliberate gaps, counted back from ``today``."""
    this_month = Period.containing("month", today)
    last_month = this_month.previous()
    return {
        "assembly": [Period.containing("quarter", today).previous()],
        # Three months running: a 问责 signal (the same rule failing 3 periods in a row).
        "committee": [
            last_month.previous(),
            last_month.previous().previous(),
            last_month.previous().previous().previous(),
        ],
        "group": [last_month],
    }


def seeded_gaps(today: date) -> list[tuple[str, str, str, str]]:
    """(rule code, status, org code, period code) the organisational life leaves open."""
    periods = gap_periods(today)
    gaps = [("MTG-01", "missing", GAP_ASSEMBLY, p.code) for p in periods["assembly"]]
    gaps += [("MTG-02", "missing", GAP_COMMITTEE, p.code) for p in periods["committee"]]
    gaps += [("MTG-03", "missing", GAP_GROUP, p.code) for p in periods["group"]]
    gaps.append(("MTG-08", "missing", GAP_TALKS, str(today.year - 1)))
    return gaps


def backfills(today: date) -> dict[tuple[str, str, str], int]:
    """(org code, kind, month code) → days after the meeting its record was entered."""
    months = gap_periods(today)["committee"]
    return {
        ("RLJT-LT-1", K.GROUP_MEETING, months[0].code): 26,
        ("RLJT-FG2", K.THEME_DAY, months[1].code): 18,
    }


class Life:
    """Plans and records the organisational life; ``development`` adds its own entries."""

    def __init__(self, demo: Demo, root: Org) -> None:
        self.demo = demo
        self.today = demo.today
        self.start = window_start(demo.today)
        self.root = root
        self.timeline = Timeline()
        self.rng = demo.rng("meetings")
        self.calendar = workdays.Calendar(
            self.start - timedelta(days=800), self.today + timedelta(days=400)
        )
        orgs = list(Org.objects.filter(subtree_q([root.path])).order_by("path"))
        self.orgs = {org.code: org for org in orgs}
        self.by_pk = {org.pk: org for org in orgs}
        self.by_path = {org.path: org for org in orgs}
        self.branches = [org for org in orgs if org.is_branch]
        self.generals = [org for org in orgs if org.kind == Org.Kind.GENERAL_BRANCH]
        self.users = {u.username: u for u in User.objects.all()}
        self.posts: dict[int, list[tuple[str, int, date, date | None]]] = defaultdict(list)
        for org_id, post, holder, start, end in CommitteePost.objects.filter(
            org__in=self.by_pk
        ).values_list("org", "post", "holder", "start", "end"):
            self.posts[org_id].append((post, holder, start, end))
        self.busy: dict[tuple[int, date], list[tuple[time, time]]] = defaultdict(list)
        self.lost: Counter = Counter()  # (member id, year) → study hours missed
        self.absences: Counter = Counter()  # (member id, year) → times absent without leave
        self.came: Counter = Counter()  # (member id, year) → 学时 of a member with a habit
        self.extra_topics: dict[tuple[int, date], list[str]] = defaultdict(list)
        self.habits, self.habit_members = self._choose_habits()
        self.dangwei = Member.objects.filter(user__username="dangwei").first()
        self.linked = {
            link.org_id: link.person
            for link in Linkage.objects.filter(org__in=self.by_pk).select_related("person")
        }
        self._settings()
        self.planned_days = self._planned_days()
        self.upper = self._upper_meetings()
        self.incomplete = self._latest_group_meetings(2)

    # --- set-up ------------------------------------------------------------------------

    def _settings(self) -> None:
        for code, values in SETTINGS.items():
            settings_update(
                org=self.orgs[code],
                theme_day=values.get("theme_day"),
                committee_day=values.get("committee_day"),
                group_day=values.get("group_day"),
                lock_days=None,
                review_grades=[],
                by=self.users.get(SETTINGS_BY[code]),
            )

    def _choose_habits(self) -> tuple[dict[int, Habit], dict[str, Member]]:
        holders = set(CommitteePost.objects.values_list("holder", flat=True))
        rng = self.demo.rng("habits")
        habits, chosen = {}, {}
        last_year = self.start.year
        for key, code, reason, present, most in HABITS:
            candidates = list(
                Member.objects.filter(
                    org=self.orgs[code],
                    status=Member.Status.FULL,
                    user__isnull=True,
                    frail_exempt=False,
                    full_on__lt=self.start,
                )
                .exclude(pk__in=holders)
                .exclude(events__kind__in=["deceased", "transferred_out"])
                .order_by("pk")
            )
            member = rng.choice(candidates)
            start, end = self.start, self.today + timedelta(days=1)
            if key == "absentee":
                end = date(last_year, 12, 20)  # after the 不合格 of last year's 民主评议
            elif key == "sick":
                start, end = date(last_year, 3, 1), date(last_year, 10, 1)
            habits[member.pk] = Habit(reason, present, most, start, end)
            chosen[key] = member
        return habits, chosen

    def _latest_group_meetings(self, n: int) -> set[tuple[int, date]]:
        """The last ``n`` 党小组会 before today: held, their records not yet complete."""
        found = sorted(
            (
                (on, self.by_pk[org_id].path, org_id)
                for org_id, days in self.planned_days.items()
                for on, kinds in days.items()
                if kinds == [K.GROUP_MEETING]
                and on < self.today
                and self.by_pk[org_id].code != GAP_GROUP
            ),
            reverse=True,
        )
        return {(org_id, on) for on, _path, org_id in found[:n]}

    def _planned_days(self) -> dict[int, dict[date, list[str]]]:
        """What the branches' plans will hold on which day (for choosing other days)."""
        days: dict[int, dict[date, list[str]]] = defaultdict(dict)
        for branch in self.branches:
            for year in range(self.start.year, self.today.year + 1):
                for item in plan_items(org=branch, year=year):
                    days[item.org.pk][item.on] = list(item.kinds)
        return days

    # --- small helpers -------------------------------------------------------------------

    def workday_on_or_after(self, day: date) -> date:
        while not self.calendar.is_workday(day):
            day += timedelta(days=1)
        return day

    def workday_before(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.calendar.is_workday(day):
            day -= timedelta(days=1)
        return day

    def parent(self, org: Org) -> Org:
        return self.by_path[org.path[: -Org.steplen]]

    def user(self, username: str) -> User | None:
        return self.users.get(username)

    def recorder_user(self, org: Org) -> User | None:
        """The login that enters the org's records, where the demo has one."""
        if org.code.startswith("RLJT-RY-1"):
            return self.user("xiaozu")
        if org.code.startswith("RLJT-RY"):
            return self.user("zhibu")
        if org.code == ROOT_CODE:
            return self.user("zuzhibu")
        return None

    def holders(self, org: Org, on: date, posts=POST_ORDER) -> list[int]:
        """Holders of ``posts`` at ``org`` on ``on``, in the order of ``posts``."""
        running = [
            (post, holder)
            for post, holder, start, end in self.posts.get(org.pk, [])
            if start <= on and (end is None or on < end)
        ]
        return [holder for post in posts for p, holder in running if p == post]

    def secretary(self, org: Org, on: date) -> Member | None:
        ids = self.holders(org, on, (P.SECRETARY, P.DEPUTY_SECRETARY, P.ORGANIZATION))
        return Member.objects.get(pk=ids[0]) if ids else None

    def busy_days(self, org: Org) -> set[date]:
        """Days on which the org, its groups or the orgs above it already meet."""
        days = set()
        for org_id, by_day in self.planned_days.items():
            if self.by_pk[org_id].path.startswith(org.path):
                days.update(by_day)
        days.update(on for on, _kind, _org in self.upper)
        return days

    def place(self, org: Org) -> str:
        if org.kind == Org.Kind.GROUP:
            return f"{org.name.removesuffix('党小组')}会议室"
        return PLACES.get(org.code, "党员活动室")

    # --- attendance --------------------------------------------------------------------------

    def attendance(
        self, roster: list[Member], on: date, hours: Decimal
    ) -> dict[int, tuple[str, str]]:
        rng = self.rng
        winter = on.month in (11, 12, 1, 2, 3)
        result = {}
        for member in roster:
            habit = self.habits.get(member.pk)
            year_key = (member.pk, on.year)
            if habit is not None and habit.applies(on):
                came = self.came[year_key] + hours <= habit.most
                if came and rng.random() < habit.present:
                    self.came[year_key] += hours
                    result[member.pk] = (PRESENT, "")
                elif habit.reason == "个人事务" and rng.random() < 0.7:
                    result[member.pk] = (ABSENT, "")
                    self.absences[year_key] += 1
                else:
                    result[member.pk] = (LEAVE, habit.reason)
                continue
            if member.frail_exempt:
                if rng.random() < 0.1:
                    result[member.pk] = (PRESENT, "")
                else:
                    result[member.pk] = (LEAVE, member.frail_reason or "年老体弱，行动不便")
                continue
            spare = self.lost[year_key] + hours <= self.budget(member, on.year)
            if spare and rng.random() < MISS_CHANCE:
                self.lost[year_key] += hours
                if rng.random() < 0.12:
                    result[member.pk] = (ABSENT, "")
                    self.absences[year_key] += 1
                    continue
                if member.category == Member.Category.RETIRED:
                    pool = texts.LEAVE_RETIRED
                elif winter and member.front_line:
                    pool = texts.LEAVE + texts.LEAVE_WINTER
                else:
                    pool = texts.LEAVE
                result[member.pk] = (LEAVE, rng.choice(pool))
            else:
                result[member.pk] = (PRESENT, "")
        return result

    def budget(self, member: Member, year: int) -> Decimal:
        """The 学时 a member may miss in ``year``: less for one who joined during it."""
        joined = max(member.admitted_on or date(year, 1, 1), date(year, 1, 1))
        share = Decimal(max(0, (date(year + 1, 1, 1) - joined).days)) / 365
        return (
            (LOST_HOURS_BUDGET * share).quantize(Decimal("0.1")) if share < 1 else LOST_HOURS_BUDGET
        )

    def free_slot(self, people: set[int], on: date, slot: str) -> tuple[time, time]:
        for starts, ends in (*SLOTS[slot], EVENING):
            if all(
                not (starts < other_end and other_start < ends)
                for person in people
                for other_start, other_end in self.busy.get((person, on), [])
            ):
                return starts, ends
        raise RuntimeError(f"no free time on {on} for a {slot} meeting")  # pragma: no cover

    def chairs(
        self, org: Org, on: date, present: list[Member]
    ) -> tuple[Member | None, Member | None]:
        """(host, recorder): present holders of the posts in order, else present members."""
        here = {m.pk: m for m in present}
        if not here:
            return None, None
        leads = (P.GROUP_LEADER,) if org.kind == Org.Kind.GROUP else POST_ORDER
        hosts = [here[pk] for pk in self.holders(org, on, leads) if pk in here]
        if not hosts and org.kind == Org.Kind.GROUP:
            branch = self.parent(org)
            hosts = [here[pk] for pk in self.holders(branch, on) if pk in here]
        host = hosts[0] if hosts else present[0]
        clerks = [here[pk] for pk in self.holders(org, on, RECORDER_ORDER) if pk in here]
        clerks = [m for m in clerks if m.pk != host.pk]
        if not clerks:
            others = [m for m in present if m.pk != host.pk]
            clerks = [self.rng.choice(others)] if others else []
        return host, (clerks[0] if clerks else None)

    # --- recording ------------------------------------------------------------------------------

    def record(
        self,
        *,
        org: Org,
        on: date,
        kinds: list[str],
        title: str,
        slot: str,
        hours: Decimal,
        topics: list[str],
        planned: Meeting | None = None,
        lecturer: Member | str | None = None,
        guests: list[GuestIn] | None = None,
        complete: bool = True,
        decisions_text: str = "",
    ) -> Meeting:
        roster = selectors.roster(org, on, kinds)
        attendance = self.attendance(roster, on, hours)
        present = [m for m in roster if attendance[m.pk][0] == PRESENT]
        guests = guests or []
        people = {m.pk for m in present} | {g.member.pk for g in guests if g.member}
        starts, ends = self.free_slot(people, on, slot)
        host, recorder = self.chairs(org, on, present)
        if lecturer == "host":
            lecturer = host
        topics = topics + self.extra_topics.pop((org.pk, on), [])
        leave = sum(1 for status, _why in attendance.values() if status == LEAVE)
        absent = sum(1 for status, _why in attendance.values() if status == ABSENT)
        minutes = (
            f"会议由{host.name if host else '支部委员'}主持。应到 {len(roster)} 人，实到 {len(present)} 人"
            + (f"，请假 {leave} 人" if leave else "")
            + (f"，缺席 {absent} 人" if absent else "")
            + "。会议议题："
            + "；".join(topics)
            + "。与会党员结合工作实际作了交流发言。"
        )
        data = MeetingInput(
            org=org,
            on=on,
            title=title,
            kinds=kinds,
            attendance=attendance,
            starts_at=starts,
            ends_at=ends,
            place=self.place(org),
            topics="\n".join(topics),
            host=host,
            recorder=recorder,
            lecturer=lecturer,
            minutes=minutes,
            decisions_text=decisions_text,
            study_hours=hours,
            guests=guests,
            complete=complete,
        )
        meeting = meeting_record(data=data, meeting=planned, by=self.recorder_user(org))
        for pk in people:
            self.busy[(pk, on)].append((starts, ends))
        self.demo.counts["meetings"] += 1
        self.demo.counts["attendance"] += len(attendance)
        return meeting

    def record_vote(
        self,
        *,
        org: Org,
        on: date,
        title: str,
        topic: str,
        decision: str,
        kind: str,
        candidate: str = "",
    ) -> Decision:
        """A 支部党员大会 held for one vote (an election, an admission, a 转正)."""
        meeting = self.record(
            org=org,
            on=on,
            kinds=[K.BRANCH_ASSEMBLY],
            title=title,
            slot="vote",
            hours=HOURS["vote"],
            topics=[topic],
        )
        return self.vote(meeting, decision, kind, candidate)

    def vote(self, meeting: Meeting, title: str, kind: str, candidate: str = "") -> Decision:
        entitled = set(voters_on(meeting.org, meeting.on).values_list("pk", flat=True))
        present = set(
            meeting.attendance.filter(status=PRESENT, member__in=entitled).values_list(
                "member", flat=True
            )
        )
        abstain = 1 if len(present) >= 12 and self.rng.random() < 0.3 else 0
        return decision_record(
            meeting=meeting,
            title=title,
            kind=kind,
            candidate=candidate,
            yes=len(present) - abstain,
            no=0,
            abstain=abstain,
            by=self.recorder_user(meeting.org),
        )

    # --- the schedule ---------------------------------------------------------------------------

    def _upper_meetings(self) -> list[tuple[date, str, Org]]:
        """(day, kind of entry, org) of the 党委's and 党总支's own meetings."""
        root = self.orgs[ROOT_CODE]
        found = []
        for year in range(self.start.year, self.today.year + 1):
            for month in range(1, 13):
                found.append((self.workday_on_or_after(date(year, month, 25)), "study", root))
                for general in self.generals:
                    found.append(
                        (self.workday_on_or_after(date(year, month, 3)), "general", general)
                    )
            found.append((self.workday_on_or_after(date(year, 12, 27)), "leadership", root))
        return [(on, kind, org) for on, kind, org in found if self.start <= on < self.today]

    def schedule(self) -> None:
        """Put every entry of the organisational life on the timeline."""
        for year in range(self.start.year, self.today.year + 1):
            planning = self.workday_on_or_after(max(date(year, 1, 4), self.start))
            for index, branch in enumerate(self.branches):
                self.timeline.add(
                    moment(planning, 9, index), partial(self._plan_year, branch, year)
                )
            talks_until = min(date(year, 12, 31), self.today - timedelta(days=1))
            self.timeline.add(moment(talks_until, 21), partial(self._talks, year, talks_until))
        runs = {
            "study": self._root_study,
            "general": self._general_meeting,
            "leadership": self._leadership_meeting,
        }
        for on, kind, org in self.upper:
            self._at(on, 0, partial(runs[kind], org, on))
        for committee in Committee.objects.filter(
            org__in=[b.pk for b in self.branches],
            elected_on__gte=self.start,
            elected_on__lt=self.today,
        ).order_by("elected_on", "org__path"):
            if self.calendar.is_workday(committee.elected_on):
                self._at(committee.elected_on, 0, partial(self._election, committee))

    def _at(self, on: date, late_days: int, run) -> None:
        day = on + timedelta(days=late_days)
        hour = 18 if late_days == 0 else 10
        self.timeline.add(moment(day, hour, self.rng.randint(0, 59)), run)

    # --- entries -------------------------------------------------------------------------------

    def _plan_year(self, branch: Org, year: int) -> None:
        created = plan_generate(org=branch, year=year, by=self.recorder_user(branch))
        late = backfills(self.today)
        periods = gap_periods(self.today)
        for meeting in created:
            on = self._held_on(meeting)
            if on >= self.today:
                continue  # stays on the calendar as planned
            org_code = meeting.org.code
            month = Period.containing("month", on)
            if org_code == GAP_GROUP and month in periods["group"]:
                self._at(on - timedelta(days=2), 0, partial(self._cancel, meeting, GROUP_CANCELLED))
                continue
            if org_code == GAP_COMMITTEE and meeting.kinds == [K.BRANCH_COMMITTEE]:
                if month == periods["committee"][0] or month in periods["committee"][2:]:
                    continue  # never held, left on the plan
                if month == periods["committee"][1]:
                    self._at(
                        on - timedelta(days=1),
                        0,
                        partial(self._cancel, meeting, COMMITTEE_CANCELLED),
                    )
                    continue
            drop_assembly = (
                org_code == GAP_ASSEMBLY
                and K.BRANCH_ASSEMBLY in meeting.kinds
                and Period.containing("quarter", on) in periods["assembly"]
            )  # in a fourth quarter that includes the 民主评议, held without a 党员大会 then
            days_late = max(
                (late.get((org_code, kind, month.code), 0) for kind in meeting.kinds), default=0
            )
            self._at(on, days_late, partial(self._hold, meeting, on, drop_assembly))

    def _held_on(self, meeting: Meeting) -> date:
        """The plan's day; a 主题党日 the holidays would push past the allowed week is held
        before the holidays instead (MTG-06)."""
        on = meeting.on
        if K.THEME_DAY in meeting.kinds:
            fixed_day = SETTINGS.get(meeting.org.code, {}).get("theme_day", DEFAULT_THEME_DAY)
            fixed = on.replace(day=min(fixed_day, 28))
            if on > fixed + timedelta(days=7):
                return self.workday_before(fixed)
        return on

    def _cancel(self, meeting: Meeting, reason: str) -> None:
        meeting_cancel(meeting=meeting, reason=reason, by=self.recorder_user(meeting.org))

    def _hold(self, meeting: Meeting, on: date, drop_assembly: bool) -> None:
        rng, org, kinds = self.rng, meeting.org, list(meeting.kinds)
        title, lecturer, guests = meeting.title, None, []
        complete = (org.pk, on) not in self.incomplete
        decisions = ""
        if K.MEMBER_REVIEW in kinds:
            slot, hours = "review", HOURS["review"]
            topics = [f"{meeting.covers_year}年度民主评议党员：个人自评、党员互评、民主测评"]
            if drop_assembly:
                kinds = [K.MEMBER_REVIEW]
        elif K.LIFE_MEETING in kinds:
            slot, hours = "life", HOURS["life"]
            topics = ["通报支部班子检视剖析情况", "党员逐一开展批评和自我批评", "研究制定整改措施"]
        elif K.THEME_DAY in kinds:
            slot = "theme"
            topics = [rng.choice(texts.THEME_DAY[on.month])]
            if K.PARTY_LECTURE in kinds:
                hours = HOURS["quarter"]
                lecturer, guests = self._lecture(org, on)
                topics.append(f"专题党课：{rng.choice(texts.LECTURES)}")
                if K.BRANCH_ASSEMBLY in kinds and not drop_assembly:
                    topics.append("通报本季度支部工作和党员发展情况")
                if drop_assembly:
                    kinds = [K.THEME_DAY, K.PARTY_LECTURE]
                    title = f"{on.month}月主题党日暨党课"
            else:
                hours = HOURS["theme"]
        elif K.BRANCH_COMMITTEE in kinds:
            slot, hours = "committee", HOURS["committee"]
            topics = rng.sample(texts.COMMITTEE_TOPICS, 2)
            decisions = "；".join(
                f"{i}. 同意{t.removeprefix('研究')}"
                for i, t in enumerate(topics, 1)
                if t.startswith("研究")
            )
        else:
            slot, hours = "group", HOURS["group"]
            topics = rng.sample(texts.GROUP_TOPICS, 2)
        held = self.record(
            org=org,
            on=on,
            kinds=kinds,
            title=title,
            slot=slot,
            hours=hours,
            topics=topics,
            planned=meeting,
            lecturer=lecturer,
            guests=guests,
            complete=complete,
            decisions_text=decisions,
        )
        if K.LIFE_MEETING in kinds:
            self._life_meeting(held)
        if K.MEMBER_REVIEW in kinds:
            self._review(held)

    def _lecture(self, org: Org, on: date):
        """Who gives the quarter's 党课: the secretary; in June at the 党委's own branch the
        党委书记 (MTG-05); in September the linked 党委 member, as a guest (定点联系)."""
        if self.dangwei is not None and on.month == 6 and org.pk == self.dangwei.org_id:
            return self.dangwei, []
        person = self.linked.get(org.pk)
        if on.month == 9 and person is not None and person.org_id != org.pk:
            guest = GuestIn(
                name=person.name, role="higher_leader", member=person, note="党委委员基层党建联系点"
            )
            return person, [guest]
        return "host", []

    def _life_meeting(self, meeting: Meeting) -> None:
        rng, by = self.rng, self.recorder_user(meeting.org)
        opinions = rng.randint(4, 12)
        life_prep_update(
            meeting=meeting,
            by=by,
            study_done=True,
            study_note="会前组织党员集中学习，撰写发言提纲",
            talks_done=True,
            talks_note="支部班子成员之间、班子成员和党员之间、党员之间普遍开展谈心谈话",
            opinions_collected=True,
            opinions_count=opinions,
            opinions_note=f"通过座谈、意见箱征求党员群众意见 {opinions} 条",
            criticism_notes="党员逐一对照检查，开展批评和自我批评，提出批评意见若干条。",
        )
        owner = self.secretary(meeting.org, meeting.on)
        for problem, measure, days in rng.sample(texts.PROBLEMS, 2):
            deadline = meeting.on + timedelta(days=days)
            item = life_problem_add(
                meeting=meeting,
                problem=problem,
                measure=measure,
                deadline=deadline,
                owner=owner,
                by=by,
            )
            closed = self.workday_before(deadline - timedelta(days=rng.randint(3, 20)))
            if closed < self.today:
                self._at(
                    closed,
                    0,
                    partial(
                        rectification_close,
                        item=item,
                        evidence=rng.choice(texts.EVIDENCE),
                        on=closed,
                        by=by,
                    ),
                )
            checked = self.workday_on_or_after(closed + timedelta(days=rng.randint(7, 30)))
            if checked < self.today:  # 复查 by the 党委组织部; the latest still wait for it
                self._at(
                    checked,
                    0,
                    partial(
                        rectification_recheck,
                        item=item,
                        passed=True,
                        on=checked,
                        by=self.user("zuzhibu"),
                    ),
                )

    def _review(self, meeting: Meeting) -> None:
        rng, by, year = self.rng, self.recorder_user(meeting.org), meeting.covers_year
        review = review_open(org=meeting.org, year=year, meeting=meeting, by=by)
        voters = meeting.attendance.filter(status=PRESENT).count()
        entries = list(
            review.entries.select_related("member").order_by("member__name_pinyin", "pk")
        )
        voters = min(voters, len(entries))
        leaders = set(self.holders(meeting.org, meeting.on))
        failing = self.habit_members["absentee"].pk if year == self.start.year else None
        grades = review.grades  # 优秀, 合格, 基本合格, 不合格
        for entry in entries:
            pk = entry.member_id
            if pk == failing:
                grade = grades[-1]
            elif self.absences[(pk, year)] >= 2:
                grade = grades[2]
            elif rng.random() < (0.45 if pk in leaders else 0.15):
                grade = grades[0]
            else:
                grade = grades[1]
            review_entry_update(
                entry=entry,
                self_assessment=rng.choice(texts.SELF_ASSESSMENT),
                peer_review="同志们认为该同志能够履行党员义务。"
                if grade != grades[-1]
                else "多次无故不参加组织生活，党员意识淡薄。",
                tally=self._tally(grades, grade, voters),
                grade=grade,
                by=by,
            )
        for correction in review_finish(review=review, on=meeting.on, by=by):
            correction_update(
                correction=correction,
                ends_on=correction.ends_on,
                measures="支部书记结对帮教，每月谈心一次；按时参加组织生活，每季度向支部书面汇报思想。",
                by=by,
            )
        self.demo.counts["reviews"] += 1

    def _tally(self, grades: list[str], grade: str, voters: int) -> dict[str, int]:
        rng = self.rng
        excellent, ok, basic, failing = grades[:4]
        if grade == excellent:
            top = round(voters * rng.uniform(0.55, 0.9))
            return {excellent: top, ok: voters - top}
        if grade == ok:
            top = round(voters * rng.uniform(0.0, 0.25))
            return {excellent: top, ok: voters - top}
        if grade == basic:
            fair = round(voters * rng.uniform(0.4, 0.6))
            return {ok: fair, basic: voters - fair}
        bad = round(voters * rng.uniform(0.5, 0.7))
        fair = round((voters - bad) * 0.6)
        return {failing: bad, basic: fair, ok: voters - bad - fair}

    def _root_study(self, root: Org, on: date) -> None:
        self.record(
            org=root,
            on=on,
            kinds=[K.OTHER],
            title=f"党委理论学习中心组{on.month}月集中学习",
            slot="root",
            hours=HOURS["root"],
            topics=[self.rng.choice(texts.ROOT_STUDY)],
        )

    def _leadership_meeting(self, root: Org, on: date) -> None:
        self.record(
            org=root,
            on=on,
            kinds=[K.LEADERSHIP_LIFE_MEETING],
            title=f"{on.year}年度党委领导班子民主生活会",
            slot="root",
            hours=HOURS["leadership"],
            topics=["班子成员对照检查，开展批评和自我批评", "研究制定整改措施"],
        )

    def _general_meeting(self, general: Org, on: date) -> None:
        self.record(
            org=general,
            on=on,
            kinds=[K.BRANCH_COMMITTEE],
            title=f"{on.month}月党总支委员会会议",
            slot="general",
            hours=HOURS["general"],
            topics=self.rng.sample(texts.GENERAL_TOPICS, 2),
        )

    def _election(self, committee: Committee) -> None:
        org, on = committee.org, committee.elected_on
        number = f"第{committee.term_number}届" if committee.term_number else "新一届"
        self.record_vote(
            org=org,
            on=on,
            title="支部党员大会（换届选举）",
            topic=f"选举产生{number}支部委员会",
            decision=f"选举产生{number}支部委员会",
            kind=Decision.Kind.ELECTION,
        )

    def _talks(self, year: int, until: date) -> None:
        """谈心谈话 of ``year``: every pair of the members on the roll at its end when the
        year is over, part of them while it runs (most talks come before the 组织生活会)."""
        rng = self.demo.rng(f"talks:{year}")
        over = until == date(year, 12, 31)
        share = 1.0 if over else 0.3 * (until - date(year, 1, 1)).days / 365
        first = date(year, 1, 5)
        for branch in self.branches:
            members = list(members_on(branch, until).order_by("pk"))
            if len(members) < 2:
                continue
            joined: dict[int, date] = {}
            for member_id, start in MemberSpan.objects.filter(
                org=branch,
                member__in=members,
                status__in=[Member.Status.FULL, Member.Status.PROBATIONARY],
            ).values_list("member", "start"):
                joined[member_id] = min(joined.get(member_id, start), start)
            by = self.recorder_user(branch)
            covered = TALKS_COVERED.get(branch.code, 1.0) if over else share
            for a, b in itertools.combinations(members, 2):
                if covered < 1 and rng.random() >= covered:
                    continue
                low = max(first, joined.get(a.pk, first), joined.get(b.pk, first))
                high = until if low > date(year, 12, 18) or not over else date(year, 12, 18)
                day = low + timedelta(days=rng.randint(0, max(0, (high - low).days)))
                if self.workday_on_or_after(day) <= high:
                    day = self.workday_on_or_after(day)
                with at(moment(day, rng.randint(9, 17), rng.randint(0, 59))):
                    talk_record(
                        org=branch,
                        on=day,
                        member_a=a,
                        member_b=b,
                        topic=rng.choice(texts.TALK_TOPICS),
                        by=by,
                    )
                self.demo.counts["talks"] += 1

    # --- after the history ---------------------------------------------------------------------

    def upcoming(self) -> None:
        """Notices for the next fortnight's meetings, and one member asking for leave."""
        soon = (
            Meeting.objects.filter(
                subtree_q([self.root.path], field="org__path"),
                status=Meeting.Status.PLANNED,
                on__gte=self.today,
                on__lte=self.today + timedelta(days=14),
            )
            .select_related("org")
            .order_by("on", "org__path")
        )
        asked = False
        for meeting in soon:
            meeting_notice(
                meeting=meeting,
                by=self.recorder_user(meeting.org),
                notice=selectors.notice_text(meeting),
            )
            if not asked and meeting.org.is_branch:
                roster = selectors.roster(meeting.org, meeting.on, meeting.kinds)
                if roster:
                    member = self.rng.choice(roster)
                    leave_request(meeting=meeting, member=member, reason="出差", today=self.today)
                    asked = True

    def run(self) -> None:
        self.timeline.run()
        self.upcoming()
