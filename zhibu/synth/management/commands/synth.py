from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhibu.orgs.models import Org
from zhibu.synth import Plan, build


class Command(BaseCommand):
    help = "Generate a synthetic organisation for benchmarks (bulk inserts, deterministic by seed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--branches", type=int, default=5_000)
        parser.add_argument("--years", type=int, default=1, help="years of meetings and records")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--code", default="SYN", help="org code of the synthetic top committee")

    def handle(
        self, *args, members: int, branches: int, years: int, seed: int, code: str, **options
    ) -> None:
        if settings.PRODUCTION:
            raise CommandError("synth refuses to run in production.")
        if members < branches * 3:
            raise CommandError("每个党支部至少 3 名党员：--members 应不少于 --branches 的 3 倍。")
        if Org.objects.filter(code=code).exists():
            raise CommandError(f"组织代码 {code} 已存在：请换一个 --code，或使用新的数据库。")
        built = build(
            Plan(members=members, branches=branches, years=years, seed=seed, code=code),
            log=self.stdout.write,
        )
        total = sum(built.timings.values())
        self.stdout.write(self.style.SUCCESS(f"synth done in {total:.1f}s: {built.counts}"))
