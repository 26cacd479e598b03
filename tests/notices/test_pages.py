"""Announcements (scope, receipts for the sender only, version checks), channel and
preference pages: permissions and bad input (a Chinese error, nothing written)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.notices.conftest import HOOK_SECRET
from zhibu.notices import services
from zhibu.notices.models import Announcement, Channel, Policy, Preference, Receipt, Topic


@pytest.fixture
def notice(cast):
    return services.announcement_save(
        org=cast.committee,
        data={"title": "关于开展主题党日活动的通知", "body": "各支部于本月内开展。"},
        by=cast.party_secretary,
    )


def test_committee_publishes_to_its_subtree_and_members_read_it(login, cast):
    client = login(cast.party_secretary)
    response = client.post(
        reverse("notices:new", args=[cast.committee.public_id]),
        {
            "title": "换届工作通知",
            "body": "请各支部做好准备。",
            "targets": [cast.branch1.public_id],
        },
    )
    a = Announcement.objects.get()
    assert response.status_code == 302
    assert list(a.targets.all()) == [cast.branch1]
    member = login(cast.ordinary)
    assert "换届工作通知" in member.get(reverse("notices:index")).content.decode()
    assert "换届工作通知" in member.get(reverse("home")).content.decode()
    page = member.get(reverse("notices:detail", args=[a.public_id]))
    assert page.status_code == 200 and 'id="receipts"' not in page.content.decode()
    assert Receipt.objects.filter(announcement=a, user=cast.ordinary).count() == 1


def test_announcement_to_a_branch_is_not_seen_by_other_branches(login, cast, django_user_model):
    from tests.factories import grant
    from zhibu.accounts.models import Role

    a = services.announcement_save(
        org=cast.committee,
        data={"title": "仅第一支部", "body": "内容"},
        by=cast.party_secretary,
        targets=[cast.branch1],
    )
    other = django_user_model.objects.create_user(username="zb2", password="Secret-pass-123")
    grant(other, Role.MEMBER, cast.branch2)
    assert login(other).get(reverse("notices:detail", args=[a.public_id])).status_code == 404
    assert (
        login(cast.outsider).get(reverse("notices:detail", args=[a.public_id])).status_code == 404
    )


def test_receipts_are_shown_to_the_sending_org_only(login, cast, notice):
    login(cast.ordinary).get(reverse("notices:detail", args=[notice.public_id]))
    sender = login(cast.party_secretary).get(reverse("notices:detail", args=[notice.public_id]))
    html = sender.content.decode()
    assert 'id="receipts"' in html
    read = html.split('id="read-list"')[1].split("</p>")[0]
    unread = html.split('id="unread-list"')[1].split("</p>")[0]
    assert "王党员" in read and "李书记" in unread
    # a branch secretary (not the sending committee) reads it but sees no receipts
    branch = login(cast.branch_secretary).get(reverse("notices:detail", args=[notice.public_id]))
    assert branch.status_code == 200 and 'id="receipts"' not in branch.content.decode()


def test_announcement_to_orgs_outside_scope_is_refused(login, cast):
    client = login(cast.branch_secretary)
    response = client.post(
        reverse("notices:new", args=[cast.branch1.public_id]),
        {"title": "越权通知", "body": "内容", "targets": [cast.branch2.public_id]},
    )
    assert response.status_code == 200
    assert "不在范围内" in response.content.decode() and "第二党支部" in response.content.decode()
    assert not Announcement.objects.exists()


def test_announcement_without_title_is_refused(login, cast):
    response = login(cast.party_secretary).post(
        reverse("notices:new", args=[cast.committee.public_id]), {"title": " ", "body": "x"}
    )
    assert response.status_code == 200 and not Announcement.objects.exists()


def test_stale_edit_of_an_announcement_is_refused(login, cast, notice):
    client = login(cast.party_secretary)
    url = reverse("notices:edit", args=[notice.public_id])
    stale = "2000-01-01T00:00:00+00:00"
    response = client.post(url, {"title": "改后标题", "body": "改后", "version": stale})
    assert response.status_code == 200 and "已修改了该" in response.content.decode()
    notice.refresh_from_db()
    assert notice.title == "关于开展主题党日活动的通知"
    response = client.post(
        url, {"title": "改后标题", "body": "改后", "version": notice.updated_at.isoformat()}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "改后标题"


def test_members_cannot_publish_or_configure(login, cast, notice):
    client = login(cast.ordinary)
    assert client.get(reverse("notices:new", args=[cast.branch1.public_id])).status_code == 403
    assert client.get(reverse("notices:channels")).status_code == 403
    assert client.get(reverse("notices:edit", args=[notice.public_id])).status_code == 403


def test_pages_require_login(client, cast, notice):
    for url in (
        reverse("notices:index"),
        reverse("notices:preferences"),
        reverse("notices:channels"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_outsider_gets_404_for_another_committees_channel(login, cast, receiver):
    c = services.channel_save(
        org=cast.committee,
        data={"kind": "webhook", "name": "群", "url": receiver.url("webhook"), "secret": "s"},
        by=cast.party_secretary,
    )
    client = login(cast.outsider)
    assert client.get(reverse("notices:channel_edit", args=[c.public_id])).status_code == 404
    assert client.post(reverse("notices:channel_test", args=[c.public_id])).status_code == 404
    assert (
        client.get(reverse("notices:channel_new", args=[cast.committee.public_id])).status_code
        == 404
    )
    assert receiver.received == []


def test_channel_page_creates_a_channel_and_never_shows_the_secret(login, cast, receiver):
    client = login(cast.party_secretary)
    response = client.post(
        reverse("notices:channel_new", args=[cast.committee.public_id]),
        {
            "kind": "webhook",
            "name": "党办群",
            "url": receiver.url("webhook"),
            "secret": HOOK_SECRET,
            "topics": [Topic.TASK],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    c = Channel.objects.get()
    assert c.secret == HOOK_SECRET
    edit = client.get(reverse("notices:channel_edit", args=[c.public_id])).content.decode()
    assert HOOK_SECRET not in edit
    # saving again with the secret left blank keeps it
    client.post(
        reverse("notices:channel_edit", args=[c.public_id]),
        {
            "kind": "webhook",
            "name": "党办群（改）",
            "url": receiver.url("webhook"),
            "secret": "",
            "topics": [Topic.TASK],
            "version": c.updated_at.isoformat(),
        },
    )
    c.refresh_from_db()
    assert c.name == "党办群（改）" and c.secret == HOOK_SECRET and not c.enabled


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t"},
            "签名密钥",
        ),
        ({"kind": "webhook", "url": "https://example.cn/hook"}, "签名密钥"),
        ({"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, "key 参数"),
        (
            {"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send", "secret": "s"},
            "access_token",
        ),
        ({"kind": "webhook", "url": "ftp://example.cn/hook", "secret": "s"}, "完整的 Webhook 地址"),
    ],
)
def test_bad_channels_are_refused_with_a_chinese_error(login, cast, data, message):
    response = login(cast.party_secretary).post(
        reverse("notices:channel_new", args=[cast.committee.public_id]), {"name": "群", **data}
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Channel.objects.exists()


def test_plain_http_is_refused_outside_development_and_test(login, cast, settings):
    settings.ENVIRONMENT, settings.DEBUG = "production", False
    response = login(cast.party_secretary).post(
        reverse("notices:channel_new", args=[cast.committee.public_id]),
        {"name": "群", "kind": "wecom", "url": "http://qyapi.weixin.qq.com/x?key=k"},
    )
    assert "必须使用 https://" in response.content.decode()
    assert not Channel.objects.exists()


def test_preferences_page_saves_choices_and_quiet_hours(login, cast):
    cast.ordinary.email = "wang@example.cn"
    cast.ordinary.save()
    client = login(cast.ordinary)
    response = client.post(
        reverse("notices:preferences"),
        {
            "inbox_topics": [Topic.NOTICE, Topic.MEETING],
            "email_topics": [Topic.MEETING],
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        },
    )
    assert response.status_code == 302
    pref = Preference.objects.get(user=cast.ordinary)
    assert pref.inbox_topics == ["meeting", "notice"] and pref.email_topics == ["meeting"]
    assert str(pref.quiet_start) == "22:00:00"


def test_preferences_refuse_email_without_address_and_half_quiet_hours(login, cast):
    client = login(cast.ordinary)
    response = client.post(reverse("notices:preferences"), {"email_topics": [Topic.MEETING]})
    assert "没有电子邮箱" in response.content.decode()
    response = client.post(reverse("notices:preferences"), {"quiet_start": "22:00"})
    assert "同时填写开始和结束" in response.content.decode()
    assert not Preference.objects.exists()


def test_preferences_stay_within_what_the_organisation_allows(login, cast):
    services.policy_save(
        org=cast.committee, topics=[Topic.NOTICE], email_allowed=False, by=cast.party_secretary
    )
    assert Policy.objects.count() == 1
    client = login(cast.ordinary)
    page = client.get(reverse("notices:preferences")).content.decode()
    assert "会议通知和变更" not in page and "所在组织未开放邮件提醒" in page
    response = client.post(reverse("notices:preferences"), {"inbox_topics": [Topic.MEETING]})
    assert response.status_code == 200 and not Preference.objects.exists()


def test_demo_step_configures_a_local_channel_and_an_announcement_with_receipts(login, cast):
    from datetime import date

    from zhibu.demo import notices as demo_notices
    from zhibu.demo.state import Demo

    cast.ordinary.username = "dangyuan"
    cast.ordinary.save()
    demo = Demo(seed=1, today=date(2026, 6, 9))
    demo_notices.build(demo, cast.committee)
    demo_notices.build(demo, cast.committee)  # a second build adds nothing
    channel = Channel.objects.get()
    assert channel.kind == "wecom" and channel.url.startswith("http://127.0.0.1:8765/")
    a = Announcement.objects.get()
    assert list(
        Receipt.objects.filter(announcement=a).values_list("user__username", flat=True)
    ) == ["dangyuan"]
    html = login(cast.party_secretary).get(reverse("notices:detail", args=[a.public_id])).content
    read = html.decode().split('id="read-list"')[1].split("</p>")[0]
    assert "王党员" in read  # the demo's reader (and the secretary, who just opened it)


def test_announcement_list_and_home_panel_queries_do_not_grow_with_announcements(
    login, cast, django_assert_max_num_queries
):
    client = login(cast.ordinary)

    def publish(n):
        for i in range(n):
            services.announcement_save(
                org=cast.committee, data={"title": f"通知{i}", "body": "x"}, by=cast.party_secretary
            )

    publish(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notices:index"))
    publish(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("notices:index"))
    assert response.content.decode().count("list-group-item-action") == 22
