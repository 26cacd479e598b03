"""The demo roster: about 300 synthetic members planned per branch, then written.

Planning is pure (no database), from one seeded stream per branch; writing goes through
``members.services.member_create`` so events, spans, pinyin and the blind index are right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from zhibu.demo.logins import DEMO_LOGINS, LOGINS_BY_USERNAME
from zhibu.demo.org import BRANCH_SPECS, OrgSpec
from zhibu.demo.people import Job, Person, make_person
from zhibu.demo.state import Demo
from zhibu.members.models import MemberEvent
from zhibu.members.services import member_create, member_record_event


@dataclass(frozen=True)
class KeyPerson:
    """A person the demo needs by name: a login's holder or a committee member."""

    key: str  # a login's username, or a slot name used by committees.py
    branch: str
    job: Job
    gender: str
    age: int
    admit_age: int
    group: str | None = None


def _job(title: str, schooling: str = "cadre", field: str = "管理学", front_line: bool = False):
    return Job(title, 1, front_line=front_line, schooling=schooling, field=field)


KEY_PEOPLE: tuple[KeyPerson, ...] = (
    KeyPerson("dangwei", "RLJT-JG01", _job("党委书记、董事长"), "M", 56, 24),
    KeyPerson("fushuji", "RLJT-JG01", _job("党委副书记、总经理", field="工学"), "M", 53, 25),
    KeyPerson("zhuanzhi", "RLJT-JG01", _job("党委专职副书记、工会主席", field="法学"), "F", 54, 23),
    KeyPerson("zuzhibuzhang", "RLJT-JG01", _job("党委组织部部长"), "F", 47, 24),
    KeyPerson("xuanchuan", "RLJT-JG01", _job("党委宣传部部长", field="文学"), "M", 45, 22),
    KeyPerson("jg_shuji", "RLJT-JG01", _job("机关党总支书记、党委办公室主任"), "M", 49, 25),
    KeyPerson("zuzhibu", "RLJT-JG01", _job("党委组织部干事", field="法学"), "F", 34, 21),
    KeyPerson("jijian", "RLJT-JG02", _job("纪委书记", field="法学"), "M", 52, 26),
    KeyPerson("zongkuaiji", "RLJT-JG02", _job("副总经理、总会计师"), "M", 50, 27),
    KeyPerson(
        "zongzhi",
        "RLJT-DD",
        _job("生产运行党总支书记、调度中心主任", "engineer", "工学"),
        "M",
        50,
        26,
    ),
    KeyPerson(
        "gc_shuji",
        "RLJT-GW",
        _job("工程建设党总支书记、管网工程公司经理", "engineer", "工学"),
        "M",
        49,
        27,
    ),
    KeyPerson(
        "zhibu",
        "RLJT-RY",
        _job("热源厂党支部书记、副厂长", "engineer", "工学"),
        "M",
        45,
        25,
        group="RLJT-RY-1",
    ),
    KeyPerson(
        "xiaozu",
        "RLJT-RY",
        _job("化学水处理班长", "worker", "工学", front_line=True),
        "F",
        38,
        27,
        group="RLJT-RY-1",
    ),
    KeyPerson(
        "dangyuan",
        "RLJT-RY",
        _job("锅炉运行工", "worker", "工学", front_line=True),
        "M",
        29,
        24,
        group="RLJT-RY-1",
    ),
)

# Jobs that place a member in one 党小组; everyone else is dealt round the other groups.
GROUP_BY_JOB: dict[str, tuple[frozenset[str], str]] = {
    "RLJT-RY": (frozenset({"检修钳工", "电焊工", "热工仪表工"}), "RLJT-RY-3"),
    "RLJT-FG1": (frozenset({"客服员", "收费员", "综合办公室主任", "热网工程师"}), "RLJT-FG1-4"),
}
FRAIL_REASONS = ("年老体弱，行动不便", "长期患病卧床")
# The login holders' names are never drawn at random, so (branch, name) finds their record.
RESERVED_NAMES = frozenset(login.full_name for login in DEMO_LOGINS)


