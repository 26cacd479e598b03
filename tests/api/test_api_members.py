"""Members over the API: the roster pages' selectors and services behind JSON — scope,
masked personal data, DQ-01..04, optimistic concurrency, status events and transfers."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    UnitFactory,
    UserFactory,
    grant,
    make_member,
    make_org,
    unique_id_number,
)
from zhibu.accounts.models import Role
from zhibu.members import idnumber, transfers
from zhibu.members import selectors as member_selectors
from zhibu.members.models import Member, MemberEvent, MemberSpan, Transfer
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def inspector(cast):
    """A 纪检委员 of the committee: sees the whole roster, may change nothing."""
    user = UserFactory(username="jijian", full_name="纪检委员")
    grant(user, Role.DISCIPLINE, cast.committee)
    return user


@pytest.fixture
def third(db):
    """The secretary of a third committee: on neither side of the cast's transfers."""
    user = UserFactory(username="disan")
    grant(user, Role.SECRETARY, make_org(None, Org.Kind.COMMITTEE, "第三党委", code="DS"))
    return user


def new_person(cast, **changes) -> dict:
    """A new full member of 第一党支部 with a valid ID number and a phone."""
    data = {
        "org": str(cast.branch1.public_id),
        "name": "张新党员",
        "gender": "M",
        "birth_date": "1990-04-12",
        "id_number": unique_id_number(date(1990, 4, 12), "M"),
        "phone": PHONE,
        "category": "in_service",
        "education": "bachelor",
        "applied_on": "2014-03-01",
        "admitted_on": "2015-07-01",
        "full_on": "2016-07-01",
        "document_no": "党支〔2015〕3号",
    }
    data.update(changes)
    return data


def snapshot():
    return (
        Member.objects.count(),
        MemberEvent.objects.count(),
        MemberSpan.objects.count(),
        Transfer.objects.count(),
        Member.history.count(),
    )


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content.decode()
    data = response.json()
    assert set(data) == {"code", "message", "details"}
    return data


# --- reading ---------------------------------------------------------------------------------


def test_list_filters_by_org_subtree_status_category_and_search(cast, api, token_for):
    retired = make_member(cast.branch2, "孙退休", category="retired", birth_date=date(1950, 3, 3))
    transfers_out = make_member(cast.branch1, "周转出", birth_date=date(1970, 1, 1))
    transfers_out.status = Member.Status.LEFT
    transfers_out.save(update_fields=["status"])
    caller = api(token_for(cast.party_secretary))

    def names(**params):
        response = caller.get("/members", **params)
        assert response.status_code == 200, response.json()
        return {m["name"] for m in response.json()["items"]}

    assert names() == {"李书记", "王党员", "赵党员", "孙退休"}  # on the roster, in scope
    assert names(org=str(cast.branch1.public_id)) == {"李书记", "王党员"}
    assert names(org=str(cast.general_branch.public_id)) == {"李书记", "王党员", "赵党员", "孙退休"}
    assert names(status="left") == {"周转出"}
    assert names(category="retired") == {"孙退休"}
    assert names(q="王党员") == names(q="wangdangyuan") == names(q="wdy") == {"王党员"}
    assert names(q="WDY") == {"王党员"}
    assert names(q=cast.ordinary_member.id_number[-4:]) >= {"王党员"}
    item = next(m for m in caller.get("/members", q="sun").json()["items"])
    assert item["id"] == str(retired.public_id) and item["category"] == "retired"
    assert item["org_id"] == str(cast.branch2.public_id) and item["org_name"] == "第二党支部"
    assert caller.get("/members", status="asleep").status_code == 400
    assert caller.get("/members", org="not-a-uuid").status_code == 400


def test_detail_carries_masked_personal_data_org_group_dates_party_age_and_version(
    cast, api, token_for
):
    member = cast.secretary_member
    data = api(token_for(cast.branch_secretary)).get(f"/members/{member.public_id}").json()
    assert data["id"] == str(member.public_id) and data["name"] == "李书记"
    assert data["org_id"] == str(cast.branch1.public_id)
    assert data["group_id"] == str(cast.group1.public_id)
    assert (data["status"], data["category"]) == ("full", "in_service")
    assert (data["admitted_on"], data["full_on"]) == ("2012-07-01", "2013-07-01")
    assert data["party_age"] == member.party_age_on(timezone.localdate()) > 10
    assert data["id_number_masked"] == member.masked_id_number
    assert "*" in data["id_number_masked"] and member.id_number not in json.dumps(data)
    assert data["version"] == member.updated_at.isoformat()
    assert "id_number" not in data and "phone" not in data


