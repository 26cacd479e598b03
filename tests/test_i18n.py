"""The English catalogue stays complete: every Chinese source string has a translation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "zhibu" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_committed_english_catalogue_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(CATALOGUE))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_source_string_is_in_the_english_catalogue(tmp_path):
    # Extract afresh from a copy of the code, so the working tree is left alone.
    shutil.copytree(
        ROOT / "zhibu", tmp_path / "zhibu", ignore=shutil.ignore_patterns("vendor", "__pycache__")
    )
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "zhibu" / "locale" / "en" / "LC_MESSAGES" / "django.po").unlink()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "ZHIBU_ENV": "test", "HOME": str(tmp_path)},
    )
    fresh = {e.msgid for e in polib.pofile(str(tmp_path / "zhibu/locale/en/LC_MESSAGES/django.po"))}
    kept = {e.msgid for e in polib.pofile(str(CATALOGUE)) if not e.obsolete}
    assert sorted(fresh - kept) == [], "run `make messages` and translate the new strings"
