from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhibu.core.rules import Period
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run


class Command(BaseCommand):
    help = "Evaluate the rulebook over an org's subtree for a period (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="org code, e.g. RLJT")
        parser.add_argument("--period", required=True, help="2025 | 2025Q3 | 2025-07")
        parser.add_argument("--rule", action="append", dest="codes", help="only these rule codes")
        parser.add_argument(
            "--full",
            action="store_true",
            help="judge closed periods again even when nothing they read changed",
        )

    def handle(self, *args, org: str, period: str, codes=None, full=False, **options) -> None:
        try:
            parsed = Period.parse(period)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        root = Org.objects.filter(code=org).first()
        if root is None:
            raise CommandError(f"没有组织代码为“{org}”的党组织。")
        run = rules_run(root=root, period=parsed, codes=codes, trigger="command", full=full)
        self.stdout.write(
            f"{root.name} {parsed.code}: {run.evaluated} results, +{run.created} new, "
            f"{run.updated} changed, -{run.deleted} removed, {run.skipped} closed rule-periods"
            f" unchanged in {run.duration_ms} ms"
        )
