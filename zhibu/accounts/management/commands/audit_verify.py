"""Verify the audit chain; exit non-zero when an event was changed or deleted (for cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhibu.core.audit import audit_verify


class Command(BaseCommand):
    help = "校验审计链：逐条核对每个事件的哈希和链接；发现改动或删除时以非零状态退出。"

    def handle(self, *args, **options) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    _("审计链完整：已校验 %(count)d 个事件。") % {"count": result.checked}
                )
            )
            return
        raise CommandError(
            _("审计链在事件 #%(seq)d 处断裂：%(reason)s（此前 %(count)d 个事件校验无误）")
            % {"seq": result.broken_seq, "reason": result.reason, "count": result.checked}
        )
