"""Production start-up: every secret required, one clear line when something is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "ZHIBU_ENV": "production",
    "ZHIBU_SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
    "ZHIBU_FIELD_KEY": "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    "DATABASE_URL": "postgres://zhibu:secret@127.0.0.1:5432/zhibu",
    "ZHIBU_ALLOWED_HOSTS": "zhibu.example.cn",
}


def start(overrides: dict[str, str | None], code: str = "print('started')"):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("ZHIBU_") and k != "DATABASE_URL"
    }
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "zhibu.settings"
    script = f"import django; django.setup(); {code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_starts_with_every_setting():
    result = start({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_production_hashes_passwords_with_argon2():
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = start({}, code)
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://user@host:notaport/db"}, "DATABASE_URL"),
        ({"ZHIBU_SECRET_KEY": None}, "ZHIBU_SECRET_KEY"),
        ({"ZHIBU_SECRET_KEY": "short"}, "ZHIBU_SECRET_KEY"),
        ({"ZHIBU_FIELD_KEY": None}, "ZHIBU_FIELD_KEY"),
        ({"ZHIBU_FIELD_KEY": "not-hex"}, "ZHIBU_FIELD_KEY"),
        ({"ZHIBU_ALLOWED_HOSTS": None}, "ZHIBU_ALLOWED_HOSTS"),
        ({"ZHIBU_DEBUG": "maybe"}, "ZHIBU_DEBUG"),
        ({"ZHIBU_ENV": "staging"}, "ZHIBU_ENV"),
    ],
)
def test_bad_production_settings_stop_start_up_with_one_clear_line(overrides, names):
    result = start(overrides)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Zhibu configuration error:")
    assert names in lines[0]
    assert "Traceback" not in result.stderr


def test_development_generates_its_secret_into_var(tmp_path):
    from zhibu import config

    first = config.secret_key(base_dir=tmp_path, production=False)
    again = config.secret_key(base_dir=tmp_path, production=False)
    assert first == again and len(first) >= 50
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_sqlite_runs_in_wal_with_immediate_transactions(tmp_path):
    from zhibu import config

    db = config.database(f"sqlite:///{tmp_path}/x.sqlite3", base_dir=tmp_path, production=False)
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] > 0


def test_every_environment_variable_is_documented():
    import re

    read = set()
    for path in (ROOT / "zhibu").rglob("*.py"):
        read |= set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', path.read_text()))
    read |= {"ZHIBU_ENV", "DATABASE_URL"}
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert sorted(v for v in read if v not in example) == []
    assert sorted(v for v in read if v not in readme) == []
