"""The demo enterprise: its shape, its data quality, its seeded gaps and its logins.

Building the demo is the slow part, so the module builds it once (twice, to prove the
second run creates nothing) inside a transaction that is rolled back at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from zhibu import demo
from zhibu.accounts.models import RoleAssignment, User
from zhibu.core.rules.base import Status
from zhibu.core.rules.engine import evaluate_codes
from zhibu.demo import committees, roster
from zhibu.demo.logins import DEMO_LOGINS, ROOT_CODE
from zhibu.demo.org import SEEDED_GAPS
from zhibu.demo.state import Demo
from zhibu.members import idnumber
from zhibu.members.models import Member
from zhibu.members.services import check_person
from zhibu.orgs.models import Committee, CommitteePost, Linkage, Org

README = Path(__file__).resolve().parents[2] / "README.md"
ORG_CODES = ["ORG-01", "ORG-02", "ORG-04", "ORG-05", "ORG-07", "ORG-08"]


def _totals() -> dict[str, int]:
    return {
        "orgs": Org.objects.count(),
        "members": Member.objects.count(),
        "committees": Committee.objects.count(),
        "posts": CommitteePost.objects.count(),
        "linkages": Linkage.objects.count(),
        "users": User.objects.count(),
        "assignments": RoleAssignment.objects.count(),
    }


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The demo built twice, once per module; everything is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        first = demo.build()
        after_first = _totals()
        second = demo.build()
        yield {"first": first, "second": second, "after_first": after_first}
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_a_second_build_creates_nothing(built):
    assert built["first"]["members"] > 0 and built["first"]["users"] == len(DEMO_LOGINS)
    assert set(built["second"].values()) == {0}
    assert _totals() == built["after_first"]


def test_the_enterprise_has_the_promised_shape(built):
    orgs = Org.objects.filter(path__startswith=Org.objects.get(code=ROOT_CODE).path)
    kinds = Counter(orgs.values_list("kind", flat=True))
    assert kinds[Org.Kind.COMMITTEE] == 1 and kinds[Org.Kind.GENERAL_BRANCH] == 3
    assert kinds[Org.Kind.BRANCH] + kinds[Org.Kind.JOINT_BRANCH] == 12
    assert kinds[Org.Kind.JOINT_BRANCH] == 1
    joint = orgs.get(kind=Org.Kind.JOINT_BRANCH)
    assert 2 <= joint.units.count() <= 4
    groups = orgs.filter(kind=Org.Kind.GROUP).values_list("path", flat=True)
    assert len({path[: -Org.steplen] for path in groups}) == 3

    on_roll = Member.objects.filter(status__in=[Member.Status.FULL, Member.Status.PROBATIONARY])
    assert 280 <= on_roll.count() <= 320
    assert on_roll.filter(status=Member.Status.PROBATIONARY).count() >= 5
    sizes = Counter(on_roll.values_list("org__code", flat=True))
    assert sorted(size for size in sizes.values() if size > 40) == [sizes["RLJT-FG1"]]
    assert all(size >= 10 for size in sizes.values())
    retirees = Member.objects.filter(org__code="RLJT-LT")
    assert set(retirees.values_list("category", flat=True)) == {Member.Category.RETIRED}
    assert not Member.objects.exclude(org__code="RLJT-LT").filter(category="retired").exists()
    for branch in orgs.filter(kind__in=Org.BRANCH_KINDS):
        units = set(branch.units.values_list("pk", flat=True))
        assert units and set(branch.members.values_list("work_unit", flat=True)) <= units
    grouped = Member.objects.filter(org__code="RLJT-RY")
    assert not grouped.filter(group__isnull=True).exists()
    assert Member.objects.filter(frail_exempt=True).count() >= 2
    assert Member.objects.filter(front_line=True).count() > 50
    assert Member.objects.exclude(ethnicity="汉族").exists()


def test_every_id_number_is_valid_and_agrees_with_the_record(built):
    members = list(Member.objects.all())
    assert len({m.id_number for m in members}) == len(members)
    for member in members:
        info = idnumber.parse(member.id_number)
        assert (info.birth_date, info.gender) == (member.birth_date, member.gender), member.name
        assert re.fullmatch(r"1[3-9]\d{9}", member.phone)


def test_every_member_passes_the_data_quality_checks(built):
    today = timezone.localdate()
    for member in Member.objects.all():
        errors = check_person(
            id_number=member.id_number, birth_date=member.birth_date, gender=member.gender,
            applied_on=member.applied_on, admitted_on=member.admitted_on,
            full_on=member.full_on, exclude_pk=member.pk,
        )  # fmt: skip
        assert errors == {}, (member.name, errors)
        assert member.admitted_on <= today
        if member.full_on is None:
            assert member.admitted_on > today - relativedelta(years=1)
        else:
            assert member.full_on == member.admitted_on + relativedelta(years=1)
            assert member.full_on <= today


def test_the_seeded_gaps_show_up_through_the_rules_and_nothing_else(built):
    orgs = list(Org.objects.all())
    codes = {org.pk: org.code for org in orgs}
    results = evaluate_codes(ORG_CODES, orgs)
    found = {
        (code, str(outcome.status), codes[outcome.org_id])
        for code, outcomes in results.items()
        for outcome in outcomes
        if outcome.status != Status.OK
    }
    assert ("ORG-05", "late", "RLJT-GW") in found  # expired term
    assert ("ORG-05", "due", "RLJT-FG2") in found  # ending soon
    assert ("ORG-08", "late", "RLJT-FG3") in found  # secretary vacant > 6 months
    assert ("ORG-01", "missing", "RLJT-LH") in found  # a unit without its own branch
    assert found == set(SEEDED_GAPS)
    assert all(outcome.status == Status.OK for outcome in results["ORG-07"])


def test_the_demo_logins_exist_with_their_roles(built):
    today = timezone.localdate()
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.full_name == login.full_name
        assert user.check_password(settings.ZHIBU_DEMO_PASSWORD)
        active = [a for a in user.assignments.select_related("org") if a.active_on(today)]
        assert [(a.role, a.org.code if a.org else None) for a in active] == [
            (login.grant, login.org_code)
        ]
        member = Member.objects.filter(user=user).first()
        if login.member_org is None:
            assert member is None
        else:
            assert (member.org.code, member.name) == (login.member_org, login.full_name)
    assert not User.objects.filter(username="admin").exists()
    assert not User.objects.filter(is_superuser=True).exists()


def test_the_post_holding_logins_hold_their_posts(built):
    today = timezone.localdate()
    for username, post, code in [
        ("dangwei", "secretary", ROOT_CODE),
        ("jijian", "discipline", ROOT_CODE),
        ("zongzhi", "secretary", "RLJT-SC"),
        ("zhibu", "secretary", "RLJT-RY"),
        ("xiaozu", "group_leader", "RLJT-RY-1"),
    ]:
        holder = Member.objects.get(user__username=username)
        held = CommitteePost.objects.get(org__code=code, post=post, end__isnull=True)
        assert held.holder == holder and held.start <= today
    assert not Member.objects.get(user__username="dangyuan").posts.exists()


def test_the_same_seed_plans_the_same_people_and_another_seed_others():
    today = timezone.localdate()

    def fingerprint(seed: int) -> list[tuple]:
        plan = Demo(seed=seed, today=today)
        roster.plan_roster(plan)
        committees.plan_committees(plan)
        return [
            (p.name, p.id_number, p.birth_date, p.admitted_on, p.occupation, p.group)
            for p in plan.everyone()
        ]

    assert fingerprint(2026) == fingerprint(2026)
    assert fingerprint(2026) != fingerprint(7)


def test_the_readme_and_the_banner_list_the_demo_logins():
    section = README.read_text().split("### 演示账号 · Demo logins")[1].split("\n## ")[0]
    rows = re.findall(r"^\| `(\w+)` \| (\S+) \| (.+) \|$", section, re.MULTILINE)
    assert rows == [
        (login.username, login.full_name, f"{login.role} {login.role_en}") for login in DEMO_LOGINS
    ]
    out = StringIO()
    call_command("demo_banner", stdout=out)
    for login in DEMO_LOGINS:
        assert re.search(
            rf"{login.username}\s+{login.full_name}\s+{re.escape(login.role)}", out.getvalue()
        )


def test_demo_data_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo_data")
