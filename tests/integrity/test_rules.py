"""真实性核查 rules DQ-06 … DQ-09: positive and negative cases, the tolerance of the
copied-minutes check to changed names and dates, and the fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_member, make_org, record_meeting
from zhibu.core.rules import Period, in_force
from zhibu.core.rules.engine import evaluate
from zhibu.integrity import similarity
from zhibu.meetings.models import Meeting
from zhibu.members.models import Member, Mobility
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 30)
Y2025 = Period.parse("2025")
Q3 = Period.parse("2025Q3")

MINUTES = (
    "会议由李书记主持，2025年8月20日在三楼会议室召开。应到12人，实到11人，王党员因出差请假。"
    "会议首先集中学习了党的二十届三中全会精神，李书记领学了《中国共产党支部工作条例（试行）》第十条。"
    "随后围绕如何发挥党员先锋模范作用、做好第三季度安全生产工作进行了讨论，王党员发言提出加强班组巡检，"
    "赵党员建议建立党员责任区。会议决定由王党员牵头成立党员突击队，九月底前完成设备隐患排查。"
)
# The same minutes with other names, another day and other numbers.
COPY = (
    "会议由赵支书主持，2025年9月18日在三楼会议室召开。应到15人，实到14人，钱党员因出差请假。"
    "会议首先集中学习了党的二十届三中全会精神，赵支书领学了《中国共产党支部工作条例（试行）》第十条。"
    "随后围绕如何发挥党员先锋模范作用、做好第四季度安全生产工作进行了讨论，钱党员发言提出加强班组巡检，"
    "孙党员建议建立党员责任区。会议决定由钱党员牵头成立党员突击队，十月底前完成设备隐患排查。"
)
OTHER = (
    "会议由李书记主持，传达了上级党委关于做好冬季困难群众走访慰问工作的通知，并研究了本支部的安排。"
    "与会党员结合社区实际，逐户梳理了独居老人、低保户和残疾人家庭的情况，提出了分片包干、结对帮扶的办法。"
    "会议还讨论了年度党员发展计划，同意将两名入党积极分子列为发展对象，报党委组织部预审。"
)


def judge(code, orgs, period, today=TODAY, params=None):
    return evaluate(in_force(code, period.start), orgs, period=period, today=today, params=params)


def entered(meeting: Meeting, day: date) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(
        recorded_at=timezone.make_aware(datetime.combine(day, time(10)))
    )


# --- the similarity kit ----------------------------------------------------------------------


def test_normalising_takes_out_names_dates_numbers_and_punctuation():
    names = similarity.Names(["李书记", "王党员", "赵支书", "钱党员"])
    a = similarity.normalise("2025年8月20日，李书记主持；王党员发言。", names)
    b = similarity.normalise("二〇二五年九月三日 赵支书主持，钱党员发言", names)
    assert a == b == "#年#月#日某主持某发言"


def test_copied_minutes_stay_similar_with_changed_names_and_dates_and_others_do_not():
    names = similarity.Names(["李书记", "王党员", "赵党员", "赵支书", "钱党员", "孙党员"])
    a, b, c = (similarity.shingles(similarity.normalise(t, names)) for t in (MINUTES, COPY, OTHER))
    assert similarity.jaccard(a, b) > 0.9
    assert similarity.jaccard(a, c) < 0.2
    # Without the names taken out the copy would look much less alike.
    raw = similarity.Names([])
    plain = [similarity.shingles(similarity.normalise(t, raw)) for t in (MINUTES, COPY)]
    assert similarity.jaccard(*plain) < similarity.jaccard(a, b)


def test_buckets_find_the_copies_among_many_texts_without_comparing_every_pair():
    names = similarity.Names([])
    texts = {i: OTHER.replace("两名", f"{'甲乙丙丁戊己庚辛'[i % 8]}名{i}") for i in range(3)}
    texts.update({10: MINUTES, 11: COPY})
    sigs = {
        k: similarity.signature(similarity.shingles(similarity.normalise(t, names)))
        for k, t in texts.items()
    }
    order = {k: (k,) for k in texts}
    pairs = similarity.candidates(sigs, order)
    assert (10, 11) in pairs
    assert not any({a, b} & {10, 11} and {a, b} != {10, 11} for a, b in pairs)


# --- DQ-06 ------------------------------------------------------------------------------------


def test_dq06_minutes_copied_across_branches_are_suspect_with_both_meetings(cast):
    make_member(cast.branch2, "孙党员", birth_date=date(1990, 3, 3))
    make_member(cast.branch2, "赵支书", birth_date=date(1975, 3, 3))
    first = record_meeting(cast.branch1, date(2025, 8, 20), ["theme_day"], minutes=MINUTES)
    copy = record_meeting(cast.branch2, date(2025, 9, 18), ["theme_day"], minutes=COPY)
    record_meeting(cast.branch1, date(2025, 11, 10), ["theme_day"], minutes=OTHER)
    [outcome] = judge("DQ-06", [cast.branch1, cast.branch2], Y2025)
    assert outcome.status == "suspect" and outcome.org_id == cast.branch2.pk
    assert outcome.subject_type == "meeting" and outcome.subject_id == copy.pk
    assert outcome.refs == [f"meeting:{copy.public_id}", f"meeting:{first.public_id}"]
    assert outcome.numbers["similarity"] >= 85
    assert "第一党支部" in outcome.text and "疑似抄袭" in outcome.text


def test_dq06_different_or_short_minutes_are_not_flagged(cast):
    record_meeting(cast.branch1, date(2025, 8, 20), ["theme_day"], minutes=MINUTES)
    record_meeting(cast.branch1, date(2025, 9, 20), ["theme_day"], minutes=OTHER)
    record_meeting(cast.branch2, date(2025, 9, 21), ["theme_day"], minutes="会议按计划召开。")
    record_meeting(cast.branch2, date(2025, 9, 22), ["theme_day"], minutes="会议按计划召开。")
    assert judge("DQ-06", [cast.branch1, cast.branch2], Y2025) == []


def test_dq06_a_copy_within_one_branch_from_last_year_is_found(cast):
    record_meeting(cast.branch1, date(2024, 11, 20), ["theme_day"], minutes=MINUTES)
    copy = record_meeting(cast.branch1, date(2025, 2, 20), ["theme_day"], minutes=MINUTES)
    [outcome] = judge("DQ-06", [cast.branch1], Y2025)
    assert outcome.subject_id == copy.pk and "本组织" in outcome.text
    # The source alone, in its own year, is not a copy of anything.
    assert judge("DQ-06", [cast.branch1], Period.parse("2024")) == []


# --- DQ-07 ------------------------------------------------------------------------------------


def test_dq07_a_meeting_entered_long_after_it_was_held_is_suspect(cast):
    late = record_meeting(cast.branch1, date(2025, 7, 10), ["theme_day"])
    ontime = record_meeting(cast.branch1, date(2025, 8, 10), ["theme_day"])
    entered(late, date(2025, 9, 25))
    entered(ontime, date(2025, 8, 12))
    [outcome] = judge("DQ-07", [cast.branch1], Q3)
    assert outcome.subject_type == "meeting" and outcome.subject_id == late.pk
    assert outcome.numbers == {"late_days": 77} and "会后 77 天" in outcome.text
    # A local supplement may tighten the threshold.
    assert len(judge("DQ-07", [cast.branch1], Q3, params={"late_days": 1})) == 2


def test_dq07_a_burst_of_the_quarter_entered_on_one_day_is_one_org_flag(cast):
    meetings = [
        record_meeting(cast.branch2, date(2025, month, day), ["theme_day"])
        for month, day in ((7, 5), (7, 25), (8, 10), (9, 15))
    ]
    for meeting in meetings:
        entered(meeting, date(2025, 9, 28))
    [outcome] = judge("DQ-07", [cast.branch2], Q3)
    assert outcome.subject_type == "org" and outcome.org_id == cast.branch2.pk
    assert outcome.numbers["meetings"] == 4 and "集中录入" in outcome.text
    assert set(outcome.refs) == {f"meeting:{m.public_id}" for m in meetings}
    # Three meetings entered together are not a burst (the default is four).
    entered(meetings[0], date(2025, 7, 5))
    assert [o.subject_type for o in judge("DQ-07", [cast.branch2], Q3)] == ["meeting"] * 2


# --- DQ-08 ------------------------------------------------------------------------------------


def test_dq08_present_while_away_is_suspect_unless_hosted_here(cast):
    meeting = record_meeting(cast.branch1, date(2025, 8, 20), ["theme_day"])
    assert judge("DQ-08", [cast.branch1], Q3) == []
    Mobility.objects.create(
        direction="out",
        member=cast.ordinary_member,
        org=cast.branch1,
        place="新加坡",
        started_on=date(2025, 7, 1),
    )
    [outcome] = judge("DQ-08", [cast.branch1], Q3)
    assert outcome.subject_type == "member" and outcome.subject_id == cast.ordinary_member.pk
    assert "外出流动（新加坡）" in outcome.text and "王党员" in outcome.text
    assert outcome.refs == [
        f"member:{cast.ordinary_member.public_id}",
        f"meeting:{meeting.public_id}",
    ]
    # Back before the meeting: no contradiction.
    Mobility.objects.update(ended_on=date(2025, 8, 1))
    assert judge("DQ-08", [cast.branch1], Q3) == []


def test_dq08_present_before_admission(cast):
    record_meeting(cast.branch1, date(2025, 8, 20), ["theme_day"])
    Member.objects.filter(pk=cast.ordinary_member.pk).update(admitted_on=date(2025, 9, 1))
    [outcome] = judge("DQ-08", [cast.branch1], Q3)
    assert "入党日期为 2025-09-01" in outcome.text


def test_dq08_two_places_on_one_day_without_times(cast):
    a = record_meeting(cast.branch1, date(2025, 8, 20), ["theme_day"], place="厂区会议室")
    b = record_meeting(cast.group1, date(2025, 8, 20), ["group_meeting"], place="厂区会议室")
    assert judge("DQ-08", [cast.branch1, cast.group1], Q3) == []  # one place
    Meeting.objects.filter(pk=b.pk).update(place="市委党校", starts_at=time(9), ends_at=time(10))
    Meeting.objects.filter(pk=a.pk).update(starts_at=time(14), ends_at=time(15))
    assert judge("DQ-08", [cast.branch1, cast.group1], Q3) == []  # times tell them apart
    Meeting.objects.filter(pk=b.pk).update(starts_at=None, ends_at=None)
    found = {o.org_id: o for o in judge("DQ-08", [cast.branch1, cast.group1], Q3)}
    assert set(found) == {cast.branch1.pk, cast.group1.pk}
    mine = found[cast.branch1.pk]
    assert "李书记 同日在“厂区会议室”和“市委党校”" in mine.text
    assert mine.refs == [f"member:{cast.secretary_member.public_id}", f"meeting:{a.public_id}"]


# --- DQ-09 ------------------------------------------------------------------------------------


@pytest.fixture
def big_branch(cast):
    branch = make_org(cast.general_branch, Org.Kind.BRANCH, "大党支部")
    members = [
        make_member(branch, f"党员{i:02d}", birth_date=date(1960 + i % 20, 1 + i % 12, 1 + i % 27))
        for i in range(30)
    ]
    return branch, members


def test_dq09_a_large_branch_present_to_a_man_all_year_at_the_same_hour(big_branch):
    branch, members = big_branch
    meetings = [
        record_meeting(
            branch, date(2025, month, 10), ["theme_day"], starts_at=time(14), ends_at=time(16)
        )
        for month in range(1, 13)
    ]
    # Before December the year has no "every month", only the full attendance so far.
    partial = judge("DQ-09", [branch], Y2025, today=date(2025, 11, 30))
    assert partial[0].numbers == {"meetings": 11, "reasons": 1}
    [outcome] = judge("DQ-09", [branch], Y2025)
    assert outcome.numbers == {"meetings": 12, "reasons": 2}
    assert "全部出席" in outcome.text and "14:00—16:00" in outcome.text
    assert len(outcome.refs) == 12
    # One absence and one other time: nothing to look at.
    Meeting.objects.filter(pk=meetings[3].pk).update(starts_at=time(9), ends_at=time(11))
    meetings[5].attendance.filter(member=members[0]).update(status="absent")
    assert judge("DQ-09", [branch], Y2025) == []


def test_dq09_a_small_branch_with_full_attendance_is_not_flagged(cast):
    for month in range(1, 13):
        record_meeting(
            cast.branch1, date(2025, month, 10), ["theme_day"], starts_at=time(14, month)
        )
    assert judge("DQ-09", [cast.branch1], Y2025) == []


# --- cost ---------------------------------------------------------------------------------------


def test_each_check_costs_the_same_queries_for_one_or_many_branches(cast, big_branch):
    branch, _members = big_branch
    record_meeting(cast.branch1, date(2025, 8, 20), ["theme_day"], minutes=MINUTES)
    record_meeting(cast.branch2, date(2025, 9, 18), ["theme_day"], minutes=COPY)
    for month in range(1, 13):
        record_meeting(branch, date(2025, month, 10), ["theme_day"], minutes=MINUTES)
    expected = {"DQ-06": 3, "DQ-07": 1, "DQ-08": 3, "DQ-09": 1}
    for code, queries in expected.items():
        rule = in_force(code, TODAY)
        period = Y2025 if rule.period_kind == "year" else Q3
        for orgs in (
            [cast.branch1, cast.branch2],
            [cast.branch1, cast.branch2, branch, cast.group1],
        ):
            with CaptureQueriesContext(connection) as captured:
                evaluate(rule, orgs, period=period, today=TODAY)
            assert len(captured) == queries, (code, [q["sql"][:80] for q in captured])