def test_cursor_walks_every_member_once(cast, api, token_for):
    for i in range(5):
        make_member(cast.branch1, f"党员{i}", birth_date=date(1980 + i, 1, 1))
    caller = api(token_for(cast.branch_secretary))
    seen, cursor = [], None
    while True:
        page = caller.get("/members", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 7


def test_invalid_cursor_and_limit_are_400(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary))
    data = error(caller.get("/members", cursor="forged"), 400)
    assert data["code"] == "malformed" and data["details"][0]["field"] == "cursor"
    assert caller.get("/members", limit=0).status_code == 400
    assert caller.get("/members", limit=1000).status_code == 400
    assert caller.get("/members", q="a\x00").status_code == 400


def _roster(n: int):
    root = make_org(None, Org.Kind.COMMITTEE, f"党委{n}")
    branch = make_org(root, Org.Kind.BRANCH, f"支部{n}")
    group = make_org(branch, Org.Kind.GROUP, f"小组{n}")
    for i in range(n):
        make_member(
            branch,
            f"党员{i}",
            birth_date=date(1960, 1, 1) + timedelta(days=300 * i),
            group=group if i % 2 else None,
            phone=PHONE,
        )
    user = UserFactory()
    grant(user, Role.SECRETARY, root)
    return user


def test_list_query_count_is_fixed(db, api, token_for):
    counts = []
    for n in (3, 30):
        caller = api(token_for(_roster(n)))
        for params in ({}, {"q": "dangyuan"}):
            member_selectors._COMMON_SEEN.clear()  # each call decides how common the term is
            with CaptureQueriesContext(connection) as queries:
                items = caller.get("/members", limit=100, **params).json()["items"]
            assert len(items) == n and all(m["phone_masked"] == "138****5678" for m in items)
            counts.append(len(queries))
    assert counts[:2] == counts[2:], counts


# --- scope and roles -----------------------------------------------------------------------------


def test_a_branch_secretary_sees_only_their_branch(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    assert {m["name"] for m in caller.get("/members").json()["items"]} == {"李书记", "王党员"}
    assert caller.get("/members", q="zhao").json()["items"] == []
    before = snapshot()
    for member in (cast.branch2_member, cast.other_member):
        base = f"/members/{member.public_id}"
        for response in (
            caller.get(base),
            caller.get(f"{base}/events"),
            caller.get(f"{base}/transfers"),
            caller.patch(base, {"address": "越权"}),
            caller.post(f"{base}/events", {"kind": "suspended", "on": "2025-03-01"}),
            caller.post(
                f"{base}/transfers",
                {"direction": "internal", "to_org": "ZB1", "requested_on": "2025-03-01"},
            ),
        ):
            assert error(response, 404) == {
                "code": "not_found",
                "message": "记录不存在，或不在您的管理范围内。",
                "details": [],
            }
    assert caller.get("/members", org=str(cast.branch2.public_id)).status_code == 404
    assert (
        caller.post("/members", new_person(cast, org=str(cast.branch2.public_id))).status_code
        == 404
    )
    assert snapshot() == before
    cast.branch2_member.refresh_from_db()
    assert cast.branch2_member.address == ""


def test_read_only_token_gets_403_on_every_write_and_writes_nothing(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary))
    member = cast.ordinary_member
    before = snapshot()
    for response in (
        caller.post("/members", new_person(cast)),
        caller.patch(f"/members/{member.public_id}", {"address": "只读"}),
        caller.post(
            f"/members/{member.public_id}/events", {"kind": "suspended", "on": "2025-03-01"}
        ),
        caller.post(
            f"/members/{member.public_id}/transfers",
            {"direction": "internal", "to_org": "ZB2", "requested_on": "2025-03-01"},
        ),
    ):
        data = error(response, 403)
        assert data["code"] == "forbidden" and data["message"] == "该令牌为只读令牌，不能修改数据。"
    assert snapshot() == before


def test_a_role_without_member_manage_gets_403_on_writes(cast, api, token_for, inspector):
    caller = api(token_for(inspector, write=True))
    member = cast.ordinary_member
    assert caller.get(f"/members/{member.public_id}").status_code == 200
    assert caller.get(f"/members/{member.public_id}/events").status_code == 200
    before = snapshot()
    for response in (
        caller.post("/members", new_person(cast)),
        caller.patch(f"/members/{member.public_id}", {"address": "纪检"}),
        caller.post(
            f"/members/{member.public_id}/events", {"kind": "suspended", "on": "2025-03-01"}
        ),
        caller.post(
            f"/members/{member.public_id}/transfers",
            {"direction": "internal", "to_org": "ZB2", "requested_on": "2025-03-01"},
        ),
    ):
        assert error(response, 403)["code"] == "forbidden"
    assert snapshot() == before
    # An ordinary member holds no roster action at all: 403 reveals nothing.
    ordinary = api(token_for(cast.ordinary, write=True))
    assert ordinary.get("/members").status_code == 403
    assert ordinary.get(f"/members/{member.public_id}").status_code == 403


