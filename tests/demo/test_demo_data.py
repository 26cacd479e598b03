"""The demo enterprise: its shape, its data quality, its seeded gaps and its logins; its
organisational life and development cases as the cockpit shows them.

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
from django.urls import reverse
from django.utils import timezone

from zhibu.accounts.models import RoleAssignment, User
from zhibu.core.rules import Period, registry
from zhibu.core.rules.base import Status
from zhibu.core.rules.engine import evaluate_codes
from zhibu.core.rules.models import Exemption, Finding, RuleRun
from zhibu.demo import builder as demo
from zhibu.demo import checks, committees, development, meetings, roster
from zhibu.demo.logins import DEMO_LOGINS, ROOT_CODE
from zhibu.demo.org import SEEDED_GAPS
from zhibu.demo.state import Demo
from zhibu.development.models import Case
from zhibu.discipline.models import DisciplineRecord
from zhibu.insight.selectors import cockpit_matrix, finding_refs, findings_in, ref_links
from zhibu.meetings.models import Attendance, Decision, Meeting, MeetingKind, Talk
from zhibu.members import idnumber
from zhibu.members.models import Member
from zhibu.members.services import check_person
from zhibu.orgs.models import Committee, CommitteePost, Linkage, Org
from zhibu.rulebook.run import rules_run

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
        "meetings": Meeting.objects.count(),
        "attendance": Attendance.objects.count(),
        "talks": Talk.objects.count(),
        "cases": Case.objects.count(),
        "findings": Finding.objects.count(),
        "rule_runs": RuleRun.objects.count(),
        "exemptions": Exemption.objects.count(),
    }


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The demo built twice, once per module; everything is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        progress: list[str] = []
        first = demo.build(log=progress.append)
        after_first = _totals()
        second = demo.build()
        yield {"first": first, "second": second, "after_first": after_first, "progress": progress}
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_a_second_build_creates_nothing(built):
    assert built["first"]["members"] > 0 and built["first"]["users"] == len(DEMO_LOGINS)
    assert built["first"]["meetings"] > 500 and built["first"]["findings"] > 0
    assert set(built["second"].values()) == {0}
    # Issue 13: every member on the roster can sign in, with their own linked account.
    assert built["first"]["member_accounts"] > 200
    on_roster = Member.objects.filter(status__in=Member.ON_ROSTER)
    assert not on_roster.filter(user__isnull=True).exists()
    assert not on_roster.filter(user__is_active=False).exists()
    assert _totals() == built["after_first"]


def test_the_demo_inbox_has_todays_digest_and_the_audit_chain_verifies(built):
    """Regressions: the demo's inbox was empty with open items; its back-dated audit
    events were reported as tampered."""
    from zhibu.core.audit import audit_verify
    from zhibu.core.rules.models import Notification

    assert built["first"]["notifications"] > 0
    assert Notification.objects.filter(user__username="dangwei").exists()
    result = audit_verify()
    assert result.ok, result.reason


def test_the_demo_has_last_years_statistics_report_submitted(built):
    """Issue 19: one 党总支's annual 党内统计 report, frozen with figures that pass the checks."""
    from zhibu.census import tables
    from zhibu.census.models import Report

    assert built["first"]["census_reports"] == 1
    report = Report.objects.get()
    assert report.is_locked and report.member_total > 0
    figures = [tables.Table.from_dict(t) for t in report.figures]
    assert tables.consistency(figures) == []
    assert tables.member_total(figures) == report.member_total


def test_the_build_says_what_it_is_doing(built):
    """Regression: demo_data was silent for minutes."""
    started = [line for line in built["progress"] if line.endswith("…")]
    finished = [line for line in built["progress"] if line.endswith(" s")]
    assert len(started) == len(finished) == 16
    assert any("组织生活" in line for line in started)


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
            id_number=member.id_number,
            birth_date=member.birth_date,
            gender=member.gender,
            applied_on=member.applied_on,
            admitted_on=member.admitted_on,
            full_on=member.full_on,
            exclude_pk=member.pk,
        )
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


# --- organisational life, development and the cockpit -------------------------------------


