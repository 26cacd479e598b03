"""The API's contract: tokens, scope (404 outside), errors in one shape, cursors, 409, 429."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory, grant, make_org, record_meeting
from zhibu.accounts.models import Role
from zhibu.api.models import ApiToken
from zhibu.core.models import AuditEvent
from zhibu.core.rules import Period
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_token_page_shows_the_token_once_and_stores_only_a_hash(cast, login, api):
    client = login(cast.branch_secretary)
    response = client.post(reverse("api_tokens:tokens"), {"name": "人力资源系统", "expires": "90"})
    body = response.content.decode()
    token = ApiToken.objects.get(user=cast.branch_secretary)
    full = body.split('<code class="user-select-all fs-6">')[1].split("</code>")[0]
    assert full.startswith(f"zb_{token.prefix}_")
    assert full.split("_", 2)[2] not in str(
        ApiToken.objects.values_list("secret_hash", flat=True)[0]
    )
    assert full not in client.get(reverse("api_tokens:tokens")).content.decode()
    assert api(full).get("/orgs").status_code == 200
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.USER_CHANGED, actor=cast.branch_secretary
    ).exists()
    client.post(reverse("api_tokens:token_revoke", args=[token.public_id]))
    assert api(full).get("/orgs").status_code == 401


def test_bad_missing_and_expired_tokens_are_401(cast, api, token_for):
    assert api(None).get("/orgs").json()["code"] == "unauthenticated"
    assert api("zb_nope_nope").get("/orgs").status_code == 401
    assert api(token_for(cast.party_secretary, expires_in_days=-1)).get("/orgs").status_code == 401


def test_repeated_bad_tokens_from_one_client_get_429(cast, api, token_for):
    for _ in range(10):
        assert api("zb_bad_token").get("/orgs").status_code == 401
    response = api("zb_bad_token").get("/orgs")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_requests"
    assert api(token_for(cast.party_secretary)).get("/orgs").status_code == 429


def test_branch_secretary_token_sees_only_their_branch(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary))
    names = {o["name"] for o in caller.get("/orgs").json()["items"]}
    assert names == {"第一党支部", "第一党小组"}
    for org in (cast.branch2, cast.committee, cast.other_branch):
        response = caller.get(f"/orgs/{org.public_id}")
        assert response.status_code == 404
        assert response.json() == {
            "code": "not_found",
            "message": "记录不存在，或不在您的管理范围内。",
            "details": [],
        }
        assert caller.get(f"/orgs/{org.public_id}/posts").status_code == 404
    assert caller.get("/orgs", subtree=str(cast.committee.public_id)).status_code == 404


def test_org_detail_carries_parent_and_version(cast, api, token_for):
    data = api(token_for(cast.party_secretary)).get(f"/orgs/{cast.branch1.public_id}").json()
    assert data["parent_id"] == str(cast.general_branch.public_id)
    assert data["kind"] == "branch" and data["version"]


def test_cursor_pagination_walks_every_org_once(cast, api, token_for):
    caller = api(token_for(cast.party_secretary))
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = caller.get("/orgs", **params).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5


def test_invalid_cursor_and_limit_are_400(cast, api, token_for):
    caller = api(token_for(cast.party_secretary))
    response = caller.get("/orgs", cursor="forged")
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "cursor"
    assert caller.get("/orgs", limit=0).status_code == 400
    assert caller.get("/orgs", limit="many").status_code == 400


def test_unknown_fields_wrong_types_and_bad_dates_are_400_and_write_nothing(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    before = Org.objects.count()
    base = {
        "parent": str(cast.general_branch.public_id),
        "kind": "branch",
        "name": "新支部",
        "code": "NEW1",
        "sector": "soe",
        "established_on": "2025-01-01",
    }
    for body in (
        {**base, "colour": "red"},
        {**base, "established_on": "2025-02-30"},
        {**base, "kind": 7},
        "{not json",
    ):
        response = caller.post("/orgs", body)
        assert response.status_code == 400, body
        assert set(response.json()) == {"code", "message", "details"}
    assert Org.objects.count() == before


def test_create_refused_by_a_rule_is_422_with_the_field(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    response = caller.post(
        "/orgs",
        {
            "parent": str(cast.general_branch.public_id),
            "kind": "group",
            "name": "党小组",
            "code": "G1",
            "sector": "soe",
            "established_on": "2025-01-01",
        },
    )
    assert response.status_code == 422
    assert response.json()["details"][0] == {
        "field": "parent",
        "rule": None,
        "message": "党小组只能设在党支部（含联合、临时党支部）之下。",
    }
    ok = caller.post(
        "/orgs",
        {
            "parent": str(cast.branch1.public_id),
            "kind": "group",
            "name": "第二党小组",
            "code": "G2",
            "sector": "soe",
            "established_on": "2025-01-01",
        },
    )
    assert ok.status_code == 201 and ok.json()["parent_id"] == str(cast.branch1.public_id)


def test_read_only_token_cannot_write_and_roles_still_apply(cast, api, token_for):
    response = api(token_for(cast.party_secretary)).patch(
        f"/orgs/{cast.branch1.public_id}", {"name": "改名"}
    )
    assert response.status_code == 403
    inspector = UserFactory(username="jj")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    response = api(token_for(inspector, write=True)).patch(
        f"/orgs/{cast.branch1.public_id}", {"name": "改名"}
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    cast.branch1.refresh_from_db()
    assert cast.branch1.name == "第一党支部"


def test_a_stale_update_is_409_and_changes_nothing(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    version = caller.get(f"/orgs/{cast.branch1.public_id}").json()["version"]
    assert (
        caller.patch(
            f"/orgs/{cast.branch1.public_id}", {"version": version, "short_name": "一支部"}
        ).status_code
        == 200
    )
    response = caller.patch(
        f"/orgs/{cast.branch1.public_id}", {"version": version, "short_name": "旧版本"}
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    stale = caller.patch(
        f"/orgs/{cast.branch1.public_id}", {"short_name": "旧版本"}, HTTP_IF_MATCH=f'"{version}"'
    )
    assert stale.status_code == 409
    cast.branch1.refresh_from_db()
    assert cast.branch1.short_name == "一支部"


def test_findings_rules_and_run(cast, api, token_for):
    rules_run(root=cast.committee, period=Period.parse("2026Q1"))
    caller = api(token_for(cast.branch_secretary, write=True))
    data = caller.get("/findings", org=str(cast.branch1.public_id), period="2026Q1").json()
    assert data["items"] and {f["org_name"] for f in data["items"]} <= {"第一党支部", "第一党小组"}
    assert all(f["citation"] for f in data["items"])
    assert (
        caller.get("/findings", org=str(cast.committee.public_id), period="2026Q1").status_code
        == 404
    )
    bad = caller.get("/findings", org=str(cast.branch1.public_id), period="2026Q7")
    assert bad.status_code == 400 and "期间格式不正确" in bad.json()["message"]
    rules = caller.get("/rules").json()
    assert any(r["code"] == "ORG-04" and r["citation"].endswith("第二十条") for r in rules)
    run = caller.post("/rules/run", {"org": str(cast.branch1.public_id), "period": "2026Q1"})
    assert run.status_code == 200 and run.json()["created"] == 0


def test_openapi_schema_and_local_docs(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/orgs" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/ninja/swagger-ui-bundle.js" in docs


def _orgs(n):
    root = make_org(None, Org.Kind.COMMITTEE, f"党委{n}")
    for i in range(n):
        make_org(root, Org.Kind.BRANCH, f"支部{n}-{i}")
    user = UserFactory()
    grant(user, Role.SECRETARY, root)
    return user


def test_org_list_query_count_is_fixed(db, api, token_for):
    counts = []
    for n in (3, 30):
        caller = api(token_for(_orgs(n)))
        with CaptureQueriesContext(connection) as queries:
            assert len(caller.get("/orgs", limit=100).json()["items"]) == n + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_unknown_paths_answer_404_in_the_error_shape(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    for response in (
        caller.get("/nope"),
        caller.get("/orgs/x/y/z"),
        caller.post("/members/x/notes", {"a": 1}),
        caller.patch("/meetings/2025/09", {}),
        api(None).get("/"),  # the API's root: public, nothing there
    ):
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {
            "code": "not_found",
            "message": "接口地址不存在，请核对路径（见 /api/v1/docs）。",
            "details": [],
        }
    # Unknown paths are behind the token check like every operation: 401 first.
    anonymous = api(None).get("/nope")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"


def test_a_method_the_path_does_not_take_answers_405_in_the_error_shape(
    cast, api, client, token_for
):
    caller = api(token_for(cast.party_secretary, write=True))
    headers = caller.headers
    for method, path, allowed in (
        ("delete", f"/orgs/{cast.branch1.public_id}", {"GET", "PATCH"}),
        ("put", "/members", {"GET", "POST"}),
        ("delete", f"/members/{cast.ordinary_member.public_id}", {"GET", "PATCH"}),
        ("patch", f"/members/{cast.ordinary_member.public_id}/events", {"GET", "POST"}),
    ):
        response = getattr(client, method)(
            f"/api/v1{path}", "{}", content_type="application/json", **headers
        )
        assert response.status_code == 405, (method, path)
        assert response["Content-Type"].startswith("application/json")
        assert {m.strip() for m in response["Allow"].split(",")} == allowed
        assert response.json() == {
            "code": "method_not_allowed",
            "message": "该地址不支持此请求方法。",
            "details": [],
        }
    assert cast.branch1.name == "第一党支部" and Org.objects.filter(pk=cast.branch1.pk).exists()


def test_findings_period_is_exact_and_within_is_inclusive(cast, api, token_for):
    rules_run(root=cast.committee, period=Period.parse("2025"))
    caller = api(token_for(cast.branch_secretary))
    org = str(cast.branch1.public_id)
    exact = caller.get("/findings", org=org, period="2025-07", limit=200).json()["items"]
    assert exact and {f["period"] for f in exact} == {"2025-07"}
    within = caller.get("/findings", org=org, within="2025-07", limit=200).json()["items"]
    assert {"2025-07", "2025Q3", "2025"} <= {f["period"] for f in within}
    assert {f["period"] for f in within} - {"2025-07"}


def test_findings_need_exactly_one_of_period_and_within(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary))
    org = str(cast.branch1.public_id)
    for params in ({}, {"period": "2025", "within": "2025"}):
        response = caller.get("/findings", org=org, **params)
        assert response.status_code == 400 and "within" in response.json()["message"]
    bad = caller.get("/findings", org=org, within="2025Q9")
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "within"


def test_findings_list_the_meetings_behind_a_count_and_explain_in_chinese(cast, api, token_for):
    """MTG-01 stores a query reference; the API answers with the meetings it counted."""
    meeting = record_meeting(cast.branch1, date(2025, 8, 20), ["branch_assembly"])
    rules_run(
        root=cast.committee,
        period=Period.parse("2025Q3"),
        today=date(2025, 10, 10),
        codes=["MTG-01"],
    )
    caller = api(token_for(cast.branch_secretary))
    data = caller.get(
        "/findings", org=str(cast.branch1.public_id), period="2025Q3", rule="MTG-01"
    ).json()
    [finding] = [f for f in data["items"] if f["org_name"] == "第一党支部"]
    assert finding["refs"] == [f"meeting:{meeting.public_id}"]
    assert finding["explanation"] == "2025年第3季度召开支部党员大会 1 次（应不少于 1 次）。"
    assert finding["citation"] == "《中国共产党支部工作条例（试行）》第十一条"
