"""Development cases (发展党员) of the demo: twenty people at every stage of the 25 steps.

Each case in ``CASES`` is dated back from today by one anchor step and runs through
``zhibu.development.services`` exactly as a branch would record it: 公示 before the key
steps, 培养联系人 and 入党介绍人 who are full members that day, the admission and the 转正
voted at a real 支部党员大会 (recorded with the organisational life), the 上级党委's
steps entered by its 组织部. Admitted people become 预备党员 on the roll (step 17) in time
for the branch meetings that follow, are placed in a 党小组 (step 19) and confirmed
(step 24) on the day probation ends.

A few cases are left where the rulebook should find them (``SEEDED_FINDINGS``): a talk
due and one overdue (DEV-02), an activist not reviewed for more than six months
(DEV-04), an approval due (DEV-12) and a 转正 discussion due (DEV-14). One approval came
after four months with the 党委书记's special approval (DEV-12 override), one case was
stopped. ``plan_save`` records the 党委's annual plan for each year.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from dateutil.relativedelta import relativedelta

from zhibu.core import workdays
from zhibu.demo.clock import at, moment
from zhibu.demo.logins import ROOT_CODE
from zhibu.demo.meetings import Life
from zhibu.demo.org import UNITS
from zhibu.demo.people import Person, make_person
from zhibu.demo.state import Demo
from zhibu.development import services
from zhibu.development.models import Case
from zhibu.discipline.voters import voters_on
from zhibu.meetings.models import Decision
from zhibu.members.models import Member, MemberEvent
from zhibu.members.selectors import members_on
from zhibu.members.services import member_record_event
from zhibu.orgs.models import CommitteePost, Org, Unit

P = CommitteePost.Post


@dataclass(frozen=True)
class CaseSpec:
    key: str
    branch: str
    unit: str  # key of org.UNITS
    profile: str  # key of people.PROFILES
    until: int  # the last step recorded (6 and 21 are the repeated reviews)
    anchor: int  # the step dated ``days_ago`` days before today
    days_ago: int
    stop: tuple[int, str] | None = None  # (days ago, reason): the case was stopped then
    override: bool = False  # approved after four months, with the 党委书记's approval


STOPPED = "本人调往外省工作，离开本单位，终止培养考察，有关材料转交接收单位党组织"
OVERRIDE = "集团党委开展发展党员工作专项检查，审批顺延；经党委书记批准，在支部大会后六个月内审批"

CASES: tuple[CaseSpec, ...] = (
    # stage 1: applicants
    CaseSpec("ry-applicant", "RLJT-RY", "plant", "plant", 1, 1, 12),  # DEV-02 due
    CaseSpec("fg3-applicant", "RLJT-FG3", "d3", "district", 1, 1, 52),  # DEV-02 late
    CaseSpec("kf-applicant", "RLJT-KF", "service", "service", 2, 1, 75),
    CaseSpec("az-applicant", "RLJT-AZ", "install", "install", 2, 1, 100),
    CaseSpec("jg02-applicant", "RLJT-JG02", "hq", "finance", 2, 1, 210),
    # stage 2: activists
    CaseSpec("dd-activist", "RLJT-DD", "dispatch", "dispatch", 5, 3, 120),
    CaseSpec("gw-activist", "RLJT-GW", "pipeline", "pipeline", 5, 3, 235),  # DEV-04 late
    CaseSpec("lh-activist", "RLJT-LH", "design", "design", 6, 3, 200),
    CaseSpec("fg1-activist", "RLJT-FG1", "d1", "district", 6, 3, 300),
    CaseSpec("kf-activist", "RLJT-KF", "service", "service", 6, 3, 420),
    CaseSpec("gw-stopped", "RLJT-GW", "pipeline", "pipeline", 6, 3, 420, stop=(150, STOPPED)),
    # stage 3: 发展对象
    CaseSpec("dd-target", "RLJT-DD", "dispatch", "dispatch", 9, 7, 40),
    CaseSpec("ry-target", "RLJT-RY", "plant", "plant", 10, 7, 70),
    CaseSpec("fg1-target", "RLJT-FG1", "d1", "district", 11, 7, 120),
    # stage 4: voted in, waiting for the 党委's approval
    CaseSpec("jg01-approval", "RLJT-JG01", "hq", "office", 16, 15, 35),  # DEV-12 due
    # stage 5: 预备党员
    CaseSpec("fg2-probation", "RLJT-FG2", "d2", "district", 21, 15, 150),
    CaseSpec("ry-probation", "RLJT-RY", "plant", "plant", 21, 15, 250),
    CaseSpec("fg1-probation", "RLJT-FG1", "d1", "district", 21, 15, 275, override=True),
    CaseSpec("jg01-confirmation", "RLJT-JG01", "hq", "office", 22, 15, 348),  # DEV-14 due
    # confirmed this year and archived
    CaseSpec("dd-confirmed", "RLJT-DD", "dispatch", "dispatch", 25, 24, 40),
)

# What the rulebook should find among the cases: (rule code, status, branch code).
SEEDED_FINDINGS: tuple[tuple[str, str, str], ...] = (
    ("DEV-02", "due", "RLJT-RY"),
    ("DEV-02", "late", "RLJT-FG3"),
    ("DEV-04", "late", "RLJT-GW"),
    ("DEV-12", "due", "RLJT-JG01"),
    ("DEV-14", "due", "RLJT-JG01"),
)

# Days from the previous step: (least, most).
GAPS: dict[int, tuple[int, int]] = {
    2: (8, 20),
    3: (150, 300),
    4: (3, 8),
    5: (1, 5),
    8: (3, 8),
    9: (5, 12),
    10: (10, 25),
    11: (7, 30),
    12: (7, 20),
    13: (7, 15),
    14: (3, 8),
    15: (10, 25),
    16: (7, 20),
    17: (15, 25),
    18: (3, 8),
    19: (1, 4),
    20: (3, 12),
    24: (10, 25),
    25: (1, 5),
}
OVERRIDE_DAYS = (115, 130)  # from the 支部大会 to the approval
PUBLICITY_BEFORE = {3: "activist", 7: "target", 15: "admission", 23: "confirmation"}
HIGHER_STEPS = frozenset({4, 8, 13, 16, 17, 18, 24})  # entered by the 党委组织部
NOTES = {
    3: "经党员推荐、支部委员会研究，确定为入党积极分子",
    4: "报党委组织部备案",
    6: "半年考察：政治表现、工作表现良好",
    7: "经支部委员会研究并征求党小组和群众意见，列为发展对象",
    8: "报党委组织部备案",
    12: "支部委员会对发展对象进行严格审查，同意提交支部大会讨论",
    13: "党委组织部预审合格，同意发放入党志愿书",
    14: "在入党介绍人指导下填写《中国共产党入党志愿书》",
    18: "报市国资委党委组织部备案",
    20: "在党旗下进行入党宣誓",
    21: "季度考察：能够履行党员义务，表现良好",
    22: "本人向党支部提出书面转正申请",
    25: "入党材料归入本人档案",
}


@dataclass
class Plan:
    spec: CaseSpec
    dates: dict[int, date]
    reviews: dict[int, list[date]] = field(default_factory=dict)  # 6 and 21
    publicity: dict[int, date] = field(default_factory=dict)  # step → start of its 公示
    person: Person | None = None  # who applies
    case: Case | None = None
    contacts: list[Member] = field(default_factory=list)  # 培养联系人, later 入党介绍人


def _document(rng, day: date) -> str:
    return f"热力党委〔{day.year}〕{rng.randint(20, 160)}号"


class Planner:
    def __init__(self, demo: Demo, life: Life) -> None:
        self.demo, self.life, self.today = demo, life, demo.today
        self.calendar = life.calendar
        self.busy: dict[str, set[date]] = {}
        self.names = set(Member.objects.values_list("name", flat=True))

    def snap(self, day: date) -> date:
        return self.life.workday_on_or_after(day)

    def free_day(self, branch: str, day: date, reserve: bool) -> date:
        """A working day on which the branch has no other meeting (for a 支部大会)."""
        busy = self.busy.setdefault(branch, self.life.busy_days(self.life.orgs[branch]))
        day = self.snap(day)
        while day in busy:
            day = self.snap(day + timedelta(days=1))
        if reserve:
            busy.add(day)
        return day

    def committee_day(self, branch: str, day: date) -> date:
        """The branch's 支委会 nearest to ``day`` (within four days), where step 12 is taken."""
        org = self.life.orgs[branch]
        days = [
            on
            for on, kinds in self.life.planned_days.get(org.pk, {}).items()
            if kinds == ["branch_committee"] and abs((on - day).days) <= 4
        ]
        return min(days, key=lambda on: (abs((on - day).days), on)) if days else day

    def dates(
        self, spec: CaseSpec, first: date, draws: dict[int, int], commit: bool
    ) -> dict[int, date]:
        """Step dates from step 1 on ``first``, with each step's gap drawn in ``draws``."""
        d: dict[int, date] = {1: self.snap(first)}
        previous = d[1]
        for number in range(2, spec.until + 1):
            if number in (6, 21):
                continue
            if number == 3:
                day = previous + timedelta(days=draws[3])
            elif number == 7:
                day = d[3] + relativedelta(months=12) + timedelta(days=draws[7])
            elif number == 17 and spec.override:
                day = d[15] + timedelta(days=draws[17])
            elif number == 22:
                day = d[15] + relativedelta(months=12) - timedelta(days=draws[22])
            elif number == 23:
                day = d[15] + relativedelta(months=12) + timedelta(days=draws[23])
            else:
                day = previous + timedelta(days=draws[number])
            if number == 12:
                day = self.committee_day(spec.branch, day)
            day = max(self.snap(day), previous)
            if number in (15, 23):
                day = self.free_day(spec.branch, day, reserve=commit)
            if commit and day >= self.today:  # working days and 大会 days moved it: yesterday
                day = max(self.life.workday_before(self.today), previous)
            d[number] = day
            previous = day
        return d

    def plan(self, spec: CaseSpec) -> Plan:
        rng = self.demo.rng(f"case:{spec.key}")
        draws = {n: rng.randint(*GAPS[n]) for n in GAPS}
        draws[7] = rng.randint(20, 80)
        draws[22] = rng.randint(25, 40)
        draws[23] = rng.randint(3, 20)
        if spec.override:
            draws[17] = rng.randint(*OVERRIDE_DAYS)
        target = self.today - timedelta(days=spec.days_ago)
        first = target
        for _attempt in range(3):  # converge on the anchor (month lengths, working days)
            trial = self.dates(spec, first, draws, commit=False)
            first += target - trial[spec.anchor]

        def miss(shift: int) -> tuple[int, int]:
            """How far the anchor lands from its day when step 1 moves by ``shift`` days
            (working days, 支委会 days and free 大会 days make it a step function)."""
            trial = self.dates(spec, first + timedelta(days=shift), draws, commit=False)
            return abs((trial[spec.anchor] - target).days), abs(shift)

        first += timedelta(days=min(range(-30, 31), key=miss))
        person = make_person(
            self.demo.rng(f"person:{spec.key}"),
            today=self.today,
            branch=spec.branch,
            unit=spec.unit,
            profile=spec.profile,
            kind="probationary",
            taken_ids=set(),
            avoid_names=self.names,
        )
        dates = self.dates(spec, first, draws, commit=True)
        plan = Plan(spec, dates, person=person)
        branch = self.life.orgs[spec.branch]
        planned = self.life.planned_days.get(branch.pk, {})
        if 12 in dates and planned.get(dates[12]) == ["branch_committee"]:
            self.life.extra_topics[(branch.pk, dates[12])].append(
                f"审查发展对象{person.name}的入党材料，同意提交支部党员大会讨论"
            )
        if spec.until >= 6:
            end = dates.get(7) or self._end(spec)
            plan.reviews[6] = self._every(dates[3], 175, end, rng)
        if spec.until >= 21:
            end = dates.get(22) or self._end(spec)
            plan.reviews[21] = self._every(dates[20], 90, end, rng)
        for number, _key in PUBLICITY_BEFORE.items():
            if number in dates:
                plan.publicity[number] = self._publicity_start(dates[number])
        late = [n for n, day in dates.items() if day >= self.today]
        assert not late, f"{spec.key}: steps {late} would be in the future"
        return plan

    def _end(self, spec: CaseSpec) -> date:
        if spec.stop:
            return self.today - timedelta(days=spec.stop[0])
        return self.today

    def _every(self, start: date, days: int, end: date, rng) -> list[date]:
        found, day = [], start
        while True:
            day = self.snap(day + timedelta(days=days + rng.randint(-8, 5)))
            if day >= end:
                return found
            found.append(day)

    def _publicity_start(self, step_day: date) -> date:
        """A 公示 of 5 working days that ends before the step."""
        start = self.snap(step_day - timedelta(days=12))
        while workdays.working_days_end(start, 5).end >= step_day:
            start = self.life.workday_before(start)
        return start