def _promised(today) -> list[tuple[str, str, str, str]]:
    """(rule, status, org code, period code): the gaps the demo promises to the cockpit."""
    quarter = Period.containing("quarter", today).code
    gaps = meetings.seeded_gaps(today)
    gaps += [(code, status, org, quarter) for code, status, org in development.SEEDED_FINDINGS]
    gaps.append(("ORG-05", "late", "RLJT-GW", quarter))  # the expired term
    return gaps


def test_the_cockpit_shows_the_seeded_gaps_with_citations_down_to_the_records(built, client):
    today = timezone.localdate()
    secretary = User.objects.get(username="dangwei")
    root = Org.objects.get(code=ROOT_CODE)
    client.force_login(secretary)
    width = len(root.path) + Org.steplen
    for code, status, org_code, period_code in _promised(today):
        period = Period.parse(period_code)
        finding = (
            findings_in(user=secretary, org=root, period=period)
            .filter(rule_code=code, status=status, org__code=org_code)
            .first()
        )
        assert finding is not None, (code, status, org_code, period_code)
        assert finding.citation == str(registry.in_force(code, period.last_day).citation)[:200]
        # The number in the cockpit's cell (the 党委's child above the org) counts it ...
        matrix = cockpit_matrix(user=secretary, org=root, period=period)
        cell = matrix.cells[finding.org_path[:width]][code]
        assert cell.counts[status] >= 1
        assert client.get(reverse("insight:cockpit"), {"period": period.code}).status_code == 200
        # ... and drills down to the finding, and the finding to its records.
        row = Org.objects.get(path=finding.org_path[:width])
        page = client.get(
            reverse("insight:findings"),
            {"org": row.public_id, "period": period.code, "rule": code, "status": status},
        )
        assert page.status_code == 200
        assert finding.text[:12] in page.content.decode()
        for _kind, url in ref_links(finding_refs(finding)):
            assert url is not None, (code, finding.refs)
            assert client.get(url, follow=True).status_code == 200, (code, url)


def test_members_short_of_32_hours_and_the_approved_exemption(built):
    last_year = Period.year(timezone.localdate().year - 1)
    edu = Finding.objects.filter(rule_code="EDU-01", period_code=last_year.code)
    short = edu.filter(status="missing")
    assert short.count() == 3 and all(f.refs[0].startswith("member:") for f in short)
    assert {Member.objects.get(pk=f.subject_id).org.code for f in short} == {
        "RLJT-FG1",
        "RLJT-GW",
        "RLJT-LT",
    }
    exempt = edu.get(status="exempt")
    assert exempt.original_status == "missing" and "已豁免" in exempt.text
    exemption = Exemption.objects.get(pk=exempt.exemption_id)
    assert exemption.state == Exemption.State.APPROVED
    assert exemption.approver.username == "dangwei" and exemption.member_id == exempt.subject_id
    assert exempt.numbers["hours"] < 32 and exemption.org.code == "RLJT-DD"


def test_running_the_rulebook_again_changes_nothing(built):
    today = timezone.localdate()
    root = Org.objects.get(code=ROOT_CODE)
    for period in checks.periods(today):
        run = rules_run(root=root, period=period, today=today)
        assert (run.created, run.updated, run.deleted) == (0, 0, 0), period.code
        assert run.evaluated > 0


