"""DUES-11: six consecutive months unpaid without reason → a finding proposing the 自行脱党
procedure; five months → a reminder only. Set-based with a pinned number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from tests.dues.conftest import TODAY, entry
from tests.factories import make_member, record_meeting
from zhibu.core.rules import Status, in_force
from zhibu.core.rules.engine import evaluate
from zhibu.dues import selectors, services
from zhibu.dues.models import LapseCase, Relief
from zhibu.dues.rates import Category

pytestmark = pytest.mark.django_db
SEP = date(2025, 9, 1)


@pytest.fixture
def history(bases):
    """王党员 paid up to August 2025 (6 months unpaid Sep–Feb); 李书记 paid up to September
    (5 months unpaid Oct–Feb)."""
    for member in (bases.ordinary_member, bases.secretary_member):
        services.base_declare(
            member=member, category=Category.STUDENT, base=None, effective_month=date(2025, 1, 1)
        )
    services.payments_record(
        entries=[entry(bases.ordinary_member, date(2025, 8, 1), "0.20", paid_on=date(2025, 8, 5))],
        by=None,
        org=bases.branch1,
    )
    services.payments_record(
        entries=[entry(bases.secretary_member, SEP, "0.20", paid_on=date(2025, 9, 5))],
        by=None,
        org=bases.branch1,
    )
    return bases


def _dues11(orgs):
    rule = in_force("DUES-11", TODAY)
    return evaluate(rule, orgs, today=TODAY)


def test_six_months_unpaid_is_a_finding_and_five_a_reminder_only(history):
    outcomes = _dues11([history.branch1])
    flagged = [o for o in outcomes if o.status == Status.SUSPECT]
    assert [o.subject_id for o in flagged] == [history.ordinary_member.pk]
    assert flagged[0].numbers["months"] == 6
    assert "连续 6 个月未交纳党费" in flagged[0].text and "自行脱党" in flagged[0].text
    assert flagged[0].refs == [f"member:{history.ordinary_member.public_id}"]
    reminders = {a.name: a.months for a in selectors.arrears(Q(org=history.branch1), TODAY)}
    assert reminders["李书记"] == 5


def test_rule_cites_the_dues_regulation_and_the_constitution():
    rule = in_force("DUES-11", TODAY)
    assert "党费" in str(rule.citation) and "第十三条" in str(rule.citation)
    assert rule.citation.note == "党章 第九条"


def test_a_deferral_with_reason_is_not_arrears_without_reason(history):
    services.relief_request(
        member=history.ordinary_member,
        kind=Relief.Kind.DEFER,
        from_month=date(2026, 1, 1),
        to_month=None,
        reason="外出务工失去联系，正在联系",
        discussed_on=date(2026, 1, 10),
    )
    assert not [o for o in _dues11([history.branch1]) if o.status == Status.SUSPECT]


def test_branch_finding_a_good_reason_settles_the_finding(history):
    case = services.lapse_open(member=history.ordinary_member, on=TODAY, months=6)
    with pytest.raises(ValidationError) as exc:
        services.lapse_decide(
            case=case, decision=LapseCase.Decision.REASON, decided_on=TODAY, meeting=None
        )
    assert str(services.MEETING_REQUIRED) in exc.value.messages
    meeting = record_meeting(history.branch1, on=date(2026, 3, 9), today=TODAY)
    services.lapse_decide(
        case=case, decision=LapseCase.Decision.REASON, decided_on=TODAY, meeting=meeting
    )
    assert not [o for o in _dues11([history.branch1]) if o.status == Status.SUSPECT]


def test_query_count_does_not_grow_with_members(history, django_assert_num_queries):
    for i in range(5):
        make_member(history.branch2, f"新党员{i}")
    with django_assert_num_queries(6):
        _dues11([history.branch1, history.branch2])
    assert selectors.member_due(history.branch2_member, date(2026, 2, 1)).amount == Decimal("0.20")


def test_months_suspended_are_not_arrears(bases):
    from zhibu.members.models import MemberEvent
    from zhibu.members.services import member_record_event

    services.base_declare(
        member=bases.branch2_member,
        category=Category.STUDENT,
        base=None,
        effective_month=date(2025, 1, 1),
    )
    member_record_event(
        member=bases.branch2_member, kind=MemberEvent.Kind.SUSPENDED, on=date(2025, 6, 1)
    )
    member_record_event(
        member=bases.branch2_member, kind=MemberEvent.Kind.RESTORED, on=date(2026, 2, 1)
    )
    found = {a.name: a for a in selectors.arrears(Q(org=bases.branch2), TODAY)}
    assert found["赵党员"].months == 1 and found["赵党员"].since == date(2026, 2, 1)


def test_a_branch_keeping_no_dues_here_is_not_judged_and_months_before_its_ledger_do_not_count(
    bases,
):
    """A branch that records no dues in Zhibu gets neither a finding nor an "all paid";
    a branch whose ledger began three months ago cannot show six unpaid months."""
    for member in (bases.ordinary_member, bases.branch2_member):
        services.base_declare(
            member=member, category=Category.STUDENT, base=None, effective_month=date(2025, 1, 1)
        )
    assert _dues11([bases.branch1, bases.branch2]) == []
    services.payments_record(
        entries=[entry(bases.branch2_member, date(2025, 12, 1), "0.20", paid_on=date(2025, 12, 5))],
        by=None,
        org=bases.branch2,
    )
    outcomes = _dues11([bases.branch1, bases.branch2])
    assert [(o.org_id, o.status) for o in outcomes] == [(bases.branch2.pk, Status.OK)]
