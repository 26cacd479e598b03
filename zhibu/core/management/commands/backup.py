"""Back up the database and the uploaded files into a new directory (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhibu.core.backup import BackupError, backup_create, backup_prune


class Command(BaseCommand):
    help = (
        "备份数据库（SQLite 在线备份 / PostgreSQL pg_dump）和上传文件到 var/backups/ 下的新目录。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--into", help="parent directory (default var/backups/)")
        parser.add_argument(
            "--keep", type=int, default=0, help="then delete all but the newest N backups"
        )

    def handle(self, *args, into=None, keep=0, **options) -> None:
        parent = Path(into) if into else None
        try:
            made = backup_create(into=parent)
        except BackupError as exc:
            raise CommandError(_("备份失败：%(error)s") % {"error": exc}) from None
        self.stdout.write(self.style.SUCCESS(_("备份完成：%(path)s") % {"path": made.path}))
        for label, count in made.manifest["counts"].items():
            self.stdout.write(f"  {label}: {count}")
        if keep:
            for old in backup_prune(keep=keep, into=parent):
                self.stdout.write(_("已删除旧备份：%(path)s") % {"path": old})
        self.stdout.write(
            self.style.WARNING(
                _(
                    "提醒：备份不含密钥。ZHIBU_FIELD_KEY（加密身份证号、手机号，并派生审计链密钥）"
                    "须另行妥善备份并与备份分开保管；没有它，恢复的个人信息无法读取，审计链无法校验。"
                )
            )
        )
