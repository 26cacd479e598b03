"""HTTP load on loopback: gunicorn with several workers on PostgreSQL, locust in headless
mode with 50 concurrent users; p50, p95 and requests per second per endpoint."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PORT = int(os.environ.get("ZHIBU_BENCH_PORT", "8799"))
USERS = 50
SECONDS = 60
WORKERS = 4


def load(url: str, *, org: str, period: str, log) -> dict:
    from bench.run import env_for, task

    fixtures = task("fixtures", url, org=org, sessions=USERS)
    path = VAR / "fixtures.json"
    path.write_text(json.dumps(fixtures))
    env = env_for(
        url, ZHIBU_DB_POOL="1", ZHIBU_DB_POOL_MAX="8", ZHIBU_ALLOWED_HOSTS="127.0.0.1,localhost"
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "zhibu.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(1)
        prefix = VAR / "locust"
        for old in VAR.glob("locust_*.csv"):
            old.unlink()
        load_env = {**os.environ, "ZHIBU_BENCH_FIXTURES": str(path), "ZHIBU_BENCH_PERIOD": period}
        subprocess.run(
            [
                str(ROOT / ".venv/bin/locust"),
                "-f",
                "bench/locustfile.py",
                "--headless",
                "-u",
                str(USERS),
                "-r",
                "10",
                "-t",
                f"{SECONDS}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(prefix),
                "--only-summary",
            ],
            cwd=ROOT,
            env=load_env,
            capture_output=True,
            timeout=SECONDS + 120,
        )  # locust exits 1 when any request failed; the CSV says which
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "rps": float(row["Requests/s"]),
            }
    log(f"  HTTP: {rows.get('Aggregated')}")
    return {"users": USERS, "seconds": SECONDS, "workers": WORKERS, "endpoints": rows}
