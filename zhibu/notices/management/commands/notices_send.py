"""Write (once) and send a day's reminders, and retry due deliveries; ``tick`` does this
nightly after the digests, this command does it by hand."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhibu.notices.dispatch import send_day
from zhibu.rulebook.reminders import send_digests


class Command(BaseCommand):
    help = "Send the day's reminders to channels and mailboxes; retry failed deliveries."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="the ISO date of the digests (default: today)")

    def handle(self, *args, date=None, **options) -> None:
        day = dt.date.fromisoformat(date) if date else timezone.localdate()
        # The rulebook's digest first: it is written once a day and only into an inbox
        # entry that does not exist yet, so the findings come before this app's items.
        send_digests(day)
        counts = send_day(day)
        self.stdout.write(
            f"{day.isoformat()}: {counts['channels']} channel digest(s), "
            f"{counts['people']} person(s), {counts['retried']} retried"
        )
