"""换届选举, 任免职务 and 定点联系 through the API: zhibu.committees.services behind the
org page's forms, with ``committee.manage`` on the org."""

from __future__ import annotations

from datetime import date

import pytest

from zhibu.committees.services import committee_elect, post_assign
from zhibu.orgs.models import Committee, CommitteePost, Linkage

pytestmark = pytest.mark.django_db


def _elect(caller, org, **extra):
    return caller.post(f"/orgs/{org.public_id}/committees", {"elected_on": "2024-01-10", **extra})


def test_committee_secretary_records_an_election(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    response = _elect(caller, cast.branch1)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["term_number"] == 1 and data["term_ends_on"] == "2027-01-10"
    assert Committee.objects.get(org=cast.branch1).elected_on == date(2024, 1, 10)
    listed = caller.get(f"/orgs/{cast.branch1.public_id}/committees").json()
    assert [c["id"] for c in listed] == [data["id"]]


def test_an_election_before_the_previous_one_is_422_and_writes_nothing(cast, api, token_for):
    committee_elect(org=cast.branch1, elected_on=date(2024, 1, 10))
    caller = api(token_for(cast.party_secretary, write=True))
    response = _elect(caller, cast.branch1, elected_on="2023-05-01")
    assert response.status_code == 422
    assert response.json()["message"] == "选举日期不能早于上一届的选举日期（2024-01-10）。"
    group = _elect(caller, cast.group1)
    assert group.status_code == 422 and "党小组不设" in group.json()["message"]
    assert _elect(caller, cast.branch1, method="抽签").status_code == 400
    assert Committee.objects.count() == 1


def test_committee_writes_need_a_token_scope_and_the_action(cast, api, token_for):
    assert _elect(api(None), cast.branch1).status_code == 401
    assert _elect(api(token_for(cast.outsider, write=True)), cast.branch1).status_code == 404
    assert (
        _elect(api(token_for(cast.branch_secretary, write=True)), cast.branch1).status_code == 403
    )
    assert _elect(api(token_for(cast.party_secretary)), cast.branch1).status_code == 403
    assert not Committee.objects.exists()


def test_filing_with_a_stale_version_is_409(cast, api, token_for):
    committee = committee_elect(org=cast.branch1, elected_on=date(2024, 1, 10))
    caller = api(token_for(cast.party_secretary, write=True))
    path = f"/orgs/{cast.branch1.public_id}/committees/{committee.public_id}/filing"
    version = caller.get(f"/orgs/{cast.branch1.public_id}/committees").json()[0]["version"]
    body = {"filing": "approved", "on": "2024-02-01", "document": "集团党委〔2024〕3号"}
    response = caller.post(path, {**body, "version": version})
    assert response.status_code == 200 and response.json()["filing"] == "approved"
    stale = caller.post(path, {**body, "filing": "filed", "version": version})
    assert stale.status_code == 409
    committee.refresh_from_db()
    assert committee.filing == "approved" and committee.approval_document == "集团党委〔2024〕3号"


def test_appoint_approve_and_end_a_post(cast, api, token_for):
    committee_elect(org=cast.branch1, elected_on=date(2024, 1, 10))
    caller = api(token_for(cast.party_secretary, write=True))
    org = cast.branch1.public_id
    body = {
        "post": "deputy_secretary",
        "holder": str(cast.ordinary_member.public_id),
        "start": "2024-01-10",
    }
    response = caller.post(f"/orgs/{org}/posts", body)
    assert response.status_code == 201, response.json()
    post = response.json()
    assert post["holder_name"] == "王党员" and post["term_number"] == 1 and not post["approved"]
    approved = caller.post(
        f"/orgs/{org}/posts/{post['id']}/approve",
        {"on": "2024-02-01", "document": "〔2024〕5号", "version": post["version"]},
    )
    assert approved.status_code == 200 and approved.json()["approved"]
    stale = caller.post(
        f"/orgs/{org}/posts/{post['id']}/end", {"on": "2025-01-01", "version": post["version"]}
    )
    assert stale.status_code == 409
    early = caller.post(f"/orgs/{org}/posts/{post['id']}/end", {"on": "2023-01-01"})
    assert early.status_code == 422 and early.json()["message"] == "离任日期不能早于任职日期。"
    ended = caller.post(f"/orgs/{org}/posts/{post['id']}/end", {"on": "2025-01-01"})
    assert ended.status_code == 200 and ended.json()["end"] == "2025-01-01"
    record = CommitteePost.objects.get(public_id=post["id"])
    assert record.end == date(2025, 1, 1) and record.approval_document == "〔2024〕5号"


def test_a_second_secretary_is_refused_and_nothing_is_written(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    body = {
        "post": "secretary",
        "holder": str(cast.ordinary_member.public_id),
        "start": "2024-01-10",
    }
    response = caller.post(f"/orgs/{cast.branch1.public_id}/posts", body)
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "start"
    outsider_holder = {**body, "holder": str(cast.other_member.public_id)}
    assert caller.post(f"/orgs/{cast.branch1.public_id}/posts", outsider_holder).status_code == 404
    assert CommitteePost.objects.filter(org=cast.branch1).count() == 1


def test_post_writes_need_the_action(cast, api, token_for):
    record = CommitteePost.objects.get(org=cast.branch1)
    path = f"/orgs/{cast.branch1.public_id}/posts/{record.public_id}/end"
    assert api(None).post(path, {"on": "2025-01-01"}).status_code == 401
    assert (
        api(token_for(cast.outsider, write=True)).post(path, {"on": "2025-01-01"}).status_code
        == 404
    )
    branch = api(token_for(cast.branch_secretary, write=True))
    assert branch.post(path, {"on": "2025-01-01"}).status_code == 403
    record.refresh_from_db()
    assert record.end is None


def test_add_and_end_a_linkage(cast, api, token_for):
    post_assign(
        org=cast.general_branch,
        post="secretary",
        holder=cast.branch2_member,
        start=date(2020, 1, 1),
    )
    caller = api(token_for(cast.party_secretary, write=True))
    path = f"/orgs/{cast.branch1.public_id}/linkages"
    response = caller.post(
        path, {"person": str(cast.branch2_member.public_id), "start": "2024-03-01"}
    )
    assert response.status_code == 201, response.json()
    link = response.json()
    assert link["person_name"] == "赵党员"
    assert [x["id"] for x in caller.get(path).json()] == [link["id"]]
    not_higher = caller.post(
        path, {"person": str(cast.ordinary_member.public_id), "start": "2024-03-01"}
    )
    assert not_higher.status_code == 404
    early = caller.post(f"{path}/{link['id']}/end", {"on": "2024-01-01"})
    assert early.status_code == 422
    assert (
        api(token_for(cast.branch_secretary, write=True))
        .post(f"{path}/{link['id']}/end", {"on": "2024-06-01"})
        .status_code
        == 403
    )
    ended = caller.post(f"{path}/{link['id']}/end", {"on": "2024-06-01"})
    assert ended.status_code == 200 and ended.json()["end"] == "2024-06-01"
    assert Linkage.objects.get().end == date(2024, 6, 1)
