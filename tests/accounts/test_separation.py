"""三员分立 made real (issue 14, item 1).

The 系统管理员 keeps accounts and grants no role; the 安全管理员 grants the platform roles
and never a business role; business roles come from party leads in their scope; whoever
created an account today may not grant it a role; a password reset forces a change,
notifies the owner and ends their sessions and API tokens. A property test plays
sequences of administrators' actions and shows no platform account ever reaches member
personal data.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.factories import UserFactory
from zhibu.accounts import permissions, services
from zhibu.accounts.middleware import MUST_CHANGE_PASSWORD
from zhibu.accounts.models import Role, RoleAssignment, User
from zhibu.api.models import ApiToken, hash_secret
from zhibu.core.rules.models import Notification

pytestmark = pytest.mark.django_db

PASSWORD = "Linshi-Mima-2026x"


def refused(call, message) -> None:
    with pytest.raises(ValidationError) as exc:
        call()
    assert str(message) in " ".join(exc.value.messages)


# --- who grants what ------------------------------------------------------------------


def test_system_admin_grants_no_role_at_all(cast, admins):
    newcomer = UserFactory(username="xinren")
    refused(
        lambda: services.role_grant(
            user=newcomer, role=Role.SECRETARY, org=cast.committee, by=admins.system
        ),
        services.BUSINESS_ROLE_ONLY_IN_PARTY_TREE,
    )
    refused(
        lambda: services.role_grant(user=newcomer, role=Role.AUDIT_ADMIN, by=admins.system),
        services.PLATFORM_ROLE_ONLY_BY_SECURITY_ADMIN,
    )
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_system_admin_cannot_open_the_grant_page(cast, admins, login):
    client = login(admins.system)
    response = client.get(reverse("accounts:role_grant", args=[cast.ordinary.public_id]))
    assert response.status_code == 403


def test_security_admin_grants_platform_roles_but_never_business_roles(cast, admins):
    newcomer = UserFactory(username="xinren")
    assignment = services.role_grant(user=newcomer, role=Role.AUDIT_ADMIN, by=admins.security)
    assert assignment.granted_by == admins.security
    other = UserFactory(username="xinren2")
    refused(
        lambda: services.role_grant(
            user=other, role=Role.SECRETARY, org=cast.committee, by=admins.security
        ),
        services.BUSINESS_ROLE_ONLY_IN_PARTY_TREE,
    )
    refused(
        lambda: services.role_end(
            assignment=RoleAssignment.objects.get(user=cast.ordinary), by=admins.security
        ),
        services.BUSINESS_ROLE_ONLY_IN_PARTY_TREE,
    )


def test_a_party_lead_grants_business_roles_only_in_scope(cast):
    newcomer = UserFactory(username="xinren")
    services.role_grant(user=newcomer, role=Role.STAFF, org=cast.branch2, by=cast.party_secretary)
    refused(
        lambda: services.role_grant(
            user=newcomer, role=Role.STAFF, org=cast.other_branch, by=cast.party_secretary
        ),
        services.BUSINESS_ROLE_ONLY_IN_PARTY_TREE,
    )
    refused(
        lambda: services.role_grant(
            user=newcomer, role=Role.SECURITY_ADMIN, by=cast.party_secretary
        ),
        services.PLATFORM_ROLE_ONLY_BY_SECURITY_ADMIN,
    )
    # A branch secretary holds no role.grant: the branch's roles come from the committee.
    refused(
        lambda: services.role_grant(
            user=newcomer, role=Role.ORGANIZATION, org=cast.branch1, by=cast.branch_secretary
        ),
        services.BUSINESS_ROLE_ONLY_IN_PARTY_TREE,
    )


def test_no_platform_role_reaches_member_data_in_the_matrix():
    for (role, _level), actions in permissions.MATRIX.items():
        if role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}:
            assert not actions & permissions.PERSONAL_DATA_ACTIONS


# --- the two-person rule ---------------------------------------------------------------


def test_the_creator_of_an_account_cannot_grant_it_a_role_the_same_day(cast, settings):
    assert settings.ZHIBU_GRANT_TWO_PERSON_RULE is True  # on by default
    newcomer = services.user_create(
        username="xinren", full_name="新人", password=None, by=cast.party_secretary
    )
    refused(
        lambda: services.role_grant(
            user=newcomer, role=Role.MEMBER, org=cast.branch2, by=cast.party_secretary
        ),
        services.TWO_PERSON_RULE,
    )
    assert "须由另一位管理员授予" in str(services.TWO_PERSON_RULE)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        services.role_grant(
            user=newcomer, role=Role.MEMBER, org=cast.branch2, by=cast.party_secretary
        )


def test_a_second_person_may_grant_the_same_day(cast, admins):
    newcomer = services.user_create(
        username="xinren", full_name="新人", password=None, by=admins.system
    )
    services.role_grant(user=newcomer, role=Role.MEMBER, org=cast.branch2, by=cast.party_secretary)


def test_the_two_person_rule_can_be_switched_off(cast, settings):
    settings.ZHIBU_GRANT_TWO_PERSON_RULE = False
    newcomer = services.user_create(
        username="xinren", full_name="新人", password=None, by=cast.party_secretary
    )
    services.role_grant(user=newcomer, role=Role.MEMBER, org=cast.branch2, by=cast.party_secretary)


# --- password resets ------------------------------------------------------------------


def test_system_admin_cannot_reset_the_password_of_a_party_role_holder(cast, admins):
    before = cast.party_secretary.password
    refused(
        lambda: services.user_set_password(
            user=cast.party_secretary, password=PASSWORD, by=admins.system
        ),
        services.RESET_BY_PARTY_TREE,
    )
    cast.party_secretary.refresh_from_db()
    assert cast.party_secretary.password == before


def test_a_party_lead_resets_a_password_in_scope_but_not_outside(cast, admins):
    services.user_set_password(user=cast.ordinary, password=PASSWORD, by=cast.party_secretary)
    refused(
        lambda: services.user_set_password(
            user=cast.outsider, password=PASSWORD, by=cast.party_secretary
        ),
        services.RESET_BY_PARTY_TREE,
    )
    refused(
        lambda: services.user_set_password(
            user=admins.audit, password=PASSWORD, by=cast.party_secretary
        ),
        services.RESET_PLATFORM_BY_SYSTEM_ADMIN,
    )


def test_a_password_reset_forces_a_change_notifies_and_ends_sessions_and_tokens(cast):
    target = cast.ordinary
    full, prefix, secret = ApiToken.generate()
    token = ApiToken.objects.create(
        user=target, name="脚本", prefix=prefix, secret_hash=hash_secret(secret)
    )
    old_session = Client()
    old_session.force_login(target)
    assert old_session.get(reverse("members:me")).status_code == 200

    services.user_set_password(user=target, password=PASSWORD, by=cast.party_secretary)

    target.refresh_from_db()
    token.refresh_from_db()
    assert target.must_change_password is True
    assert token.revoked_at is not None
    response = Client().get("/api/v1/orgs/", headers={"Authorization": f"Bearer {full}"})
    assert response.status_code == 401
    [notice] = Notification.objects.filter(user=target)
    assert "您的密码已被管理员 党委书记 重置" in notice.items[0]["text"]
    # The old session ended with the old password.
    response = old_session.get(reverse("members:me"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    # Signing in with the temporary password leads to the change page, and nowhere else.
    client = Client()
    response = client.post(reverse("login"), {"username": target.username, "password": PASSWORD})
    response = client.get(reverse("members:me"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert str(MUST_CHANGE_PASSWORD) in response.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Ziji-Xuande-2026y",
            "new_password2": "Ziji-Xuande-2026y",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.must_change_password is False
    assert client.get(reverse("members:me")).status_code == 200


def test_an_administrators_initial_password_must_be_changed(admins):
    user = services.user_create(
        username="xinren", full_name="新人", password=PASSWORD, by=admins.system
    )
    assert user.must_change_password is True
    assert user.created_by == admins.system


# --- the property: no platform account reaches member data -------------------------------

ROLES = [r.value for r in Role]
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "grant", "reset", "end", "deactivate"]),
        st.integers(0, 50),  # the actor, among the accounts the attacker controls
        st.integers(0, 50),  # the target, among all accounts / assignments
        st.sampled_from(ROLES),
        st.sampled_from([None, "committee", "branch1", "group1", "other_committee"]),
    ),
    max_size=12,
)


def _member_urls(cast) -> list[str]:
    member = cast.ordinary_member.public_id
    return [
        reverse("members:list"),
        reverse("members:export"),
        reverse("members:detail", args=[member]),
        reverse("members:reveal", args=[member]),
        "/api/v1/members/",
    ]


def _play(cast, admins, steps) -> set[int]:
    """Play ``steps`` as the platform administrators (colluding, which is stronger than
    one alone); returns the ids of every account they control: themselves, accounts they
    created with a password they chose, and accounts whose password they set."""
    controlled = [admins.system, admins.security, admins.audit]
    for n, (kind, actor_i, target_i, role, org_name) in enumerate(steps):
        actor = controlled[actor_i % len(controlled)]
        permissions.forget(actor)
        users = list(User.objects.order_by("pk"))
        target = users[target_i % len(users)]
        org = getattr(cast, org_name) if org_name else None
        # Each step passes the page's own gate first, as the views do.
        gate = {
            "create": "user.manage",
            "grant": "role.grant",
            "reset": "user.view",
            "end": "role.grant",
            "deactivate": "user.manage",
        }[kind]
        if not permissions.holds_anywhere(actor, gate):
            continue
        try:
            if kind == "create":
                new = services.user_create(
                    username=f"x{n}", full_name="傀儡", password=PASSWORD, by=actor
                )
                controlled.append(new)
            elif kind == "grant":
                services.role_grant(user=target, role=role, org=org, by=actor)
            elif kind == "reset":
                services.user_set_password(user=target, password=PASSWORD, by=actor)
                controlled.append(target)
            elif kind == "end":
                assignments = list(RoleAssignment.objects.order_by("pk"))
                services.role_end(assignment=assignments[target_i % len(assignments)], by=actor)
            else:
                services.user_set_active(user=target, active=False, by=actor)
        except ValidationError:
            pass
    return {user.pk for user in controlled}


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=ACTIONS)
def test_no_sequence_of_admin_actions_reaches_member_personal_data(cast, admins, steps):
    with transaction.atomic():
        controlled = _play(cast, admins, steps)
        for user in User.objects.filter(pk__in=controlled, is_active=True):
            permissions.forget(user)
            held = {a for g in permissions.grants(user) for a in g.actions}
            assert not held & permissions.PERSONAL_DATA_ACTIONS, user.username
            client = Client()
            client.force_login(user)
            for url in _member_urls(cast):
                assert client.get(url).status_code in (302, 401, 403, 404), (user.username, url)
        transaction.set_rollback(True)


def test_before_the_fix_a_system_admin_could_make_a_secretary(cast, admins):
    """The attack of issue 14 step by step: create an account, grant it 党委书记, reveal."""
    puppet = services.user_create(
        username="kuilei", full_name="傀儡", password=PASSWORD, by=admins.system
    )
    refused(
        lambda: services.role_grant(
            user=puppet, role=Role.SECRETARY, org=cast.committee, by=admins.system
        ),
        services.BUSINESS_ROLE_ONLY_IN_PARTY_TREE,
    )
    refused(
        lambda: services.role_grant(user=admins.audit, role=Role.SECURITY_ADMIN, by=admins.system),
        services.PLATFORM_ROLE_ONLY_BY_SECURITY_ADMIN,
    )
