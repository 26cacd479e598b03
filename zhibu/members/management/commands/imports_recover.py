"""Recover member imports interrupted by a killed server or worker (run before the worker)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from zhibu.members.imports import STUCK_AFTER, recover_interrupted


class Command(BaseCommand):
    help = "恢复被中断的党员导入批次：正在导入的退回“待确认导入”，正在校验的标为失败。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--minutes",
            type=int,
            default=int(STUCK_AFTER.total_seconds() // 60),
            help="a running batch without progress for this long is interrupted",
        )

    def handle(self, *args, minutes: int, **options) -> None:
        count = recover_interrupted(stuck_after=timedelta(minutes=minutes))
        self.stdout.write(f"interrupted import batches recovered: {count}")
