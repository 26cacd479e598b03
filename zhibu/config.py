"""Reading Zhibu's configuration from the environment.

Settings come from the environment only (see ``.env.example`` and the README table).
In production a missing or malformed value stops start-up with one line that says
what to set; nothing half-starts.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import NoReturn

import dj_database_url

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(Exception):
    """A setting is missing or malformed; the message says what to set."""


def fail(message: str) -> NoReturn:
    """Stop start-up with one clear line (no traceback for the operator to read)."""
    sys.stderr.write(f"Zhibu configuration error: {message}\n")
    raise SystemExit(2)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be one of 1/0/true/false/yes/no/on/off, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def environment() -> str:
    value = env_str("ZHIBU_ENV", "development").lower()
    if value not in ENVIRONMENTS:
        raise ConfigError(f"ZHIBU_ENV must be one of {', '.join(ENVIRONMENTS)}, not {value!r}.")
    return value


def database(url: str, *, base_dir: Path, production: bool) -> dict:
    """Return Django's DATABASES['default'] for DATABASE_URL.

    SQLite runs in WAL mode with IMMEDIATE transactions and a busy timeout, so that
    concurrent writers wait instead of failing with "database is locked". PostgreSQL
    runs on psycopg 3 with its connection pool unless ``ZHIBU_DB_POOL=0``.
    """
    if not url:
        if production:
            raise ConfigError(
                "DATABASE_URL is required in production, "
                "e.g. postgres://zhibu:PASSWORD@127.0.0.1:5432/zhibu."
            )
        url = f"sqlite:///{base_dir / 'var' / 'zhibu.sqlite3'}"
    try:
        config = dj_database_url.parse(url)
    except Exception as exc:  # dj-database-url raises several types for bad URLs
        raise ConfigError(
            f"DATABASE_URL is malformed ({exc}); expected e.g. {_EXAMPLE_URL}."
        ) from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        if not config.get("NAME"):
            raise ConfigError(
                f"DATABASE_URL names no SQLite file; expected e.g. {_EXAMPLE_SQLITE}."
            )
        private_sqlite_file(Path(config["NAME"]))
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("ZHIBU_SQLITE_TIMEOUT", 20),
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        }
    elif engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ConfigError(f"DATABASE_URL names no database; expected e.g. {_EXAMPLE_URL}.")
        if env_bool("ZHIBU_DB_POOL", production):
            config["OPTIONS"] = {
                "pool": {"min_size": 2, "max_size": env_int("ZHIBU_DB_POOL_MAX", 10)}
            }
            config["CONN_MAX_AGE"] = 0
        else:
            config["CONN_MAX_AGE"] = env_int("ZHIBU_DB_CONN_MAX_AGE", 0)
            config["CONN_HEALTH_CHECKS"] = True
    else:
        raise ConfigError(
            f"DATABASE_URL uses an unsupported engine ({engine or 'unknown'}); "
            "Zhibu runs on sqlite:/// or postgres://."
        )
    return config


_EXAMPLE_URL = "postgres://zhibu:PASSWORD@127.0.0.1:5432/zhibu"
_EXAMPLE_SQLITE = "sqlite:////srv/zhibu/var/zhibu.sqlite3"


def secret_key(*, base_dir: Path, production: bool) -> str:
    """ZHIBU_SECRET_KEY, or in development a key generated once into var/."""
    key = env_str("ZHIBU_SECRET_KEY")
    if key:
        if production and (len(key) < 50 or len(set(key)) < 5):
            raise ConfigError(
                "ZHIBU_SECRET_KEY is too weak: use at least 50 random characters, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
            )
        return key
    if production:
        raise ConfigError(
            "ZHIBU_SECRET_KEY is required in production: set it to at least 50 random "
            "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))'."
        )
    return _generated_secret(base_dir / "var" / "secret_key", nbytes=48)


def field_key(*, base_dir: Path, production: bool) -> str:
    """ZHIBU_FIELD_KEY: key material for personal-data field encryption (hex, 32 bytes)."""
    key = env_str("ZHIBU_FIELD_KEY")
    if key:
        try:
            raw = bytes.fromhex(key)
        except ValueError:
            raise ConfigError("ZHIBU_FIELD_KEY must be 64 hexadecimal characters.") from None
        if len(raw) != 32:
            raise ConfigError("ZHIBU_FIELD_KEY must be 64 hexadecimal characters (32 bytes).")
        return key
    if production:
        raise ConfigError(
            "ZHIBU_FIELD_KEY is required in production: 64 hex characters, e.g. "
            "python -c 'import secrets; print(secrets.token_hex(32))'. Keep it safe: "
            "without it the encrypted personal data cannot be read."
        )
    return _generated_secret(base_dir / "var" / "field_key", nbytes=32, hex_=True)


def private_dir(path: Path) -> Path:
    """Zhibu's own ``var/``: created 0700, or tightened to 0700 (database, uploads,
    backups and keys live there)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077 and os.access(path, os.W_OK):
        os.chmod(path, 0o700)
    return path


def private_sqlite_file(path: Path) -> None:
    """Create the SQLite database file 0600 (in a new 0700 directory) before SQLite opens
    it; SQLite gives its -wal and -shm files the database file's mode. An existing file
    is tightened to 0600; an existing directory is left alone (it may be shared)."""
    if str(path) == ":memory:" or str(path).startswith("file:"):
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077 and os.access(path, os.W_OK):
            os.chmod(path, 0o600)
    except OSError:  # a read-only location: SQLite will say so itself
        pass


def _generated_secret(path: Path, *, nbytes: int, hex_: bool = False) -> str:
    """Read a development secret from ``path``, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_hex(nbytes) if hex_ else secrets.token_urlsafe(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value