# --- create --------------------------------------------------------------------------------------


def test_create_through_the_page_service_with_its_events_and_history(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    data = new_person(cast, group=str(cast.group1.public_id))
    response = caller.post("/members", data)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert data["id_number"] not in response.content.decode()
    assert PHONE not in response.content.decode()
    assert created["id_number_masked"] == "*" * 18  # no digit beside the birth date
    assert created["phone_masked"] == "138****5678"
    assert created["status"] == "full" and created["group_id"] == str(cast.group1.public_id)
    assert created["education"] == "bachelor" and created["ethnicity"] == "汉族"
    member = Member.objects.get(public_id=created["id"])
    assert member.id_number == data["id_number"] and member.phone == PHONE
    assert (member.name_pinyin, member.name_initials) == ("zhangxindangyuan", "zxdy")
    assert list(member.events.values_list("kind", flat=True)) == ["admitted", "confirmed"]
    assert member.events.get(kind="admitted").document_no == "党支〔2015〕3号"
    assert member.spans.exists()
    # Audited like the page: the history row names the token's owner.
    assert member.history.first().history_user == cast.branch_secretary
    assert created["version"] == member.updated_at.isoformat()
    assert caller.get(f"/members/{member.public_id}").json() == created


BAD_BODIES = [
    {"colour": "red"},  # unknown field
    {"birth_date": "1990-02-30"},  # no such day
    {"birth_date": "1899-12-31"},  # out of range
    {"admitted_on": "3000-01-01"},
    {"gender": "X"},
    {"gender": 1},  # wrong type
    {"full_on": 20160701},
    {"education": "kindergarten"},
    {"ethnicity": "火星族"},
    {"org": "not-a-uuid"},
    {"name": "张" * 51},
    {"name": "张\x00三"},
]


@pytest.mark.parametrize("change", BAD_BODIES)
def test_malformed_bodies_are_400_and_write_nothing(cast, api, token_for, change):
    before = snapshot()
    response = api(token_for(cast.branch_secretary, write=True)).post(
        "/members", new_person(cast, **change)
    )
    data = error(response, 400)
    assert data["code"] == "malformed" and data["message"] == "请求格式不正确。" and data["details"]
    assert snapshot() == before


def test_not_json_is_400(cast, api, token_for):
    response = api(token_for(cast.branch_secretary, write=True)).post("/members", "{not json")
    assert error(response, 400)["code"] == "malformed"


def test_rules_and_validation_refuse_with_the_field_in_chinese_and_write_nothing(
    cast, api, token_for
):
    caller = api(token_for(cast.branch_secretary, write=True))
    number = unique_id_number(date(1990, 4, 12), "M")
    bad_checksum = number[:17] + ("0" if number[17] != "0" else "1")
    cases = [
        ({"id_number": bad_checksum}, "id_number", str(idnumber.ID_CHECKSUM)),
        ({"id_number": "12345"}, "id_number", str(idnumber.ID_LENGTH)),
        (
            {"id_number": number, "birth_date": "1990-04-13"},
            "birth_date",
            "出生日期与公民身份号码不一致（身份证号显示为 1990-04-12）。",
        ),  # DQ-01
        (
            {"admitted_on": "2007-07-01", "full_on": None},
            "admitted_on",
            "入党日期早于年满 18 周岁之日（2008-04-12）（DQ-02，细则第五条）。",
        ),
        (
            {"full_on": "2016-06-30"},
            "full_on",
            "转正日期早于预备期满之日（2016-07-01）（DQ-03，党章第七条）。",
        ),
        (
            {"phone": "12345"},
            "phone",
            "联系电话格式不正确：手机号为 11 位数字，固定电话如 010-12345678。",
        ),
        (
            {"org": str(cast.group1.public_id)},
            "org",
            "党员应编入党支部（含联合、临时党支部），不能直接编入党小组。",
        ),
        ({"name": "  "}, "name", None),
    ]
    before = snapshot()
    for change, field, message in cases:
        response = caller.post("/members", new_person(cast, **change))
        data = error(response, 422)
        # Rule-based refusals (DQ-01..03) come as rule_violation with the code, others as invalid.
        assert data["code"] in ("invalid", "rule_violation"), change
        assert field in {d["field"] for d in data["details"]}, (change, data)
        if message:
            assert message in [d["message"] for d in data["details"]], (change, data)
    assert snapshot() == before


def test_a_duplicate_person_is_refused_naming_them_only_within_scope(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    before = snapshot()
    ours = caller.post(
        "/members",
        new_person(
            cast, id_number=cast.ordinary_member.id_number, birth_date="1992-09-03", gender="F"
        ),
    )
    assert error(ours, 422)["details"] == [
        {
            "field": "id_number",
            "rule": "DQ-04",
            "message": "该公民身份号码已登记为党员“王党员”（第一党支部），同一人不能重复登记（DQ-04）。",
        }
    ]
    theirs = caller.post(
        "/members", new_person(cast, id_number=cast.other_member.id_number, birth_date="1979-11-30")
    )
    data = error(theirs, 422)
    assert "其他党组织登记" in data["message"] and "钱党员" not in theirs.content.decode()
    assert cast.other_member.id_number not in theirs.content.decode()
    assert snapshot() == before


def test_a_group_of_another_branch_or_out_of_scope_is_refused(cast, api, token_for):
    other_group = make_org(cast.branch2, Org.Kind.GROUP, "第二党小组")
    caller = api(token_for(cast.party_secretary, write=True))
    before = snapshot()
    response = caller.post("/members", new_person(cast, group=str(other_group.public_id)))
    assert error(response, 422)["details"][0] == {
        "field": "group",
        "rule": None,
        "message": "所选党小组不属于所选党支部。",
    }
    secretary = api(token_for(cast.branch_secretary, write=True))
    assert (
        secretary.post("/members", new_person(cast, group=str(other_group.public_id))).status_code
        == 404
    )
    assert snapshot() == before


# --- update and optimistic concurrency -----------------------------------------------------------


def test_update_through_the_edit_service_keeps_what_is_left_out(cast, api, token_for):
    member = cast.ordinary_member
    number = member.id_number
    caller = api(token_for(cast.branch_secretary, write=True))
    response = caller.patch(
        f"/members/{member.public_id}",
        {"address": "长春市朝阳区", "occupation": "调度员", "phone": PHONE, "name": None},
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["address"], data["occupation"], data["name"]) == (
        "长春市朝阳区",
        "调度员",
        "王党员",
    )
    assert data["phone_masked"] == "138****5678" and PHONE not in response.content.decode()
    member.refresh_from_db()
    assert member.id_number == number and member.phone == PHONE and member.address == "长春市朝阳区"
    assert member.history.first().history_user == cast.branch_secretary
    assert data["version"] == member.updated_at.isoformat()
    # "" clears a text field (the phone too); the ID number is never cleared.
    cleared = caller.patch(f"/members/{member.public_id}", {"phone": "", "id_number": ""})
    assert cleared.status_code == 200 and cleared.json()["phone_masked"] == ""
    member.refresh_from_db()
    assert member.phone == "" and member.id_number == number


def test_null_clears_the_work_unit_and_application_date_and_keeps_the_rest(cast, api, token_for):
    member = cast.ordinary_member
    unit = UnitFactory(name="市热力集团")
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/members/{member.public_id}"
    set_ = caller.patch(path, {"work_unit": str(unit.public_id), "applied_on": "2012-03-01"})
    assert set_.status_code == 200, set_.json()
    member.refresh_from_db()
    assert member.work_unit == unit and member.applied_on == date(2012, 3, 1)
    cleared = caller.patch(path, {"work_unit": None, "applied_on": None, "category": None})
    assert cleared.status_code == 200, cleared.json()
    member.refresh_from_db()
    assert member.work_unit is None and member.applied_on is None
    assert member.category == Member.Category.IN_SERVICE  # null leaves a required field alone
    unknown = caller.patch(path, {"work_unit": "7b1d2c9e-0000-4000-8000-000000000000"})
    assert error(unknown, 422)["details"][0]["field"] == "work_unit"


def test_update_refused_by_a_check_is_422_and_changes_nothing(cast, api, token_for):
    member = cast.ordinary_member
    caller = api(token_for(cast.branch_secretary, write=True))
    response = caller.patch(
        f"/members/{member.public_id}", {"birth_date": "1992-09-04", "address": "不应保存"}
    )
    assert error(response, 422)["details"][0]["field"] == "birth_date"
    duplicate = caller.patch(
        f"/members/{member.public_id}", {"id_number": cast.secretary_member.id_number}
    )
    assert error(duplicate, 422)["details"][0]["field"] in {"id_number", "birth_date", "gender"}
    assert caller.patch(f"/members/{member.public_id}", {"status": "left"}).status_code == 400
    member.refresh_from_db()
    assert member.address == "" and member.birth_date == date(1992, 9, 3)
    assert member.status == Member.Status.FULL


def test_a_stale_update_is_409_and_changes_nothing(cast, api, token_for):
    member = cast.ordinary_member
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/members/{member.public_id}"
    version = caller.get(path).json()["version"]
    first = caller.patch(path, {"version": version, "address": "第一次"})
    assert first.status_code == 200 and first.json()["version"] != version
    history = member.history.count()
    stale = caller.patch(path, {"version": version, "address": "旧版本"})
    assert error(stale, 409) == {
        "code": "conflict",
        "message": "记录已被他人修改，请重新读取后再提交。",
        "details": [],
    }
    assert (
        caller.patch(path, {"address": "旧版本"}, HTTP_IF_MATCH=f'"{version}"').status_code == 409
    )
    # A current version in the body does not excuse a stale If-Match, nor the reverse.
    current = first.json()["version"]
    assert (
        caller.patch(
            path, {"version": current, "address": "旧版本"}, HTTP_IF_MATCH=f'"{version}"'
        ).status_code
        == 409
    )
    member.refresh_from_db()
    assert member.address == "第一次" and member.history.count() == history
    ok = caller.patch(path, {"address": "第二次"}, HTTP_IF_MATCH=f'"{current}"')
    assert ok.status_code == 200
    assert caller.patch(path, {"address": "第三次"}, HTTP_IF_MATCH="*").status_code == 200
    member.refresh_from_db()
    assert member.address == "第三次"


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({"version": "yesterday"}, {}, "version"),
        ({"version": "2026-01-01T00:00:00"}, {}, "version"),  # no offset
        ({}, {"HTTP_IF_MATCH": '"not a version"'}, "If-Match"),
        ({}, {"HTTP_IF_MATCH": 'W/"2026-01-01T00:00:00+00:00"'}, "If-Match"),
        ({}, {"HTTP_IF_MATCH": ""}, "If-Match"),
    ],
)
def test_a_malformed_version_or_if_match_is_400_and_changes_nothing(
    cast, api, token_for, body, headers, field
):
    member = cast.ordinary_member
    response = api(token_for(cast.branch_secretary, write=True)).patch(
        f"/members/{member.public_id}", {**body, "address": "不应保存"}, **headers
    )
    data = error(response, 400)
    assert data["code"] == "malformed" and data["details"][0]["field"] == field
    assert "版本号格式不正确" in data["message"]
    member.refresh_from_db()
    assert member.address == ""


