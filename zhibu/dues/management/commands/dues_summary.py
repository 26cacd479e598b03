from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from zhibu.dues import summary
from zhibu.dues.rates import parse_month


class Command(BaseCommand):
    help = (
        "Rebuild the monthly dues summary from the raw records (every month it holds, or "
        "the months given, which it then holds); idempotent. Run after a bulk load that "
        "bypassed the services."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("months", nargs="*", help="months to (re)build, e.g. 2026-03")

    def handle(self, *args, months: list[str], **options) -> None:
        parsed = []
        for text in months:
            month = parse_month(text)
            if month is None:
                raise CommandError(f"“{text}”不是月份（如 2026-03）。")
            parsed.append(month)
        started = time.perf_counter()
        written = summary.rebuild(parsed or None)
        self.stdout.write(
            f"dues summary: {written} rows written in {time.perf_counter() - started:.1f} s"
        )
