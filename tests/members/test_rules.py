"""The MBR and DQ rules on their edges, their citations, and their cost."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_member, make_org
from zhibu.core.rules import in_force
from zhibu.core.rules.engine import evaluate, evaluate_codes
from zhibu.members import transfers
from zhibu.members.models import Member
from zhibu.members.services import member_record_event
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 30)


def results(code, org, on=TODAY):
    return evaluate_codes([code], [org], on=on)[code]


def problems(code, org, on=TODAY):
    return [o for o in results(code, org, on) if o.subject_type == "member" and o.status != "ok"]


def away(member, since, **kwargs):
    return transfers.mobility_start(
        direction="out",
        member=member,
        org=member.org,
        place="深圳",
        started_on=since,
        today=TODAY,
        **kwargs,
    )


# --- MBR-03 --------------------------------------------------------------------------------------


def test_mbr03_six_months_away_without_a_transfer_is_due(cast):
    away(cast.ordinary_member, date(2025, 12, 30))
    assert problems("MBR-03", cast.branch1, on=date(2026, 6, 29)) == []
    [finding] = problems("MBR-03", cast.branch1)  # 2025-12-30 + 6 months = 2026-06-30
    assert finding.status == "due" and finding.subject_id == cast.ordinary_member.pk
    assert "应转接组织关系" in finding.text and finding.refs == [
        f"member:{cast.ordinary_member.public_id}"
    ]


def test_mbr03_a_transfer_asked_for_since_leaving_clears_it(cast):
    away(cast.ordinary_member, date(2025, 1, 1))
    transfers.transfer_start(
        member=cast.ordinary_member,
        direction="internal",
        to_org=cast.branch2,
        requested_on=date(2026, 2, 1),
        today=TODAY,
    )
    outcomes = results("MBR-03", cast.branch1)
    assert [o.status for o in outcomes] == ["ok"] and outcomes[0].subject_type == "org"


# --- MBR-05 --------------------------------------------------------------------------------------


def test_mbr05_lost_contact_six_months_then_two_years_after_suspension(cast):
    mobility = away(cast.ordinary_member, date(2024, 1, 1))
    transfers.mobility_mark_lost(mobility=mobility, since=date(2026, 1, 1), today=TODAY)
    [early] = [
        o
        for o in results("MBR-05", cast.branch1, on=date(2026, 6, 30))
        if o.subject_type == "member"
    ]
    assert early.status == "ok" and "2026-07-01" in early.text
    [due] = problems("MBR-05", cast.branch1, on=date(2026, 7, 1))
    assert "应停止其党籍" in due.text and due.numbers["step"] == "suspend"
    member_record_event(
        member=cast.ordinary_member, kind="suspended", on=date(2026, 7, 15), today=date(2026, 7, 15)
    )
    assert problems("MBR-05", cast.branch1, on=date(2028, 7, 14)) == []
    [remove] = problems("MBR-05", cast.branch1, on=date(2028, 7, 15))
    assert "予以除名" in remove.text and remove.numbers["step"] == "remove"


def test_mbr05_contact_restored_clears_it(cast):
    mobility = away(cast.ordinary_member, date(2024, 1, 1))
    transfers.mobility_mark_lost(mobility=mobility, since=date(2025, 1, 1), today=TODAY)
    transfers.mobility_record_contact(mobility=mobility, on=date(2026, 3, 1), today=TODAY)
    assert problems("MBR-05", cast.branch1) == []


# --- DQ ---------------------------------------------------------------------------------------------


def legacy_identity(member, number):
    """Store an ID number the way legacy data arrives: through set_identity, unvalidated."""
    from zhibu.members.services import set_identity

    set_identity(member, number)
    member.save()


def test_dq01_bad_check_digit_and_missing_id_number(cast):
    number = cast.ordinary_member.id_number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    legacy_identity(cast.ordinary_member, wrong)
    legacy_identity(cast.secretary_member, "")
    found = {o.subject_id: o.text for o in problems("DQ-01", cast.branch1)}
    assert "校验位不正确" in found[cast.ordinary_member.pk]
    assert "未登记公民身份号码" in found[cast.secretary_member.pk]
    assert [o.status for o in results("DQ-01", cast.branch2)] == ["ok"]


def test_dq01_birth_date_disagreeing_with_the_id_number(cast):
    from django.core.management import call_command

    # Changed outside Zhibu: the recheck command re-derives the agreement flag (no clear
    # fragment of the number is stored to compare against in SQL).
    Member.objects.filter(pk=cast.ordinary_member.pk).update(birth_date=date(1992, 9, 4))
    call_command("members_recheck_ids", stdout=None)
    [finding] = problems("DQ-01", cast.branch1)
    assert "出生日期与公民身份号码不一致" in finding.text and finding.status == "suspect"


def test_dq02_admitted_before_eighteen(cast):
    Member.objects.filter(pk=cast.ordinary_member.pk).update(admitted_on=date(2010, 9, 2))
    [finding] = problems("DQ-02", cast.branch1)
    assert finding.numbers["adult_on"] == "2010-09-03"


def test_dq03_confirmed_before_probation_ends(cast):
    Member.objects.filter(pk=cast.ordinary_member.pk).update(full_on=date(2013, 6, 30))
    [finding] = problems("DQ-03", cast.branch1)
    assert "2013-07-01" in finding.text


def test_dq04_same_name_and_birth_date_twice_is_suspect(cast):
    make_member(cast.branch2, "王党员", gender="F", birth_date=date(1992, 9, 3))
    [finding] = problems("DQ-04", cast.branch1)
    assert finding.subject_id == cast.ordinary_member.pk and "可能重复登记" in finding.text
    assert len(problems("DQ-04", cast.branch2)) == 1


def test_rules_cite_their_regulation():
    assert str(in_force("MBR-03", TODAY).citation) == "《中国共产党党员教育管理工作条例》第二十五条"
    assert str(in_force("MBR-05", TODAY).citation) == "《中国共产党党员教育管理工作条例》第二十四条"
    assert str(in_force("DQ-02", TODAY).citation) == "《中国共产党发展党员工作细则》第五条"
    assert str(in_force("DQ-03", TODAY).citation) == "《中国共产党发展党员工作细则》第三十二条"
    assert "GB 11643" in str(in_force("DQ-01", TODAY).citation)


@pytest.mark.parametrize("code", ["MBR-03", "MBR-05", "DQ-01", "DQ-02", "DQ-03", "DQ-04"])
def test_evaluation_costs_the_same_queries_for_3_or_30_branches(db, code):
    root = make_org(None, Org.Kind.COMMITTEE, "党委")
    branches = []
    for i in range(30):
        branch = make_org(root, Org.Kind.BRANCH, f"支部{i}")
        member = make_member(branch, f"党员{i}", birth_date=date(1980, 1, 1 + i % 28))
        make_member(
            branch, f"党员{i}", birth_date=date(1980, 1, 1 + i % 28), id_number=None
        )  # a twin (DQ-04)
        mobility = transfers.mobility_start(
            direction="out",
            member=member,
            org=branch,
            place="外地",
            started_on=date(2024, 1, 1),
            today=TODAY,
        )
        transfers.mobility_mark_lost(mobility=mobility, since=date(2024, 6, 1), today=TODAY)
        branches.append(branch)
    rule = in_force(code, TODAY)
    counts = []
    for subset in (branches[:3], branches):
        orgs = list(Org.objects.filter(pk__in=[b.pk for b in subset]))
        with CaptureQueriesContext(connection) as queries:
            outcomes = evaluate(rule, orgs, today=TODAY)
        assert outcomes
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3


def test_recheck_command_catches_numbers_changed_outside_zhibu(cast):
    from django.core.management import call_command

    number = cast.ordinary_member.id_number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    Member.objects.filter(pk=cast.ordinary_member.pk).update(id_number=wrong)  # behind Zhibu's back
    assert not problems("DQ-01", cast.branch1)
    call_command("members_recheck_ids")
    [finding] = problems("DQ-01", cast.branch1)
    assert "校验位不正确" in finding.text
