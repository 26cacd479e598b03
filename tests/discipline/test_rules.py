"""DISC rules as findings: set-based, cited, counts only (no names: a finding is read by a
wider circle than the records), with a fixed number of queries over the subtree."""

from __future__ import annotations

from datetime import date

import pytest

from tests.development.conftest import Driver
from tests.factories import make_member, make_org
from zhibu.core.rules import Status, in_force
from zhibu.core.rules.engine import evaluate
from zhibu.discipline.models import DisciplineRecord
from zhibu.orgs.models import CommitteePost, Org

K = DisciplineRecord.Kind
pytestmark = pytest.mark.django_db


def outcomes(code, orgs, today):
    return evaluate(in_force(code, today), orgs, today=today)


def test_probation_term_ended_without_a_decision_is_late(cast, make_record):
    make_record(
        cast.ordinary_member, K.PROBATION, decided_on=date(2025, 1, 10), today=date(2025, 1, 11)
    )
    found = outcomes("DISC-04", [cast.committee], date(2026, 2, 1))
    assert [(o.org_id, o.status) for o in found] == [(cast.committee.pk, Status.LATE)]
    text = found[0].text
    assert "1 人察看期已满" in text and cast.ordinary_member.name not in text
    assert found[0].refs == []
    # Within the term: fine.
    assert outcomes("DISC-04", [cast.committee], date(2025, 6, 1))[0].status == Status.OK


def test_member_under_probation_still_holding_a_post_is_suspect(cast, make_record):
    # The secretary took the post in 2021; a 留党察看 removes posts (DISC-04).
    make_record(cast.secretary_member, K.PROBATION, decided_on=date(2026, 3, 1))
    found = outcomes("DISC-04", [cast.committee], date(2026, 6, 1))
    assert found[0].status == Status.SUSPECT and "仍担任党内职务" in found[0].text
    CommitteePost.objects.filter(holder=cast.secretary_member).update(end=date(2026, 3, 2))
    assert outcomes("DISC-04", [cast.committee], date(2026, 6, 1))[0].status == Status.OK


def test_post_recorded_within_a_removal_is_suspect(cast, make_record):
    make_record(
        cast.ordinary_member,
        K.REMOVAL,
        decided_on=date(2026, 1, 5),
        ref_post="member",
        ref_org=cast.branch1,
        today=date(2026, 1, 6),
    )
    CommitteePost.objects.create(
        org=cast.branch2, post="member", holder=cast.ordinary_member, start=date(2026, 3, 1)
    )
    found = outcomes("DISC-03", [cast.committee], date(2026, 6, 1))
    assert found[0].status == Status.SUSPECT and found[0].numbers["violations"] == 1
    assert outcomes("DISC-02", [cast.committee], date(2026, 6, 1)) == []


def test_application_within_five_years_of_expulsion_is_suspect(cast, make_record):
    d = Driver(cast, name="再申请")
    case = d.case
    make_record(
        cast.ordinary_member, K.EXPULSION, decided_on=date(2021, 6, 1), today=date(2021, 6, 2)
    )
    # The application (2022-03-01) by the same person, recorded before the check existed.
    DisciplineRecord.objects.update(id_index="x")
    type(case).objects.filter(pk=case.pk).update(id_index="x")
    found = outcomes("DISC-05", [cast.committee], date(2026, 6, 1))
    assert found[0].status == Status.SUSPECT and found[0].numbers["applications"] == 1


def test_the_rules_read_a_subtree_with_a_fixed_number_of_queries(
    cast, make_record, django_assert_max_num_queries
):
    branches = [
        make_org(cast.general_branch, Org.Kind.BRANCH, f"支部{i}", code=f"DQ{i}") for i in range(12)
    ]
    for i, org in enumerate(branches):
        member = make_member(org, f"成员{i}", birth_date=date(1980, 1, 1 + i))
        kind = [K.WARNING, K.REMOVAL, K.PROBATION, K.EXPULSION][i % 4]
        extra = {"ref_post": "member", "ref_org": org} if kind == K.REMOVAL else {}
        make_record(member, kind, org=org, **extra)
        if i % 3 == 0 and kind != K.EXPULSION:
            CommitteePost.objects.create(
                org=org, post="member", holder=member, start=date(2026, 4, 1)
            )
    orgs = [*branches, cast.general_branch, cast.committee]
    for code in ("DISC-02", "DISC-03", "DISC-04", "DISC-05"):
        with django_assert_max_num_queries(4):
            outcomes(code, orgs, date(2026, 6, 15))


def test_rules_cite_their_articles():
    assert "第十条" in str(in_force("DISC-02", date(2026, 1, 1)).citation)
    assert "第十一条" in str(in_force("DISC-03", date(2026, 1, 1)).citation)
    assert str(in_force("DISC-04", date(2026, 1, 1)).citation) == "《中国共产党纪律处分条例》"
