"""HTTP load on loopback: gunicorn on PostgreSQL, locust in headless mode with 50
concurrent users, three one-minute runs against the same server; p50, p95 and requests
per second per endpoint of the run of median p95, and every run's totals. Then each endpoint
alone under a lighter load, to record what one request costs in CPU: the server's
processes' CPU time (gunicorn's workers and the database's backends for this database,
from /proc) divided by the requests served.

Gunicorn runs as docs/operations.md advises for two cores: 2 × cores + 1 synchronous
workers (each request is CPU work in Python and PostgreSQL, and PostgreSQL shares the
cores), each with a small connection pool."""

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
RUNS = 3
WORKERS = 2 * (os.cpu_count() or 2) + 1
# Each endpoint alone: fewer users, so the machine is not saturated and CPU per
# request is not inflated by contention.
SOLO_USERS = 10
SOLO_SECONDS = 20
ENDPOINTS = {
    "member_search": "member search",
    "cockpit": "cockpit",
    "meeting_detail": "meeting detail",
    "api_list": "API orgs list",
}
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids) -> float:
    """utime + stime of the processes (those that ended meanwhile are left out)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def _server_pids(server: subprocess.Popen, url: str) -> list[int]:
    """The gunicorn workers and the PostgreSQL backends connected to the bench database."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    pids = [int(p) for p in children.read_text().split()] if children.exists() else []
    name = url.rsplit("/", 1)[1]
    out = subprocess.run(
        [
            "psql",
            url,
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()",
        ],
        capture_output=True,
        text=True,
    ).stdout
    return [server.pid, *pids, *(int(p) for p in out.split())]


def _locust(prefix: Path, env: dict, *, users: int, seconds: int, tags: list[str]) -> None:
    args = [
        str(ROOT / ".venv/bin/locust"),
        "-f",
        "bench/locustfile.py",
        "--headless",
        "-u",
        str(users),
        "-r",
        "10",
        "-t",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{PORT}",
        "--csv",
        str(prefix),
        "--only-summary",
    ]
    if tags:
        args += ["--tags", *tags]
    subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=seconds + 120)
    # locust exits 1 when any request failed; the CSV says which


def _rows(prefix: Path) -> dict:
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
    return rows


def load(url: str, *, org: str, period: str, log) -> dict:
    from bench.run import env_for, task

    fixtures = task("fixtures", url, org=org, sessions=USERS)
    path = VAR / "fixtures.json"
    path.write_text(json.dumps(fixtures))
    env = env_for(
        url, ZHIBU_DB_POOL="1", ZHIBU_DB_POOL_MAX="2", ZHIBU_ALLOWED_HOSTS="127.0.0.1,localhost"
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
        for old in VAR.glob("locust*.csv"):
            old.unlink()
        load_env = {**os.environ, "ZHIBU_BENCH_FIXTURES": str(path), "ZHIBU_BENCH_PERIOD": period}
        # Like every other figure, the median of several runs: one minute's p95 on two
        # shared cores swings by a factor of two from run to run.
        loads = []
        for number in range(RUNS):
            prefix = VAR / f"locust{number}"
            _locust(prefix, load_env, users=USERS, seconds=SECONDS, tags=[])
            loads.append(_rows(prefix))
            log(f"  HTTP run {number + 1}: {loads[-1].get('Aggregated')}")
        ranked = sorted(loads, key=lambda rows: rows.get("Aggregated", {}).get("p95_ms", 1e9))
        rows = ranked[len(ranked) // 2]
        cpu = {}
        for tag, name in ENDPOINTS.items():
            pids = _server_pids(server, url)
            before = _cpu_seconds(pids)
            solo = VAR / f"locust_{tag}"
            _locust(solo, load_env, users=SOLO_USERS, seconds=SOLO_SECONDS, tags=[tag])
            spent = _cpu_seconds(pids) - before
            served = _rows(solo).get(name, {}).get("requests", 0)
            if served:
                cpu[name] = {"cpu_ms": 1000 * spent / served, "requests": served}
                log(f"  CPU per request, {name}: {cpu[name]['cpu_ms']:.1f} ms")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return {
        "users": USERS,
        "seconds": SECONDS,
        "workers": WORKERS,
        "endpoints": rows,  # the run of median p95
        "runs": [load.get("Aggregated", {}) for load in loads],  # in the order they ran
        "cpu_per_request": cpu,
    }
