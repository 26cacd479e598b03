"""Restore a backup made by ``manage.py backup``, then verify the audit chain and print
the main tables' row counts (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhibu.core.audit import audit_verify
from zhibu.core.backup import BackupError, backup_restore, row_counts


class Command(BaseCommand):
    help = "从备份目录恢复数据库和上传文件（覆盖当前数据），然后校验审计链并列出主要数据表的行数。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", help="a backup directory under var/backups/")
        parser.add_argument(
            "--yes", action="store_true", help="required in production: overwrite the data"
        )

    def handle(self, *args, directory: str, yes: bool = False, **options) -> None:
        if settings.PRODUCTION and not yes:
            raise CommandError(_("生产环境中恢复会覆盖全部现有数据：确认无误后加 --yes 再执行。"))
        source = Path(directory)
        try:
            manifest = backup_restore(source=source)
        except BackupError as exc:
            raise CommandError(_("恢复失败：%(error)s") % {"error": exc}) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("已恢复 %(when)s 的备份：%(path)s")
                % {"when": manifest["created"], "path": source}
            )
        )
        counts = row_counts()
        for label, count in counts.items():
            expected = manifest.get("counts", {}).get(label)
            note = "" if expected in (None, count) else _("（备份时为 %(n)s）") % {"n": expected}
            self.stdout.write(f"  {label}: {count}{note}")
        result = audit_verify()
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    _("审计链完整：已校验 %(count)d 个事件。") % {"count": result.checked}
                )
            )
            return
        for item in result.breaks:
            self.stderr.write(
                _("审计链在事件 #%(seq)d 处断裂：%(reason)s")
                % {"seq": item.seq, "reason": item.reason}
            )
        raise CommandError(
            _(
                "审计链共有 %(n)d 处断裂。晚于备份的锚点报告的是随恢复丢失的备份后事件；"
                "其他断裂说明备份本身被改动。"
            )
            % {"n": len(result.breaks)}
        )
