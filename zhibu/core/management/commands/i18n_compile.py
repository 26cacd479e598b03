"""Compile the translation catalogues (.po → .mo) without GNU gettext.

A fresh machine may lack gettext's msgfmt, which Django's compilemessages needs; polib
is pure Python, so set-up can always build the English catalogue.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every .po catalogue under LOCALE_PATHS into .mo (pure Python)."

    def handle(self, *args, **options) -> None:
        count = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
                self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)}")
        if not count:
            self.stdout.write("translation catalogues are up to date")
