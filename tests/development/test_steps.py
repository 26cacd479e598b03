"""The 25 steps on exact calendar edges: every refusal names its rule and article."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_member
from zhibu.core.models import AuditEvent
from zhibu.development import services
from zhibu.development.models import Case, Override, Step
from zhibu.members.models import Member, MemberEvent

pytestmark = pytest.mark.django_db


def refused(exc) -> str:
    return " ".join(exc.value.messages)


def test_a_whole_journey_admits_then_confirms_the_member(driver):
    d = driver().run(26)
    case = d.case
    assert case.status == Case.Status.ARCHIVED
    member = case.member
    assert member.status == Member.Status.FULL
    assert member.admitted_on == date(2023, 6, 28)  # DEV-13: the 支部大会 date, not the approval
    assert member.full_on == date(2024, 6, 28)  # DEV-17: 党龄 from the end of probation
    assert member.party_age_on(date(2025, 6, 28)) == 1
    kinds = list(member.events.values_list("kind", flat=True))
    assert kinds == [MemberEvent.Kind.ADMITTED, MemberEvent.Kind.CONFIRMED]


def test_an_applicant_under_18_is_refused_with_dev01(cast):
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            org=cast.branch1,
            name="少年",
            gender="M",
            birth_date=date(2008, 3, 2),
            applied_on=date(2026, 3, 1),
        )
    assert "DEV-01" in refused(exc) and "第五条" in refused(exc) and "2026-03-02" in refused(exc)
    assert not Case.objects.exists()
    services.case_open(
        org=cast.branch1,
        name="少年",
        gender="M",
        birth_date=date(2008, 3, 2),
        applied_on=date(2026, 3, 2),
    )


def test_dev05_the_day_before_a_full_year_is_refused_and_the_day_itself_allowed(driver):
    d = driver(
        dates={
            3: date(2023, 5, 10),
            4: date(2023, 5, 11),
            5: date(2023, 5, 12),
            6: date(2023, 11, 1),
        }
    )
    d.run(7)
    d.publicity(7)
    d.dates[7] = date(2024, 5, 9)
    with pytest.raises(ValidationError) as exc:
        d.step(7)
    message = refused(exc)
    assert "DEV-05" in message and "第十三条" in message
    assert "《中国共产党发展党员工作细则》" in message and "2024-05-10" in message
    assert not d.case.steps.filter(number=7).exists()
    d.step(7, on=date(2024, 5, 10))
    assert d.case.last_step == 7


def test_dev05_from_29_february(driver):
    d = driver(
        dates={
            1: date(2023, 3, 1),
            2: date(2023, 3, 10),
            3: date(2024, 2, 29),
            4: date(2024, 3, 1),
            5: date(2024, 3, 2),
            6: date(2024, 9, 1),
        }
    )
    d.run(7)
    d.publicity(7)
    with pytest.raises(ValidationError) as exc:
        d.step(7, on=date(2025, 2, 27))
    assert "2025-02-28" in refused(exc)
    d.step(7, on=date(2025, 2, 28))


def test_a_probation_that_began_on_29_february(driver):
    dates = {
        1: date(2022, 1, 5),
        2: date(2022, 1, 10),
        3: date(2022, 3, 1),
        4: date(2022, 3, 2),
        5: date(2022, 3, 3),
        6: date(2022, 9, 1),
        7: date(2023, 3, 6),
        8: date(2023, 3, 10),
        9: date(2023, 4, 1),
        10: date(2023, 5, 1),
        11: date(2023, 6, 1),
        12: date(2024, 2, 1),
        13: date(2024, 2, 5),
        14: date(2024, 2, 6),
        15: date(2024, 2, 29),
        16: date(2024, 3, 5),
        17: date(2024, 3, 20),
        18: date(2024, 3, 25),
        19: date(2024, 3, 26),
        20: date(2024, 4, 1),
        21: date(2024, 8, 1),
        22: date(2025, 1, 20),
        "pub23": date(2025, 2, 10),
    }
    d = driver(dates=dates)
    d.run(23)
    d.publicity(23)
    assert d.case.probation_end == date(2025, 2, 28)
    with pytest.raises(ValidationError) as exc:
        d.step(23, on=date(2025, 2, 27), decision=None)
    assert "DEV-14" in refused(exc) and "第七条" in refused(exc) and "2025-02-28" in refused(exc)
    d.dates[23] = date(2025, 2, 28)
    d.step(23)
    assert d.case.last_step == 23


def test_publicity_across_national_day_and_its_make_up_saturday(driver):
    dates = {
        1: date(2023, 6, 1),
        2: date(2023, 6, 8),
        3: date(2024, 9, 2),
        4: date(2024, 9, 3),
        5: date(2024, 9, 4),
        6: date(2025, 3, 1),
        "pub7": date(2025, 9, 30),
    }
    d = driver(dates=dates)
    d.run(7)
    d.publicity(7)
    publicity = d.case.publicities.get(key="target")
    assert publicity.ends_on == date(
        2025, 10, 13
    )  # 30 Sep, 9, 10, 11 (make-up Saturday) and 13 Oct
    with pytest.raises(ValidationError) as exc:
        d.step(7, on=date(2025, 10, 13))
    assert "DEV-10" in refused(exc) and "2025-10-14" in refused(exc)
    d.step(7, on=date(2025, 10, 14))


def test_steps_out_of_order_and_dates_before_the_previous_step_are_refused(driver):
    d = driver().run(4)
    with pytest.raises(ValidationError) as exc:
        d.step(9)
    assert "DEV-00" in refused(exc) and "须先完成前面的步骤" in refused(exc)
    with pytest.raises(ValidationError) as exc:
        d.step(4, on=date(2022, 4, 1))
    assert "DEV-00" in refused(exc) and "早于上一步骤" in refused(exc)
    assert d.case.steps.count() == 3


def test_an_introducer_who_is_probationary_is_refused(driver, cast):
    d = driver().run(9)
    newcomer = make_member(
        cast.branch1,
        "预备同志",
        birth_date=date(1998, 1, 1),
        admitted_on=date(2023, 1, 5),
        full_on=None,
    )
    with pytest.raises(ValidationError) as exc:
        d.step(9, people={"introducers": [cast.secretary_member, newcomer]})
    assert (
        "DEV-06" in refused(exc)
        and "预备党员不能作入党介绍人" in refused(exc)
        and "第十四条" in refused(exc)
    )
    with pytest.raises(ValidationError):
        d.step(9, people={"introducers": [cast.secretary_member]})
    assert not d.case.steps.filter(number=9).exists()


def test_contacts_must_be_one_or_two_full_members(driver, cast):
    d = driver().run(5)
    with pytest.raises(ValidationError) as exc:
        d.step(5, people={"contacts": []})
    assert "DEV-03" in refused(exc)


def test_training_below_three_days_and_24_hours_is_refused(driver):
    d = driver().run(11)
    with pytest.raises(ValidationError) as exc:
        d.step(11, training_days=2, training_hours=16)
    assert "DEV-08" in refused(exc) and "第十七条" in refused(exc)
    d.step(11, training_days=0, training_hours=24)


def test_a_vote_short_of_quorum_is_refused_and_the_case_can_be_stopped(driver, cast):
    from tests.development.conftest import vote

    d = driver().run(15)
    d.publicity(15)
    failed = vote(
        d.case, d.dates[15], "admission", absent=[cast.ordinary_member, cast.secretary_member]
    )
    assert not failed.quorum_met
    with pytest.raises(ValidationError) as exc:
        d.step(15, decision=failed)
    assert "DEV-11" in refused(exc) and "VOTE-01" in refused(exc)
    services.case_stop(case=d.case, reason="支部大会表决未通过", on=d.dates[15], decision=failed)
    d.case.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        d.step(15)
    assert "已终止" in refused(exc)


def test_leaving_within_three_months_blocks_admission(driver):
    d = driver().run(15)
    Case.objects.filter(pk=d.case.pk).update(expected_departure=date(2023, 8, 1))
    d.case.refresh_from_db()
    d.publicity(15)
    with pytest.raises(ValidationError) as exc:
        d.step(15)
    assert "DEV-09" in refused(exc)


def test_approval_after_three_months_needs_an_override_and_after_six_is_refused(driver, cast):
    d = driver().run(17)
    with pytest.raises(ValidationError) as exc:
        d.step(17, on=date(2023, 11, 1))
    assert "DEV-12" in refused(exc)
    services.override_request(
        case=d.case,
        step_number=17,
        rule_code="DEV-12",
        reason="上级党委换届",
        by=cast.branch_secretary,
    )
    with pytest.raises(ValidationError):
        d.step(17, on=date(2023, 11, 1))
    requested = Override.objects.get(case=d.case)
    assert requested.state == Override.State.REQUESTED  # a branch secretary cannot approve
    services.override_decide(override=requested, approve=True, by=cast.party_secretary)
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.OVERRIDE, actor=cast.party_secretary
    ).exists()
    step = d.step(17, on=date(2023, 11, 1))
    assert step.overrides.get().rule_code == "DEV-12"
    assert d.case.member.admitted_on == date(2023, 6, 28)


def test_approval_beyond_six_months_is_refused_even_with_an_override(driver, cast):
    d = driver().run(17)
    services.override_request(
        case=d.case, step_number=17, rule_code="DEV-12", reason="特殊", by=cast.party_secretary
    )
    with pytest.raises(ValidationError) as exc:
        d.step(17, on=date(2024, 1, 2))
    assert "不能再审批" in refused(exc)


def test_a_confirmed_rule_cannot_be_overridden(driver, cast):
    d = driver().run(7)
    with pytest.raises(ValidationError) as exc:
        services.override_request(
            case=d.case, step_number=7, rule_code="DEV-05", reason="急需", by=cast.party_secretary
        )
    assert "不能特批" in refused(exc)


def test_publicity_missing_can_be_overridden_by_the_higher_committee(driver, cast):
    d = driver().run(3)
    with pytest.raises(ValidationError) as exc:
        d.step(3)
    assert "DEV-10" in refused(exc) and "地方/单位规定" in refused(exc)
    services.override_request(
        case=d.case, step_number=3, rule_code="DEV-10", reason="补办公示", by=cast.party_secretary
    )
    d.step(3)
    assert Override.objects.get().state == Override.State.USED


def test_probation_extended_once_within_six_to_twelve_months(driver):
    d = driver().run(23)
    d.publicity(23)
    with pytest.raises(ValidationError) as exc:
        d.step(23, outcome=Step.Outcome.EXTEND, extend_months=4)
    assert "DEV-15" in refused(exc)
    d.step(23, outcome=Step.Outcome.EXTEND, extend_months=6)
    d.step(24, on=date(2024, 7, 10))
    member = d.case.member
    member.refresh_from_db()
    assert member.status == Member.Status.PROBATIONARY
    assert d.case.probation_end == date(2024, 12, 28)
    d.step(22, on=date(2024, 12, 1))
    d.publicity(23)
    d.dates[23] = date(2024, 12, 28)
    with pytest.raises(ValidationError) as exc:
        d.step(23, outcome=Step.Outcome.EXTEND, extend_months=6)
    assert "只能延长一次" in refused(exc)
    d.step(23)
    d.step(24, on=date(2025, 1, 10))
    member.refresh_from_db()
    assert (member.status, member.full_on) == (Member.Status.FULL, date(2024, 12, 28))


def test_cancelling_probation_ends_membership(driver):
    d = driver().run(23)
    d.publicity(23)
    d.step(23, outcome=Step.Outcome.CANCEL)
    d.step(24)
    d.case.member.refresh_from_db()
    assert d.case.member.status == Member.Status.LEFT
    assert d.case.status == Case.Status.STOPPED


def test_a_step_in_the_future_is_refused(driver):
    d = driver()
    with pytest.raises(ValidationError) as exc:
        d.step(2, on=date(2099, 1, 1))
    assert "不能晚于今天" in refused(exc)
