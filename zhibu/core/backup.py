"""Backing up and restoring the database and the uploaded files (docs/operations.md).

A backup is one directory under ``var/backups/`` (0700, files 0600) named by its UTC time:
``db.sqlite3`` (SQLite's online backup API: consistent while the app runs, WAL included)
or ``db.dump`` (``pg_dump -Fc``), ``media.tar.gz`` (all of MEDIA_ROOT) and
``manifest.json``. The keys (``ZHIBU_FIELD_KEY``, from which the audit chain's key is
derived) are deliberately not in it: they are backed up separately, so that a stolen
backup does not open the personal data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections

from zhibu.core.files import FILE_MODE, private_dir, private_file

DB_SQLITE = "db.sqlite3"
DB_DUMP = "db.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"
NAME = re.compile(r"^\d{8}-\d{6}$")

# The tables whose row counts a restore prints, to compare with the manifest.
MAIN_MODELS = (
    "accounts.User",
    "orgs.Org",
    "members.Member",
    "meetings.Meeting",
    "development.Case",
    "core.AuditEvent",
)


class BackupError(Exception):
    pass


def backup_root() -> Path:
    return Path(getattr(settings, "ZHIBU_BACKUP_DIR", Path(settings.BASE_DIR) / "var" / "backups"))


def row_counts(alias: str = "default") -> dict[str, int]:
    counts = {}
    for label in MAIN_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:  # an app left out of INSTALLED_APPS
            continue
        counts[label] = model._default_manager.using(alias).count()
    return counts


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore; the password goes by environment."""
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    # A fixed program with arguments from the settings, no shell.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def _pg_restore(
    dump: Path, name: str, args: list[str], env: dict[str, str], partitioned: list[str]
) -> None:
    """``pg_restore --clean`` into ``name`` in one transaction. PostgreSQL 15's
    ``--clean`` drops each partition's inherited constraints before their parent's, which
    fails, so the partitioned tables (zhibu.core.partitions) are dropped first in the same
    transaction: pg_restore writes the SQL, psql runs it after that preamble."""
    if not partitioned:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                "-d",
                name,
                str(dump),
            ],
            env,
        )
        return
    for program in ("pg_restore", "psql"):
        if shutil.which(program) is None:
            raise BackupError(
                f"{program} is not installed (Debian: apt-get install postgresql-client)."
            )
    tables = ", ".join(partitioned)
    with tempfile.TemporaryFile() as script_err, tempfile.TemporaryFile() as psql_err:
        # Fixed programs with arguments from the settings, no shell.
        dump_sql = ["pg_restore", "--clean", "--if-exists", "--no-owner", "-f", "-", str(dump)]
        run_sql = ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
        run_sql += [*args, "-d", name]
        script = subprocess.Popen(dump_sql, env=env, stdout=subprocess.PIPE, stderr=script_err)  # noqa: S603
        psql = subprocess.Popen(  # noqa: S603
            run_sql, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err
        )
        assert script.stdout is not None and psql.stdin is not None
        try:
            psql.stdin.write(f"DROP TABLE IF EXISTS {tables} CASCADE;\n".encode())
            shutil.copyfileobj(script.stdout, psql.stdin)
            psql.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error: reported below
        failed = script.wait() != 0
        if failed:
            psql.kill()
        psql_failed = psql.wait() != 0
        for broken, errors in ((failed, script_err), (psql_failed, psql_err)):
            if broken:
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()[:2000]
                raise BackupError(f"pg_restore failed: {message}")


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict


def backup_create(*, into: Path | None = None, alias: str = "default") -> Backup:
    """Write a new backup directory and return it."""
    now = datetime.now(UTC)
    root = private_dir(into or backup_root())
    target = root / now.strftime("%Y%m%d-%H%M%S")
    suffix = 1
    while target.exists():
        target = root / f"{now:%Y%m%d-%H%M%S}-{suffix}"
        suffix += 1
    private_dir(target)
    connection = connections[alias]
    connection.ensure_connection()
    vendor = connection.vendor
    if vendor == "sqlite":
        destination = sqlite3.connect(target / DB_SQLITE)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        private_file(target / DB_SQLITE)
    elif vendor == "postgresql":
        db = connection.settings_dict
        args, env = _pg_env(db)
        dump = target / DB_DUMP
        _run(["pg_dump", "-Fc", "--no-owner", *args, "-f", str(dump), db["NAME"]], env)
        private_file(dump)
    else:  # pragma: no cover - config.database() allows only these two
        raise BackupError(f"unsupported database engine: {vendor}")
    media_root = Path(settings.MEDIA_ROOT)
    fd = os.open(target / MEDIA, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        if media_root.exists():
            tar.add(media_root, arcname="media")
    manifest = {
        "created": now.isoformat(),
        "engine": vendor,
        "counts": row_counts(alias),
    }
    fd = os.open(target / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2)
    return Backup(target, manifest)


def backup_prune(*, keep: int, into: Path | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups made by ``backup_create`` (by name)."""
    root = into or backup_root()
    if not root.exists():
        return []
    made = sorted(
        (p for p in root.iterdir() if p.is_dir() and NAME.match(p.name[:15])),
        key=lambda p: p.name,
    )
    doomed = made[: max(len(made) - keep, 0)]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def backup_restore(*, source: Path, alias: str = "default") -> dict:
    """Put the database and the media of backup ``source`` back; returns its manifest."""
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{source} is not a Zhibu backup (no {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    connection = connections[alias]
    vendor = connection.vendor
    if manifest.get("engine") != vendor:
        raise BackupError(
            f"the backup is of a {manifest.get('engine')} database, this one is {vendor}."
        )
    if vendor == "sqlite":
        # The online backup API the other way round: page by page into the live database
        # (consistent under WAL, and works for the in-memory test database too).
        connection.ensure_connection()
        source_db = sqlite3.connect(source / DB_SQLITE)
        try:
            source_db.backup(connection.connection)
        finally:
            source_db.close()
    else:
        db = connection.settings_dict
        with connection.cursor() as cursor:
            cursor.execute("SELECT partrelid::regclass::text FROM pg_partitioned_table")
            partitioned = sorted(row[0] for row in cursor.fetchall())
        # pg_restore drops and recreates the tables: no open connection of ours may hold
        # them, nor a prepared statement planned against the old ones.
        connections.close_all()
        args, env = _pg_env(db)
        _pg_restore(source / DB_DUMP, db["NAME"], args, env, partitioned)
    _restore_media(source / MEDIA)
    return manifest


def _restore_media(archive: Path) -> None:
    """Replace MEDIA_ROOT by the archive's ``media/`` (unpacked beside it first, so a bad
    archive leaves the current files in place)."""
    if not archive.exists():
        return
    media_root = Path(settings.MEDIA_ROOT)
    private_dir(media_root.parent)
    unpacked = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root.parent))
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            tar.extractall(unpacked, filter="data")
        if media_root.exists():
            shutil.rmtree(media_root)
        if (unpacked / "media").exists():
            (unpacked / "media").rename(media_root)
        private_dir(media_root)
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