# --- status events -------------------------------------------------------------------------------


def test_events_timeline_and_recording_a_suspension(cast, api, token_for):
    member = cast.ordinary_member
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/members/{member.public_id}/events"
    timeline = caller.get(path).json()
    assert [(e["kind"], e["on"], e["status_after"]) for e in timeline] == [
        ("admitted", "2012-07-01", "probationary"),
        ("confirmed", "2013-07-01", "full"),
    ]
    assert timeline[0]["org_id"] == str(cast.branch1.public_id)
    response = caller.post(
        path, {"kind": "suspended", "on": "2025-03-01", "document_no": "党支〔2025〕1号"}
    )
    assert response.status_code == 201, response.json()
    event = response.json()
    assert (event["kind"], event["status_after"], event["document_no"]) == (
        "suspended",
        "suspended",
        "党支〔2025〕1号",
    )
    member.refresh_from_db()
    assert member.status == Member.Status.SUSPENDED
    assert MemberEvent.objects.get(public_id=event["id"]).recorded_by == cast.branch_secretary
    assert member.history.first().history_user == cast.branch_secretary
    assert [e["kind"] for e in caller.get(path).json()][-1] == "suspended"
    # The member's detail shows the new status (and a new version).
    assert caller.get(f"/members/{member.public_id}").json()["status"] == "suspended"


