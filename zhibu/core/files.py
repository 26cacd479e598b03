"""Files under ``var/`` hold personal data or keys (the SQLite database, import
workbooks with clear ID numbers, backups, audit anchors): they are created readable by
the service account only, 0600 files in 0700 directories."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700; tighten it if it exists."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Tighten an existing file to 0600 (a file another tool created, e.g. sqlite3)."""
    if path.exists():
        os.chmod(path, FILE_MODE)
    return path


def secure_append(path: Path, text: str) -> None:
    """Append ``text`` to ``path``, creating it 0600 in a 0700 directory. O_APPEND: every
    write lands at the end, whatever another writer did meanwhile."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(text)
