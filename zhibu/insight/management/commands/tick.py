"""The nightly job (cron): re-evaluate the periods that can still change, then send the
daily digests. Idempotent: running it again the same day does nothing new."""

from __future__ import annotations

import datetime as dt
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhibu.accounts.services import chain_broken_alert
from zhibu.core.audit import anchor_write, audit_verify
from zhibu.core.rules import Period
from zhibu.members.imports import purge_stale, recover_interrupted
from zhibu.orgs.models import Org
from zhibu.rulebook.reminders import send_digests
from zhibu.rulebook.run import rules_run

# Records may be back-filled for a week after a meeting (the lock window), so the
# previous period stays open that long after it ends.
GRACE_DAYS = 7


def open_periods(today: date) -> list[Period]:
    periods = [Period.containing(kind, today) for kind in ("month", "quarter", "year")]
    for kind in ("month", "quarter", "year"):
        previous = Period.containing(kind, today).previous()
        if today - previous.last_day <= timedelta(days=GRACE_DAYS):
            periods.append(previous)
    # Larger periods first: a year run covers its months and quarters for most rules.
    return sorted(set(periods), key=lambda p: p.end - p.start, reverse=True)


class Command(BaseCommand):
    help = "Nightly: evaluate the open periods for every top-level org and send digests."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="pretend today is this ISO date (for back-fills)")

    def handle(self, *args, date=None, **options) -> None:
        today = timezone.localdate() if not date else dt.date.fromisoformat(date)
        started = time.monotonic()
        for root in Org.objects.filter(depth=1, dissolved_on__isnull=True).order_by("path"):
            for period in open_periods(today):
                run = rules_run(root=root, period=period, today=today, trigger="tick")
                self.stdout.write(
                    f"{root.code} {period.code}: +{run.created} ~{run.updated} -{run.deleted} ({run.duration_ms} ms)"
                )
        self.check_audit_chain()
        sent = send_digests(today)
        recovered = recover_interrupted()
        purged = purge_stale()
        self.stdout.write(
            f"interrupted imports recovered: {recovered}; stale uploads removed: {purged}"
        )
        self.stdout.write(
            f"digests sent: {sent}; tick took {int((time.monotonic() - started) * 1000)} ms"
        )

    def check_audit_chain(self) -> None:
        """Verify the chain, alert on any break, then anchor the head outside the database.
        The head is anchored even after a break: the older anchors keep reporting it."""
        result = audit_verify()
        if not result.ok:
            alerted = chain_broken_alert(breaks=len(result.breaks), first_reason=result.reason)
            self.stderr.write(
                f"audit chain: {len(result.breaks)} break(s), first at #{result.broken_seq}; "
                f"{alerted} administrator(s) alerted"
            )
        anchor = anchor_write()
        if anchor is not None:
            self.stdout.write(f"audit chain anchored at #{anchor.seq}")
