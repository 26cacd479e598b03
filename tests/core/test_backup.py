"""The backup and restore drill (issue 14, item 7), on whichever engine the suite runs on:
CI runs it on SQLite and on PostgreSQL (`.ci/run`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from zhibu.core.audit import audit_record, audit_verify
from zhibu.core.models import AuditEvent
from zhibu.core.rules.models import Notification
from zhibu.members.models import Member

# The backup reads committed data (and PostgreSQL's pg_dump another connection's view).
pytestmark = pytest.mark.django_db(transaction=True)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "archives").mkdir(parents=True)
    (settings.MEDIA_ROOT / "archives" / "入党申请书.pdf").write_bytes(b"%PDF-1.4 application")
    return settings.MEDIA_ROOT


def test_the_backup_and_restore_drill(cast, media, tmp_path, capsys):
    member = cast.ordinary_member
    name = member.name
    Notification.objects.create(user=cast.party_secretary, day="2026-03-01", subject="备份前的提醒")
    audit_record(kind=AuditEvent.Kind.CONFIG_CHANGED, summary="备份前的事件")
    events = AuditEvent.objects.count()

    call_command("backup", "--into", str(tmp_path / "backups"))
    out = capsys.readouterr().out
    assert "备份完成" in out and "ZHIBU_FIELD_KEY" in out and "另行妥善备份" in out
    [backup] = list((tmp_path / "backups").iterdir())
    assert mode(tmp_path / "backups") == 0o700 and mode(backup) == 0o700
    files = {p.name for p in backup.iterdir()}
    assert {"manifest.json", "media.tar.gz"} <= files
    assert files & {"db.sqlite3", "db.dump"}
    assert all(mode(p) == 0o600 for p in backup.iterdir())

    # The day after: data changed and deleted, the audit chain grew, an upload was lost.
    Member.objects.filter(pk=member.pk).update(name="被改动的名字")
    Notification.objects.all().delete()
    audit_record(kind=AuditEvent.Kind.CONFIG_CHANGED, summary="备份后的事件")
    (media / "archives" / "入党申请书.pdf").unlink()

    call_command("restore", str(backup))
    out = capsys.readouterr().out
    assert "已恢复" in out and "members.Member:" in out and "core.AuditEvent:" in out
    assert f"审计链完整：已校验 {events} 个事件" in out
    connection.close()  # a fresh connection reads the restored database
    assert Member.objects.get(pk=member.pk).name == name
    assert Notification.objects.filter(subject="备份前的提醒").exists()
    assert AuditEvent.objects.count() == events
    assert not AuditEvent.objects.filter(summary="备份后的事件").exists()
    assert audit_verify().ok
    assert (media / "archives" / "入党申请书.pdf").read_bytes() == b"%PDF-1.4 application"
    # The restored database takes new events on the restored chain.
    audit_record(kind=AuditEvent.Kind.CONFIG_CHANGED, summary="恢复后的事件")
    assert audit_verify().ok


def test_restore_refuses_in_production_without_yes(cast, media, tmp_path, settings):
    call_command("backup", "--into", str(tmp_path / "backups"))
    [backup] = list((tmp_path / "backups").iterdir())
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(backup))


def test_restore_refuses_a_directory_that_is_not_a_backup(cast, tmp_path):
    with pytest.raises(CommandError, match="not a Zhibu backup"):
        call_command("restore", str(tmp_path))


def test_backup_keeps_the_newest_n(cast, media, tmp_path):
    root = tmp_path / "backups"
    for stamp in ("20260101-010101", "20260102-010101", "20260103-010101"):
        (root / stamp).mkdir(parents=True)
        (root / stamp / "manifest.json").write_text("{}")
    (root / "keep-me").mkdir()
    call_command("backup", "--into", str(root), "--keep", "2")
    left = sorted(p.name for p in root.iterdir())
    assert "20260103-010101" in left and "keep-me" in left and len(left) == 3
