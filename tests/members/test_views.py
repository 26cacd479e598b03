"""Member pages: who sees what (404 outside scope, 403 without the action), what each write
does, and that bad input gets a Chinese error naming the field and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory, grant, make_member, make_org
from zhibu.accounts.models import Role
from zhibu.core.models import AuditEvent
from zhibu.members import idnumber
from zhibu.members.models import CorrectionRequest, Member, MemberEvent
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db

ID_1990 = idnumber.fake(__import__("random").Random(7), birth_date=date(1990, 3, 7), gender="M")


def url(name, *args):
    return reverse(f"members:{name}", args=args)


def new_member_data(cast, **overrides):
    data = {
        "org": str(cast.branch1.public_id),
        "group": "",
        "name": "张三",
        "gender": "M",
        "id_number": ID_1990,
        "birth_date": "1990-03-07",
        "ethnicity": "汉族",
        "category": "in_service",
        "admitted_on": "2015-07-01",
        "full_on": "2016-07-01",
        "phone": "13812345678",
    }
    data.update(overrides)
    return data


# --- the roster ------------------------------------------------------------------------------


def test_roster_lists_only_members_in_scope(cast, login):
    body = login(cast.branch_secretary).get(url("list")).content.decode()
    assert "王党员" in body and "李书记" in body
    assert "赵党员" not in body and "钱党员" not in body
    body = login(cast.party_secretary).get(url("list")).content.decode()
    assert "赵党员" in body and "钱党员" not in body


def test_roster_shows_masked_id_numbers_only(cast, login):
    body = login(cast.party_secretary).get(url("list")).content.decode()
    member = cast.ordinary_member
    assert member.masked_id_number in body
    assert member.id_number not in body


def test_roster_needs_member_view(cast, login):
    assert login(cast.ordinary).get(url("list")).status_code == 403


def test_roster_requires_login(client, cast):
    response = client.get(url("list"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("term", ["zhangsan", "zs", "张三", "ZHANG"])
def test_search_by_name_pinyin_and_initials(cast, login, term):
    make_member(cast.branch1, "张三", birth_date=date(1990, 3, 7))
    make_member(cast.branch1, "李四", birth_date=date(1991, 4, 8))
    body = login(cast.branch_secretary).get(url("list"), {"q": term}).content.decode()
    assert "张三" in body and "李四" not in body and "王党员" not in body


def test_search_by_last_four_id_digits(cast, login):
    member = make_member(cast.branch1, "张三", birth_date=date(1990, 3, 7), id_number=ID_1990)
    body = login(cast.branch_secretary).get(url("list"), {"q": ID_1990[-4:]}).content.decode()
    assert f'href="{url("detail", member.public_id)}"' in body
    assert "王党员" not in body


def test_filters_by_org_subtree_status_and_category(cast, login):
    make_member(
        cast.branch2,
        "退休甲",
        birth_date=date(1950, 1, 1),
        admitted_on=date(1975, 1, 1),
        full_on=date(1976, 1, 1),
        category="retired",
    )
    client = login(cast.party_secretary)
    body = client.get(url("list"), {"org": str(cast.branch2.public_id)}).content.decode()
    assert "赵党员" in body and "王党员" not in body
    body = client.get(url("list"), {"category": "retired"}).content.decode()
    assert "退休甲" in body and "赵党员" not in body
    body = client.get(url("list"), {"status": "probationary"}).content.decode()
    assert "赵党员" not in body


def test_an_org_outside_scope_in_the_filter_is_ignored(cast, login):
    body = (
        login(cast.branch_secretary)
        .get(url("list"), {"org": str(cast.other_branch.public_id)})
        .content.decode()
    )
    assert "钱党员" not in body


def test_roster_query_count_is_pinned(cast, login, django_assert_max_num_queries):
    for i in range(30):
        make_member(cast.branch1, f"成员{i}", birth_date=date(1980, 1, 1 + i % 27))
    client = login(cast.party_secretary)
    client.get(url("list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(url("list"), {"q": "cy"})
    assert response.status_code == 200


def test_roster_query_count_does_not_grow_with_rows(cast, login):
    client = login(cast.party_secretary)
    client.get(url("list"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("list"))
    for i in range(40):
        make_member(cast.branch2, f"新成员{i}", birth_date=date(1981, 1, 1 + i % 27))
    with CaptureQueriesContext(connection) as many:
        client.get(url("list"))
    assert len(many) == len(few)


# --- a member's page -------------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["info", "events", "affiliation", "archive", "history"])
def test_every_tab_renders(cast, login, tab):
    response = login(cast.branch_secretary).get(
        url("detail", cast.ordinary_member.public_id), {"tab": tab}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "王党员" in body
    assert cast.ordinary_member.id_number not in body


def test_timeline_shows_the_events(cast, login):
    body = (
        login(cast.branch_secretary)
        .get(url("detail", cast.ordinary_member.public_id), {"tab": "events"})
        .content.decode()
    )
    assert "接收为预备党员" in body and "转正" in body and "2012-07-01" in body


def test_member_of_another_branch_is_404(cast, login):
    client = login(cast.branch_secretary)
    assert client.get(url("detail", cast.branch2_member.public_id)).status_code == 404
    assert (
        login(cast.outsider).get(url("detail", cast.ordinary_member.public_id)).status_code == 404
    )


def test_unknown_tab_is_404(cast, login):
    assert (
        login(cast.branch_secretary)
        .get(url("detail", cast.ordinary_member.public_id), {"tab": "x"})
        .status_code
        == 404
    )


def test_history_tab_masks_personal_data(cast, login):
    from zhibu.members.services import member_update

    member_update(member=cast.ordinary_member, phone="13912345678", by=cast.branch_secretary)
    body = (
        login(cast.branch_secretary)
        .get(url("detail", cast.ordinary_member.public_id), {"tab": "history"})
        .content.decode()
    )
    assert "139****5678" in body and "13912345678" not in body


# --- create ------------------------------------------------------------------------------------


def test_branch_secretary_registers_a_member(cast, login):
    response = login(cast.branch_secretary).post(url("create"), new_member_data(cast))
    member = Member.objects.get(name="张三")
    assert response.status_code == 302
    assert member.org == cast.branch1 and member.status == Member.Status.FULL
    assert member.name_pinyin == "zhangsan" and member.id_number == ID_1990
    assert list(member.events.values_list("kind", flat=True)) == ["admitted", "confirmed"]


def test_create_with_a_bad_id_number_names_the_field_and_writes_nothing(cast, login):
    bad = ID_1990[:-1] + ("0" if ID_1990[-1] != "0" else "1")
    before = Member.objects.count()
    response = login(cast.branch_secretary).post(
        url("create"), new_member_data(cast, id_number=bad)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "公民身份号码" in body and "校验位不正确" in body
    assert Member.objects.count() == before


def test_create_admitted_before_eighteen_is_refused(cast, login):
    response = login(cast.branch_secretary).post(
        url("create"), new_member_data(cast, admitted_on="2007-01-01", full_on="")
    )
    assert "入党日期" in response.content.decode() and "年满 18 周岁" in response.content.decode()
    assert not Member.objects.filter(name="张三").exists()


def test_create_with_a_bad_phone_is_refused(cast, login):
    response = login(cast.branch_secretary).post(
        url("create"), new_member_data(cast, phone="12345")
    )
    assert "联系电话格式不正确" in response.content.decode()
    assert not Member.objects.filter(name="张三").exists()


def test_create_a_duplicate_person_is_refused_without_leaking_another_scope(cast, login):
    response = login(cast.branch_secretary).post(
        url("create"),
        new_member_data(
            cast,
            id_number=cast.branch2_member.id_number,
            birth_date=str(cast.branch2_member.birth_date),
        ),
    )
    body = response.content.decode()
    assert "已在其他党组织登记" in body and "赵党员" not in body
    assert Member.objects.filter(id_index=cast.branch2_member.id_index).count() == 1


def test_create_in_another_branch_is_refused(cast, login):
    response = login(cast.branch_secretary).post(
        url("create"), new_member_data(cast, org=str(cast.branch2.public_id))
    )
    assert response.status_code == 200
    assert not Member.objects.filter(name="张三").exists()


def test_read_only_role_cannot_create(cast, login, inspector):
    assert login(inspector).get(url("create")).status_code == 403
    assert login(inspector).post(url("create"), new_member_data(cast)).status_code == 403
    assert not Member.objects.filter(name="张三").exists()


def test_create_requires_login(client, cast):
    assert client.post(url("create"), new_member_data(cast)).status_code == 302
    assert not Member.objects.filter(name="张三").exists()


# --- edit -----------------------------------------------------------------------------------------


def edit_data(member, **overrides):
    data = {
        "name": member.name,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "birth_date": str(member.birth_date),
        "category": member.category,
        "id_number": "",
        "phone": "",
        "address": "长春市朝阳区",
        "occupation": "调度员",
        "version": Member.objects.get(pk=member.pk).updated_at.isoformat(),
    }
    data.update(overrides)
    return data


def test_edit_keeps_the_id_number_when_left_blank(cast, login):
    member = cast.ordinary_member
    number = member.id_number
    response = login(cast.branch_secretary).post(url("edit", member.public_id), edit_data(member))
    member.refresh_from_db()
    assert response.status_code == 302
    assert member.address == "长春市朝阳区" and member.id_number == number


def test_edit_form_never_contains_the_full_id_number(cast, login):
    body = (
        login(cast.branch_secretary)
        .get(url("edit", cast.ordinary_member.public_id))
        .content.decode()
    )
    assert cast.ordinary_member.id_number not in body
    assert cast.ordinary_member.masked_id_number in body


def test_edit_with_a_mismatching_birth_date_names_the_field(cast, login):
    member = cast.ordinary_member
    response = login(cast.branch_secretary).post(
        url("edit", member.public_id), edit_data(member, birth_date="1992-09-04")
    )
    assert "出生日期与公民身份号码不一致" in response.content.decode()
    member.refresh_from_db()
    assert member.birth_date == date(1992, 9, 3) and member.address == ""


def test_edit_of_another_branch_is_404_and_read_only_is_403(cast, login, inspector):
    data = edit_data(cast.branch2_member, address="越权")
    assert (
        login(cast.branch_secretary)
        .post(url("edit", cast.branch2_member.public_id), data)
        .status_code
        == 404
    )
    assert (
        login(inspector).post(url("edit", cast.branch2_member.public_id), data).status_code == 403
    )
    cast.branch2_member.refresh_from_db()
    assert cast.branch2_member.address == ""


# --- status events -------------------------------------------------------------------------------


def test_recording_a_suspension_changes_status_through_an_event(cast, login):
    member = cast.ordinary_member
    response = login(cast.branch_secretary).post(
        url("event", member.public_id),
        {"kind": "suspended", "on": "2025-03-01", "document_no": "党支〔2025〕1号"},
    )
    member.refresh_from_db()
    assert response.status_code == 302
    assert member.status == Member.Status.SUSPENDED
    assert member.events.filter(kind="suspended", document_no="党支〔2025〕1号").exists()


def test_an_event_before_the_last_one_is_refused(cast, login):
    member = cast.ordinary_member
    response = login(cast.branch_secretary).post(
        url("event", member.public_id), {"kind": "suspended", "on": "2010-01-01"}
    )
    assert "变动日期不能早于" in response.content.decode()
    member.refresh_from_db()
    assert member.status == Member.Status.FULL


def test_an_event_kind_not_allowed_for_the_status_is_not_offered(cast, login):
    response = login(cast.branch_secretary).post(
        url("event", cast.ordinary_member.public_id), {"kind": "restored", "on": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "restored" not in [c[0] for c in response.context["form"].fields["kind"].choices]
    assert not MemberEvent.objects.filter(kind="restored").exists()


def test_moving_to_a_group_inside_the_branch(cast, login):
    member = cast.ordinary_member
    response = login(cast.branch_secretary).post(
        url("event", member.public_id),
        {"kind": "moved", "on": "2025-03-01", "group": str(cast.group1.public_id)},
    )
    member.refresh_from_db()
    assert (
        response.status_code == 302 and member.group == cast.group1 and member.org == cast.branch1
    )


def test_event_access(cast, login, inspector):
    data = {"kind": "suspended", "on": "2025-03-01"}
    assert (
        login(cast.branch_secretary)
        .post(url("event", cast.branch2_member.public_id), data)
        .status_code
        == 404
    )
    assert (
        login(inspector).post(url("event", cast.ordinary_member.public_id), data).status_code == 403
    )
    assert Member.objects.filter(status="suspended").count() == 0


# --- reveal -----------------------------------------------------------------------------------------


def test_reveal_shows_the_full_number_once_and_is_audited(cast, login):
    member = cast.ordinary_member
    client = login(cast.branch_secretary)
    response = client.post(
        url("reveal", member.public_id),
        {"field": "id_number", "reason": "办理组织关系转接核对身份"},
    )
    assert member.id_number in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.REVEAL)
    assert event.actor == cast.branch_secretary and event.object_id == str(member.public_id)
    assert event.details == {"field": "id_number", "reason": "办理组织关系转接核对身份"}
    assert member.id_number not in str(event.details) + event.summary
    assert member.id_number not in client.get(url("reveal", member.public_id)).content.decode()


def test_reveal_without_a_reason_is_refused(cast, login):
    response = login(cast.branch_secretary).post(
        url("reveal", cast.ordinary_member.public_id), {"field": "phone", "reason": ""}
    )
    assert "查看理由" in response.content.decode()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.REVEAL).exists()


def test_reveal_needs_the_permission(cast, login, inspector):
    staff = UserFactory(username="ganshi")
    grant(staff, Role.STAFF, cast.branch1)  # 党务工作者 at a branch: manage but no reveal
    data = {"field": "id_number", "reason": "核对身份信息"}
    assert (
        login(inspector).post(url("reveal", cast.ordinary_member.public_id), data).status_code
        == 403
    )
    assert login(staff).post(url("reveal", cast.ordinary_member.public_id), data).status_code == 403
    assert (
        login(cast.branch_secretary)
        .post(url("reveal", cast.branch2_member.public_id), data)
        .status_code
        == 404
    )
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.REVEAL).exists()


# --- bulk actions --------------------------------------------------------------------------------------


def test_bulk_group_assignment(cast, login):
    other = make_member(cast.branch1, "张三", birth_date=date(1990, 3, 7))
    ids = [str(cast.ordinary_member.public_id), str(other.public_id)]
    response = login(cast.branch_secretary).post(
        url("bulk"), {"action": "group", "m": ids, "group": str(cast.group1.public_id)}
    )
    assert response.status_code == 302
    assert set(Member.objects.filter(group=cast.group1).values_list("name", flat=True)) >= {
        "王党员",
        "张三",
    }


def test_bulk_never_redirects_off_site(cast, login):
    response = login(cast.branch_secretary).post(
        url("bulk"),
        {
            "action": "group",
            "m": [str(cast.ordinary_member.public_id)],
            "group": str(cast.group1.public_id),
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == url("list")


def test_bulk_with_a_member_outside_scope_is_404_and_changes_nothing(cast, login):
    ids = [str(cast.ordinary_member.public_id), str(cast.branch2_member.public_id)]
    response = login(cast.branch_secretary).post(
        url("bulk"), {"action": "group", "m": ids, "group": str(cast.group1.public_id)}
    )
    assert response.status_code == 404
    cast.ordinary_member.refresh_from_db()
    assert cast.ordinary_member.group is None


def test_bulk_into_a_group_of_another_branch_is_refused_for_all(cast, login):
    group2 = make_org(cast.branch2, Org.Kind.GROUP, "第二党小组")
    ids = [str(cast.ordinary_member.public_id), str(cast.branch2_member.public_id)]
    response = login(cast.party_secretary).post(
        url("bulk"), {"action": "group", "m": ids, "group": str(group2.public_id)}, follow=True
    )
    assert "所选党小组不属于所选党支部" in response.content.decode()
    assert not Member.objects.filter(group=group2).exists()


def test_bulk_read_only_is_403(cast, login, inspector):
    response = login(inspector).post(
        url("bulk"),
        {
            "action": "group",
            "m": [str(cast.ordinary_member.public_id)],
            "group": str(cast.group1.public_id),
        },
    )
    assert response.status_code == 403


# --- 我的信息 and corrections ----------------------------------------------------------------------------


def test_my_page_shows_my_own_record_masked(cast, login):
    body = login(cast.ordinary).get(url("me")).content.decode()
    member = cast.ordinary_member
    assert "王党员" in body and member.masked_id_number in body and member.id_number not in body
    assert "李书记" not in body


def test_my_page_without_a_member_record(cast, login):
    body = login(cast.outsider).get(url("me")).content.decode()
    assert "尚未关联党员信息" in body


def test_requesting_a_correction(cast, login):
    response = login(cast.ordinary).post(
        url("me_correction"), {"field": "address", "proposed": "长春市南关区", "reason": "已搬家"}
    )
    assert response.status_code == 302
    request = CorrectionRequest.objects.get(member=cast.ordinary_member)
    assert request.status == "open" and request.requested_by == cast.ordinary


def test_a_correction_of_the_id_number_is_validated_and_stored_encrypted(cast, login):
    client = login(cast.ordinary)
    response = client.post(
        url("me_correction"), {"field": "id_number", "proposed": "110101199003071235"}
    )
    assert "校验位不正确" in response.content.decode()
    assert not CorrectionRequest.objects.exists()
    client.post(url("me_correction"), {"field": "id_number", "proposed": ID_1990})
    with connection.cursor() as cursor:
        cursor.execute("SELECT proposed FROM members_correctionrequest")
        (stored,) = cursor.fetchone()
    assert ID_1990 not in stored
    assert ID_1990 not in client.get(url("me")).content.decode()


def test_an_empty_correction_names_the_field(cast, login):
    response = login(cast.ordinary).post(url("me_correction"), {"field": "address", "proposed": ""})
    assert "应更正为" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_correction_requires_login(client, cast):
    assert (
        client.post(url("me_correction"), {"field": "address", "proposed": "x"}).status_code == 302
    )
    assert not CorrectionRequest.objects.exists()


def test_the_branch_handles_a_correction(cast, login, inspector):
    from zhibu.members.services import correction_request

    request = correction_request(
        member=cast.ordinary_member, field="address", proposed="南关区", by=cast.ordinary
    )
    assert (
        "南关区"
        in login(cast.branch_secretary)
        .get(url("detail", cast.ordinary_member.public_id))
        .content.decode()
    )
    assert (
        login(inspector)
        .post(url("correction_handle", request.public_id), {"status": "done"})
        .status_code
        == 403
    )
    assert (
        login(cast.outsider)
        .post(url("correction_handle", request.public_id), {"status": "done"})
        .status_code
        == 404
    )
    response = login(cast.branch_secretary).post(
        url("correction_handle", request.public_id), {"status": "rejected", "response": ""}
    )
    assert "处理意见" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "open"
    login(cast.branch_secretary).post(
        url("correction_handle", request.public_id), {"status": "done"}
    )
    request.refresh_from_db()
    assert request.status == "done" and request.handled_by == cast.branch_secretary


# --- concurrent edits (issue 14, item 5) --------------------------------------------------------


def test_the_edit_form_carries_the_records_version(cast, login):
    member = cast.ordinary_member
    body = login(cast.branch_secretary).get(url("edit", member.public_id)).content.decode()
    member.refresh_from_db()
    assert f'name="version" value="{member.updated_at.isoformat()}"' in body


def test_a_second_secretary_saving_a_stale_form_is_refused_with_what_changed(cast, login):
    from django.test import Client

    from zhibu.members.services import STALE_EDIT

    member = cast.ordinary_member
    first, second = Client(), Client()
    first.force_login(cast.branch_secretary)
    second.force_login(cast.party_secretary)
    stale = edit_data(member)  # both open the page on the same version
    response = first.post(url("edit", member.public_id), {**stale, "address": "长春市南关区"})
    assert response.status_code == 302

    response = second.post(url("edit", member.public_id), {**stale, "occupation": "车间主任"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "您的修改未保存" in body and "您的修改未保存" in str(STALE_EDIT)
    assert "李书记 已修改了该党员的信息" in body  # who changed it
    assert "家庭住址：（空） → 长春市南关区" in body  # and what
    member.refresh_from_db()
    assert (member.address, member.occupation) == ("长春市南关区", "调度员")

    # The page now carries the current version: saving again builds on the first change.
    response = second.post(
        url("edit", member.public_id),
        {
            **stale,
            "address": "长春市南关区",
            "occupation": "车间主任",
            "version": response.context["form"].data["version"],
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.address, member.occupation) == ("长春市南关区", "车间主任")


def test_an_edit_without_a_version_is_refused(cast, login):
    member = cast.ordinary_member
    data = edit_data(member, address="无版本")
    del data["version"]
    response = login(cast.branch_secretary).post(url("edit", member.public_id), data)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.address != "无版本"


def test_the_org_filter_is_an_autocomplete_scoped_like_the_roster(cast, login):
    client = login(cast.party_secretary)
    body = client.get(url("list")).content.decode()
    assert (
        'data-zb-org-search="/members/orgs/"' in body
        and "<option" not in body.split("id_org_name")[1].split("</datalist>")[0]
    )
    found = client.get(url("org_search"), {"q": "第二"}).json()["results"]
    assert found == [{"id": str(cast.branch2.public_id), "label": "第二党支部（第一党总支）"}]
    assert client.get(url("org_search"), {"q": "兄弟"}).json()["results"] == []  # not theirs
    # Empty: the top of the user's tree; 党小组 are never offered.
    labels = [r["label"] for r in client.get(url("org_search")).json()["results"]]
    assert labels[0] == "集团党委" and not any("党小组" in label for label in labels)
    # The chosen org is shown by name after the search.
    body = client.get(url("list"), {"org": str(cast.branch2.public_id)}).content.decode()
    assert 'value="第二党支部"' in body


def test_an_unknown_org_in_the_filter_says_so_in_chinese(cast, login):
    body = (
        login(cast.branch_secretary)
        .get(url("list"), {"org": str(cast.other_branch.public_id)})
        .content.decode()
    )
    assert "找不到该党组织，或不在您可查看的范围内。" in body
    assert login(cast.branch_secretary).get(url("list"), {"org": "nonsense"}).status_code == 200


def test_org_search_needs_the_roster_action(cast, client):
    client.force_login(cast.outsider)
    assert client.get(url("org_search"), {"q": "第一"}).json()["results"] == []
    client.logout()
    assert client.get(url("org_search")).status_code in (302, 403)


def test_the_roster_count_stops_at_the_cap(cast, login, monkeypatch):
    from zhibu.members import views

    monkeypatch.setattr(views, "COUNT_CAP", 2)
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    body = login(cast.party_secretary).get(url("list")).content.decode()
    assert "共 2+ 条，请缩小查询条件" in body
    monkeypatch.setattr(views, "COUNT_CAP", 1000)
    body = login(cast.party_secretary).get(url("list")).content.decode()
    assert "共 3 条" in body
