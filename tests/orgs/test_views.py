"""Org pages: who sees what (404 outside scope, 403 without the action) and bad input."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import UserFactory, grant, make_member, make_org
from zhibu.accounts.models import Role
from zhibu.orgs.models import Committee, CommitteePost, Linkage, Org, OrgEvent

pytestmark = pytest.mark.django_db


def url(name, org, *args):
    return reverse(f"orgs:{name}", args=[org.public_id, *args])


def test_party_secretary_sees_the_whole_tree(cast, login):
    body = login(cast.party_secretary).get(reverse("orgs:tree")).content.decode()
    assert "集团党委" in body and "第一党总支" in body
    assert "兄弟党委" not in body
    children = (
        login(cast.party_secretary).get(url("children", cast.general_branch)).content.decode()
    )
    assert "第一党支部" in children and "第二党支部" in children


def test_branch_secretary_sees_only_their_branch(cast, login):
    client = login(cast.branch_secretary)
    body = client.get(reverse("orgs:tree")).content.decode()
    assert "第一党支部" in body and "第一党小组" in body
    assert "第二党支部" not in body and "集团党委" not in body
    for org in (cast.branch2, cast.general_branch, cast.committee, cast.other_branch):
        assert client.get(url("detail", org)).status_code == 404
        assert client.get(url("children", org)).status_code == 404
    assert client.get(url("detail", cast.branch1)).status_code == 200


def test_tree_search_by_pinyin_initials_stays_in_scope(cast, login):
    body = login(cast.branch_secretary).get(reverse("orgs:tree"), {"q": "dy"}).content.decode()
    assert "第一党支部" in body and "第一党总支" not in body
    body = login(cast.party_secretary).get(reverse("orgs:tree"), {"q": "dydzb"}).content.decode()
    assert "第一党支部" in body and "第二党支部" not in body


def test_an_ordinary_member_has_no_org_pages(cast, login):
    client = login(cast.ordinary)
    assert client.get(reverse("orgs:tree")).status_code == 403
    assert client.get(url("detail", cast.branch1)).status_code == 403


def test_org_page_shows_checks_with_their_citations(cast, login):
    body = login(cast.party_secretary).get(url("detail", cast.branch1)).content.decode()
    assert "ORG-07" in body and "《中国共产党支部工作条例（试行）》第二十三条" in body
    assert "ORG-02" in body


@pytest.mark.parametrize("tab", ["info", "committee", "children", "linkage", "history"])
def test_every_tab_renders_for_the_branch_secretary(cast, login, tab):
    response = login(cast.branch_secretary).get(url("detail", cast.branch1), {"tab": tab})
    assert response.status_code == 200
    assert cast.branch1.name in response.content.decode()


def test_unknown_tab_is_404(cast, login):
    assert (
        login(cast.branch_secretary).get(url("detail", cast.branch1), {"tab": "x"}).status_code
        == 404
    )


def test_branch_secretary_creates_a_party_group(cast, login):
    client = login(cast.branch_secretary)
    response = client.post(
        url("create", cast.branch1),
        {
            "kind": "group",
            "name": "第二党小组",
            "code": "XZ2",
            "sector": "soe",
            "established_on": "2025-03-01",
        },
    )
    group = Org.objects.get(code="XZ2")
    assert response.status_code == 302
    assert Org.objects.get_parent(group) == cast.branch1
    assert OrgEvent.objects.filter(org=group, kind=OrgEvent.Kind.ESTABLISHED).exists()


def test_creating_under_another_branch_is_404_and_writes_nothing(cast, login):
    before = Org.objects.count()
    response = login(cast.branch_secretary).post(
        url("create", cast.branch2),
        {
            "kind": "group",
            "name": "越权党小组",
            "code": "XZ9",
            "sector": "soe",
            "established_on": "2025-03-01",
        },
    )
    assert response.status_code == 404
    assert Org.objects.count() == before


def test_create_with_a_taken_code_shows_a_chinese_error(cast, login):
    before = Org.objects.count()
    response = login(cast.party_secretary).post(
        url("create", cast.general_branch),
        {
            "kind": "branch",
            "name": "第三党支部",
            "code": "ZB1",
            "sector": "soe",
            "established_on": "2025-03-01",
        },
    )
    assert response.status_code == 200
    assert "组织代码“ZB1”已被使用" in response.content.decode()
    assert Org.objects.count() == before


def test_create_refuses_a_kind_the_parent_cannot_hold(cast, login):
    response = login(cast.party_secretary).post(
        url("create", cast.general_branch),
        {
            "kind": "group",
            "name": "错位党小组",
            "code": "XZ8",
            "sector": "soe",
            "established_on": "2025-03-01",
        },
    )
    assert response.status_code == 200
    assert not Org.objects.filter(code="XZ8").exists()


def test_read_only_role_gets_403_on_edit(cast, login):
    inspector = UserFactory(username="jijian")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    client = login(inspector)
    assert client.get(url("detail", cast.branch1)).status_code == 200
    assert client.get(url("edit", cast.branch1)).status_code == 403
    response = client.post(
        url("edit", cast.branch1), {"name": "改名", "code": "ZB1", "sector": "soe"}
    )
    assert response.status_code == 403
    cast.branch1.refresh_from_db()
    assert cast.branch1.name == "第一党支部"


def test_edit_renames_with_a_dated_event_and_history(cast, login):
    client = login(cast.party_secretary)
    response = client.post(
        url("edit", cast.branch1),
        {
            "name": "运行第一党支部",
            "code": "ZB1",
            "sector": "soe",
            "renamed_on": "2025-05-01",
            "document_no": "X-9",
        },
    )
    assert response.status_code == 302
    event = OrgEvent.objects.get(org=cast.branch1, kind=OrgEvent.Kind.RENAMED)
    assert (event.old_name, event.on) == ("第一党支部", date(2025, 5, 1))
    history = client.get(url("detail", cast.branch1), {"tab": "history"}).content.decode()
    assert "运行第一党支部" in history and "第一党支部" in history


def test_branch_secretary_cannot_move_or_dissolve_their_own_branch(cast, login):
    client = login(cast.branch_secretary)
    assert client.get(url("move", cast.branch1)).status_code == 403
    assert (
        client.post(
            url("dissolve", cast.branch1), {"on": "2025-01-01", "document_no": "X"}
        ).status_code
        == 403
    )
    cast.branch1.refresh_from_db()
    assert cast.branch1.dissolved_on is None


def test_party_secretary_moves_a_branch(cast, login):
    response = login(cast.party_secretary).post(
        url("move", cast.branch2),
        {
            "to_parent": str(cast.committee.public_id),
            "on": "2025-06-30",
            "document_no": "热党〔2025〕3号",
        },
    )
    assert response.status_code == 302
    cast.branch2.refresh_from_db()
    assert Org.objects.get_parent(cast.branch2) == cast.committee


def test_move_without_a_document_number_is_refused(cast, login):
    response = login(cast.party_secretary).post(
        url("move", cast.branch2),
        {"to_parent": str(cast.committee.public_id), "on": "2025-06-30", "document_no": ""},
    )
    assert response.status_code == 200
    cast.branch2.refresh_from_db()
    assert Org.objects.get_parent(cast.branch2) == cast.general_branch


def test_dissolving_a_branch_with_members_shows_the_reason(cast, login):
    response = login(cast.party_secretary).post(
        url("dissolve", cast.branch2), {"on": "2025-06-30", "document_no": "X"}
    )
    assert response.status_code == 200
    assert "还有 1 名党员" in response.content.decode()
    cast.branch2.refresh_from_db()
    assert cast.branch2.dissolved_on is None


def test_committee_election_and_posts_through_the_pages(cast, login):
    client = login(cast.party_secretary)
    assert (
        client.post(
            url("elect", cast.branch1), {"elected_on": "2024-03-01", "method": "competitive"}
        ).status_code
        == 302
    )
    committee = Committee.objects.get(org=cast.branch1)
    assert committee.term_ends_on == date(2027, 3, 1)
    response = client.post(
        url("post_add", cast.branch1),
        {
            "post": "organization",
            "holder": str(cast.ordinary_member.public_id),
            "start": "2024-03-01",
        },
    )
    assert response.status_code == 302
    assert CommitteePost.objects.filter(
        org=cast.branch1, post="organization", committee=committee
    ).exists()
    filing = client.post(
        url("file_committee", cast.branch1, committee.public_id),
        {"filing": "approved", "on": "2024-03-20", "document": "热党〔2024〕5号"},
    )
    assert filing.status_code == 302
    committee.refresh_from_db()
    assert committee.filing == "approved"


def test_a_second_secretary_is_refused_on_the_page(cast, login):
    response = login(cast.party_secretary).post(
        url("post_add", cast.branch1),
        {"post": "secretary", "holder": str(cast.ordinary_member.public_id), "start": "2024-03-01"},
    )
    assert response.status_code == 200
    assert "同一时间只能有一名书记" in response.content.decode()
    assert CommitteePost.objects.filter(org=cast.branch1, post="secretary").count() == 1


def test_committee_management_needs_the_action(cast, login):
    assert login(cast.branch_secretary).get(url("elect", cast.branch1)).status_code == 403


def test_the_higher_committee_records_a_secretarys_approval(cast, login):
    post = CommitteePost.objects.get(org=cast.branch1, post="secretary")
    target = url("post_approve", cast.branch1, post.public_id)
    assert login(cast.branch_secretary).get(target).status_code == 403
    assert login(cast.outsider).get(target).status_code == 404
    client = login(cast.party_secretary)
    page = client.get(url("detail", cast.branch1) + "?tab=committee").content.decode()
    assert target in page  # 待批准, with the link to record the approval
    refused = client.post(target, {"on": "2020-01-01", "document": "热党〔2020〕1号"})
    assert refused.status_code == 200 and "批复日期不能早于任职日期" in refused.content.decode()
    missing = client.post(target, {"on": "2021-03-20"})
    assert missing.status_code == 200 and not CommitteePost.objects.get(pk=post.pk).approved
    assert (
        client.post(target, {"on": "2021-03-20", "document": "热党〔2021〕9号"}).status_code == 302
    )
    post.refresh_from_db()
    assert (post.approved, post.approved_on, post.approval_document) == (
        True,
        date(2021, 3, 20),
        "热党〔2021〕9号",
    )
    assert client.get(target).status_code == 404  # approved once


def test_linkage_from_a_higher_committee_member(cast, login):
    leader = make_member(cast.branch2, "周委员", birth_date=date(1975, 6, 6))
    from zhibu.committees.services import post_assign

    post_assign(org=cast.committee, post="member", holder=leader, start=date(2023, 1, 1))
    client = login(cast.party_secretary)
    response = client.post(
        url("linkage_add", cast.branch1), {"person": str(leader.public_id), "start": "2024-01-01"}
    )
    assert response.status_code == 302
    link = Linkage.objects.get(org=cast.branch1)
    assert link.person == leader
    assert (
        client.post(
            url("linkage_end", cast.branch1, link.public_id), {"on": "2025-01-01"}
        ).status_code
        == 302
    )


def test_switching_the_current_org(cast, login):
    from tests.factories import grant as give

    give(cast.party_secretary, Role.SECRETARY, cast.branch2)
    client = login(cast.party_secretary)
    response = client.post(
        reverse("orgs:switch"), {"org": str(cast.branch2.public_id), "next": "/"}
    )
    assert response.status_code == 302
    assert "第二党支部" in client.get("/").content.decode()
    assert (
        client.post(reverse("orgs:switch"), {"org": str(cast.other_branch.public_id)}).status_code
        == 404
    )


def _wide_tree(n: int):
    root = make_org(None, Org.Kind.COMMITTEE, f"大党委{n}")
    for i in range(n):
        general = make_org(root, Org.Kind.GENERAL_BRANCH, f"总支{n}-{i}")
        branch = make_org(general, Org.Kind.BRANCH, f"支部{n}-{i}")
        make_member(branch, f"党员{i}", birth_date=date(1980, 1, 1 + i % 27))
    user = UserFactory()
    grant(user, Role.SECRETARY, root)
    return user


def test_tree_page_query_count_does_not_grow_with_the_tree(client, db, django_assert_num_queries):
    small, large = _wide_tree(2), _wide_tree(12)
    client.force_login(small)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_run:
        client.get(reverse("orgs:tree"))
    client.force_login(large)
    with CaptureQueriesContext(connection) as large_run:
        response = client.get(reverse("orgs:tree"))
    assert response.status_code == 200
    assert len(large_run) == len(small_run)
    assert len(large_run) <= 12


def test_a_committee_reference_opens_its_orgs_committee_tab_in_scope_only(cast, login):
    committee = Committee.objects.create(
        org=cast.branch1,
        term_number=1,
        elected_on=date(2024, 1, 1),
        term_years=3,
        term_ends_on=date(2027, 1, 1),
    )
    target = reverse("orgs:committee", args=[committee.public_id])
    response = login(cast.branch_secretary).get(target)
    assert response.status_code == 302
    assert response["Location"] == url("detail", cast.branch1) + "?tab=committee"
    assert login(cast.outsider).get(target).status_code == 404