def test_moving_to_a_group_inside_the_branch(cast, api, token_for):
    member = cast.ordinary_member
    response = api(token_for(cast.branch_secretary, write=True)).post(
        f"/members/{member.public_id}/events",
        {"kind": "moved", "on": "2025-03-01", "group": str(cast.group1.public_id)},
    )
    assert response.status_code == 201, response.json()
    member.refresh_from_db()
    assert member.group == cast.group1 and member.org == cast.branch1


def test_events_the_transitions_or_dates_refuse_are_422_and_write_nothing(cast, api, token_for):
    member = cast.ordinary_member
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/members/{member.public_id}/events"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    before = snapshot()
    cases = [
        (
            {"kind": "confirmed", "on": "2025-03-01"},
            "kind",
            "党籍状态为“正式党员”的党员不能办理“转正”。",
        ),
        (
            {"kind": "restored", "on": "2025-03-01"},
            "kind",
            "党籍状态为“正式党员”的党员不能办理“恢复党籍”。",
        ),
        (
            {"kind": "suspended", "on": "2010-01-01"},
            "on",
            "变动日期不能早于该党员最近一次党籍变动（2013-07-01）。",
        ),
        ({"kind": "suspended", "on": tomorrow}, "on", "变动日期不能晚于今天。"),
        (
            {"kind": "suspended", "on": "2025-03-01", "org": str(cast.branch1.public_id)},
            "org",
            "只有“党内调整”可以指定党支部或党小组。",
        ),
        (
            {"kind": "moved", "on": "2025-03-01", "org": str(cast.group1.public_id)},
            "org",
            "党员应编入党支部（含联合、临时党支部），不能直接编入党小组。",
        ),
    ]
    for body, field, message in cases:
        data = error(caller.post(path, body), 422)
        assert data["details"] == [{"field": field, "rule": None, "message": message}], body
    for body in (
        {"kind": "transferred", "on": "2025-03-01"},  # transfers have their own workflow
        {"kind": "suspended", "on": "2025-13-01"},
        {"kind": "suspended", "on": "2025-03-01", "mood": "sad"},
    ):
        assert error(caller.post(path, body), 400)["code"] == "malformed"
    assert snapshot() == before
    member.refresh_from_db()
    assert member.status == Member.Status.FULL


