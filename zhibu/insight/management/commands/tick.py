"""The nightly job (cron): re-evaluate the periods that can still change, then send the
daily digests. Idempotent: running it again the same day does nothing new.

The evaluation is fanned out as one job per part of the tree (``zhibu.insight.fanout``)
on the task queue, so every ``manage.py db_worker`` — on this machine or another one
sharing the database — takes parts. ``tick`` enqueues the parts and a finishing job and
returns; ``tick --wait`` waits for the parts, retries a failed part, and finishes inline.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from zhibu.core import partitions
from zhibu.insight import fanout


class Command(BaseCommand):
    help = "Nightly: evaluate the open periods for every top-level org and send digests."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="pretend today is this ISO date (for back-fills)")
        parser.add_argument(
            "--wait",
            action="store_true",
            help="wait for the queued parts (retrying a failed one), then finish here",
        )
        parser.add_argument(
            "--parts",
            type=int,
            default=fanout.DEFAULT_PARTS,
            help="jobs per top-level tree (balanced groups of its second-level committees)",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="judge every rule-period again (after findings were deleted by hand)",
        )
        parser.add_argument(
            "--retries", type=int, default=1, help="with --wait: re-queue a failed part this often"
        )

    def handle(
        self,
        *args,
        date=None,
        wait=False,
        retries=1,
        parts=fanout.DEFAULT_PARTS,
        full=False,
        **options,
    ) -> None:
        today = timezone.localdate() if not date else dt.date.fromisoformat(date)
        started = time.monotonic()
        since = timezone.now()
        for name in partitions.ahead(connection, today):  # PostgreSQL: next year's, ahead
            self.stdout.write(f"partition {name} created")
        if parts < 1:
            raise CommandError("--parts 至少为 1。")
        planned = fanout.plan(parts)
        results = fanout.enqueue(planned, today, full=full)
        self.stdout.write(f"{len(planned)} part(s) queued for {today.isoformat()}")
        if not wait:
            deadline = since + fanout.FINISH_PATIENCE
            fanout.tick_finish.enqueue(
                today.isoformat(), since.isoformat(), deadline.isoformat(), parts
            )
            self.stdout.write("finishing job queued")
            return
        failed = fanout.wait(results, retries=retries, write=self.stdout.write)
        fanout.finish(today, self.stdout.write, self.stderr.write)
        self.stdout.write(f"tick took {int((time.monotonic() - started) * 1000)} ms")
        if failed:
            raise CommandError(f"{len(failed)} 个任务失败，详见任务结果。")
