"""Write docs/permissions.md from the permission matrix (or, with --check, compare)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhibu.accounts.docs import DOC_PATH, permissions_markdown


class Command(BaseCommand):
    help = "Write docs/permissions.md from zhibu.accounts.permissions (MATRIX, ACTIONS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Do not write; exit non-zero when the file is not what would be written.",
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        text = permissions_markdown()
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None
        if check:
            if current != text:
                raise CommandError(f"{DOC_PATH} is out of date: run `manage.py permissions_doc`.")
            self.stdout.write(f"{DOC_PATH} is up to date")
            return
        if current == text:
            self.stdout.write(f"{DOC_PATH} is up to date")
            return
        DOC_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {DOC_PATH}")
