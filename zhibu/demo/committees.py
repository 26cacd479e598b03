"""Committees, terms, posts and 定点联系 of the demo, dated relative to the demo's today.

Scenarios (``OrgSpec.committee``):
  ok              elected 3–27 months ago, with the previous term on record
  expired         elected 3 years 4 months ago and not renewed        → ORG-05 late
  ending          the term ends in about three months                 → ORG-05 due
  vacant          the secretary left 8 months ago, none since         → ORG-08 late
  pending         elected seven weeks ago, not yet approved           (ORG-06)
  secretary_only  a secretary but no committee                        → ORG-04 missing
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from zhibu.committees import services as committee_services
from zhibu.demo.logins import ROOT_CODE
from zhibu.demo.org import BRANCH_SPECS, ORGS, SPECS, OrgSpec
from zhibu.demo.people import Person
from zhibu.demo.state import Demo
from zhibu.members.models import Member, MemberEvent
from zhibu.orgs.models import Committee, CommitteePost

P = CommitteePost.Post

# The 党委 (7 members) and the 党总支: (post, key of roster.KEY_PEOPLE).
ROOT_POSTS: tuple[tuple[str, str], ...] = (
    (P.SECRETARY, "dangwei"),
    (P.DEPUTY_SECRETARY, "fushuji"),
    (P.DEPUTY_SECRETARY, "zhuanzhi"),
    (P.ORGANIZATION, "zuzhibuzhang"),
    (P.PUBLICITY, "xuanchuan"),
    (P.DISCIPLINE, "jijian"),
    (P.MEMBER, "zongkuaiji"),
)
# A 党总支's secretary, and the branches whose secretaries sit on its committee.
GENERAL_POSTS: dict[str, tuple[str, tuple[str, str, str]]] = {
    "RLJT-JG": ("jg_shuji", ("RLJT-JG01", "RLJT-KF", "RLJT-JG02")),
    "RLJT-SC": ("zongzhi", ("RLJT-DD", "RLJT-FG1", "RLJT-FG2")),
    "RLJT-GC": ("gc_shuji", ("RLJT-AZ", "RLJT-LH", "RLJT-GW")),
}
COMMITTEE_MEMBER_POSTS = (P.ORGANIZATION, P.PUBLICITY, P.DISCIPLINE)
LARGE_BRANCH = 40  # from this size a branch also elects a 副书记
# 定点联系: 党委 members, each with a branch (the vacant one and the gaps included).
LINKAGES: tuple[tuple[str, str], ...] = (
    ("dangwei", "RLJT-RY"),
    ("fushuji", "RLJT-FG1"),
    ("zhuanzhi", "RLJT-LT"),
    ("zuzhibuzhang", "RLJT-KF"),
    ("xuanchuan", "RLJT-DD"),
    ("jijian", "RLJT-FG3"),
    ("zongkuaiji", "RLJT-GW"),
)
TRANSFERRED_TO = "调任市城建集团工作"
TERM_DAYS = 1096  # three years, for counting terms since an org was founded


@dataclass
class PostPlan:
    post: str
    person: Person
    start: date
    end: date | None = None
    note: str = ""


@dataclass
class CommitteePlan:
    org: str
    elected_on: date | None  # None: posts held without a committee (a lone secretary, 党小组长)
    posts: list[PostPlan] = field(default_factory=list)
    term_number: int | None = None
    filing: str = Committee.Filing.APPROVED
    decided_on: date | None = None
    document: str = ""


@dataclass
class Plan:
    committees: list[CommitteePlan]
    linkages: list[tuple[str, str, date]]  # (key person, branch code, start)


# --- choosing people -----------------------------------------------------------------------


def _pick(
    rng: random.Random,
    people: list[Person],
    on: date,
    *,
    exclude: set[Person] | frozenset[Person] = frozenset(),
    min_years: int = 0,
    ages: tuple[int, int] | None = None,
    unit: str | None = None,
) -> Person:
    """A full member on ``on`` with ``min_years`` of party age, preferring ``ages`` and
    ``unit``; never a named person, a frail or departing one."""

    def fits(person: Person, strict: bool) -> bool:
        if person in exclude or person.key or person.frail_reason or person.leaves:
            return False
        if not _qualified(person, on, min_years):
            return False
        if strict and ages and not ages[0] <= person.age_on(on) <= ages[1]:
            return False
        return not (strict and unit and person.unit != unit)

    for strict in (True, False):
        candidates = [person for person in people if fits(person, strict)]
        if candidates:
            return rng.choice(candidates)
    raise RuntimeError(f"no member fits a post on {on}")  # pragma: no cover


def _qualified(person: Person, on: date, min_years: int) -> bool:
    return person.is_full_on(on) and person.party_years_on(on) >= min_years


def _elected_on(rng: random.Random, today: date, scenario: str) -> date:
    jitter = rng.randint(0, 20)
    if scenario == "expired":
        return today - relativedelta(years=3, months=4, days=jitter)
    if scenario == "ending":
        return today - relativedelta(years=2, months=9, days=jitter)
    if scenario == "vacant":
        return today - relativedelta(months=16, days=jitter)
    if scenario == "pending":
        return today - timedelta(days=45 + jitter // 2)
    return today - relativedelta(months=rng.randint(3, 27), days=jitter)


def _approval(rng: random.Random, code: str, elected_on: date, today: date) -> tuple[date, str]:
    day = min(elected_on + timedelta(days=rng.randint(7, 30)), today)
    issuer = "市国资委党委" if code == ROOT_CODE else "热力党委"
    return day, f"{issuer}〔{day.year}〕{rng.randint(5, 90)}号"


def _terms(
    rng: random.Random, demo: Demo, code: str, current: CommitteePlan, pool: list[Person]
) -> list[CommitteePlan]:
    """The current committee, preceded by the previous term where the org is old enough."""
    established = SPECS[code].established_on(demo.today)
    elected = current.elected_on
    term = 1 + (elected - established).days // TERM_DAYS
    previous_on = elected - relativedelta(years=3) - timedelta(days=rng.randint(0, 60))
    current.decided_on, current.document = _approval(rng, code, elected, demo.today)
    if current.filing == Committee.Filing.PENDING:
        current.decided_on, current.document = None, ""
    if term < 2 or previous_on <= established:
        current.term_number = term
        return [current]
    previous = CommitteePlan(code, previous_on, term_number=term - 1)
    previous.decided_on, previous.document = _approval(rng, code, previous_on, demo.today)
    chosen: set[Person] = set()
    for post in current.posts:
        # Named leaders served the previous term too; others were re-elected or not.
        min_years = 3 if post.post == P.SECRETARY else 0
        holder = post.person
        keep = (holder.key or rng.random() < 0.6) and holder not in chosen
        if not keep or not _qualified(holder, previous_on, min_years):
            holder = _pick(rng, pool, previous_on, exclude=chosen, min_years=min_years)
        chosen.add(holder)
        previous.posts.append(PostPlan(post.post, holder, previous_on, end=elected))
    return [previous, current]


def _secretary_job(spec: OrgSpec, person: Person) -> None:
    title = f"{spec.name}书记"
    if spec.secretary_title:
        title += f"、{spec.secretary_title}"
    person.occupation = title


# --- the plan --------------------------------------------------------------------------------


def _branch(demo: Demo, spec: OrgSpec, secretaries: dict[str, Person]) -> list[CommitteePlan]:
    rng = demo.rng(f"committee:{spec.code}")
    people = demo.people[spec.code]
    retired = spec.roster[0].profile == "retired"
    ages = (62, 75) if retired else (36, 56)
    if spec.committee == "secretary_only":
        start = demo.today - relativedelta(years=2, months=5)
        secretary = _pick(rng, people, start, min_years=3, ages=ages)
        _secretary_job(spec, secretary)
        secretaries[spec.code] = secretary
        return [CommitteePlan(spec.code, None, posts=[PostPlan(P.SECRETARY, secretary, start)])]

    elected = _elected_on(rng, demo.today, spec.committee)
    if spec.code == "RLJT-RY":
        secretary = demo.key_people["zhibu"]
    else:
        secretary = _pick(rng, people, elected, min_years=3, ages=ages, unit=spec.roster[0].unit)
        _secretary_job(spec, secretary)
    secretaries[spec.code] = secretary
    filing = Committee.Filing.PENDING if spec.committee == "pending" else Committee.Filing.APPROVED
    current = CommitteePlan(spec.code, elected, filing=filing)
    current.posts.append(PostPlan(P.SECRETARY, secretary, elected))
    others = COMMITTEE_MEMBER_POSTS
    if len(people) >= LARGE_BRANCH:
        others = (P.DEPUTY_SECRETARY, *others)
    chosen = {secretary}
    for post in others:
        holder = _pick(rng, people, elected, exclude=chosen)
        chosen.add(holder)
        current.posts.append(PostPlan(post, holder, elected))
    if spec.committee == "vacant":
        left = demo.today - relativedelta(months=8, days=rng.randint(0, 20))
        current.posts[0].end, current.posts[0].note = left, TRANSFERRED_TO
        secretary.leaves = (
            MemberEvent.Kind.TRANSFERRED_OUT,
            left,
            f"{TRANSFERRED_TO}，组织关系转出",
        )
    return _terms(rng, demo, spec.code, current, people)


def _groups(demo: Demo, spec: OrgSpec, secretary: Person) -> list[CommitteePlan]:
    rng = demo.rng(f"groups:{spec.code}")
    plans = []
    for code, _name in spec.groups:
        start = max(
            spec.established_on(demo.today),
            demo.today - timedelta(days=rng.randint(150, 1500)),
        )
        if code == "RLJT-RY-1":
            leader = demo.key_people["xiaozu"]
        else:
            members = [person for person in demo.people[spec.code] if person.group == code]
            leader = _pick(rng, members, start, exclude={secretary}, min_years=2)
        plans.append(CommitteePlan(code, None, posts=[PostPlan(P.GROUP_LEADER, leader, start)]))
    return plans


def _upper(demo: Demo, code: str, posts: list[tuple[str, Person]], pool) -> list[CommitteePlan]:
    rng = demo.rng(f"committee:{code}")
    months = 20 if code == ROOT_CODE else rng.randint(6, 26)
    elected = demo.today - relativedelta(months=months, days=rng.randint(0, 20))
    current = CommitteePlan(code, elected)
    current.posts = [PostPlan(post, person, elected) for post, person in posts]
    return _terms(rng, demo, code, current, pool)


def plan_committees(demo: Demo) -> Plan:
    by_org: dict[str, list[CommitteePlan]] = {}
    secretaries: dict[str, Person] = {}
    groups: list[CommitteePlan] = []
    for spec in BRANCH_SPECS:
        by_org[spec.code] = _branch(demo, spec, secretaries)
        groups += _groups(demo, spec, secretaries[spec.code])
    key = demo.key_people
    for code, (secretary, branches) in GENERAL_POSTS.items():
        posts = [(P.SECRETARY, key[secretary])]
        posts += [
            (post, secretaries[b]) for post, b in zip(COMMITTEE_MEMBER_POSTS, branches, strict=True)
        ]
        pool = [p for spec in BRANCH_SPECS if spec.parent == code for p in demo.people[spec.code]]
        by_org[code] = _upper(demo, code, posts, pool)
    pool = demo.people["RLJT-JG01"] + demo.people["RLJT-JG02"]
    by_org[ROOT_CODE] = _upper(demo, ROOT_CODE, [(post, key[k]) for post, k in ROOT_POSTS], pool)
    ordered = [plan for spec in ORGS for plan in by_org.get(spec.code, [])] + groups
    linkage_start = by_org[ROOT_CODE][-1].elected_on + timedelta(days=30)
    linkages = [(person, branch, linkage_start) for person, branch in LINKAGES]
    return Plan(ordered, linkages)


# --- writing -------------------------------------------------------------------------------


def _member(person: Person) -> Member:
    assert person.member is not None, "write the roster before the committees"
    return person.member


def write_committees(demo: Demo, plan: Plan) -> None:
    for item in plan.committees:
        org = demo.orgs[item.org]
        committee = None
        if item.elected_on is not None:
            committee = committee_services.committee_elect(
                org=org, elected_on=item.elected_on, term_number=item.term_number
            )
            demo.counts["committees"] += 1
        for post in item.posts:
            committee_services.post_assign(
                org=org,
                post=post.post,
                holder=_member(post.person),
                start=post.start,
                end=post.end,
                committee=committee,
                note=post.note,
            )
            demo.counts["posts"] += 1
        if committee is not None and item.decided_on is not None:
            committee_services.committee_file(
                committee=committee, filing=item.filing, on=item.decided_on, document=item.document
            )
    for key, branch, start in plan.linkages:
        committee_services.linkage_add(
            org=demo.orgs[branch],
            person=_member(demo.key_people[key]),
            start=start,
            note="党委委员基层党建联系点",
        )
        demo.counts["linkages"] += 1
