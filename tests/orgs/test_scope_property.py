"""Property: a user sees an org if and only if it lies in the subtree of one of the
user's assignments active today — on random trees with random dated assignments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import UnitFactory, UserFactory, make_org
from zhibu.accounts.models import Role, RoleAssignment
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import visible_orgs

pytestmark = pytest.mark.django_db

CHILD_KINDS = {
    Org.Kind.COMMITTEE: [
        Org.Kind.COMMITTEE,
        Org.Kind.GENERAL_BRANCH,
        Org.Kind.BRANCH,
        Org.Kind.JOINT_BRANCH,
    ],
    Org.Kind.GENERAL_BRANCH: [Org.Kind.BRANCH, Org.Kind.TEMPORARY_BRANCH],
    Org.Kind.BRANCH: [Org.Kind.GROUP],
    Org.Kind.JOINT_BRANCH: [Org.Kind.GROUP],
    Org.Kind.TEMPORARY_BRANCH: [Org.Kind.GROUP],
    Org.Kind.GROUP: [],
}
VIEW_ROLE = {"committee": Role.SECRETARY, "branch": Role.DISCIPLINE, "group": Role.GROUP_LEADER}

trees = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 3)), min_size=1, max_size=14)
assignments = st.lists(
    st.tuples(
        st.integers(0, 3),  # user
        st.integers(0, 30),  # org (modulo the tree size)
        st.integers(-400, 30),  # start, days from today
        st.one_of(st.none(), st.integers(-60, 400)),  # end, days from today (None: open)
    ),
    max_size=8,
)


def build_tree(shape) -> list[Org]:
    orgs = [make_org(None, Org.Kind.COMMITTEE, "根党委", established_on=date(2000, 1, 1))]
    for parent_pick, kind_pick in shape:
        parents = [o for o in orgs if CHILD_KINDS[o.kind]]
        parent = parents[parent_pick % len(parents)]
        kinds = CHILD_KINDS[parent.kind]
        kind = kinds[kind_pick % len(kinds)]
        units = [UnitFactory(), UnitFactory()] if kind == Org.Kind.JOINT_BRANCH else None
        orgs.append(
            make_org(parent, kind, f"组织{len(orgs)}", established_on=date(2000, 1, 1), units=units)
        )
    if parent_pick % 2:  # sometimes a second root
        orgs.append(make_org(None, Org.Kind.COMMITTEE, "另一党委", established_on=date(2000, 1, 1)))
    return orgs


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shape=trees, picks=assignments)
def test_users_see_exactly_the_subtrees_of_their_active_assignments(shape, picks):
    today = timezone.localdate()
    with transaction.atomic():
        orgs = build_tree(shape)
        users = [UserFactory() for _ in range(4)]
        expected: dict[int, set[int]] = {u.pk: set() for u in users}
        for user_pick, org_pick, start_days, end_days in picks:
            user, org = users[user_pick], orgs[org_pick % len(orgs)]
            start = today + timedelta(days=start_days)
            end = None if end_days is None else start + timedelta(days=abs(end_days))
            # Written directly: the property is about reading scope, not granting rules.
            RoleAssignment.objects.create(
                user=user, org=org, role=VIEW_ROLE[org.level], start=start, end=end
            )
            if start <= today and (end is None or today <= end):
                expected[user.pk] |= {o.pk for o in orgs if o.path.startswith(org.path)}
        for user in users:
            seen = set(visible_orgs(user).values_list("pk", flat=True))
            assert seen == expected[user.pk]
        transaction.set_rollback(True)
