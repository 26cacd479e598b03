"""The monthly dues summary equals the raw records after any sequence of writes, and the
pages read it in a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dues.conftest import FEB, JAN, MAR, TODAY, entry
from zhibu.dues import selectors, services, summary
from zhibu.dues.models import DuesPolicy, DuesSummary, Payment, Relief
from zhibu.dues.rates import Category
from zhibu.members.models import MemberEvent
from zhibu.members.services import member_record_event

pytestmark = pytest.mark.django_db

MONTHS = (JAN, FEB, MAR)
CATEGORIES = (Category.IN_SERVICE, Category.RETIRED, Category.FARMER, Category.STUDENT)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 2), st.integers(0, 2)),
        st.tuples(
            st.just("base"),
            st.integers(0, 2),
            st.integers(0, 2),
            st.integers(0, 3),
            st.integers(1000, 20000),
        ),
        st.tuples(st.just("relief"), st.integers(0, 2), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("voluntary"), st.integers(0, 2), st.integers(1, 1500)),
        st.tuples(st.just("transfer"), st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.just("correct"), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("policy"), st.integers(20, 100)),
    ),
    min_size=1,
    max_size=6,
)


def apply(op, cast) -> None:
    members = [cast.ordinary_member, cast.secretary_member, cast.branch2_member]
    kind, who = op[0], members[op[1] % 3] if len(op) > 1 else None
    if kind == "pay":
        month = MONTHS[op[2]]
        due = selectors.member_due(who, month)
        if due is not None and due.amount is not None:
            services.payments_record(
                entries=[entry(who, month, str(due.amount))], by=None, within=cast.committee
            )
    elif kind == "base":
        services.base_declare(
            member=who,
            category=CATEGORIES[op[3]],
            base=Decimal(op[4]),
            effective_month=MONTHS[op[2]],
        )
    elif kind == "relief":
        relief = services.relief_request(
            member=who,
            kind=Relief.Kind.EXEMPT if op[3] else Relief.Kind.REDUCE,
            amount=None if op[3] else Decimal("1.00"),
            from_month=MONTHS[op[2]],
            to_month=MAR,
            reason="困难",
            discussed_on=TODAY,
        )
        services.relief_decide(relief=relief, approve=True, by=cast.party_secretary, on=TODAY)
    elif kind == "voluntary":
        services.voluntary_record(member=who, amount=Decimal(op[2]), paid_on=TODAY)
    elif kind == "transfer":
        target = [cast.branch1, cast.branch2, cast.branch1][op[2]]
        if who.org_id != target.pk:
            member_record_event(
                member=who,
                kind=MemberEvent.Kind.MOVED,
                org=target,
                on=date(2026, 2, 15),
                today=TODAY,
            )
    elif kind == "correct":
        payment = Payment.objects.filter(member=who).order_by("month").first()
        if payment is not None:
            if op[2]:
                services.payment_reverse(payment=payment, reason="录错", by=None)
            else:
                due = selectors.member_due(who, payment.month)
                if due is not None and due.amount is not None:
                    services.payment_correct(
                        payment=payment,
                        reason="方式录错",
                        by=None,
                        amount=due.amount,
                        method=Payment.Method.TRANSFER
                        if payment.method != Payment.Method.TRANSFER
                        else Payment.Method.CASH,
                        paid_on=payment.paid_on,
                    )
    elif kind == "policy":
        services.policy_save(
            committee=cast.committee,
            farmer_amount=Decimal(op[1]) / 100,
            rounding=DuesPolicy._meta.get_field("rounding").default,
            by=None,
        )


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_summary_equals_the_records_after_any_writes(bases, ops):
    with transaction.atomic():
        for month in MONTHS:
            selectors.ledger(bases.committee, month)  # the months are held from here on
        for op in ops:
            try:
                with transaction.atomic():
                    apply(op, bases)
            except ValidationError:
                pass  # a refused write writes nothing; the summary must not move either
        for month in MONTHS:
            for root in (bases.committee, bases.general_branch, bases.branch1):
                assert selectors.ledger(root, month) == selectors.ledger_from_records(
                    root, month
                ), (ops, root.name, month)
        assert selectors.org_year(bases.committee, 2026) == selectors.org_year_from_records(
            bases.committee, 2026
        )
        chart = [
            (m["month"], Decimal(m["collected"]))
            for m in selectors.monthly_collection(bases.committee, 2026)
        ]
        assert chart == [
            (m["month"], Decimal(m["collected"]))
            for m in selectors.monthly_collection_from_records(bases.committee, 2026)
        ]
        transaction.set_rollback(True)


def test_rebuild_repairs_a_summary_written_around(bases):
    services.payments_record(
        entries=[entry(bases.ordinary_member, MAR, "40.00")], by=None, org=bases.branch1
    )
    selectors.ledger(bases.committee, MAR)
    DuesSummary.objects.update(due=Decimal("999"))  # damage it
    assert selectors.ledger(bases.committee, MAR) != selectors.ledger_from_records(
        bases.committee, MAR
    )
    call_command("dues_summary")
    assert selectors.ledger(bases.committee, MAR) == selectors.ledger_from_records(
        bases.committee, MAR
    )


def test_rebuild_command_refuses_a_bad_month(bases):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("dues_summary", "2026-13")


def test_a_refused_payment_leaves_the_summary_alone(bases):
    selectors.ledger(bases.committee, MAR)
    before = list(DuesSummary.objects.values_list("org", "due", "collected").order_by("org"))
    with pytest.raises(ValidationError):
        services.payments_record(
            entries=[entry(bases.ordinary_member, MAR, "41.00")], by=None, org=bases.branch1
        )
    after = list(DuesSummary.objects.values_list("org", "due", "collected").order_by("org"))
    assert before == after and summary.sync() == 0


def test_the_year_reads_a_fixed_number_of_queries(bases, django_assert_num_queries):
    selectors.org_year(bases.committee, 2026)  # holds January to March
    with django_assert_num_queries(3):  # held months, dirty pairs, one grouped read
        months = selectors.org_year(bases.committee, 2026, today=TODAY)
    assert [m["month"] for m in months] == [JAN, FEB, MAR]


def test_a_bulk_build_analyzes_the_summary(bases, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(summary, "ANALYZE_ROWS", 1)  # as if thousands of rows were written
    with CaptureQueriesContext(connection) as ctx:
        written = summary.rebuild([MAR])
    assert written >= 1
    assert any(q["sql"].startswith("ANALYZE") for q in ctx.captured_queries)
