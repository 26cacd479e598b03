"""The organisational-life rules on their edges, and their cost: a fixed number of queries."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_member, make_org, record_meeting
from zhibu.committees import services as committee_services
from zhibu.core.rules import Period, in_force, refs
from zhibu.core.rules.engine import evaluate
from zhibu.discipline.models import DisciplineRecord
from zhibu.discipline.services import record_save
from zhibu.discipline.voters import voter_roll, voters_on
from zhibu.meetings.models import Meeting
from zhibu.meetings.services.decisions import decision_record
from zhibu.meetings.services.org_settings import settings_update
from zhibu.meetings.services.reviews import correction_close
from zhibu.meetings.services.scheduling import meeting_cancel, meeting_plan
from zhibu.meetings.services.talks import talk_record
from zhibu.members.models import MemberEvent
from zhibu.members.services import member_record_event
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 30)
Q3 = Period.parse("2025Q3")


def judge(code, orgs, period=Q3, today=TODAY, params=None):
    """Outcomes by subject, with their references as a finding shows them."""
    rule = in_force(code, period.start)
    outcomes = evaluate(rule, orgs, period=period, today=today, params=params)
    for o in outcomes:
        o.refs = refs.expand(o.org_id, o.refs)
    return {o.subject_id if o.subject_type != "org" else o.org_id: o for o in outcomes}


def one(code, org, period=Q3, today=TODAY, **kw):
    results = judge(code, [org], period, today, **kw)
    assert len(results) == 1, results
    return next(iter(results.values()))


# --- counting meetings ---------------------------------------------------------------------


def test_mtg01_a_quarter_with_an_assembly_is_ok_and_without_is_missing(cast):
    meeting = record_meeting(cast.branch1, date(2025, 8, 20), ["branch_assembly"])
    results = judge("MTG-01", [cast.branch1, cast.branch2])
    assert results[cast.branch1.pk].status == "ok"
    assert results[cast.branch1.pk].refs == [f"meeting:{meeting.public_id}"]
    assert results[cast.branch2.pk].status == "missing"
    assert results[cast.branch2.pk].numbers["held"] == 0
    assert "第3季度" in results[cast.branch2.pk].text


def test_mtg01_a_running_quarter_is_due_not_missing(cast):
    assert (
        one("MTG-01", cast.branch2, Period.parse("2026Q3"), today=date(2026, 7, 15)).status == "due"
    )


def test_mtg01_meetings_outside_the_quarter_planned_or_cancelled_do_not_count(cast):
    record_meeting(cast.branch1, date(2025, 6, 30), ["branch_assembly"])
    record_meeting(cast.branch1, date(2025, 10, 1), ["branch_assembly"])
    meeting_plan(org=cast.branch1, title="计划", on=date(2025, 9, 1), kinds=["branch_assembly"])
    cancelled = meeting_plan(
        org=cast.branch1, title="取消", on=date(2025, 9, 2), kinds=["branch_assembly"]
    )
    meeting_cancel(meeting=cancelled, reason="台风")
    assert one("MTG-01", cast.branch1).status == "missing"


def test_one_meeting_counts_for_every_kind_it_is(cast):
    meeting = record_meeting(
        cast.branch1, date(2025, 9, 15), ["theme_day", "branch_assembly", "party_lecture"]
    )
    for code, period in (("MTG-01", Q3), ("MTG-04", Q3), ("MTG-06", Period.parse("2025-09"))):
        result = one(code, cast.branch1, period)
        assert result.status == "ok", code
        assert result.refs == [f"meeting:{meeting.public_id}"]


def test_a_branch_founded_in_the_third_month_still_owes_the_quarters_assembly(cast):
    late = make_org(
        cast.general_branch, Org.Kind.BRANCH, "新支部", established_on=date(2025, 9, 10)
    )
    result = one("MTG-01", late)
    assert result.status == "missing"
    assert result.numbers["from"] == "2025-09-10"
    make_member(late, "新党员", admitted_on=date(2012, 7, 1), enrolled_on=date(2025, 9, 10))
    record_meeting(late, date(2025, 9, 20), ["branch_assembly"])
    assert one("MTG-01", late).status == "ok"


def test_a_branch_dissolved_mid_quarter_is_judged_on_the_part_it_existed(cast):
    record_meeting(cast.branch2, date(2025, 7, 10), ["branch_assembly"])
    cast.branch2.dissolved_on = date(2025, 8, 1)
    cast.branch2.save(update_fields=["dissolved_on"])
    result = one("MTG-01", cast.branch2)
    assert result.status == "ok" and result.numbers["to"] == "2025-08-01"


def test_mtg02_applies_only_to_branches_with_a_committee_in_office(cast):
    committee_services.committee_elect(org=cast.branch1, elected_on=date(2024, 3, 1))
    record_meeting(cast.branch1, date(2025, 7, 3), ["branch_committee"])
    july = judge("MTG-02", [cast.branch1, cast.branch2], Period.parse("2025-07"))
    assert set(july) == {cast.branch1.pk}
    assert july[cast.branch1.pk].status == "ok"
    assert one("MTG-02", cast.branch1, Period.parse("2025-08")).status == "missing"


def test_mtg03_is_judged_per_party_group(cast):
    record_meeting(cast.group1, date(2025, 7, 21), ["group_meeting"])
    july = judge("MTG-03", [cast.branch1, cast.group1], Period.parse("2025-07"))
    assert set(july) == {cast.group1.pk}
    assert july[cast.group1.pk].status == "ok"


def test_mtg04_is_a_local_rule_with_a_configurable_frequency(cast):
    rule = in_force("MTG-04", TODAY)
    assert rule.citation.confidence == "L"
    assert "地方/单位规定" in str(rule.citation)
    record_meeting(cast.branch1, date(2025, 8, 1), ["party_lecture"])
    assert one("MTG-04", cast.branch1).status == "ok"
    assert one("MTG-04", cast.branch1, params={"min_count": 2}).status == "missing"


def test_mtg05_counts_lectures_given_by_the_committee_secretary(cast):
    committee_services.post_assign(
        org=cast.committee, post="secretary", holder=cast.branch2_member, start=date(2024, 1, 1)
    )
    year = Period.parse("2025")
    assert one("MTG-05", cast.committee, year).status == "missing"
    record_meeting(
        cast.branch1, date(2025, 5, 8), ["party_lecture"], lecturer=cast.secretary_member
    )
    assert one("MTG-05", cast.committee, year).status == "missing"  # not the 党委 secretary
    lecture = record_meeting(
        cast.branch2, date(2025, 6, 8), ["party_lecture"], lecturer=cast.branch2_member
    )
    result = one("MTG-05", cast.committee, year)
    assert result.status == "ok" and result.refs == [f"meeting:{lecture.public_id}"]
    assert "赵党员" in result.text


def test_mtg06_late_when_held_after_the_fixed_day_plus_a_week(cast):
    settings_update(
        org=cast.committee,
        theme_day=5,
        committee_day=None,
        group_day=None,
        lock_days=None,
        review_grades=[],
    )
    record_meeting(cast.branch1, date(2025, 7, 12), ["theme_day"])
    record_meeting(cast.branch2, date(2025, 7, 13), ["theme_day"])
    july = judge("MTG-06", [cast.branch1, cast.branch2], Period.parse("2025-07"))
    assert july[cast.branch1.pk].status == "ok"  # 5 July + 7 days = 12 July
    assert july[cast.branch2.pk].status == "late"
    assert july[cast.branch2.pk].numbers["latest"] == "2025-07-12"


def test_mtg07_held_in_january_for_the_year_before_is_late(cast):
    year = Period.parse("2025")
    assert one("MTG-07", cast.branch1, year).status == "missing"
    assert one("MTG-07", cast.branch1, Period.parse("2026"), today=TODAY).status == "due"
    record_meeting(cast.branch1, date(2026, 1, 15), ["life_meeting"])  # reviews 2025
    assert one("MTG-07", cast.branch1, year).status == "late"
    record_meeting(cast.branch2, date(2025, 12, 20), ["life_meeting"])
    assert one("MTG-07", cast.branch2, year).status == "ok"
    # The January meeting does not count for 2026.
    assert one("MTG-07", cast.branch1, Period.parse("2026")).numbers["held"] == 0


def test_mtg09_member_review_yearly(cast):
    record_meeting(cast.branch1, date(2025, 12, 26), ["branch_assembly", "member_review"])
    assert one("MTG-09", cast.branch1, Period.parse("2025")).status == "ok"
    assert one("MTG-09", cast.branch2, Period.parse("2025")).status == "missing"


def test_mtg08_pairs_coverage(cast):
    third = make_member(cast.branch1, "孙党员", birth_date=date(1990, 4, 4))
    year = Period.parse("2025")
    result = one("MTG-08", cast.branch1, year)
    assert result.status == "missing" and result.numbers["required_pairs"] == 3
    talk_record(
        org=cast.branch1,
        on=date(2025, 3, 1),
        member_a=cast.secretary_member,
        member_b=cast.ordinary_member,
        topic="思想",
    )
    talk_record(
        org=cast.branch1,
        on=date(2025, 3, 2),
        member_a=cast.secretary_member,
        member_b=third,
        topic="工作",
    )
    talk_record(
        org=cast.branch1,
        on=date(2025, 3, 3),
        member_a=third,
        member_b=cast.secretary_member,
        topic="again",
    )
    result = one("MTG-08", cast.branch1, year)
    assert result.numbers["covered_pairs"] == 2 and result.numbers["coverage"] == 66
    assert one("MTG-08", cast.branch1, year, params={"min_coverage": 60}).status == "ok"
    talk_record(
        org=cast.branch1,
        on=date(2025, 3, 4),
        member_a=cast.ordinary_member,
        member_b=third,
        topic="生活",
    )
    assert one("MTG-08", cast.branch1, year).status == "ok"


# --- votes --------------------------------------------------------------------------------------


def test_vote_rules_flag_a_pass_that_the_roster_no_longer_supports(cast):
    meeting = record_meeting(cast.branch1, date(2025, 8, 20), ["branch_assembly"])
    decision_record(
        meeting=meeting,
        title="接收张某为预备党员",
        candidate="张某",
        yes=2,
        no=0,
        abstain=0,
        passed=True,
        today=TODAY,
    )
    assert one("VOTE-01", cast.branch1).status == "ok"
    assert one("VOTE-02", cast.branch1).status == "ok"
    # Back-filled members who were full members on the meeting date but never attended.
    for i in range(3):
        make_member(cast.branch1, f"补录{i}", birth_date=date(1980, 1, 1 + i))
    quorum, majority = one("VOTE-01", cast.branch1), one("VOTE-02", cast.branch1)
    assert quorum.status == majority.status == "suspect"
    assert quorum.refs == [f"meeting:{meeting.public_id}"]
    assert "应到有表决权党员 5 名、实到 2 名" in quorum.text
    assert "未超过应到 5 人的半数" in majority.text


def probation(cast, member, decided_on, **fields):
    """A 留党察看 of ``member``: the one source of sanctions is the discipline record."""
    return record_save(
        member=member,
        deciding_org=cast.committee,
        kind=DisciplineRecord.Kind.PROBATION,
        decided_on=decided_on,
        probation_years=1,
        facts="违反组织纪律。",
        today=TODAY,
        **fields,
    )


def test_vote_rules_ignore_probationers_and_members_under_probation_sanction(cast):
    make_member(cast.branch1, "预备", admitted_on=date(2025, 1, 10), full_on=None)
    meeting = record_meeting(cast.branch1, date(2025, 8, 20), ["branch_assembly"])
    decision_record(meeting=meeting, title="事项", yes=2, no=0, abstain=0, passed=True, today=TODAY)
    assert one("VOTE-01", cast.branch1).status == "ok"
    probation(cast, cast.ordinary_member, date(2025, 1, 1))
    # The stored tally counted 王党员, who had no vote: 1 voter, 2 yes → still a majority.
    assert one("VOTE-02", cast.branch1).status == "ok"


def test_the_voter_roll_of_a_period_agrees_with_voters_on_each_day(cast):
    make_member(cast.branch1, "预备", admitted_on=date(2025, 1, 10), full_on=None)
    # Rights restored by a decision on 2025-06-01, after the one-year term.
    probation(
        cast,
        cast.ordinary_member,
        date(2024, 3, 1),
        outcome=DisciplineRecord.Outcome.RESTORED,
        outcome_on=date(2025, 6, 1),
    )
    # Decided within the period and still running.
    barred_later = make_member(cast.branch1, "后察看", birth_date=date(1980, 2, 2))
    probation(cast, barred_later, date(2025, 9, 1))
    roll = voter_roll(org_ids=[cast.branch1.pk], start=date(2025, 1, 1), end=date(2026, 1, 1))
    days = [date(2025, 2, 28), date(2025, 5, 31), date(2025, 6, 1), date(2025, 9, 1)]
    for day in days:
        voters = set(voters_on(cast.branch1, day).values_list("pk", flat=True))
        assert roll.on(cast.branch1.pk, day) == voters
        assert (cast.ordinary_member.pk in voters) is (day >= days[2])
        assert (barred_later.pk in voters) is (day < days[3])


def test_vote03_committee_quorum(cast):
    committee_services.committee_elect(org=cast.branch1, elected_on=date(2024, 3, 1))
    committee_services.post_assign(
        org=cast.branch1, post="organization", holder=cast.ordinary_member, start=date(2024, 3, 1)
    )
    meeting = record_meeting(cast.branch1, date(2025, 8, 5), ["branch_committee"])
    decision_record(
        meeting=meeting, title="研究发展对象", yes=2, no=0, abstain=0, passed=True, today=TODAY
    )
    assert one("VOTE-03", cast.branch1).status == "ok"
    third = make_member(cast.branch1, "宣传委员")
    committee_services.post_assign(
        org=cast.branch1, post="publicity", holder=third, start=date(2024, 3, 1)
    )
    fourth = make_member(cast.branch1, "纪检委员")
    committee_services.post_assign(
        org=cast.branch1, post="discipline", holder=fourth, start=date(2024, 3, 1)
    )
    assert one("VOTE-03", cast.branch1).status == "suspect"


# --- study hours ------------------------------------------------------------------------------------


def test_edu01_per_member_hours_with_frail_members_excluded(cast):
    frail = make_member(cast.branch1, "老党员", birth_date=date(1940, 1, 1), frail_exempt=True)
    for month in range(1, 9):
        record_meeting(
            cast.branch1,
            date(2025, month, 10),
            ["theme_day"],
            study_hours=Decimal("4"),
            absent=[cast.ordinary_member],
        )
    outcomes = evaluate(
        in_force("EDU-01", date(2025, 1, 1)),
        [cast.branch1],
        period=Period.parse("2025"),
        today=TODAY,
    )
    members = {o.subject_id: o for o in outcomes if o.subject_type == "member"}
    # Only members short of the hours are judged one by one, once the year is over.
    assert set(members) == {cast.ordinary_member.pk}
    short = members[cast.ordinary_member.pk]
    assert short.status == "missing" and short.org_id == cast.branch1.pk
    assert "不足 32" in short.text and short.numbers["hours"] == 0.0
    assert frail.pk not in members
    assert not [o for o in outcomes if o.subject_type == "org"]  # someone is short: no "all met"


def test_edu01_while_the_year_runs_the_branch_is_due_with_a_count(cast):
    for month in range(1, 4):
        record_meeting(cast.branch1, date(2025, month, 10), ["theme_day"], study_hours=Decimal("4"))
    [outcome] = evaluate(
        in_force("EDU-01", date(2025, 1, 1)),
        [cast.branch1],
        period=Period.parse("2025"),
        today=date(2025, 4, 1),
    )
    assert outcome.subject_type == "org" and outcome.status == "due"
    assert outcome.numbers == {"members": 2, "short": 2, "minimum": 32}
    # It names who is behind and by how much (studied/owed), and links to them.
    assert "李书记（12/32）" in outcome.text and "王党员（12/32）" in outcome.text
    assert set(outcome.refs) == {
        f"member:{cast.secretary_member.public_id}",
        f"member:{cast.ordinary_member.public_id}",
    }


def test_edu01_everyone_met_is_one_ok_for_the_branch(cast):
    for month in range(1, 9):
        record_meeting(cast.branch1, date(2025, month, 10), ["theme_day"], study_hours=Decimal("4"))
    [outcome] = evaluate(
        in_force("EDU-01", date(2025, 1, 1)),
        [cast.branch1],
        period=Period.parse("2025"),
        today=TODAY,
    )
    assert (outcome.subject_type, outcome.status, outcome.numbers["short"]) == ("org", "ok", 0)


def test_edu01_a_member_who_joined_in_july_owes_half_a_year(cast):
    newcomer = make_member(cast.branch1, "新转入")
    member_record_event(
        member=newcomer, kind=MemberEvent.Kind.TRANSFERRED_OUT, on=date(2020, 1, 1), today=TODAY
    )
    member_record_event(
        member=newcomer,
        kind=MemberEvent.Kind.TRANSFERRED_IN,
        on=date(2025, 7, 2),
        org=cast.branch1,
        today=TODAY,
    )
    record_meeting(cast.branch1, date(2025, 9, 10), ["theme_day"], study_hours=Decimal("15"))
    result = judge("EDU-01", [cast.branch1], Period.parse("2025"))[newcomer.pk]
    assert result.numbers["required"] == 16 and result.status == "missing"  # 15 of the 16 owed
    record_meeting(cast.branch1, date(2025, 10, 10), ["theme_day"], study_hours=Decimal("1"))
    assert newcomer.pk not in judge("EDU-01", [cast.branch1], Period.parse("2025"))


def test_edu02_committee_members_need_56_hours(cast):
    for month in range(1, 9):
        record_meeting(cast.branch1, date(2025, month, 10), ["theme_day"], study_hours=Decimal("4"))
    results = judge("EDU-02", [cast.branch1], Period.parse("2025"))
    assert set(results) == {cast.secretary_member.pk}
    assert results[cast.secretary_member.pk].status == "missing"
    assert results[cast.secretary_member.pk].numbers["required"] == 56


# --- data quality -----------------------------------------------------------------------------------


def test_dq05_present_after_being_transferred_out(cast):
    meeting = record_meeting(cast.branch1, date(2025, 8, 20), ["branch_assembly"])
    assert one("DQ-05", cast.branch1).status == "ok"
    member_record_event(
        member=cast.ordinary_member,
        kind=MemberEvent.Kind.TRANSFERRED_OUT,
        on=date(2025, 8, 1),
        today=TODAY,
    )
    result = one("DQ-05", cast.branch1)
    assert result.status == "suspect" and result.refs == [f"meeting:{meeting.public_id}"]
    assert "王党员" in result.text


def test_dq05_present_at_two_meetings_at_the_same_time(cast):
    committee_services.post_assign(
        org=cast.committee, post="secretary", holder=cast.secretary_member, start=date(2024, 1, 1)
    )
    a = record_meeting(
        cast.branch1, date(2025, 8, 20), ["branch_assembly"], starts_at=time(9), ends_at=time(11)
    )
    b = record_meeting(
        cast.committee, date(2025, 8, 20), ["party_lecture"], starts_at=time(14), ends_at=time(16)
    )
    assert one("DQ-05", cast.branch1).status == "ok"
    Meeting.objects.filter(pk=b.pk).update(starts_at=time(10))  # e.g. an import or a later edit
    results = judge("DQ-05", [cast.branch1, cast.committee])
    assert results[cast.branch1.pk].status == "suspect"
    assert results[cast.branch1.pk].refs == [f"meeting:{a.public_id}"]
    assert results[cast.committee.pk].refs == [f"meeting:{b.public_id}"]
    # One reason per overlapping meeting, wherever it was held; touching is not overlapping.
    assert results[cast.branch1.pk].numbers == {"meetings": 1, "problems": 1}
    c, d = (
        record_meeting(
            cast.committee,
            date(2025, 8, 20),
            ["party_lecture"],
            starts_at=time(h),
            ends_at=time(h + 1),
        )
        for h in (17, 18)
    )
    Meeting.objects.filter(pk=c.pk).update(starts_at=time(10, 30), ends_at=time(12))
    Meeting.objects.filter(pk=d.pk).update(starts_at=time(11), ends_at=time(12))
    alone = one("DQ-05", cast.branch1)
    assert alone.numbers == {"meetings": 1, "problems": 2}
    assert alone.refs == [f"meeting:{a.public_id}"]


def test_mbr07_correction_tracked_to_its_end(cast):
    from zhibu.meetings.models import Correction

    correction = Correction.objects.create(
        member=cast.ordinary_member,
        org=cast.branch1,
        starts_on=date(2025, 1, 10),
        ends_on=date(2026, 1, 10),
    )
    year = Period.parse("2026")
    assert one("MBR-07", cast.branch1, year, today=date(2025, 12, 1)).status == "due"
    assert one("MBR-07", cast.branch1, year, today=TODAY).status == "late"
    correction_close(correction=correction, outcome="corrected", on=date(2026, 1, 5))
    assert one("MBR-07", cast.branch1, year).status == "ok"


# --- MBR-06: six months without organisational life ---------------------------------------------------


def mbr06(orgs, today=TODAY):
    return evaluate(in_force("MBR-06", today), orgs, today=today)


def test_mbr06_six_months_absent_everywhere_is_suspect_per_member(cast):
    for month in range(1, 7):
        record_meeting(
            cast.branch1, date(2026, month, 10), ["theme_day"], absent=[cast.ordinary_member]
        )
    [result] = mbr06([cast.branch1, cast.branch2])  # branch2 held nothing: nothing to judge by
    assert result.status == "suspect" and result.subject_type == "member"
    assert result.subject_id == cast.ordinary_member.pk and result.org_id == cast.branch1.pk
    assert result.refs == [f"member:{cast.ordinary_member.public_id}"]
    assert "王党员" in result.text and "连续 6 个月" in result.text
    assert result.numbers == {"since": "2026-01-01", "months": 6, "meetings": 6}
    assert str(in_force("MBR-06", TODAY).citation) == "《中国共产党章程》第九条"


def test_mbr06_a_leave_a_frail_member_or_a_newcomer_is_not_flagged(cast):
    newcomer = make_member(
        cast.branch1,
        "新党员",
        birth_date=date(1999, 3, 3),
        admitted_on=date(2026, 3, 1),
        full_on=None,
    )  # on the roll since March
    frail = make_member(cast.branch1, "老党员", birth_date=date(1940, 1, 1), frail_exempt=True)
    for month in range(1, 7):
        record_meeting(
            cast.branch1,
            date(2026, month, 10),
            ["theme_day"],
            absent=[newcomer, frail] + ([cast.ordinary_member] if month != 4 else []),
            leave=[cast.ordinary_member],
        )
    [result] = mbr06([cast.branch1])
    assert result.status == "ok" and result.subject_type == "org"
    assert "党员均参加或已请假" in result.text
    # Seen from the end of October, the window starts in May: April's leave no longer counts.
    late = {o.subject_id: o.status for o in mbr06([cast.branch1], today=date(2026, 10, 31))}
    assert late == {cast.ordinary_member.pk: "suspect", newcomer.pk: "suspect"}


def test_mbr06_costs_the_same_queries_for_3_or_30_branches(forest):
    _root, branches, _groups = forest
    rule, counts, sizes = in_force("MBR-06", TODAY), [], []
    for n in (3, 30):
        orgs = list(Org.objects.filter(pk__in=[o.pk for o in branches[:n]]))
        with CaptureQueriesContext(connection) as queries:
            outcomes = evaluate(rule, orgs, today=date(2025, 9, 30))
        counts.append(len(queries))
        sizes.append(len(outcomes))
    assert counts[0] == counts[1] <= 3 and sizes == [3, 30]


def test_rules_cite_their_regulation(cast):
    assert str(in_force("MTG-01", TODAY).citation) == "《中国共产党支部工作条例（试行）》第十一条"
    assert str(in_force("EDU-01", TODAY).citation) == "《中国共产党党员教育管理工作条例》第二十条"
    assert (
        str(in_force("MTG-08", TODAY).citation) == "《中国共产党支部工作条例（试行）》"
    )  # article uncertain


# --- cost ---------------------------------------------------------------------------------------------

CODES = [
    "MTG-01",
    "MTG-02",
    "MTG-03",
    "MTG-04",
    "MTG-05",
    "MTG-06",
    "MTG-07",
    "MTG-08",
    "MTG-09",
    "VOTE-01",
    "VOTE-02",
    "VOTE-03",
    "EDU-01",
    "EDU-02",
    "DQ-05",
    "MBR-07",
]


@pytest.fixture
def forest(db):
    """30 branches, each with a group, a committee, three members, a month of meetings."""
    root = make_org(None, Org.Kind.COMMITTEE, "党委")
    secretary = None
    branches, groups = [], []
    for i in range(30):
        branch = make_org(root, Org.Kind.BRANCH, f"支部{i}")
        group = make_org(branch, Org.Kind.GROUP, f"小组{i}")
        members = [
            make_member(
                branch, f"党员{i}-{k}", birth_date=date(1960 + i, 1 + k, 1 + k), group=group
            )
            for k in range(3)
        ]
        committee_services.committee_elect(org=branch, elected_on=date(2024, 1, 1))
        committee_services.post_assign(
            org=branch, post="secretary", holder=members[0], start=date(2020, 1, 1)
        )
        secretary = secretary or members[0]
        meeting = record_meeting(
            branch,
            date(2025, 8, 12),
            ["theme_day", "branch_assembly", "party_lecture"],
            study_hours=Decimal("4"),
            starts_at=time(9),
            ends_at=time(11),
            lecturer=members[0],
        )
        decision_record(
            meeting=meeting, title="事项", yes=3, no=0, abstain=0, passed=True, today=TODAY
        )
        committee_meeting = record_meeting(branch, date(2025, 8, 5), ["branch_committee"])
        decision_record(
            meeting=committee_meeting,
            title="研究",
            yes=1,
            no=0,
            abstain=0,
            passed=True,
            today=TODAY,
        )
        record_meeting(group, date(2025, 8, 20), ["group_meeting"])
        talk_record(
            org=branch, on=date(2025, 3, 1), member_a=members[0], member_b=members[1], topic="谈心"
        )
        branches.append(branch)
        groups.append(group)
    committee_services.post_assign(
        org=root, post="secretary", holder=secretary, start=date(2020, 1, 1)
    )
    return root, branches, groups


def test_evaluation_costs_the_same_queries_for_3_or_30_branches(forest):
    root, branches, groups = forest
    for code in CODES:
        rule = in_force(code, TODAY)
        period = Period.containing(rule.period_kind, date(2025, 8, 1))
        counts, sizes = [], []
        for n in (3, 30):
            orgs = list(
                Org.objects.filter(pk__in=[o.pk for o in [root, *branches[:n], *groups[:n]]])
            )
            with CaptureQueriesContext(connection) as queries:
                outcomes = evaluate(rule, orgs, period=period, today=TODAY)
            counts.append(len(queries))
            sizes.append(len(outcomes))
        assert counts[0] == counts[1] <= 6, (code, counts)
        if code not in ("MBR-07", "MTG-05"):  # no corrections; one 党委
            assert sizes[1] > sizes[0] > 0, (code, sizes)


def test_the_forest_is_compliant_where_it_should_be(forest):
    _root, branches, groups = forest
    august = Period.parse("2025-08")
    for code, period, orgs in (
        ("MTG-02", august, branches),
        ("MTG-03", august, groups),
        ("MTG-06", august, branches),
        ("MTG-01", Q3, branches),
        ("VOTE-02", Q3, branches),
        ("DQ-05", Q3, branches),
    ):
        statuses = {o.status for o in judge(code, orgs, period).values()}
        assert statuses == {"ok"}, code
