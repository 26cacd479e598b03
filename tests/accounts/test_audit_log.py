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
    assert (result.ok, result.broken_seq, len(result.breaks)) == (False, target.seq, 1)
    assert result.checked == AuditEvent.objects.count()
    assert "内容被改动" in result.reason
    body = auditor.post(reverse("accounts:audit_verify")).content.decode()
    assert f"审计链在事件 #{target.seq} 处断裂" in body and "内容被改动" in body
    with pytest.raises(CommandError, match=f"首处在事件 #{target.seq}"):
        call_command("audit_verify")


def test_deleting_the_last_event_is_reported(cast, admins, auditor):
    last = record("最后一个事件")
    tamper("DELETE FROM core_auditevent WHERE seq = %s", [last.seq])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, last.seq)
    assert "末尾事件被删除" in result.reason
    body = auditor.post(reverse("accounts:audit_verify")).content.decode()
    assert f"审计链在事件 #{last.seq} 处断裂" in body
    with pytest.raises(CommandError, match=f"首处在事件 #{last.seq}"):
        call_command("audit_verify")


def test_deleting_an_event_in_the_middle_is_reported(cast, admins):
    middle = record("中间的事件")
    record("之后的事件")
    tamper("DELETE FROM core_auditevent WHERE seq = %s", [middle.seq])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, middle.seq)
    assert "缺失" in result.reason
    assert len(result.breaks) == 1  # the gap, not also the link it breaks


def plain_sha256(seq: int) -> str:
    """What an attacker with only database access recomputes: the old unkeyed hash."""
    import hashlib

    from zhibu.core.audit import _canonical

    event = AuditEvent.objects.get(seq=seq)
    return hashlib.sha256(_canonical(event)).hexdigest()


def test_new_events_are_keyed(cast, admins):
    event = record("新事件")
    assert event.algorithm == AuditEvent.Algorithm.HMAC_SHA256
    assert event.hash != plain_sha256(event.seq)


@pytest.mark.parametrize("downgrade", [False, True])
def test_editing_an_event_and_recomputing_a_plain_sha256_no_longer_passes(cast, admins, downgrade):
    target = record("原始摘要")
    tamper("UPDATE core_auditevent SET summary = %s WHERE seq = %s", ["被篡改的摘要", target.seq])
    if downgrade:  # claim the event predates the key
        tamper("UPDATE core_auditevent SET algorithm = 'sha256' WHERE seq = %s", [target.seq])
    forged = plain_sha256(target.seq)
    tamper("UPDATE core_auditevent SET hash = %s WHERE seq = %s", [forged, target.seq])
    tamper("UPDATE core_auditchainhead SET hash = %s", [forged])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, target.seq)
    assert ("降级" if downgrade else "内容被改动") in result.reason


def test_events_stored_before_the_key_still_verify(cast, admins):
    """Rows written before the migration are plain SHA-256 and stay verifiable."""
    import hashlib

    from zhibu.core.audit import _canonical

    dbguard.uninstall(connection)
    first = AuditEvent.objects.order_by("seq").first()
    assert first is not None
    with connection.cursor() as cursor:  # rewrite the whole chain as it was stored before
        previous = "0" * 64
        for event in AuditEvent.objects.order_by("seq"):
            event.prev_hash, event.algorithm = previous, AuditEvent.Algorithm.SHA256
            digest = hashlib.sha256(_canonical(event)).hexdigest()
            cursor.execute(
                "UPDATE core_auditevent SET prev_hash = %s, algorithm = 'sha256', hash = %s "
                "WHERE seq = %s",
                [previous, digest, event.seq],
            )
            previous = digest
        cursor.execute("UPDATE core_auditchainhead SET hash = %s", [previous])
    assert audit_verify().ok
    appended = record("密钥启用后的事件")
    assert appended.algorithm == AuditEvent.Algorithm.HMAC_SHA256
    assert audit_verify().ok