class Recorder:
    """Puts each case's entries on the life's timeline and records them when they run."""

    def __init__(self, demo: Demo, life: Life) -> None:
        self.demo, self.life = demo, life
        self.root = life.orgs[ROOT_CODE]
        self.staff = life.user("zuzhibu")
        self.secretary_user = life.user("dangwei")

    def by(self, plan: Plan, number: int):
        if number in HIGHER_STEPS:
            return self.staff
        return self.life.recorder_user(self.life.orgs[plan.spec.branch])

    def schedule(self, plan: Plan) -> None:
        spec, d = plan.spec, plan.dates
        add = self.life.timeline.add
        add(moment(d[1], 10, 30), partial(self.open, plan))
        batched: set[int] = set()
        if 15 in d:
            batched |= {n for n in range(15, 21) if n in d}
            add(moment(d[15], 18, 20), partial(self.batch, plan, sorted(batched)))
        if 23 in d:
            later = [n for n in range(23, 26) if n in d]
            batched |= set(later)
            add(moment(d[23], 18, 20), partial(self.batch, plan, later))
        for number, day in d.items():
            if number == 1 or number in batched:
                continue
            add(moment(day, 16, number), partial(self.step, plan, number, day))
        for number, days in plan.reviews.items():
            for day in days:
                add(moment(day, 16, 40), partial(self.step, plan, number, day))
        for number, start in plan.publicity.items():
            add(moment(start, 9, 10), partial(self.publicity, plan, number, start))
        if spec.stop:
            day = self.life.workday_on_or_after(self.demo.today - timedelta(days=spec.stop[0]))
            add(moment(day, 15), partial(self.stop, plan, day))

    # --- entries -----------------------------------------------------------------------

    def open(self, plan: Plan) -> None:
        spec, person = plan.spec, plan.person
        unit = Unit.objects.get(name=UNITS[spec.unit])
        plan.case = services.case_open(
            org=self.life.orgs[spec.branch],
            name=person.name,
            gender=person.gender,
            birth_date=person.birth_date,
            applied_on=plan.dates[1],
            id_number=person.id_number,
            ethnicity=person.ethnicity,
            phone=person.phone,
            education=person.education,
            occupation=person.occupation,
            work_unit=unit,
            front_line=person.front_line,
            by=self.by(plan, 1),
        )
        self.demo.counts["cases"] += 1
        self.demo.counts["steps"] += 1

    def publicity(self, plan: Plan, number: int, start: date) -> None:
        services.publicity_start(
            case=plan.case, key=PUBLICITY_BEFORE[number], start=start, by=self.by(plan, number)
        )

    def stop(self, plan: Plan, day: date) -> None:
        services.case_stop(case=plan.case, reason=plan.spec.stop[1], on=day, by=self.by(plan, 3))

    def batch(self, plan: Plan, numbers: list[int]) -> None:
        """A 支部大会's vote and the steps that follow it at once, each at its own time:
        the person is then on the roll before the branch's next meetings are recorded."""
        for number in numbers:
            day = plan.dates[number]
            with at(moment(day, 17, number)):
                if number == 17 and plan.spec.override:
                    services.override_request(
                        case=plan.case,
                        step_number=17,
                        rule_code="DEV-12",
                        reason=OVERRIDE,
                        by=self.secretary_user,
                    )
                self.step(plan, number, day)

    def step(self, plan: Plan, number: int, day: date) -> None:
        spec, case, life = plan.spec, plan.case, self.life
        branch = life.orgs[spec.branch]
        rng = self.demo.rng(f"step:{spec.key}:{number}:{day}")
        data: dict = {"note": NOTES.get(number, "")}
        if number == 2:
            talker = life.holders(branch, day, (P.SECRETARY, P.DEPUTY_SECRETARY, P.ORGANIZATION))
            data["people"] = {"talker": list(Member.objects.filter(pk__in=talker[:1]))}
            data["note"] = "党支部派支部委员与申请人谈话，了解基本情况"
        elif number == 5:
            contacts = self.full_members(branch, day, rng, rng.choice((1, 2)))
            plan.contacts = contacts
            data["people"] = {"contacts": contacts}
        elif number == 9:
            introducers = [m for m in plan.contacts if self.is_full(m, day)]
            introducers += self.full_members(branch, day, rng, 2, exclude=introducers)
            data["people"] = {"introducers": introducers[:2]}
        elif number == 10:
            data["conclusion"] = "政治审查合格"
            data["note"] = "同本人谈话、查阅档案、函调直系亲属和主要社会关系"
        elif number == 11:
            data["training_days"] = Decimal("3")
            data["training_hours"] = Decimal("24")
            data["note"] = "参加集团公司党委举办的发展对象培训班，考试合格"
        elif number == 15:
            data["decision"] = self.vote(plan, day, Decision.Kind.ADMISSION)
            data["note"] = "支部党员大会讨论通过，接收为中共预备党员"
        elif number == 16:
            talker = life.holders(self.root, day, (P.ORGANIZATION, P.DEPUTY_SECRETARY))
            data["people"] = {"talker": list(Member.objects.filter(pk__in=talker[:1]))}
            data["note"] = "党委委员、组织部部长同其谈话"
        elif number in (17, 24):
            data["document"] = _document(rng, day)
            data["note"] = "党委会议审批同意" if number == 17 else "党委会议审批同意按期转正"
        elif number == 19:
            data["note"] = self.place_in_group(plan, day)
        elif number == 23:
            data["decision"] = self.vote(plan, day, Decision.Kind.CONFIRMATION)
            data["note"] = "支部党员大会讨论同意按期转正"
        services.step_record(case=case, number=number, on=day, by=self.by(plan, number), **data)
        case.refresh_from_db()
        self.demo.counts["steps"] += 1

    # --- helpers --------------------------------------------------------------------------

    def vote(self, plan: Plan, day: date, kind: str) -> Decision:
        name = plan.case.name
        admission = kind == Decision.Kind.ADMISSION
        what = f"接收{name}同志为中共预备党员" if admission else f"{name}同志按期转为中共正式党员"
        return self.life.record_vote(
            org=self.life.orgs[plan.spec.branch],
            on=day,
            title="支部党员大会（讨论接收预备党员）"
            if admission
            else "支部党员大会（讨论预备党员转正）",
            topic=f"讨论{what}",
            decision=f"关于{what}的决议",
            kind=kind,
            candidate=name,
        )

    def full_members(self, branch: Org, day: date, rng, n: int, exclude=()) -> list[Member]:
        skip = {m.pk for m in exclude} | set(self.life.habits)
        pool = [
            m
            for m in voters_on(branch, day).filter(frail_exempt=False).order_by("pk")
            if m.pk not in skip
        ]
        return rng.sample(pool, n) if n else []

    def is_full(self, member: Member, day: date) -> bool:
        return voters_on(member.org, day).filter(pk=member.pk).exists()

    def place_in_group(self, plan: Plan, day: date) -> str:
        """编入党支部和党小组: the smallest 党小组 of the branch, where it has groups."""
        branch = self.life.orgs[plan.spec.branch]
        groups = [
            o
            for o in self.life.orgs.values()
            if o.kind == Org.Kind.GROUP and self.life.parent(o).pk == branch.pk
        ]
        if not groups:
            return f"编入{branch.name}"
        sizes = Counter({g.pk: members_on(g, day).count() for g in groups})
        group = min(groups, key=lambda g: (sizes[g.pk], g.path))
        member_record_event(
            member=plan.case.member,
            kind=MemberEvent.Kind.MOVED,
            on=day,
            org=branch,
            group=group,
            by=self.by(plan, 19),
            note="预备党员编入党小组",
        )
        return f"编入{branch.name}{group.name}"


