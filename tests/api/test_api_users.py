"""Users and role grants over the API (issue 13): the same services and 三员分立 rules as
the administrators' pages, one error shape, 409 on a stale version, 404 out of scope."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory, grant
from zhibu.accounts import services
from zhibu.accounts.models import Role, RoleAssignment, User
from zhibu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Linshi-Mima-2026x"


@pytest.fixture
def system_admin(cast):
    user = UserFactory(username="xitong", full_name="系统管理员")
    grant(user, Role.SYSTEM_ADMIN, None)
    return user


@pytest.fixture
def security_admin(cast):
    user = UserFactory(username="anquan", full_name="安全管理员")
    grant(user, Role.SECURITY_ADMIN, None)
    return user


@pytest.fixture
def audit_admin(cast):
    user = UserFactory(username="shenji", full_name="审计管理员")
    grant(user, Role.AUDIT_ADMIN, None)
    return user


def test_a_branch_secretary_gets_account_and_role_through_the_api_alone(
    cast, api, token_for, system_admin
):
    """Done-when of issue 13: the 系统管理员 creates the account, the 党委书记 (who may grant
    business roles in the committee's tree) grants 书记 of 第二党支部."""
    admin = api(token_for(system_admin, write=True))
    created = admin.post(
        "/users", {"username": "zhibu2", "full_name": "赵书记", "password": PASSWORD}
    )
    assert created.status_code == 201, created.json()
    user_id = created.json()["id"]
    assert created.json()["must_change_password"] is True
    assert created.json()["assignments"] == []
    # The system administrator may not grant it (三员分立), naming the rule.
    refused = admin.post(
        f"/users/{user_id}/roles", {"role": "secretary", "org": str(cast.branch2.public_id)}
    )
    assert refused.status_code == 403  # holds no role.grant at all

    lead = api(token_for(cast.party_secretary, write=True))
    granted = lead.post(
        f"/users/{user_id}/roles",
        {"role": "secretary", "org": str(cast.branch2.public_id), "start": "2026-01-01"},
    )
    assert granted.status_code == 201, granted.json()
    assert granted.json()["role_label"] == "书记" and granted.json()["status"] == "current"
    detail = lead.get(f"/users/{user_id}").json()
    assert [a["org_name"] for a in detail["assignments"]] == ["第二党支部"]
    user = User.objects.get(username="zhibu2")
    assert RoleAssignment.objects.filter(user=user, role="secretary", org=cast.branch2).exists()
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {AuditEvent.Kind.USER_CHANGED, AuditEvent.Kind.ROLE_GRANTED} <= kinds


def test_every_role_that_must_be_refused_is_refused(
    cast, api, token_for, system_admin, security_admin, audit_admin
):
    target = services.user_create(username="xinren", full_name="新人", password=None)
    path = f"/users/{target.public_id}/roles"
    body = {"role": "secretary", "org": str(cast.branch2.public_id)}
    # No role.grant at all: 403 revealing nothing.
    for user in (system_admin, audit_admin, cast.branch_secretary, cast.ordinary):
        assert api(token_for(user, write=True)).post(path, body).status_code == 403
    # The security administrator grants platform roles only: 422 naming 三员分立.
    answer = api(token_for(security_admin, write=True)).post(path, body)
    assert answer.status_code == 422
    assert answer.json()["message"] == str(services.BUSINESS_ROLE_ONLY_IN_PARTY_TREE)
    # A party lead may not grant a platform role.
    answer = api(token_for(cast.party_secretary, write=True)).post(path, {"role": "system_admin"})
    assert answer.status_code == 422
    assert answer.json()["details"][0]["field"] == "role"
    # Another committee's secretary: the org is out of their scope (404).
    assert api(token_for(cast.outsider, write=True)).post(path, body).status_code == 404
    # A read-only token cannot write.
    assert api(token_for(cast.party_secretary)).post(path, body).status_code == 403
    # Creating accounts is the system administrator's alone.
    for user in (security_admin, audit_admin, cast.party_secretary, cast.ordinary):
        answer = api(token_for(user, write=True)).post("/users", {"username": "x1"})
        assert answer.status_code == 403
    # Reading users needs user.view.
    for user in (audit_admin, cast.branch_secretary, cast.ordinary):
        assert api(token_for(user)).get("/users").status_code == 403
    assert not RoleAssignment.objects.filter(user=target).exists()


def test_two_person_rule_and_platform_role_by_security_admin(
    cast, api, token_for, system_admin, security_admin
):
    created = api(token_for(system_admin, write=True)).post("/users", {"username": "shenji2"})
    user_id = created.json()["id"]
    security = api(token_for(security_admin, write=True))
    with_org = security.post(
        f"/users/{user_id}/roles", {"role": "audit_admin", "org": str(cast.committee.public_id)}
    )
    assert with_org.status_code == 422
    assert with_org.json()["message"] == str(services.PLATFORM_ROLE_WITH_ORG)
    ok = security.post(f"/users/{user_id}/roles", {"role": "audit_admin"})
    assert ok.status_code == 201 and ok.json()["org_id"] is None
    # Self-made account today: its creator could not grant it (if they held role.grant).
    own = services.user_create(username="lingyige", full_name="", password=None, by=security_admin)
    answer = security.post(f"/users/{own.public_id}/roles", {"role": "audit_admin"})
    assert answer.status_code == 422
    assert answer.json()["message"] == str(services.TWO_PERSON_RULE)


def test_deactivation_checks_the_version_and_the_rules(cast, api, token_for, system_admin):
    admin = api(token_for(system_admin, write=True))
    user_id = admin.post("/users", {"username": "likai"}).json()["id"]
    version = admin.get(f"/users/{user_id}").json()["version"]
    stale = admin.post(f"/users/{user_id}/active", {"active": False, "version": "0" * 16})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    done = admin.post(f"/users/{user_id}/active", {"active": False, "version": version})
    assert done.status_code == 200 and done.json()["is_active"] is False
    again = admin.post(f"/users/{user_id}/active", {"active": False, "version": version})
    assert again.status_code == 409  # the version moved with the change
    fresh = done.json()["version"]
    twice = admin.post(f"/users/{user_id}/active", {"active": False, "version": fresh})
    assert twice.status_code == 422
    assert twice.json()["message"] == str(services.USER_ALREADY_INACTIVE)
    me = admin.get(f"/users/{system_admin.public_id}").json()
    own = admin.post(
        f"/users/{system_admin.public_id}/active", {"active": False, "version": me["version"]}
    )
    assert own.status_code == 422
    assert own.json()["message"] == str(services.CANNOT_DEACTIVATE_SELF)


def test_bad_input_and_unknown_ids(cast, api, token_for, system_admin):
    admin = api(token_for(system_admin, write=True))
    assert admin.post("/users", {"username": ""}).status_code == 400
    assert admin.post("/users", {"username": "a", "colour": "red"}).status_code == 400
    taken = admin.post("/users", {"username": cast.ordinary.username.upper()})
    assert taken.status_code == 422 and taken.json()["details"][0]["field"] == "username"
    assert "已被使用" in taken.json()["message"]
    weak = admin.post("/users", {"username": "ruomima", "password": "123"})
    assert weak.status_code == 422 and weak.json()["details"][0]["field"] == "password"
    missing = "00000000-0000-0000-0000-000000000000"
    assert admin.get(f"/users/{missing}").status_code == 404
    assert admin.get("/users/not-a-uuid").status_code in (400, 404)
    lead = api(token_for(cast.party_secretary, write=True))
    target = admin.post("/users", {"username": "wuming"}).json()["id"]
    assert lead.post(f"/users/{target}/roles", {"role": "king"}).status_code == 400
    assert lead.post(f"/users/{target}/roles", {"role": "secretary"}).status_code == 422
    other = lead.post(
        f"/users/{target}/roles", {"role": "secretary", "org": str(cast.other_branch.public_id)}
    )
    assert other.status_code == 404


def test_ending_a_role_checks_its_version(cast, api, token_for, system_admin):
    target = services.user_create(username="renqi", full_name="任期", password=None)
    lead = api(token_for(cast.party_secretary, write=True))
    granted = lead.post(
        f"/users/{target.public_id}/roles",
        {"role": "organization", "org": str(cast.branch2.public_id), "start": "2025-01-01"},
    ).json()
    path = f"/users/{target.public_id}/roles/{granted['id']}/end"
    assert lead.post(path, {"version": "stale"}).status_code == 409
    ended = lead.post(path, {"version": granted["version"], "on": "2025-06-30"})
    assert ended.status_code == 200 and ended.json()["end"] == "2025-06-30"
    other = api(token_for(cast.outsider, write=True)).post(
        path, {"version": ended.json()["version"]}
    )
    assert other.status_code == 422
    assert other.json()["message"] == str(services.BUSINESS_ROLE_ONLY_IN_PARTY_TREE)
    assert api(token_for(system_admin, write=True)).post(path, {"version": "x"}).status_code == 403


def test_list_pages_with_a_cursor(cast, api, token_for, system_admin):
    reader = api(token_for(system_admin))
    first = reader.get("/users", limit=2).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = reader.get("/users", limit=2, cursor=first["next_cursor"]).json()
    assert {u["id"] for u in first["items"]}.isdisjoint({u["id"] for u in second["items"]})
    assert reader.get("/users", q="党委书记").json()["items"][0]["username"] == "dangwei"
    assert reader.get("/users", cursor="forged").status_code == 400
