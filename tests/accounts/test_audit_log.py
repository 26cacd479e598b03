"""审计管理员: the audit log page, and verifying the hash chain (page and command)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from zhibu.core import dbguard
from zhibu.core.audit import audit_record, audit_verify
from zhibu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


@pytest.fixture
def auditor(admins, login):
    return login(admins.audit)


def seqs(response) -> list[int]:
    return [event.seq for event in response.context["page_obj"]]


def record(summary: str, kind=AuditEvent.Kind.CONFIG_CHANGED, actor=None, **kw) -> AuditEvent:
    return audit_record(kind=kind, summary=summary, actor=actor, **kw)


# --- the list ------------------------------------------------------------------------


def test_auditor_sees_events_newest_first_with_their_details(cast, admins, auditor):
    event = record("修改了检查参数", actor=admins.system, obj=cast.branch1)
    response = auditor.get(reverse("accounts:audit"))
    assert response.status_code == 200
    shown = seqs(response)
    assert shown == sorted(shown, reverse=True) and shown[0] == event.seq
    body = response.content.decode()
    assert "修改了检查参数" in body and "xitong" in body and "配置变更" in body
    assert "党组织" in body and str(cast.branch1.public_id) in body  # the object


def test_audit_log_filters_by_kind_actor_text_and_dates(cast, admins, auditor):
    with time_machine.travel(datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI), tick=False):
        march_1 = record("三月一日深夜的变更", actor=admins.system)
    with time_machine.travel(datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI), tick=False):
        march_2 = record(
            "三月二日凌晨的导出", kind=AuditEvent.Kind.EXPORT, actor=cast.party_secretary
        )
    get = lambda **q: seqs(auditor.get(reverse("accounts:audit"), q))  # noqa: E731
    assert get(kind="export") == [march_2.seq]
    assert get(actor="dangw") == [march_2.seq]
    assert get(q="深夜") == [march_1.seq]
    # Local (Asia/Shanghai) days, although 2026-03-02 00:30 there is still March 1st in UTC.
    assert get(date_from="2026-03-01", date_to="2026-03-01") == [march_1.seq]
    assert get(date_from="2026-03-02", date_to="2026-03-02") == [march_2.seq]
    assert get(q="三月", date_to="2026-03-02") == [march_2.seq, march_1.seq]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-13-01"}, "输入一个有效的日期。"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "起始日期不能晚于截止日期。"),
        ({"kind": "nonsense"}, "选择一个有效的选项"),
    ],
)
def test_bad_filters_are_reported_in_chinese_and_ignored(admins, auditor, query, message):
    events = AuditEvent.objects.count()
    response = auditor.get(reverse("accounts:audit"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert len(seqs(response)) == events  # the bad filter is not applied
    assert AuditEvent.objects.count() == events


def test_audit_log_is_paginated_by_seq_and_keeps_the_filters(admins, auditor):
    for n in range(60):
        record(f"批量事件 {n}")
    first = auditor.get(reverse("accounts:audit"), {"q": "批量"})
    second = auditor.get(reverse("accounts:audit"), {"q": "批量", "page": 2})
    assert len(seqs(first)) == 50 and len(seqs(second)) == 10
    assert seqs(first)[-1] == seqs(second)[0] + 1
    assert "q=%E6%89%B9%E9%87%8F&amp;page=2" in first.content.decode()


def test_audit_list_query_count_does_not_grow_with_events(
    admins, auditor, django_assert_max_num_queries
):
    for n in range(80):
        record(f"事件 {n}", actor=admins.system)
    # session, user, grants, unread notices, own member record (shell); count, page; session save (3)
    with django_assert_max_num_queries(10):
        response = auditor.get(reverse("accounts:audit"))
    assert len(seqs(response)) == 50


def test_auditor_sees_no_member_id_number(cast, admins, auditor, login):
    members = [cast.secretary_member, cast.ordinary_member, cast.branch2_member, cast.other_member]
    login(cast.party_secretary)  # some events of people who work with members
    record(
        "查看党员王党员的身份证号",
        kind=AuditEvent.Kind.REVEAL,
        actor=cast.party_secretary,
        obj=cast.ordinary_member,
        details={"field": "id_number"},
    )
    body = login(admins.audit).get(reverse("accounts:audit")).content.decode()
    assert "查看党员王党员的身份证号" in body
    for member in members:
        assert len(member.id_number) == 18 and member.id_number not in body


# --- verifying the chain -------------------------------------------------------------


def tamper(sql: str, params: list) -> None:
    dbguard.uninstall(connection)  # the suite removed them already; be explicit
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_clean_chain_verifies(cast, admins):
    result = audit_verify()
    assert result.ok and result.checked == AuditEvent.objects.count() > 0


def test_changing_an_event_is_reported_at_exactly_that_event(cast, admins, auditor):
    target = record("原始摘要", actor=admins.system)
    record("之后的事件")
    tamper("UPDATE core_auditevent SET summary = %s WHERE seq = %s", ["被篡改的摘要", target.seq])
    result = audit_verify()
    assert (result.ok, result.broken_seq, result.checked) == (False, target.seq, target.seq - 1)
    assert "内容被改动" in result.reason
    body = auditor.post(reverse("accounts:audit_verify")).content.decode()
    assert f"审计链在事件 #{target.seq} 处断裂" in body and "内容被改动" in body
    with pytest.raises(CommandError, match=f"#{target.seq} 处断裂"):
        call_command("audit_verify")


def test_deleting_the_last_event_is_reported(cast, admins, auditor):
    last = record("最后一个事件")
    tamper("DELETE FROM core_auditevent WHERE seq = %s", [last.seq])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, last.seq)
    assert "末尾事件被删除" in result.reason
    body = auditor.post(reverse("accounts:audit_verify")).content.decode()
    assert f"审计链在事件 #{last.seq} 处断裂" in body
    with pytest.raises(CommandError, match=f"#{last.seq} 处断裂"):
        call_command("audit_verify")


def test_deleting_an_event_in_the_middle_is_reported(cast, admins):
    middle = record("中间的事件")
    record("之后的事件")
    tamper("DELETE FROM core_auditevent WHERE seq = %s", [middle.seq])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, middle.seq)
    assert "缺失" in result.reason


def test_the_verify_page_reports_a_clean_chain(cast, admins, auditor):
    count = AuditEvent.objects.count()
    response = auditor.post(reverse("accounts:audit_verify"))
    assert response.status_code == 200
    assert f"审计链完整：已校验 {count} 个事件" in response.content.decode()
    assert AuditEvent.objects.count() == count  # verifying writes nothing


def test_the_verify_page_needs_post(admins, auditor):
    assert auditor.get(reverse("accounts:audit_verify")).status_code == 405


def test_the_command_prints_the_count_on_a_clean_chain(cast, admins, capsys):
    call_command("audit_verify")
    assert f"审计链完整：已校验 {AuditEvent.objects.count()} 个事件。" in capsys.readouterr().out


def test_the_command_exits_non_zero_on_a_broken_chain(cast, admins):
    tamper("UPDATE core_auditevent SET actor_name = %s WHERE seq = %s", ["someone", 1])
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    assert info.value.returncode != 0


# --- the database itself refuses tampering -----------------------------------------


def test_the_database_refuses_update_and_delete_of_audit_events(cast, admins):
    event = record("受保护的事件")
    dbguard.install(connection)  # rolled back with the test's transaction
    try:
        for statement in (
            "UPDATE core_auditevent SET summary = 'x' WHERE seq = %s",
            "DELETE FROM core_auditevent WHERE seq = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement, [event.seq])
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(summary="x")
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
        appended = record("仍可追加")  # appending still works
    finally:
        dbguard.uninstall(connection)
    assert AuditEvent.objects.get(pk=event.pk).summary == "受保护的事件"
    assert appended.seq == event.seq + 1
    assert audit_verify().ok


# --- who did what: sign-in events and role grants -------------------------------------


def test_signing_in_and_out_is_audited_with_the_actor(cast, client, last_seq):
    seq = last_seq()
    client.post(reverse("login"), {"username": "dangyuan", "password": "Test-pass-2026"})
    client.post(reverse("logout"))
    events = AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
    assert [(e.kind, e.actor, e.ip) for e in events] == [
        (AuditEvent.Kind.LOGIN, cast.ordinary, "127.0.0.1"),
        (AuditEvent.Kind.LOGOUT, cast.ordinary, "127.0.0.1"),
    ]


def test_a_failed_sign_in_is_audited_with_the_named_user(cast, client, last_seq):
    seq = last_seq()
    client.post(reverse("login"), {"username": "dangyuan", "password": "wrong-password"})
    [event] = AuditEvent.objects.filter(seq__gt=seq)
    assert (event.kind, event.actor, event.details) == (
        AuditEvent.Kind.LOGIN_FAILED,
        cast.ordinary,
        {"username": "dangyuan"},
    )
    assert "wrong-password" not in event.summary + str(event.details)


def test_a_role_grant_is_audited_with_the_granting_lead(cast, admins):
    from zhibu.accounts.models import Role
    from zhibu.accounts.services import role_grant

    newcomer = UserFactory(username="xinren")
    assignment = role_grant(
        user=newcomer, role=Role.MEMBER, org=cast.branch2, by=cast.party_secretary
    )
    event = AuditEvent.objects.get(object_id=str(assignment.public_id))
    assert (event.kind, event.actor, event.org_path) == (
        AuditEvent.Kind.ROLE_GRANTED,
        cast.party_secretary,
        cast.branch2.path,
    )
