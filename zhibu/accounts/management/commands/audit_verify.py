"""Verify the audit chain; exit non-zero when an event was changed or deleted (for cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhibu.core.audit import audit_verify


class Command(BaseCommand):
    help = (
        "校验审计链：逐条核对每个事件的哈希、链接和链外锚点；报告每一处断裂，发现时以非零状态退出。"
    )

    def handle(self, *args, **options) -> None:
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
            _("审计链共有 %(breaks)d 处断裂（首处在事件 #%(seq)d；共校验 %(count)d 个事件）")
            % {"breaks": len(result.breaks), "seq": result.broken_seq, "count": result.checked}
        )
