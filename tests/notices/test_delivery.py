"""Channels, signed delivery to a local receiver, the delivery log with retries, the
daily digest (one per channel per day) and quiet hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.notices.conftest import DING_SECRET, HOOK_SECRET
from zhibu.core.rules.models import Notification
from zhibu.duties.models import Task
from zhibu.notices import dispatch, services
from zhibu.notices.models import Channel, Delivery, Topic
from zhibu.notices.tasks import MAX_ATTEMPTS, retry_due

SHANGHAI = ZoneInfo("Asia/Shanghai")


def channel(cast, receiver, kind, *, secret="", org=None, **data):
    return services.channel_save(
        org=org or cast.committee,
        data={
            "kind": kind,
            "name": f"{kind} 群",
            "url": receiver.url(kind),
            "secret": secret,
            "topics": data.pop("topics", [Topic.TASK, Topic.MEETING]),
            **data,
        },
        by=cast.party_secretary,
    )


@pytest.fixture
def channels(cast, receiver):
    return [
        channel(cast, receiver, "wecom"),
        channel(cast, receiver, "dingtalk", secret=DING_SECRET),
        channel(cast, receiver, "webhook", secret=HOOK_SECRET),
    ]


def test_test_messages_reach_each_robot_with_a_valid_signature(login, cast, receiver, channels):
    client = login(cast.party_secretary)
    for c in channels:
        response = client.post(reverse("notices:channel_test", args=[c.public_id]))
        assert response.status_code == 302
    assert [r["verified"] for r in receiver.received] == [True, True, True]
    wecom, ding, hook = receiver.received
    assert wecom["json"]["msgtype"] == "markdown" and "测试" in wecom["json"]["markdown"]["content"]
    assert "timestamp=" in ding["path"] and "sign=" in ding["path"]
    assert hook["json"]["source"] == "zhibu"
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    page = client.get(reverse("notices:channels"))
    assert "已发送" in page.content.decode()


def test_a_wrong_secret_is_logged_as_failed_with_the_robots_reason(cast, receiver):
    c = channel(cast, receiver, "dingtalk", secret="SECwrong")
    delivery = services.channel_test(channel=c, by=cast.party_secretary)
    delivery.refresh_from_db()
    assert receiver.received[0]["verified"] is False
    assert delivery.status == Delivery.Status.FAILED
    assert "310000" in delivery.last_error and delivery.attempts == 1


def test_a_failing_receiver_logs_the_failure_and_retries_without_raising(
    login, cast, receiver, channels
):
    receiver.fail = True
    hook = channels[2]
    response = login(cast.party_secretary).post(
        reverse("notices:channel_test", args=[hook.public_id])
    )
    assert response.status_code == 302  # the page is not blocked by the robot
    delivery = Delivery.objects.get(channel=hook)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "HTTP 500" and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert retry_due() == 0  # not before its back-off
    retry_due(delivery.next_attempt_at + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == Delivery.Status.FAILED
    receiver.fail = False
    retry_due(delivery.next_attempt_at + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.last_error == ""
    assert delivery.attempts == 3 and receiver.received[-1]["verified"]


def test_a_delivery_is_given_up_after_the_last_attempt(cast, receiver, channels):
    receiver.fail = True
    delivery = services.channel_test(channel=channels[0], by=cast.party_secretary)
    for _ in range(MAX_ATTEMPTS):
        delivery.refresh_from_db()
        retry_due((delivery.next_attempt_at or timezone.now()) + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.GAVE_UP and delivery.attempts == MAX_ATTEMPTS
    assert len(receiver.received) == MAX_ATTEMPTS


def test_secrets_are_stored_encrypted(cast, receiver, channels):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notices_channel WHERE kind = 'webhook'")
        (stored,) = cursor.fetchone()
    assert HOOK_SECRET not in stored and stored.startswith("v1:")
    assert Channel.objects.get(kind="webhook").secret == HOOK_SECRET


def test_digest_is_one_message_per_channel_per_day(cast, receiver):
    c = channel(cast, receiver, "wecom", topics=[Topic.TASK])
    Task.objects.create(
        org=cast.branch1, issuer=cast.committee, title="整理党员档案", due=date(2026, 6, 10)
    )
    with time_machine.travel(datetime(2026, 6, 9, 9, 0, tzinfo=SHANGHAI), tick=False):
        dispatch.send_day(date(2026, 6, 9))
        dispatch.send_day(date(2026, 6, 9))
    assert Delivery.objects.filter(channel=c).count() == 1
    assert len(receiver.received) == 1
    text = receiver.received[0]["json"]["markdown"]["content"]
    assert "整理党员档案" in text and "第一党支部" in text


def test_quiet_hours_hold_a_digest_until_they_end(cast, receiver):
    c = channel(cast, receiver, "wecom", quiet_start=time(22, 0), quiet_end=time(7, 0))
    Task.objects.create(
        org=cast.branch1, issuer=cast.committee, title="整理党员档案", due=date(2026, 6, 10)
    )
    with time_machine.travel(datetime(2026, 6, 9, 23, 30, tzinfo=SHANGHAI), tick=False):
        dispatch.send_day(date(2026, 6, 9))
    delivery = Delivery.objects.get(channel=c)
    assert delivery.status == Delivery.Status.PENDING and receiver.received == []
    assert delivery.not_before == datetime(2026, 6, 10, 7, 0, tzinfo=SHANGHAI)
    retry_due(datetime(2026, 6, 10, 6, 59, tzinfo=SHANGHAI))
    assert receiver.received == []
    retry_due(datetime(2026, 6, 10, 7, 1, tzinfo=SHANGHAI))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and len(receiver.received) == 1


def test_quiet_hours_arithmetic():
    at = lambda h, m=0: datetime(2026, 3, 1, h, m, tzinfo=SHANGHAI)  # noqa: E731
    assert dispatch.quiet_until(time(22), time(7), at(23)) == datetime(
        2026, 3, 2, 7, tzinfo=SHANGHAI
    )
    assert dispatch.quiet_until(time(22), time(7), at(6, 59)) == at(7)
    assert dispatch.quiet_until(time(22), time(7), at(7)) is None
    assert dispatch.quiet_until(time(12), time(14), at(13)) == at(14)
    assert dispatch.quiet_until(time(12), time(14), at(15)) is None
    assert dispatch.quiet_until(None, None, at(3)) is None


def test_person_gets_items_in_the_inbox_and_one_email_a_day(cast, mailoutbox):
    cast.ordinary.email = "wang@example.cn"
    cast.ordinary.save()
    cast.ordinary_member.admitted_on = date(2010, 6, 9)
    cast.ordinary_member.save()
    with time_machine.travel(datetime(2026, 6, 9, 9, 0, tzinfo=SHANGHAI), tick=False):
        services.preference_save(
            user=cast.ordinary,
            data={"inbox_topics": [Topic.BIRTHDAY], "email_topics": [Topic.BIRTHDAY]},
        )
        dispatch.send_day(date(2026, 6, 9))
        dispatch.send_day(date(2026, 6, 9))
    note = Notification.objects.get(user=cast.ordinary, day=date(2026, 6, 9))
    assert [i["topic"] for i in note.items] == ["birthday"]
    assert "入党 16 周年" in note.items[0]["text"]
    assert len([m for m in mailoutbox if "wang@example.cn" in m.to]) == 1


def test_topics_not_chosen_stay_out(cast, mailoutbox):
    cast.ordinary_member.admitted_on = date(2010, 6, 9)
    cast.ordinary_member.save()
    services.preference_save(user=cast.ordinary, data={"inbox_topics": [Topic.MEETING]})
    with time_machine.travel(datetime(2026, 6, 9, 9, 0, tzinfo=SHANGHAI), tick=False):
        dispatch.send_day(date(2026, 6, 9))
    assert not Notification.objects.filter(user=cast.ordinary).exists()
    assert mailoutbox == []


def test_notices_send_command_and_tick_send_the_days_reminders_once(cast, receiver):
    from io import StringIO

    from django.core.management import call_command

    channel(cast, receiver, "wecom", topics=[Topic.TASK])
    Task.objects.create(
        org=cast.branch1, issuer=cast.committee, title="整理党员档案", due=date(2026, 6, 10)
    )
    out = StringIO()
    with time_machine.travel(datetime(2026, 6, 9, 9, 0, tzinfo=SHANGHAI), tick=False):
        call_command("notices_send", "--date", "2026-06-09", stdout=out)
        call_command("tick", "--date", "2026-06-09", stdout=StringIO())
    assert "1 channel digest(s)" in out.getvalue()
    assert len(receiver.received) == 1


def test_a_channel_digest_costs_the_same_queries_for_a_bigger_tree(cast, receiver):
    """Set-based over the subtree: more branches and tasks, no more queries."""
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_org
    from zhibu.orgs.models import Org

    c = channel(cast, receiver, "webhook", secret=HOOK_SECRET, topics=list(Topic.values))

    def add_tasks(orgs):
        for org in orgs:
            Task.objects.create(org=org, issuer=cast.committee, title="任务", due=date(2026, 6, 10))

    def cost(day):
        with CaptureQueriesContext(connection) as q:
            dispatch.channel_digest(c, day)
        return len([s for s in q.captured_queries if "notices_delivery" not in s["sql"]])

    add_tasks([cast.branch1])
    small = cost(date(2026, 6, 21))
    more = [
        make_org(cast.general_branch, Org.Kind.BRANCH, f"新支部{i}", code=f"XZB{i}")
        for i in range(5)
    ]
    add_tasks(more)
    assert cost(date(2026, 6, 22)) == small


def test_a_channel_digest_gathers_meetings_requests_dues_and_birthdays(cast, receiver):
    from zhibu.duties.models import Request
    from zhibu.meetings.models import Meeting

    c = channel(cast, receiver, "webhook", secret=HOOK_SECRET, topics=list(Topic.values))
    Meeting.objects.create(
        org=cast.branch1,
        title="支部委员会会议",
        kinds=["committee"],
        on=date(2026, 6, 23),
        starts_at=time(14, 30),
        place="三楼会议室",
    )
    Request.objects.create(
        sender=cast.branch1,
        receiver=cast.general_branch,
        kind=Request.Kind.REQUEST,
        subject="关于调整党小组的请示",
        body="x",
        status=Request.Status.SENT,
        sent_on=date(2026, 6, 15),
        due_on=date(2026, 6, 20),
    )
    cast.branch2_member.admitted_on = date(2001, 6, 22)
    cast.branch2_member.save()
    outsider_request = Request.objects.create(
        sender=cast.other_branch,
        receiver=cast.other_committee,
        kind=Request.Kind.REQUEST,
        subject="外单位请示",
        body="x",
        status=Request.Status.SENT,
    )
    with time_machine.travel(datetime(2026, 6, 22, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert dispatch.channel_digest(c, date(2026, 6, 22))
    text = receiver.received[0]["json"]["text"]
    assert "「支部委员会会议」 6月23日 14:30，三楼会议室" in text
    assert "第一党支部的请示「关于调整党小组的请示」待答复，时限 2026-06-20" in text
    assert "今天是 赵党员 的政治生日" in text
    assert "本月尚有" in text and "名党员未交纳党费" in text
    assert outsider_request.subject not in text
