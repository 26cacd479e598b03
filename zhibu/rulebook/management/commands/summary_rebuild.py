from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhibu.orgs.models import Org
from zhibu.rulebook import summary


class Command(BaseCommand):
    help = "Recompute the cockpit's summary table from the stored findings (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", help="only this org's subtree (org code); default: all")

    def handle(self, *args, org: str | None = None, **options) -> None:
        root = None
        if org:
            root = Org.objects.filter(code=org).first()
            if root is None:
                raise CommandError(f"没有组织代码为“{org}”的党组织。")
        written = summary.rebuild(root=root)
        self.stdout.write(f"summary: {written} rows written")