# --- transfers -----------------------------------------------------------------------------------


def test_an_internal_transfer_is_asked_through_the_transfer_service(cast, api, token_for):
    member = cast.ordinary_member
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/members/{member.public_id}/transfers"
    assert caller.get(path).json() == []
    body = {
        "direction": "internal",
        "to_org": "zb2",
        "requested_on": "2025-03-01",
        "reason": "工作调动",
    }
    response = caller.post(path, body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["direction"], created["status"]) == ("internal", "requested")
    assert created["from_org_id"] == str(cast.branch1.public_id)
    assert (
        created["to_org_id"] == str(cast.branch2.public_id)
        and created["to_org_name"] == "第二党支部"
    )
    transfer = Transfer.objects.get(public_id=created["id"])
    assert transfer.requested_by == cast.branch_secretary
    assert transfer.history.first().history_user == cast.branch_secretary
    assert caller.get(path).json() == [created]
    again = caller.post(path, body)
    assert error(again, 422)["message"] == "该党员已有尚未办结的组织关系转接，请先办结或撤销。"
    # Until received the member stays where they are (MBR-04).
    member.refresh_from_db()
    assert member.org == cast.branch1 and Transfer.objects.count() == 1


def test_transfer_requests_the_services_refuse_are_422_and_write_nothing(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/members/{cast.ordinary_member.public_id}/transfers"
    cases = [
        ({"direction": "internal", "to_org": "NOPE"}, "to_org", "未找到组织代码为“NOPE”的党支部。"),
        ({"direction": "internal", "to_org": ""}, "to_org", "请填写接收党支部的组织代码。"),
        (
            {"direction": "internal", "to_org": "ZB1"},
            "to_org",
            "接收党支部与党员现所在党支部相同。",
        ),
        ({"direction": "out", "outside_org": " "}, "outside_org", "请填写系统外党组织的全称。"),
    ]
    for change, field, message in cases:
        data = error(caller.post(path, {"requested_on": "2025-03-01", **change}), 422)
        assert data["details"] == [{"field": field, "rule": None, "message": message}], change
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    late = caller.post(path, {"direction": "out", "outside_org": "某区委", "requested_on": future})
    assert error(late, 422)["details"][0]["field"] == "requested_on"
    for body in (
        {"direction": "in", "outside_org": "某区委", "requested_on": "2025-03-01"},
        {"direction": "out", "outside_org": "某区委", "requested_on": "2025-03-01", "x": 1},
    ):
        assert error(caller.post(path, body), 400)["code"] == "malformed"
    assert not Transfer.objects.exists()


def test_a_transfer_out_of_the_system_needs_its_letter_number(cast, api, token_for):
    member = cast.ordinary_member
    branch = api(token_for(cast.branch_secretary, write=True))
    created = branch.post(
        f"/members/{member.public_id}/transfers",
        {"direction": "out", "outside_org": "中共某市某区委组织部", "requested_on": "2025-03-01"},
    ).json()
    approve = f"/members/{member.public_id}/transfers/{created['id']}/approve"
    # The branch may ask; approving is the committee's (member.transfer), as on the page.
    assert error(branch.post(approve, {"issued_on": "2025-03-02", "letter_no": "No.1"}), 403)
    committee = api(token_for(cast.party_secretary, write=True))
    refused = committee.post(approve, {"issued_on": "2025-03-02", "letter_no": " "})
    assert error(refused, 422)["details"] == [
        {
            "field": "letter_no",
            "rule": None,
            "message": "转往或转自系统外党组织须填写介绍信编号（MBR-04）。",
        }
    ]
    transfer = Transfer.objects.get(public_id=created["id"])
    assert transfer.status == Transfer.Status.REQUESTED and transfer.letter_no == ""
    issued = committee.post(approve, {"issued_on": "2025-03-02", "letter_no": "No.0012345"})
    assert issued.status_code == 200, issued.json()
    assert (issued.json()["status"], issued.json()["valid_until"]) == ("issued", "2025-06-02")
    member.refresh_from_db()
    assert member.status == Member.Status.FULL  # still ours until the receipt comes back
    receipt = committee.post(
        f"/members/{member.public_id}/transfers/{created['id']}/receipt", {"on": "2025-03-20"}
    )
    assert receipt.status_code == 200 and receipt.json()["status"] == "received"
    member.refresh_from_db()
    assert member.status == Member.Status.TRANSFERRED_OUT
    transfer.refresh_from_db()
    assert transfer.sent_by == transfer.received_by == cast.party_secretary


def test_a_transfer_step_through_another_member_or_out_of_scope_is_404(cast, api, token_for):
    transfer = transfers.transfer_start(
        member=cast.ordinary_member,
        direction="internal",
        to_org=cast.branch2,
        requested_on=date(2025, 3, 1),
    )
    committee = api(token_for(cast.party_secretary, write=True))
    body = {"issued_on": "2025-03-02"}
    wrong = f"/members/{cast.secretary_member.public_id}/transfers/{transfer.public_id}/approve"
    assert error(committee.post(wrong, body), 404)
    outsider = api(token_for(cast.outsider, write=True))
    right = f"/members/{cast.ordinary_member.public_id}/transfers/{transfer.public_id}/approve"
    assert error(outsider.post(right, body), 404)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REQUESTED


def test_the_receiving_committee_receives_or_rejects_under_transfers(cast, api, token_for):
    """Across committees: the receiver cannot see the member until it has received them."""
    member = cast.ordinary_member
    branch = api(token_for(cast.branch_secretary, write=True))
    created = branch.post(
        f"/members/{member.public_id}/transfers",
        {"direction": "internal", "to_org": "XDZB", "requested_on": "2025-03-01"},
    ).json()
    committee = api(token_for(cast.party_secretary, write=True))
    sent = committee.post(
        f"/members/{member.public_id}/transfers/{created['id']}/approve",
        {"issued_on": "2025-03-02", "letter_no": "No.7"},
    ).json()
    assert sent["status"] == "sent" and sent["member_name"] == "王党员"
    receiver = api(token_for(cast.outsider, write=True))
    todo = receiver.get("/transfers").json()
    assert [t["id"] for t in todo["items"]] == [created["id"]] and todo["next_cursor"] is None
    assert committee.get("/transfers").json()["items"] == []  # nothing left for the sender
    assert [t["id"] for t in committee.get("/transfers", box="outgoing").json()["items"]] == [
        created["id"]
    ]
    assert error(receiver.get(f"/members/{member.public_id}"), 404)
    path = f"/transfers/{created['id']}"
    assert receiver.get(path).json() == sent
    # The sender may not receive for the other committee; a member of the branch may do nothing.
    assert error(committee.post(f"{path}/receive", {"on": "2025-03-10"}), 403)
    assert error(
        api(token_for(cast.ordinary, write=True)).post(f"{path}/receive", {"on": "2025-03-10"}), 403
    )
    # Bad input: a group outside the receiver's scope, a short reason, a malformed body.
    refused = receiver.post(
        f"{path}/receive", {"on": "2025-03-10", "group": str(cast.group1.public_id)}
    )
    assert error(refused, 404)
    short = error(receiver.post(f"{path}/reject", {"reason": "不"}), 422)
    assert short["details"][0]["field"] == "reason"
    assert error(receiver.post(f"{path}/receive", {"on": "2025-03-10", "x": 1}), 400)
    assert error(receiver.get("/transfers", box="nope"), 400)
    member.refresh_from_db()
    assert member.org == cast.branch1
    received = receiver.post(f"{path}/receive", {"on": "2025-03-10"})
    assert received.status_code == 200, received.json()
    assert received.json()["status"] == "received"
    member.refresh_from_db()
    assert member.org == cast.other_branch
    assert receiver.get(f"/members/{member.public_id}").status_code == 200
    assert error(committee.post(f"{path}/reject", {"reason": "材料不全，退回"}), 422)  # done


def test_a_sent_transfer_rejected_by_the_receiver_keeps_the_member(cast, api, token_for, third):
    transfer = transfers.transfer_start(
        member=cast.ordinary_member,
        direction="internal",
        to_org=cast.other_branch,
        requested_on=date(2025, 3, 1),
    )
    transfers.transfer_approve(transfer=transfer, issued_on=date(2025, 3, 2), letter_no="No.8")
    stranger = api(token_for(UserFactory(username="nobody"), write=True))
    path = f"/transfers/{transfer.public_id}"
    assert error(stranger.get(path), 403)  # holds no role anywhere
    for method, tail, body in (
        ("get", "", None),
        ("post", "/reject", {"reason": "不是我们的转接"}),
    ):
        call = getattr(api(token_for(third, write=True)), method)
        assert error(call(f"{path}{tail}", body) if body else call(path), 404)  # neither side
    receiver = api(token_for(cast.outsider, write=True))
    rejected = receiver.post(f"{path}/reject", {"reason": "接收单位已撤销，请改转他处"})
    assert rejected.status_code == 200 and rejected.json()["rejection_reason"].startswith(
        "接收单位"
    )
    cast.ordinary_member.refresh_from_db()
    assert cast.ordinary_member.org == cast.branch1


def test_the_sending_branch_cancels_an_open_transfer(cast, api, token_for, third):
    transfer = transfers.transfer_start(
        member=cast.ordinary_member,
        direction="internal",
        to_org=cast.other_branch,
        requested_on=date(2025, 3, 1),
    )
    transfers.transfer_approve(transfer=transfer, issued_on=date(2025, 3, 2), letter_no="No.9")
    path = f"/transfers/{transfer.public_id}/cancel"
    assert error(api(token_for(cast.outsider, write=True)).post(path), 403)  # the receiver
    assert error(api(token_for(cast.branch_secretary)).post(path), 403)  # a read-only token
    assert error(api(token_for(third, write=True)).post(path), 404)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SENT
    branch = api(token_for(cast.branch_secretary, write=True))
    cancelled = branch.post(path)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert error(branch.post(path), 422)  # nothing left to cancel
    cast.ordinary_member.refresh_from_db()
    assert cast.ordinary_member.org == cast.branch1


def test_a_member_arriving_from_outside_the_system_is_registered_with_the_letter(
    cast, api, token_for
):
    number = unique_id_number(date(1985, 6, 6), "F")
    body = {
        "to_org": str(cast.branch2.public_id),
        "received_on": "2025-04-01",
        "outside_org": "中共某县委组织部",
        "letter_no": "No.778",
        "id_number": number,
        "name": "孙转入",
        "gender": "F",
        "birth_date": "1985-06-06",
        "admitted_on": "2010-07-01",
        "full_on": "2011-07-01",
    }
    committee = api(token_for(cast.party_secretary, write=True))
    # Bad input writes nothing: no letter number, a person registered in another committee,
    # a branch outside the scope, a branch secretary without member.transfer.
    assert (
        error(committee.post("/transfers/in", {**body, "letter_no": " "}), 422)["details"][0][
            "field"
        ]
        == "letter_no"
    )
    elsewhere = error(
        committee.post("/transfers/in", {**body, "id_number": cast.other_member.id_number}), 422
    )
    assert "其他党组织" in elsewhere["details"][0]["message"]
    assert error(
        committee.post("/transfers/in", {**body, "to_org": str(cast.other_branch.public_id)}), 404
    )
    assert error(api(token_for(cast.branch_secretary, write=True)).post("/transfers/in", body), 403)
    assert not Member.objects.filter(name="孙转入").exists()
    response = committee.post("/transfers/in", body)
    assert response.status_code == 201, response.json()
    assert number not in response.content.decode()
    data = response.json()
    assert (data["direction"], data["status"], data["member_name"]) == ("in", "received", "孙转入")
    member = Member.objects.get(name="孙转入")
    assert member.org == cast.branch2 and member.id_number == number
    assert member.transfers.get().letter_no == "No.778"


# --- personal data never leaves unmasked ---------------------------------------------------------


def test_the_full_id_number_and_phone_never_appear_in_any_response(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    data = new_person(cast)
    number = data["id_number"]
    bodies = []

    def keep(response):
        bodies.append(response.content.decode())
        return response

    created = keep(caller.post("/members", data)).json()
    path = f"/members/{created['id']}"
    keep(caller.get("/members"))
    keep(caller.get("/members", q=number[-4:]))
    detail = keep(caller.get(path)).json()
    keep(caller.patch(path, {"version": detail["version"], "occupation": "工程师"}))
    keep(caller.patch(path, {"id_number": number, "birth_date": "1990-04-13"}))  # 422
    keep(caller.post("/members", data))  # the duplicate: 422 names the person, not the number
    keep(caller.post(f"{path}/events", {"kind": "suspended", "on": "2025-03-01"}))
    keep(caller.get(f"{path}/events"))
    keep(
        caller.post(
            f"{path}/transfers",
            {"direction": "out", "outside_org": "某区委", "requested_on": "2025-03-01"},
        )
    )
    keep(caller.get(f"{path}/transfers"))
    assert len(bodies) == 11 and all(bodies)
    for body in bodies:
        assert number not in body and PHONE not in body
        assert number.lower() not in body.lower()


def test_rule_based_refusals_name_their_rule(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    response = caller.post("/members", new_person(cast, admitted_on="2007-07-01", full_on=None))
    data = error(response, 422)
    assert data["code"] == "rule_violation"
    assert {k: data["details"][0][k] for k in ("field", "rule")} == {
        "field": "admitted_on",
        "rule": "DQ-02",
    }
