"""Bad input to the tree and committee services is refused in Chinese and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_member, make_org
from zhibu.committees import services as committee_services
from zhibu.orgs import services
from zhibu.orgs.models import Committee, CommitteePost, Org, OrgEvent

pytestmark = pytest.mark.django_db


def messages_of(exc: ValidationError) -> str:
    return " ".join(m for msgs in exc.message_dict.values() for m in msgs)


def test_a_group_outside_a_branch_is_refused(cast):
    before = Org.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_org(cast.general_branch, Org.Kind.GROUP, "错位党小组")
    assert "党小组只能设在党支部" in messages_of(exc.value)
    assert Org.objects.count() == before


def test_a_branch_under_a_branch_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        make_org(cast.branch1, Org.Kind.BRANCH, "支部下的支部")
    assert exc.value.message_dict["parent"] == ["党支部不能设在党支部之下。"]


def test_moving_an_org_under_its_own_descendant_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        services.org_move(
            org=cast.general_branch, to_parent=cast.branch1, on=date(2024, 1, 1), document_no="X-1"
        )
    assert "循环" in messages_of(exc.value)
    cast.general_branch.refresh_from_db()
    assert Org.objects.get_parent(cast.general_branch) == cast.committee
    assert not OrgEvent.objects.filter(kind=OrgEvent.Kind.MOVED).exists()


def test_moving_a_branch_records_a_dated_event_and_moves_its_subtree(cast):
    services.org_move(
        org=cast.branch1,
        to_parent=cast.committee,
        on=date(2024, 6, 1),
        document_no="热党〔2024〕8号",
    )
    cast.branch1.refresh_from_db()
    cast.group1.refresh_from_db()
    assert Org.objects.get_parent(cast.branch1) == cast.committee
    assert cast.group1.path.startswith(cast.branch1.path)
    event = OrgEvent.objects.get(kind=OrgEvent.Kind.MOVED)
    assert (event.from_parent, event.to_parent, event.document_no) == (
        cast.general_branch,
        cast.committee,
        "热党〔2024〕8号",
    )


def test_dissolving_an_org_with_members_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        committee_services.org_dissolve(org=cast.branch2, on=date(2025, 1, 1), document_no="X-2")
    assert "还有 1 名党员" in messages_of(exc.value)
    cast.branch2.refresh_from_db()
    assert cast.branch2.dissolved_on is None


def test_dissolving_an_org_with_sub_orgs_is_refused(cast):
    empty = make_org(cast.committee, Org.Kind.GENERAL_BRANCH, "空总支")
    make_org(empty, Org.Kind.BRANCH, "空支部")
    with pytest.raises(ValidationError) as exc:
        committee_services.org_dissolve(org=empty, on=date(2025, 1, 1), document_no="X-3")
    assert "还有 1 个下级组织" in messages_of(exc.value)


def test_dissolving_an_empty_org_is_dated_and_recorded(cast):
    empty = make_org(cast.general_branch, Org.Kind.BRANCH, "空支部")
    committee_services.org_dissolve(org=empty, on=date(2025, 3, 31), document_no="X-4")
    empty.refresh_from_db()
    assert empty.dissolved_on == date(2025, 3, 31)
    assert empty.exists_on(date(2025, 3, 30)) and not empty.exists_on(date(2025, 3, 31))
    assert OrgEvent.objects.filter(
        org=empty, kind=OrgEvent.Kind.DISSOLVED, document_no="X-4"
    ).exists()


def test_a_joint_branch_covers_at_most_five_units(cast):
    from tests.factories import UnitFactory

    units = [UnitFactory() for _ in range(6)]
    with pytest.raises(ValidationError) as exc:
        make_org(cast.committee, Org.Kind.JOINT_BRANCH, "联合党支部", units=units)
    assert "最多覆盖 5 个单位" in messages_of(exc.value)
    assert (
        make_org(cast.committee, Org.Kind.JOINT_BRANCH, "联合党支部", units=units[:5]).units.count()
        == 5
    )


def test_a_second_secretary_for_overlapping_dates_is_refused(cast):
    other = make_member(cast.branch1, "孙委员", birth_date=date(1983, 4, 4))
    with pytest.raises(ValidationError) as exc:
        committee_services.post_assign(
            org=cast.branch1, post="secretary", holder=other, start=date(2024, 1, 1)
        )
    assert "同一时间只能有一名书记" in messages_of(exc.value)
    assert CommitteePost.objects.filter(org=cast.branch1, post="secretary").count() == 1


def test_a_new_secretary_may_start_the_day_the_old_one_leaves(cast):
    current = CommitteePost.objects.get(org=cast.branch1, post="secretary")
    committee_services.post_end(record=current, on=date(2024, 1, 1))
    other = make_member(cast.branch1, "孙委员", birth_date=date(1983, 4, 4))
    committee_services.post_assign(
        org=cast.branch1, post="secretary", holder=other, start=date(2024, 1, 1)
    )
    assert CommitteePost.objects.filter(org=cast.branch1, post="secretary").count() == 2


def test_a_post_ending_before_it_starts_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        committee_services.post_assign(
            org=cast.branch1,
            post="organization",
            holder=cast.ordinary_member,
            start=date(2024, 5, 1),
            end=date(2024, 4, 1),
        )
    assert exc.value.message_dict["end"] == ["离任日期不能早于任职日期。"]


def test_terms_follow_the_sector(cast):
    committee = committee_services.committee_elect(org=cast.branch1, elected_on=date(2024, 2, 29))
    assert committee.term_years == 3
    assert committee.term_ends_on == date(2027, 2, 28)  # calendar-correct from 29 February
    village = make_org(cast.committee, Org.Kind.BRANCH, "村党支部", sector="rural")
    assert (
        committee_services.committee_elect(org=village, elected_on=date(2024, 1, 10)).term_years
        == 5
    )
    with pytest.raises(ValidationError):
        committee_services.committee_elect(org=village, elected_on=date(2025, 1, 10), term_years=3)


def test_a_new_election_ends_the_previous_committee(cast):
    first = committee_services.committee_elect(org=cast.branch1, elected_on=date(2021, 3, 1))
    second = committee_services.committee_elect(org=cast.branch1, elected_on=date(2024, 3, 1))
    first.refresh_from_db()
    assert first.ended_on == date(2024, 3, 1)
    assert second.term_number == 2
    assert Committee.objects.filter(org=cast.branch1, ended_on__isnull=True).get() == second


def test_only_full_members_may_hold_a_post(cast):
    probationer = make_member(
        cast.branch1,
        "新同志",
        birth_date=date(1999, 1, 1),
        admitted_on=date(2026, 3, 1),
        full_on=None,
    )
    with pytest.raises(ValidationError) as exc:
        committee_services.post_assign(
            org=cast.branch1, post="organization", holder=probationer, start=date(2026, 4, 1)
        )
    assert "应为正式党员" in messages_of(exc.value)