def test_the_organisational_life_is_lived_in_with_only_the_seeded_gaps(built):
    from zhibu.core.workdays import Calendar

    today = timezone.localdate()
    start = meetings.window_start(today)
    held = Meeting.objects.filter(status__in=Meeting.HELD_STATUSES)
    assert not held.filter(on__gte=today).exists()
    calendar = Calendar(start, today)
    assert all(calendar.is_workday(on) for on in held.values_list("on", flat=True))
    kinds = {kind: held.filter(kind_rows__kind=kind).count() for kind in MeetingKind.values}
    months = (today.year - start.year) * 12 + today.month - 1
    assert kinds[MeetingKind.THEME_DAY] >= 12 * months - 1
    assert kinds[MeetingKind.BRANCH_ASSEMBLY] >= 12 * (months // 3)
    assert kinds[MeetingKind.GROUP_MEETING] >= 9 * months - 1
    assert kinds[MeetingKind.LIFE_MEETING] >= 12 and kinds[MeetingKind.MEMBER_REVIEW] >= 12
    rows = Attendance.objects.all()
    assert rows.filter(status="present").count() > 0.9 * rows.count()
    assert rows.filter(status="absent").exists()
    assert not rows.filter(status="leave", reason="").exists()
    # two 补录, and the meeting entered ten weeks late for 真实性核查 (DQ-07)
    assert sum(1 for m in held if (m.backfilled_days or 0) > 7) == 3
    assert held.filter(status=Meeting.Status.HELD).count() == 2  # records not yet complete
    assert Talk.objects.exists() and Decision.objects.filter(kind="election").exists()
    # In every period that is over, the meeting rules find exactly the gaps left on purpose.
    over = {
        (f.rule_code, f.status, f.org.code, f.period_code)
        for f in Finding.objects.filter(rule_code__startswith="MTG", period_end__lte=today)
        .exclude(status="ok")
        .select_related("org")
    }
    assert over == set(meetings.seeded_gaps(today))


def test_development_cases_at_every_stage_voted_at_real_assemblies(built):
    today = timezone.localdate()
    cases = Case.objects.all()
    assert cases.count() == len(development.CASES) == 20
    assert set(cases.values_list("stage", flat=True)) == {1, 2, 3, 4, 5}
    statuses = set(cases.values_list("status", flat=True))
    assert {"active", "probation", "archived", "stopped"} <= statuses
    admitted = cases.exclude(member=None).select_related("member")
    assert admitted.count() == 5
    for case in admitted:
        step = case.steps.get(number=15)
        decision = step.decision
        assert decision.passed and decision.kind == "admission" and decision.candidate == case.name
        assert MeetingKind.BRANCH_ASSEMBLY in decision.meeting.kinds
        assert decision.meeting.on == case.admitted_on == case.member.admitted_on
    confirmed = cases.get(status="archived").member
    assert confirmed.status == Member.Status.FULL
    assert today - relativedelta(years=1) < confirmed.full_on <= today
    assert Org.objects.get(code=ROOT_CODE).dev_plans.filter(year=today.year).exists()
    found = {
        (f.rule_code, f.status, f.org.code)
        for f in Finding.objects.filter(
            rule_code__startswith="DEV", period_code=Period.containing("quarter", today).code
        )
        .exclude(status="ok")
        .select_related("org")
    }
    assert found == set(development.SEEDED_FINDINGS)


# What the README says about the organisational life and development: (phrase in Chinese,
# phrase in English, rule, status, org code or None, period code, number of findings).
def _readme_claims(today):
    last_quarter = Period.containing("quarter", today).previous().code
    last_month = Period.containing("month", today).previous().code
    last_year = str(today.year - 1)
    quarter = Period.containing("quarter", today).code
    return [
        (
            "三分公司党支部上季度未召开支部党员大会",
            "三分公司党支部 held no 支部党员大会 last quarter",
            "MTG-01",
            "missing",
            "RLJT-FG3",
            last_quarter,
            1,
        ),
        (
            "管网工程党支部连续三个月未开支委会",
            "管网工程党支部 skipped its 支委会 three months running",
            "MTG-02",
            "missing",
            "RLJT-GW",
            None,
            3,
        ),
        (
            "城南供热站党小组上月未开党小组会",
            "城南供热站党小组 missed last month's meeting",
            "MTG-03",
            "missing",
            "RLJT-FG1-3",
            last_month,
            1,
        ),
        (
            "一分公司党支部去年谈心谈话未全覆盖",
            "一分公司党支部 did not cover every pair in last year's talks",
            "MTG-08",
            "missing",
            "RLJT-FG1",
            last_year,
            1,
        ),
        (
            "3 名党员去年学时不足 32 学时",
            "3 members fell short of 32 学时 last year",
            "EDU-01",
            "missing",
            None,
            last_year,
            3,
        ),
        ("逾期未谈话", "a talk overdue", "DEV-02", "late", None, quarter, 1),
        (
            "入党积极分子逾期未考察",
            "an activist not reviewed for six months",
            "DEV-04",
            "late",
            None,
            quarter,
            1,
        ),
        ("预备期将满待讨论转正", "a probation about to end", "DEV-14", "due", None, quarter, 1),
        (
            "1 项已批准的学时豁免",
            "1 exemption (study hours) is approved",
            "EDU-01",
            "exempt",
            None,
            last_year,
            1,
        ),
    ]


def test_the_readme_tells_the_truth_about_the_demo(built):
    today = timezone.localdate()
    section = README.read_text().split("### 演示账号 · Demo logins")[1].split("所有演示账号")[0]
    chinese, english = section.replace("\n", ""), " ".join(section.split())
    assert f"{len(development.CASES)} 个发展党员案例" in chinese
    assert f"{len(development.CASES)} development cases" in english
    assert "自去年 1 月 1 日以来的组织生活" in chinese and "since 1 January last year" in english
    assert Meeting.objects.filter(on__lt=meetings.window_start(today)).count() <= 2  # dev votes
    for zh, en, code, status, org_code, period_code, n in _readme_claims(today):
        assert zh in chinese and en in english, zh
        found = Finding.objects.filter(rule_code=code, status=status)
        if period_code:
            found = found.filter(period_code=period_code)
        if org_code:
            found = found.filter(org__code=org_code)
            assert Org.objects.get(code=org_code).name in zh
        assert found.count() == n, (zh, found.count())


def test_the_cockpit_summary_agrees_with_the_demo_findings(built):
    """The summary table the cockpit reads says what a direct count of the demo's findings
    says, for every org and the year, quarter and month of the demo's day."""
    from tests.insight.test_summary import assert_summary_matches

    today = timezone.localdate()
    periods = [Period.containing(kind, today) for kind in ("year", "quarter", "month")]
    assert_summary_matches(list(Org.objects.order_by("path")), periods)


def test_the_demo_requests_carry_their_seeded_gaps(built):
    """请示报告: one 请示 unanswered past its limit (REQ-06), one 报告 carrying a hidden
    请示 (REQ-05), one yearly report missing (REQ-01); the rest in order."""
    from zhibu.duties.models import Request

    assert built["first"]["requests"] >= 5
    year = f"{timezone.localdate().year}"
    problems = Finding.objects.filter(period_code=year, rule_code__startswith="REQ-").exclude(
        status=Status.OK
    )
    found = {(f.rule_code, f.status, f.org.code) for f in problems.select_related("org")}
    assert ("REQ-06", Status.LATE, "RLJT-GC") in found
    assert ("REQ-05", Status.SUSPECT, "RLJT-DD") in found
    missing = {code for rule, status, code in found if rule == "REQ-01"}
    assert missing == {"RLJT-GC"}
    assert Request.objects.filter(status=Request.Status.ANSWERED).count() >= 2


def test_this_years_letters_are_signed_down_to_the_branches_with_their_gaps(built):
    """Issue 16: the 党委's letters signed by its 总支 and branches, three gaps on purpose."""
    from zhibu.demo.letters import OVERDUE_TASK, SEEDED_GAPS, UNSIGNED
    from zhibu.duties.models import Letter, Task

    today = timezone.localdate()
    if today.month < 8:
        pytest.skip("the demo's letters run through July; earlier in the year only part")
    letters = Letter.objects.filter(year=today.year, recipient__isnull=False)
    assert letters.filter(issuer__code=ROOT_CODE).count() == 4
    unsigned = set(
        letters.exclude(status=Letter.Status.SIGNED).values_list("recipient__code", flat=True)
    )
    assert unsigned == {UNSIGNED}
    assert letters.filter(recipient__kind=Org.Kind.BRANCH, status=Letter.Status.SIGNED).count() >= 8
    task = Task.objects.get(title=OVERDUE_TASK)
    assert task.is_overdue(today) and task.meeting is not None
    found = {
        (f.rule_code, f.status, f.org.code)
        for f in Finding.objects.filter(
            rule_code__startswith="RESP-02", status__in=[Status.LATE, Status.MISSING]
        ).select_related("org")
    }
    assert found == set(SEEDED_GAPS)


def test_the_demo_has_a_rectification_loop_an_overdue_supervision_and_an_inspection(built):
    from zhibu.duties.models import Inspection, Rectification, Supervision

    today = timezone.localdate()
    item = Rectification.objects.get(source=Rectification.Source.FINDING)
    assert item.finding_rule and item.source_ref.startswith("finding:")
    supervision = Supervision.objects.get(target_ref=f"rectification:{item.public_id}")
    assert supervision.status == Supervision.Status.OPEN and supervision.reply_due < today
    inspection = Inspection.objects.get()
    problems = Rectification.objects.filter(source_ref=f"inspection:{inspection.public_id}")
    assert problems.count() == 2 and any(p.deadline < today for p in problems)
    late = set(Finding.objects.filter(status="late").values_list("rule_code", "org__code"))
    assert ("RESP-01", supervision.org.code) in late and ("RESP-05", inspection.org.code) in late
    on_task = Supervision.objects.get(target_ref__startswith="task:")  # the letters' overdue task
    assert on_task.status == Supervision.Status.OPEN and on_task.reply_due < today


def test_last_years_assessment_is_done_with_one_poor_branch_and_this_years_drafts(built, client):
    from zhibu.assessment.models import Deduction, Scheme, Sheet
    from zhibu.duties.models import Rectification

    today = timezone.localdate()
    root = Org.objects.get(code=ROOT_CODE)
    last = Scheme.objects.get(org=root, year=today.year - 1)
    assert not last.sheets.exclude(status=Sheet.Status.CONFIRMED).exists()
    poor = last.sheets.get(grade="poor")
    assert poor.standing == "not_met" and poor.total < last.average_min
    items = Rectification.objects.filter(source=Rectification.Source.ASSESSMENT)
    assert items.exists() and set(items.values_list("org", flat=True)) == {poor.org_id}
    assert last.sheets.filter(appeals__answered_on__isnull=False).exists()
    current = Scheme.objects.get(org=root, year=today.year)
    assert current.sheets.exists()
    assert not current.sheets.exclude(status=Sheet.Status.DRAFT).exists()
    # The draft sheets match the evidence: each finding deduction is a problem finding of
    # its rule in the year, in the sheet's subtree, and its link opens it.
    client.force_login(User.objects.get(username="dangwei"))
    deductions = Deduction.objects.filter(line__sheet__scheme=current, ref__startswith="finding:")
    for d in deductions.select_related("line__indicator", "line__sheet")[:20]:
        found = Finding.objects.get(pk=int(d.ref.split(":")[1]))
        assert found.rule_code == d.line.indicator.params["rule"]
        assert found.status in ("missing", "late") and found.period_start.year == today.year
        assert found.org_path.startswith(d.line.sheet.org_path)
        assert client.get(d.url).status_code == 200
    for sheet in current.sheets.prefetch_related("lines__deductions", "lines__indicator")[:10]:
        for line in sheet.lines.all():
            if line.computed is not None:
                owed = sum(d.points for d in line.deductions.all())
                assert line.computed == max(0, line.indicator.max_points - owed)


def test_a_member_under_probation_is_left_out_of_the_pending_vote(built, client):
    """Issue 17's done-when (DISC): the 留党察看 in 热源厂党支部 beside a planned 支部党员大会;
    the branch secretary sees only the restriction, the 纪检委员 sees the records."""
    record = DisciplineRecord.objects.get(kind="probation")
    meeting = (
        Meeting.objects.filter(
            org=record.member.org,
            status__in=Meeting.UPCOMING_STATUSES,
            kind_rows__kind=MeetingKind.BRANCH_ASSEMBLY,
        )
        .order_by("on")
        .first()
    )
    client.force_login(User.objects.get(username="zhibu"))
    page = client.get(reverse("meetings:decision_new", args=[meeting.public_id]))
    body = page.content.decode()
    assert f"{record.member.name}：受限至 {record.effect_until}（纪律处分）" in body
    assert "DISC-04" in body
    assert client.get(reverse("discipline:detail", args=[record.public_id])).status_code == 404
    client.force_login(User.objects.get(username="jijian"))
    listing = client.get(reverse("discipline:index")).content.decode()
    assert all(str(r.public_id) in listing for r in DisciplineRecord.objects.all())
    assert DisciplineRecord.objects.filter(
        kind="warning", effect_until__gt=timezone.localdate()
    ).exists()


def test_the_demo_inspector_sees_the_seeded_accountability_signals(built, client):
    """问责: the 党委's 纪检委员 sees 管网工程党支部's 支委会 missing three months running,
    the 督办 unanswered past its limit, the rectification overdue twice, and the 通报
    recorded two days ago closing the 督办 on the overdue task."""
    from zhibu.accountability import builtin
    from zhibu.accountability import selectors as accountability
    from zhibu.accountability.models import Decision as AccountabilityDecision

    today = timezone.localdate()
    inspector = User.objects.get(username="jijian")
    rows = accountability.signals_for(inspector, today)
    by_kind: dict[str, list] = {}
    for row in rows:
        by_kind.setdefault(row.signal.kind, []).append(row)
    gw = Org.objects.get(code="RLJT-GW")
    assert any(
        row.signal.org_id == gw.id and "MTG-02" in row.signal.title
        for row in by_kind[builtin.RULE_REPEATED]
    )
    assert by_kind[builtin.SUPERVISION_UNANSWERED]
    (twice,) = by_kind[builtin.RECTIFICATION_TWICE]
    assert twice.signal.org_id == Org.objects.get(code="RLJT-FG1").id
    decision = AccountabilityDecision.objects.get()
    assert decision.kind == AccountabilityDecision.Kind.NOTICE
    assert decision.decided_on == today - relativedelta(days=2)
    closed = [row for row in rows if row.closed_by is not None]
    assert [row.signal.kind for row in closed] == [builtin.SUPERVISION_UNANSWERED]
    client.force_login(inspector)
    html = client.get(reverse("accountability:index")).content.decode()
    assert "管网工程党支部" in html and "已关闭：通报" in html
    client.force_login(User.objects.get(username="dangwei"))
    assert client.get(reverse("accountability:index")).status_code == 404


def test_last_years_secretary_reviews_and_promises(built):
    """Issue 17: last year's 述职评议 done with grades, a tally and a rectification list in
    the loop; one secretary's review missing (RESP-03); promises in two branches only."""
    from zhibu.core.rules.models import Finding
    from zhibu.demo.reviews import MISSING, SHOWCASE
    from zhibu.duties.models import Rectification
    from zhibu.reviews.models import Promise, SecretaryReview
    from zhibu.reviews.services import review_ref

    today = timezone.localdate()
    assert built["first"]["secretary_reviews"] >= 10
    showcase = SecretaryReview.objects.get(org__code=SHOWCASE, year=today.year - 1)
    assert (
        showcase.status == SecretaryReview.Status.FINISHED and showcase.organiser.code == "RLJT-SC"
    )
    assert showcase.result == "good" and showcase.tally["graded"] == 5
    items = Rectification.objects.filter(source_ref=review_ref(showcase))
    assert items.count() == 2 and {i.source for i in items} == {Rectification.Source.REVIEW}
    assert not SecretaryReview.objects.filter(org__code=MISSING).exists()
    gaps = Finding.objects.filter(rule_code="RESP-03").exclude(status__in=["ok", "exempt"])
    assert sorted(set(gaps.values_list("org__code", "subject_id"))) == [
        ("RLJT-SC", Org.objects.get(code=MISSING).pk)
    ]
    branches = set(Promise.objects.values_list("org__code", flat=True))
    assert branches == {"RLJT-RY", "RLJT-DD"}
    assert Promise.objects.filter(year=today.year - 1).exclude(evaluation="").count() == 8


def test_a_year_of_dues_with_the_six_month_case_in_the_cockpit(built):
    """Issue 18: a year of dues, the seeded arrears (DUES-11's six-month case a finding with
    its citation, five months a reminder only) and last month's 上缴 reconciled."""
    from django.db.models import Q

    from zhibu.core.rules.registry import citation_of
    from zhibu.dues import selectors as dues_selectors
    from zhibu.dues.models import Payment

    assert built["first"]["dues_payments"] > 1000 and Payment.objects.count() > 1000
    root = Org.objects.get(code=ROOT_CODE)
    # A snapshot rule's finding is filed under each period a run covers: one member.
    dues11 = Finding.objects.filter(rule_code="DUES-11", status=Status.SUSPECT)
    assert set(dues11.values_list("subject_id", flat=True)) == {dues11.first().subject_id}
    finding = dues11.filter(period_end__gt=timezone.localdate()).first()
    assert finding.org.code == "RLJT-RY" and finding.numbers["months"] == 6
    assert "第十三条" in citation_of("DUES-11", finding.rule_version)
    # The cockpit's 党费 panel counts that finding (DUES-11's latest judgement), citation too.
    from zhibu.insight.selectors import children_of

    panel = dues_selectors.dues_panel(
        org=root, children=list(children_of(root)), today=timezone.localdate()
    )
    assert sum(row.long_arrears for row in panel) == 1
    assert "第十三条" in str(panel[0].arrears_citation) and panel[0].arrears_period
    last = timezone.localdate().replace(day=1) - relativedelta(months=1)
    rows = dues_selectors.ledger(root, last)
    assert rows[0].collected > 0
    assert all(row.reconciled in (True, None) for row in rows[1:]), [
        (r.org.name, r.expected_remit, r.remitted) for r in rows if r.reconciled is False
    ]
    reminders = {
        a.months for a in dues_selectors.arrears(Q(org__code="RLJT-RY"), timezone.localdate())
    }
    assert {6, 5, 2} <= reminders


def test_integrity_checks_flag_exactly_the_seeded_cases(built):
    """真实性核查: the copied minutes, the late entry and the member present while abroad,
    and nothing else in the demo (its records are entered as if at the time)."""
    from zhibu.demo import integrity

    flagged = set(
        Finding.objects.filter(
            rule_code__in=["DQ-06", "DQ-07", "DQ-08", "DQ-09"], status=Status.SUSPECT
        ).values_list("rule_code", "org__code")
    )
    assert flagged == set(integrity.SEEDED)
    copy = Finding.objects.get(rule_code="DQ-06")
    assert copy.subject_type == "meeting" and len(copy.refs) == 2
    assert "机关第一党支部" in copy.text


def test_the_demo_statistics_at_two_dates_match_counts_from_the_spans(built):
    """党内统计 of the demo root at last year's end and today agree with a direct count of
    the membership spans (the event history), and each year-end carries into the next."""
    from datetime import date

    from django.db.models import Q

    from zhibu.census import tables as census
    from zhibu.members.models import MemberSpan

    root = Org.objects.get(code=ROOT_CODE)
    today = timezone.localdate()
    year_end = date(today.year - 1, 12, 31)

    def on_roll(day, statuses=(Member.Status.FULL, Member.Status.PROBATIONARY)):
        return (
            MemberSpan.objects.filter(
                org__path__startswith=root.path, status__in=statuses, start__lte=day
            )
            .filter(Q(end__isnull=True) | Q(end__gt=day))
            .values("member")
            .distinct()
        )

    for day in (year_end, today):
        tables = census.by_key(census.compute(root, day))
        members = on_roll(day)
        assert tables["flow"].cell("now", "n") == members.count() > 250, day
        assert tables["status"].cell("probationary", "n") == (
            on_roll(day, (Member.Status.PROBATIONARY,)).count()
        )
        women = Member.objects.filter(pk__in=members, gender=Member.Gender.FEMALE).count()
        assert tables["gender"].cell("F", "n") == women, day
        assert census.consistency(census.compute(root, day)) == []
    this_year = census.by_key(census.compute(root, today))["flow"]
    assert this_year.cell("base", "n") == on_roll(year_end).count()
