from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhibu.core.audit import audit_verify
from zhibu.demo import builder as demo


class Command(BaseCommand):
    help = (
        "Load the demo organisation with its organisational life, development cases and "
        "findings (deterministic, idempotent)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed: int, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_data refuses to run in production (ZHIBU_ENV=production).")
        created = demo.build(seed=seed, log=self.stdout.write)
        summary = ", ".join(f"{name} +{count}" for name, count in created.items())
        # The demo's history is back-dated; its audit chain must still verify.
        chain = audit_verify()
        if not chain.ok:
            raise CommandError(f"审计链校验失败：{chain.reason}")
        self.stdout.write(self.style.SUCCESS(f"demo data ready ({summary})"))