def test_two_separate_breaks_are_both_reported(cast, admins, auditor):
    first = record("第一处")
    record("之间的事件")
    second = record("第二处")
    record("之后的事件")
    tamper("UPDATE core_auditevent SET summary = 'x' WHERE seq = %s", [first.seq])
    tamper("UPDATE core_auditevent SET summary = 'y' WHERE seq = %s", [second.seq])
    result = audit_verify()
    assert [b.seq for b in result.breaks] == [first.seq, second.seq]
    body = auditor.post(reverse("accounts:audit_verify")).content.decode()
    assert f"审计链在事件 #{first.seq} 处断裂" in body
    assert f"审计链在事件 #{second.seq} 处断裂" in body
    with pytest.raises(CommandError, match="共有 2 处断裂"):
        call_command("audit_verify")


# --- anchors outside the database ----------------------------------------------------


def test_tick_anchors_the_chain_head_in_a_private_append_only_file(cast, admins, settings):
    import os
    from pathlib import Path

    from zhibu.core.audit import read_anchors

    first = record("锚定前")
    call_command("tick")
    second = record("再次锚定前")
    call_command("tick")
    path = Path(settings.ZHIBU_AUDIT_ANCHOR_FILE)
    anchors = read_anchors()
    assert len(anchors) == 2
    assert anchors[0].seq >= first.seq and anchors[1].seq >= second.seq > anchors[0].seq
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(path.parent).st_mode & 0o777 == 0o700


def test_deleting_the_tail_after_an_anchor_is_detected(cast, admins, auditor):
    from zhibu.core.audit import anchor_write

    record("将被删除的事件一")
    last = record("将被删除的事件二")
    anchor_write()
    keep = AuditEvent.objects.get(seq=last.seq - 2)
    # The attacker deletes the tail and puts the head back where the chain now ends.
    tamper("DELETE FROM core_auditevent WHERE seq >= %s", [last.seq - 1])
    tamper("UPDATE core_auditchainhead SET seq = %s, hash = %s", [keep.seq, keep.hash])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, last.seq)
    assert "锚定的事件" in result.reason and "已不存在" in result.reason
    body = auditor.post(reverse("accounts:audit_verify")).content.decode()
    assert f"审计链在事件 #{last.seq} 处断裂" in body


def test_rewriting_history_under_an_anchor_is_detected(cast, admins):
    from zhibu.core.audit import anchor_write

    target = record("已锚定的事件")
    anchor_write()
    tamper("UPDATE core_auditevent SET hash = %s WHERE seq = %s", ["f" * 64, target.seq])
    result = audit_verify()
    assert any("锚点不符" in b.reason and b.seq == target.seq for b in result.breaks)


# --- alerts --------------------------------------------------------------------------


def inbox(user) -> list[str]:
    from zhibu.core.rules.models import Notification

    return [i["text"] for n in Notification.objects.filter(user=user) for i in n.items]


def test_a_chain_break_found_by_tick_alerts_the_security_and_audit_administrators(cast, admins):
    target = record("将被改动")
    tamper("UPDATE core_auditevent SET summary = 'x' WHERE seq = %s", [target.seq])
    call_command("tick")
    for user in (admins.security, admins.audit):
        assert any("审计链校验发现 1 处断裂" in text for text in inbox(user))
    assert not any("审计链" in text for text in inbox(admins.system))
    assert not any("审计链" in text for text in inbox(cast.party_secretary))


def test_a_clean_tick_raises_no_alert(cast, admins):
    call_command("tick")
    assert not any("安全告警" in text for text in inbox(admins.security))


def test_a_burst_of_lockouts_alerts_the_security_and_audit_administrators(
    cast, admins, client, settings
):
    from zhibu.accounts.services import LOCKOUT_BURST

    # Five quick failures lock here: no growing delay between tries (see test_lockouts).
    settings.AXES_FAILURE_LIMIT = 5
    settings.ZHIBU_LOGIN_BACKOFF_SECONDS = 0

    for n in range(LOCKOUT_BURST - 1):
        record(f"user{n} 被锁定", kind=AuditEvent.Kind.LOCKED_OUT)
    assert not any("被锁定" in text for text in inbox(admins.security))
    for _ in range(5):  # the tenth lockout, through django-axes
        client.post(reverse("login"), {"username": "dangyuan", "password": "wrong-password"})
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKED_OUT).count() >= LOCKOUT_BURST
    for user in (admins.security, admins.audit):
        alerts = [t for t in inbox(user) if "因连续登录失败被锁定" in t]
        assert len(alerts) == 1 and f"{LOCKOUT_BURST} 个账号" in alerts[0]


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
