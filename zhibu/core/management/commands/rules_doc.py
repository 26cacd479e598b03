"""Write docs/rules.md from the rule registry (or, with --check, compare)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhibu.core.rules.docs import DOC_PATH, rules_markdown


class Command(BaseCommand):
    help = "Write docs/rules.md from the rule registry (every app's rules.py)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Do not write; exit non-zero when the file is not what would be written.",
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        text = rules_markdown()
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None
        if check:
            if current != text:
                raise CommandError(f"{DOC_PATH} is out of date: run `manage.py rules_doc`.")
            self.stdout.write(f"{DOC_PATH} is up to date")
            return
        if current == text:
            self.stdout.write(f"{DOC_PATH} is up to date")
            return
        DOC_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {DOC_PATH}")