def plan_roster(demo: Demo) -> None:
    for spec in BRANCH_SPECS:
        rng = demo.rng(f"people:{spec.code}")
        avoid = set(RESERVED_NAMES)
        people: list[Person] = []
        first = spec.roster[0]
        for slot in (k for k in KEY_PEOPLE if k.branch == spec.code):
            login = LOGINS_BY_USERNAME.get(slot.key)
            person = make_person(
                rng,
                today=demo.today,
                branch=spec.code,
                unit=first.unit,
                profile=first.profile,
                kind="full",
                taken_ids=demo.taken_ids,
                avoid_names=avoid,
                name=login.full_name if login else "",
                gender=slot.gender,
                age=slot.age,
                admit_age=slot.admit_age,
                job=slot.job,
                key=slot.key,
            )
            person.group = slot.group
            demo.key_people[slot.key] = person
            people.append(person)
        for share in spec.roster:
            named = sum(1 for person in people if person.unit == share.unit)
            regular = "retired" if share.profile == "retired" else "full"
            kinds = ["probationary"] * share.probationary + ["recent"] * share.recent
            kinds += [regular] * (share.size - named - len(kinds))
            rng.shuffle(kinds)
            for kind in kinds:
                person = make_person(
                    rng,
                    today=demo.today,
                    branch=spec.code,
                    unit=share.unit,
                    profile=share.profile,
                    kind=kind,
                    taken_ids=demo.taken_ids,
                    avoid_names=avoid,
                )
                people.append(person)
        _place_in_groups(spec, people)
        if spec.roster[0].profile == "retired":
            _age_and_frailty(demo, rng, people)
        demo.people[spec.code] = people


def _place_in_groups(spec: OrgSpec, people: list[Person]) -> None:
    if not spec.groups:
        return
    jobs, special = GROUP_BY_JOB.get(spec.code, (frozenset(), None))
    others = [code for code, _name in spec.groups if code != special]
    dealt = 0
    for person in people:
        if person.group:
            continue
        if person.occupation in jobs:
            person.group = special
        else:
            person.group = others[dealt % len(others)]
            dealt += 1


def _age_and_frailty(demo: Demo, rng, people: list[Person]) -> None:
    """The two oldest retirees are exempt (MTG-11); one other old member died this year."""
    by_age = sorted(people, key=lambda person: person.birth_date)
    for person, reason in zip(by_age, FRAIL_REASONS, strict=False):
        person.frail_reason = reason
    old = [p for p in by_age[len(FRAIL_REASONS) :] if p.age_on(demo.today) >= 78] or by_age[2:3]
    departed = rng.choice(old)
    day = demo.today - timedelta(days=rng.randint(40, 300))
    departed.leaves = (MemberEvent.Kind.DECEASED, day, "因病去世")


def write_members(demo: Demo) -> None:
    for spec in BRANCH_SPECS:
        org = demo.orgs[spec.code]
        for person in demo.people[spec.code]:
            person.member = member_create(
                org=org,
                group=demo.orgs[person.group] if person.group else None,
                name=person.name,
                gender=person.gender,
                birth_date=person.birth_date,
                id_number=person.id_number,
                applied_on=person.applied_on,
                admitted_on=person.admitted_on,
                full_on=person.full_on,
                ethnicity=person.ethnicity,
                native_place=person.native_place,
                education=person.education,
                degree=person.degree,
                occupation=person.occupation,
                work_unit=demo.units[person.unit],
                phone=person.phone,
                category=person.category,
                frail_exempt=bool(person.frail_reason),
                frail_reason=person.frail_reason,
                front_line=person.front_line,
            )
            demo.counts["members"] += 1


def record_departures(demo: Demo) -> None:
    """Members who left the roll: a death, a secretary transferred out (after their posts)."""
    for person in demo.everyone():
        if person.leaves is None:
            continue
        kind, day, note = person.leaves
        member_record_event(member=person.member, kind=kind, on=day, note=note, today=demo.today)
        demo.counts["member_events"] += 1