def plan(demo: Demo, life: Life) -> list[Plan]:
    """Plan every case, put their entries and the annual plans on the life's timeline."""
    planner, recorder = Planner(demo, life), Recorder(demo, life)
    plans = [planner.plan(spec) for spec in CASES]
    for item in plans:
        recorder.schedule(item)
    for year in range(life.start.year, demo.today.year + 1):
        day = life.workday_on_or_after(date(year, 1, 15))
        if day < demo.today:
            life.timeline.add(moment(day, 15), partial(_annual_plan, life, plans, year))
    return plans


def _annual_plan(life: Life, plans: list[Plan], year: int) -> None:
    """DEV-20: the 党委's plan — the admissions the branches expect, and a reserve."""
    quotas: Counter = Counter()
    for item in plans:
        day = item.dates.get(15)
        if day is not None and day.year == year:
            quotas[item.spec.branch] += 1
        elif 7 in item.dates and item.dates[7].year <= year:
            quotas[item.spec.branch] += 1  # 发展对象 expected to be admitted
    quotas.update({"RLJT-RY": 1, "RLJT-FG1": 1})
    services.plan_save(
        committee=life.orgs[ROOT_CODE],
        year=year,
        quota=sum(quotas.values()) + 2,
        quotas={life.orgs[code]: n for code, n in sorted(quotas.items())},
        target_young_pct=70,
        target_women_pct=30,
        target_front_line_pct=50,
        target_college_pct=70,
        note="重点在生产一线、青年职工和技术骨干中发展党员，防止突击发展。",
        by=life.user("zuzhibu"),
    )
