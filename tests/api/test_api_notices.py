"""/api/v1/notice-channels and /api/v1/announcements: scope (404), permissions (403),
write-only secrets, versions (409), bad input (422, nothing written)."""

from __future__ import annotations

import pytest

from tests.notices.conftest import receiver  # noqa: F401 - the local webhook receiver
from zhibu.notices import services
from zhibu.notices.models import Announcement, Channel, Receipt


@pytest.fixture
def sec(cast, api, token_for):
    return api(token_for(cast.party_secretary, write=True))


def test_channel_create_keeps_the_secret_write_only(cast, sec, receiver):  # noqa: F811
    body = {
        "org": str(cast.committee.public_id),
        "kind": "webhook",
        "name": "党办群",
        "url": receiver.url("webhook"),
        "secret": "top-secret",
        "topics": ["task", "meeting"],
    }
    response = sec.post("/notice-channels", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["has_secret"] is True and "secret" not in data
    assert "top-secret" not in response.content.decode()
    listed = sec.get("/notice-channels").json()["items"]
    assert [c["name"] for c in listed] == ["党办群"]
    assert "top-secret" not in str(listed)


def test_channel_update_checks_the_version(cast, sec, receiver):  # noqa: F811
    c = services.channel_save(
        org=cast.committee,
        data={"kind": "wecom", "name": "群", "url": receiver.url("wecom")},
        by=cast.party_secretary,
    )
    stale = sec.patch(
        f"/notice-channels/{c.public_id}",
        {"name": "新"},
        HTTP_IF_MATCH='"2000-01-01T00:00:00+00:00"',
    )
    assert stale.status_code == 409
    ok = sec.patch(
        f"/notice-channels/{c.public_id}", {"name": "新", "version": c.updated_at.isoformat()}
    )
    assert ok.status_code == 200 and ok.json()["name"] == "新"


def test_channel_bad_input_is_422_and_writes_nothing(cast, sec):
    body = {
        "org": str(cast.committee.public_id),
        "kind": "dingtalk",
        "name": "钉钉群",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
    }
    response = sec.post("/notice-channels", body)
    assert response.status_code == 422 and "签名密钥" in response.json()["message"]
    assert not Channel.objects.exists()


def test_channels_out_of_scope_are_404_and_members_get_403(cast, api, token_for, receiver):  # noqa: F811
    c = services.channel_save(
        org=cast.committee,
        data={"kind": "wecom", "name": "群", "url": receiver.url("wecom")},
        by=cast.party_secretary,
    )
    outsider = api(token_for(cast.outsider, write=True))
    assert outsider.get(f"/notice-channels/{c.public_id}").status_code == 404
    assert outsider.patch(f"/notice-channels/{c.public_id}", {"name": "x"}).status_code == 404
    body = {
        "org": str(cast.committee.public_id),
        "kind": "wecom",
        "name": "x",
        "url": receiver.url("wecom"),
    }
    assert outsider.post("/notice-channels", body).status_code == 404
    member = api(token_for(cast.ordinary, write=True))
    assert member.get("/notice-channels").status_code == 403


def test_announcement_publish_read_and_receipts(cast, sec, api, token_for):
    body = {
        "org": str(cast.committee.public_id),
        "title": "通知",
        "body": "正文",
        "targets": [str(cast.branch1.public_id)],
    }
    created = sec.post("/announcements", body)
    assert created.status_code == 201, created.content
    a_id = created.json()["id"]
    member = api(token_for(cast.ordinary, write=True))
    assert [a["id"] for a in member.get("/announcements").json()["items"]] == [a_id]
    assert member.get(f"/announcements/{a_id}").json()["read"] is False
    assert member.post(f"/announcements/{a_id}/read").json()["read"] is True
    assert Receipt.objects.count() == 1
    assert member.get(f"/announcements/{a_id}/receipts").status_code == 404
    receipts = sec.get(f"/announcements/{a_id}/receipts").json()
    assert [p["name"] for p in receipts["read"]] == ["王党员"] and receipts["total"] == 2
    outsider = api(token_for(cast.outsider, write=True))
    assert outsider.get(f"/announcements/{a_id}").status_code == 404
    assert outsider.post(f"/announcements/{a_id}/read").status_code == 404


def test_announcement_outside_scope_is_refused(cast, api, token_for):
    branch = api(token_for(cast.branch_secretary, write=True))
    body = {
        "org": str(cast.branch1.public_id),
        "title": "越权",
        "body": "x",
        "targets": [str(cast.branch2.public_id)],
    }
    response = branch.post("/announcements", body)
    assert response.status_code == 422 and "不在范围内" in response.json()["message"]
    assert not Announcement.objects.exists()


def test_announcement_update_checks_the_version(cast, sec):
    a = services.announcement_save(
        org=cast.committee, data={"title": "原", "body": "x"}, by=cast.party_secretary
    )
    stale = sec.patch(
        f"/announcements/{a.public_id}", {"title": "新", "version": "2000-01-01T00:00:00+00:00"}
    )
    assert stale.status_code == 409
    a.refresh_from_db()
    assert a.title == "原"
    ok = sec.patch(
        f"/announcements/{a.public_id}", {"title": "新"}, HTTP_IF_MATCH=a.updated_at.isoformat()
    )
    assert ok.status_code == 200 and ok.json()["title"] == "新"


def test_announcement_list_queries_do_not_grow(cast, api, token_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = api(token_for(cast.ordinary))

    def publish(n):
        for i in range(n):
            services.announcement_save(
                org=cast.committee, data={"title": f"通知{i}", "body": "x"}, by=cast.party_secretary
            )

    publish(2)
    with CaptureQueriesContext(connection) as few:
        member.get("/announcements")
    publish(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = member.get("/announcements")
    assert len(response.json()["items"]) == 12
