"""系统管理员: users and role assignments."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, grant
from zhibu.accounts import services
from zhibu.accounts.forms import PASSWORDS_DIFFER
from zhibu.accounts.models import Role, RoleAssignment, User
from zhibu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"accounts:{name}", args=args)


@pytest.fixture
def sysadmin(admins, login):
    return login(admins.system)


@pytest.fixture
def lead(cast, login):
    """The 党委书记, who grants business roles in the committee's tree."""
    return login(cast.party_secretary)


@pytest.fixture
def roleless(admins):
    return UserFactory(username="linshi", full_name="临时账号")


def state():
    """Everything the user pages may write, to prove a refusal wrote nothing."""
    return (
        list(User.objects.order_by("pk").values_list("pk", "username", "is_active", "password")),
        list(
            RoleAssignment.objects.order_by("pk").values_list("pk", "role", "org", "start", "end")
        ),
        AuditEvent.objects.count(),
    )


def new_events(after_seq):
    return list(AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq"))


# --- the list -------------------------------------------------------------------------


def test_system_admin_sees_users_with_their_current_roles(cast, admins, sysadmin):
    grant(
        cast.outsider, Role.STAFF, cast.other_branch, start=date(2010, 1, 1), end=date(2011, 1, 1)
    )
    response = sysadmin.get(url("users"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "dangwei" in body and "zhibu1" in body and "xitong" in body
    assert "书记 · 第一党支部" in body and "系统管理员" in body
    assert "党务工作者" not in body  # an ended assignment is not a current role


def test_user_search_matches_user_name_or_name(cast, admins, sysadmin):
    users = lambda q: [u.username for u in sysadmin.get(url("users"), {"q": q}).context["page_obj"]]  # noqa: E731
    assert users("dangw") == ["dangwei"]
    assert users("外单位") == ["waibu"]
    assert users("没有这个人") == []
    assert "没有找到匹配的用户" in sysadmin.get(url("users"), {"q": "没有这个人"}).content.decode()


def test_user_list_is_paginated_and_keeps_the_search(cast, admins, sysadmin):
    for n in range(60):
        UserFactory(username=f"piliang{n:02d}", full_name=f"批量{n}")
    first = sysadmin.get(url("users"), {"q": "piliang"})
    assert len(first.context["page_obj"]) == 50
    assert "q=piliang&amp;page=2" in first.content.decode()
    second = sysadmin.get(url("users"), {"q": "piliang", "page": 2})
    assert [u.username for u in second.context["page_obj"]][-1] == "piliang59"


def test_user_list_query_count_does_not_grow_with_users(
    cast, admins, sysadmin, django_assert_max_num_queries
):
    for n in range(30):
        user = UserFactory(username=f"piliang{n:02d}")
        grant(user, Role.MEMBER, cast.branch2)
    # session, user, grants, unread notices, own member record (shell); count, page, their roles;
    # session save (3)
    with django_assert_max_num_queries(11):
        response = sysadmin.get(url("users"))
    assert len(response.context["page_obj"]) == 37


# --- creating users ---------------------------------------------------------------------


def test_system_admin_creates_a_user_with_an_initial_password(admins, sysadmin, last_seq):
    seq = last_seq()
    response = sysadmin.post(
        url("user_create"),
        {
            "username": "xinren",
            "full_name": "新人",
            "email": "xinren@example.cn",
            "password": "Chushi-mima-2026",
            "password_confirm": "Chushi-mima-2026",
        },
    )
    user = User.objects.get(username="xinren")
    assert response.status_code == 302
    assert response["Location"] == url("user_detail", user.public_id)
    assert user.full_name == "新人" and user.email == "xinren@example.cn"
    assert user.check_password("Chushi-mima-2026")
    [event] = new_events(seq)
    assert (event.kind, event.actor, event.object_id) == (
        AuditEvent.Kind.USER_CHANGED,
        admins.system,
        str(user.public_id),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "12345", "password_confirm": "12345"}, "这个密码太常见了。"),
        ({"password": "abcdefghijkl", "password_confirm": "abcdefghijkl"}, "密码须至少包含"),
        (
            {"password": "Chushi-mima-2026", "password_confirm": "Chushi-mima-2027"},
            str(PASSWORDS_DIFFER),
        ),
        ({"username": "dangwei"}, "用户名“dangwei”已被使用。"),
        ({"username": "DangWei"}, "用户名“DangWei”已被使用。"),
        ({"username": "带 空格"}, "用户名"),
        ({"full_name": ""}, "这个字段是必填项。"),
        ({"email": "not-an-email"}, "输入一个有效的 Email 地址。"),
    ],
    ids=["short", "classes", "mismatch", "taken", "taken-case", "bad-name", "no-name", "email"],
)
def test_bad_user_input_is_refused_in_chinese_and_writes_nothing(
    cast, admins, sysadmin, data, message
):
    before = state()
    good = {
        "username": "xinren",
        "full_name": "新人",
        "email": "",
        "password": "Chushi-mima-2026",
        "password_confirm": "Chushi-mima-2026",
    }
    response = sysadmin.post(url("user_create"), {**good, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors
    assert state() == before


# --- one user -----------------------------------------------------------------------------


def test_user_page_shows_current_and_past_assignments(cast, admins, sysadmin):
    grant(
        cast.ordinary,
        Role.GROUP_LEADER,
        cast.group1,
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
    )
    future = timezone.localdate().replace(year=timezone.localdate().year + 1)
    grant(cast.ordinary, Role.STAFF, cast.branch2, start=future)
    body = sysadmin.get(url("user_detail", cast.ordinary.public_id)).content.decode()
    assert "党员" in body and "第一党支部" in body and "有效" in body
    assert "党小组长" in body and "2019-12-31" in body and "已结束" in body
    assert "党务工作者" in body and "未开始" in body


def test_user_page_shows_no_member_personal_data(cast, admins, sysadmin):
    member = cast.ordinary_member  # linked to the ordinary user
    body = sysadmin.get(url("user_detail", cast.ordinary.public_id)).content.decode()
    assert member.id_number and member.id_number not in body
    assert member.masked_id_number not in body
    assert str(member.birth_date.year) not in body


def test_an_unknown_user_is_not_found(admins, sysadmin):
    assert (
        sysadmin.get(url("user_detail", "00000000-0000-0000-0000-000000000000")).status_code == 404
    )


def test_system_admin_deactivates_and_reactivates_a_user(cast, admins, sysadmin, client, last_seq):
    seq = last_seq()
    response = sysadmin.post(url("user_set_active", cast.ordinary.public_id), {"active": "0"})
    assert response.status_code == 302
    cast.ordinary.refresh_from_db()
    assert not cast.ordinary.is_active
    assert "已停用用户 dangyuan" in sysadmin.get(response["Location"]).content.decode()
    sysadmin.post(url("user_set_active", cast.ordinary.public_id), {"active": "1"})
    cast.ordinary.refresh_from_db()
    assert cast.ordinary.is_active
    events = new_events(seq)
    assert [(e.kind, e.actor, e.details) for e in events] == [
        (AuditEvent.Kind.USER_CHANGED, admins.system, {"is_active": False}),
        (AuditEvent.Kind.USER_CHANGED, admins.system, {"is_active": True}),
    ]


def test_a_deactivated_user_can_no_longer_sign_in(cast, admins, sysadmin, client):
    sysadmin.post(url("user_set_active", cast.ordinary.public_id), {"active": "0"})
    client.logout()
    response = client.post(reverse("login"), {"username": "dangyuan", "password": "Test-pass-2026"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_deactivating_a_user_ends_their_open_session(cast, admins, sysadmin):
    theirs = Client()
    theirs.force_login(cast.ordinary)
    assert theirs.get(reverse("home")).status_code == 200
    sysadmin.post(url("user_set_active", cast.ordinary.public_id), {"active": "0"})
    response = theirs.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_system_admin_cannot_deactivate_themselves(admins, sysadmin):
    before = state()
    response = sysadmin.post(
        url("user_set_active", admins.system.public_id), {"active": "0"}, follow=True
    )
    assert str(services.CANNOT_DEACTIVATE_SELF) in response.content.decode()
    assert state() == before


def test_deactivating_an_inactive_user_is_refused(cast, admins, sysadmin):
    User.objects.filter(pk=cast.ordinary.pk).update(is_active=False)
    before = state()
    response = sysadmin.post(
        url("user_set_active", cast.ordinary.public_id), {"active": "0"}, follow=True
    )
    assert "该账号已是停用状态。" in response.content.decode()
    assert state() == before


def test_system_admin_sets_a_temporary_password(cast, admins, sysadmin, roleless, last_seq):
    seq = last_seq()
    response = sysadmin.post(
        url("user_password", roleless.public_id),
        {"password": "Xinmima-Dengji-2026", "password_confirm": "Xinmima-Dengji-2026"},
    )
    assert response.status_code == 302
    roleless.refresh_from_db()
    assert roleless.check_password("Xinmima-Dengji-2026")
    [event] = new_events(seq)
    assert (event.kind, event.actor, event.summary) == (
        AuditEvent.Kind.USER_CHANGED,
        admins.system,
        "为用户 linshi 设置临时密码",
    )
    assert "Linshi" not in str(event.details)


@pytest.mark.parametrize(
    ("who", "password", "message"),
    [
        ("ordinary", "linshi123", "密码须至少包含"),
        ("ordinary", "password", "这个密码太常见了。"),
        ("system", "Linshi-mima-2026", "不能在此重置自己的密码"),
    ],
)
def test_a_bad_temporary_password_is_refused(
    cast, admins, sysadmin, roleless, who, password, message
):
    target = roleless if who == "ordinary" else admins.system
    before = state()
    response = sysadmin.post(
        url("user_password", target.public_id), {"password": password, "password_confirm": password}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert state() == before


# --- granting and ending roles ------------------------------------------------------


def grant_form(org=None, **fields):
    data = {
        "role": "secretary",
        "org": org.pk if org else "",
        "start": "2026-03-01",
        "end": "",
        "note": "",
    }
    return {**data, **fields}


def test_a_party_lead_grants_a_role_in_scope(cast, admins, lead, last_seq):
    seq = last_seq()
    response = lead.post(
        url("role_grant", cast.ordinary.public_id),
        grant_form(cast.group1, role="group_leader", note="党小组改选"),
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=cast.ordinary, role=Role.GROUP_LEADER)
    assert (
        assignment.org,
        assignment.start,
        assignment.end,
        assignment.granted_by,
        assignment.note,
    ) == (cast.group1, date(2026, 3, 1), None, cast.party_secretary, "党小组改选")
    [event] = new_events(seq)
    assert (event.kind, event.actor, event.object_id) == (
        AuditEvent.Kind.ROLE_GRANTED,
        cast.party_secretary,
        str(assignment.public_id),
    )


def test_grant_form_lists_the_leads_orgs_in_tree_order_indented(cast, admins, lead):
    form = lead.get(url("role_grant", cast.ordinary.public_id)).context["form"]
    labels = [label for value, label in form.fields["org"].choices if value]
    assert labels[:4] == [
        "集团党委（党委）",
        "\u3000第一党总支（党总支）",
        "\u3000\u3000第一党支部（党支部）",
        "\u3000\u3000\u3000第一党小组（党小组）",
    ]
    assert "兄弟党委（党委）" not in labels  # outside the lead's scope


@pytest.mark.parametrize(
    ("who", "fields", "message"),
    [
        (
            "audit",
            {"role": "security_admin"},
            "三员分立：该用户已是审计管理员，不能再担任安全管理员。",
        ),
        (
            "ordinary",
            {"org": "branch2", "start": "2026-03-01", "end": "2026-02-28"},
            "结束日期不能早于开始日期。",
        ),
        (
            "ordinary",
            {"role": "system_admin", "org": "branch2"},
            "三员分立：系统、安全、审计管理员角色只能由安全管理员授予或终止。",
        ),
        ("ordinary", {"role": "secretary"}, "请选择该角色所在的党组织。"),
        ("ordinary", {"role": "group_leader", "org": "branch2"}, "“党小组长”不能设在党支部。"),
        (
            "branch_secretary",
            {"role": "secretary", "org": "branch1"},
            "该用户在此期间已在该组织担任“书记”。",
        ),
        ("party_secretary", {"role": "secretary", "org": "committee"}, "不能为自己授予或终止角色"),
        ("ordinary", {"role": "", "org": "branch2"}, "这个字段是必填项。"),
        ("ordinary", {"org": "branch2", "start": "2026-02-30"}, "输入一个有效的日期。"),
    ],
    ids=[
        "three-admins",
        "end-before-start",
        "platform-by-a-lead",
        "org-role-without-org",
        "wrong-level",
        "duplicate",
        "self",
        "no-role",
        "bad-date",
    ],
)
def test_a_refused_grant_shows_the_chinese_reason_and_writes_nothing(
    cast, admins, login, who, fields, message
):
    target = getattr(admins, who, None) or getattr(cast, who)
    fields = dict(fields)
    org = getattr(cast, fields.pop("org")) if "org" in fields else None
    # Platform roles come from the security administrator, business roles from the lead.
    client = login(admins.security if who == "audit" else cast.party_secretary)
    before = state()
    response = client.post(url("role_grant", target.public_id), grant_form(org, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors
    assert state() == before


def test_a_party_lead_ends_an_assignment(cast, admins, lead, last_seq):
    assignment = RoleAssignment.objects.get(user=cast.ordinary)
    seq = last_seq()
    today = timezone.localdate()
    response = lead.post(url("role_end", assignment.public_id), {"end": today.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == url("user_detail", cast.ordinary.public_id)
    assignment.refresh_from_db()
    assert assignment.end == today
    [event] = new_events(seq)
    assert (event.kind, event.actor) == (AuditEvent.Kind.ROLE_ENDED, cast.party_secretary)


@pytest.mark.parametrize(
    ("end", "message"),
    [
        ("2019-12-31", "结束日期不能早于开始日期。"),
        ("", "这个字段是必填项。"),
        ("2020-13-01", "输入一个有效的日期。"),
    ],
)
def test_an_assignment_cannot_end_before_it_starts(cast, admins, lead, end, message):
    assignment = RoleAssignment.objects.get(user=cast.ordinary)  # started 2020-01-01
    before = state()
    response = lead.post(url("role_end", assignment.public_id), {"end": end})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert state() == before


def test_an_ended_assignment_cannot_be_ended_again(cast, admins, lead):
    assignment = grant(cast.ordinary, Role.STAFF, cast.branch2, end=date(2021, 6, 30))
    before = state()
    response = lead.post(url("role_end", assignment.public_id), {"end": "2026-01-01"})
    assert "该授权已于 2021-06-30 结束。" in response.content.decode()
    assert state() == before


def test_security_admin_cannot_end_their_own_role(admins, login):
    assignment = RoleAssignment.objects.get(user=admins.security)
    client = login(admins.security)
    before = state()
    response = client.post(url("role_end", assignment.public_id), {"end": "2026-01-01"})
    assert "不能为自己授予或终止角色" in response.content.decode()
    assert state() == before


def test_a_platform_administrator_cannot_also_hold_an_org_role(cast):
    from django.core.exceptions import ValidationError

    from tests.factories import UserFactory, grant
    from zhibu.accounts.models import Role

    admin = UserFactory(username="pingtai")
    grant(admin, Role.AUDIT_ADMIN, None)
    with pytest.raises(ValidationError) as exc:
        grant(admin, Role.SECRETARY, cast.branch1)
    assert "三员分立" in str(exc.value)
    with pytest.raises(ValidationError):
        grant(cast.branch_secretary, Role.SYSTEM_ADMIN, None)
