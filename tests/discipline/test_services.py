"""Recording discipline records: periods computed (DISC-02..05), bad input refused in
Chinese with nothing written, appeals (a revoked record stops restricting)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.discipline.conftest import TODAY
from zhibu.core.rules.models import Supplement
from zhibu.discipline import services
from zhibu.discipline.models import Appeal, DisciplineRecord
from zhibu.discipline.restrictions import post_barred, vote_barred

K = DisciplineRecord.Kind
pytestmark = pytest.mark.django_db


def messages_of(exc) -> list[str]:
    return [str(m) for m in exc.value.messages]


@pytest.mark.parametrize(
    ("kind", "until"),
    [
        (K.WARNING, date(2027, 3, 1)),
        (K.SERIOUS_WARNING, date(2027, 9, 1)),
        (K.REMOVAL, date(2028, 3, 1)),
        (K.EXPULSION, date(2031, 3, 1)),
        (K.ADMONITION, None),
    ],
)
def test_period_of_effect_is_computed_from_the_kind(cast, make_record, kind, until):
    extra = {"ref_post": "member", "ref_org": cast.branch1} if kind == K.REMOVAL else {}
    record = make_record(kind=kind, **extra)
    assert record.effect_until == until
    assert record.form == services.default_form(kind)


def test_probation_term_with_extension_and_restoration(cast, make_record):
    record = make_record(
        kind=K.PROBATION,
        decided_on=date(2024, 2, 29),
        probation_years=1,
        extended_on=date(2024, 12, 1),
    )
    assert record.effect_until == date(2026, 2, 28)  # 29 Feb + 2 years, calendar-correct
    record = services.record_save(
        record=record, outcome="restored", outcome_on=date(2026, 3, 2), today=TODAY
    )
    assert record.post_bar_until == date(2028, 3, 2)


def test_local_supplement_lengthens_the_warning_period(cast, make_record):
    Supplement.objects.create(
        committee=cast.committee,
        rule_code="DISC-02",
        params={"warning_months": 24},
        effective_from=date(2020, 1, 1),
    )
    record = make_record(kind=K.WARNING)
    assert record.effect_until == date(2028, 3, 1)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"kind": K.PROBATION, "probation_years": None},
            "probation_years",
            services.PROBATION_YEARS,
        ),
        ({"kind": K.PROBATION, "probation_years": 3}, "probation_years", services.PROBATION_YEARS),
        (
            {"kind": K.WARNING, "decided_on": date(2026, 7, 1)},
            "decided_on",
            services.DECIDED_IN_FUTURE,
        ),
        ({"kind": K.WARNING, "extended_on": date(2026, 4, 1)}, "extended_on", None),
        ({"kind": K.WARNING, "probation_years": 1}, "probation_years", None),
        (
            {"kind": K.PROBATION, "probation_years": 2, "extended_on": date(2026, 4, 1)},
            "extended_on",
            services.EXTENSION_ONE_YEAR,
        ),
        ({"kind": K.REMOVAL}, "ref_post", services.REMOVAL_NEEDS_POST),
        ({"kind": K.WARNING, "form": 1}, "form", None),
        ({"kind": K.WARNING, "facts": " "}, "facts", services.FACTS_REQUIRED),
    ],
)
def test_inconsistent_sanction_is_refused_and_nothing_written(cast, fields, field, message):
    fields = {"decided_on": date(2026, 3, 1), "facts": "事实", **fields}
    if fields.get("kind") == K.PROBATION:
        fields.setdefault("probation_years", None)
    with pytest.raises(ValidationError) as exc:
        services.record_save(
            member=cast.ordinary_member, deciding_org=cast.committee, today=TODAY, **fields
        )
    assert field in exc.value.error_dict
    if message is not None:
        assert str(message) in [str(m) for m in exc.value.error_dict[field][0]]
    else:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.error_dict[field][0].messages[0])
    assert not DisciplineRecord.objects.exists()


def test_deciding_org_must_be_above_the_member(cast):
    with pytest.raises(ValidationError) as exc:
        services.record_save(
            member=cast.ordinary_member,
            deciding_org=cast.branch2,
            kind=K.WARNING,
            decided_on=date(2026, 3, 1),
            facts="事实",
            today=TODAY,
        )
    assert str(services.ORG_NOT_ABOVE) in messages_of(exc)


def test_revoked_record_stops_restricting_and_refuses_a_second_appeal(cast, make_record):
    record = make_record(kind=K.PROBATION)
    member = cast.ordinary_member
    assert member.pk in vote_barred([member.pk], TODAY)
    services.appeal_record(
        record=record,
        filed_on=date(2026, 3, 10),
        decided_on=date(2026, 5, 1),
        outcome=Appeal.Outcome.REVOKED,
        today=TODAY,
    )
    record.refresh_from_db()
    assert record.status == DisciplineRecord.Status.REVOKED
    assert vote_barred([member.pk], TODAY) == {}
    assert post_barred(member, TODAY) is None
    with pytest.raises(ValidationError) as exc:
        services.appeal_record(
            record=record,
            filed_on=date(2026, 5, 2),
            decided_on=date(2026, 5, 3),
            outcome=Appeal.Outcome.UPHELD,
            today=TODAY,
        )
    assert str(services.APPEAL_ON_REVOKED) in messages_of(exc)
    assert Appeal.objects.count() == 1


def test_appeal_changes_to_a_lighter_kind_only(cast, make_record):
    record = make_record(kind=K.SERIOUS_WARNING)
    with pytest.raises(ValidationError):
        services.appeal_record(
            record=record,
            filed_on=date(2026, 3, 10),
            decided_on=date(2026, 4, 1),
            outcome=Appeal.Outcome.CHANGED,
            changed_to=K.REMOVAL,
            today=TODAY,
        )
    services.appeal_record(
        record=record,
        filed_on=date(2026, 3, 10),
        decided_on=date(2026, 4, 1),
        outcome=Appeal.Outcome.CHANGED,
        changed_to=K.WARNING,
        today=TODAY,
    )
    record.refresh_from_db()
    assert record.kind == K.WARNING and record.effect_until == date(2027, 3, 1)
    assert record.history.count() == 2


def test_restrictions_show_only_the_date_and_citation(cast, make_record):
    make_record(kind=K.PROBATION)
    text = vote_barred([cast.ordinary_member.pk], TODAY)[cast.ordinary_member.pk].text
    assert text.startswith("受限至 2027-03-01（纪律处分）")
    assert "DISC-04" in text and "纪律处分条例" in text
    assert "留党察看" not in text and "违反" not in text


def test_post_bars_compare_with_the_post_held(cast, make_record):
    member = cast.ordinary_member
    make_record(kind=K.WARNING, ref_post="member", ref_org=cast.branch1)
    # 警告 blocks promotion only (DISC-02): the same post is allowed, a higher one not.
    assert post_barred(member, TODAY, post="member", org=cast.branch1) is None
    assert post_barred(member, TODAY, post="secretary", org=cast.branch1).code == "DISC-02"
    assert post_barred(member, date(2027, 3, 1), post="secretary", org=cast.branch1) is None


def test_removal_bars_an_equal_post_for_two_years(cast, make_record):
    member = cast.ordinary_member
    make_record(kind=K.REMOVAL, ref_post="member", ref_org=cast.branch1)
    assert post_barred(member, TODAY, post="member", org=cast.branch1).code == "DISC-03"
    assert post_barred(member, TODAY, post="group_leader", org=cast.group1) is None
