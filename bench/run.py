"""`make bench`: build the benchmark databases, measure, and write docs/benchmarks.md.

Sizes (docs/scaling.md): S is the demo organisation; M is 100,000 members in 5,000
branches (a city or a large SOE group), on SQLite and PostgreSQL; L is 1,000,000 members
in 50,000 branches (a province's worth of a sector), on PostgreSQL. Each figure is the
median of several runs with the spread (min–max). Long on 2 cores: S and M take about
25 minutes, L (its 17-minute build, a year's evaluation and the fan-out) about an hour more.

    .venv/bin/python bench/run.py [--quick]     # --quick: S and a small M only, for trying it out
    .venv/bin/python bench/run.py --skip-l      # S and M; L's last figures are kept, marked
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
VAR = ROOT / "var" / "bench"
# The figures behind docs/benchmarks.md, kept in the repository: a size this invocation
# does not measure (L takes more than an hour) carries its last figures from here, on a
# fresh machine too.
RESULTS = ROOT / "docs" / "benchmarks.json"
PG = os.environ.get("ZHIBU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
YEAR = str(date.today().year)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def anchors_of(url: str) -> Path:
    """Each bench database its own audit anchors (docs/security.md): a new S after L's run
    must not be checked against the anchors L's ticks wrote (demo_data verifies the
    chain), and a database made afresh starts a fresh file."""
    return VAR / f"audit-anchors-{url.rsplit('/', 1)[-1]}.log"


def env_for(url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "ZHIBU_REPLICA_URL"}
    env.update(
        {
            "DATABASE_URL": url,
            "ZHIBU_ENV": "development",
            "ZHIBU_DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
            "ZHIBU_AUDIT_ANCHOR_FILE": str(anchors_of(url)),
        }
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict, timeout: int = 3600) -> str:
    started = time.monotonic()
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(args)}")
    log(f"  {' '.join(a for a in args[1:4])} … {time.monotonic() - started:.0f}s")
    return result.stdout


def task(name: str, url: str, **options) -> dict:
    args = [PY, "bench/tasks.py", name]
    for key, value in options.items():
        args += [f"--{key}", str(value)]
    out = run(args, env_for(url))
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def fresh_sqlite(name: str) -> str:
    VAR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (VAR / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{VAR / name}.sqlite3"
    anchors_of(url).unlink(missing_ok=True)
    return url


def fresh_pg(name: str) -> str:
    admin = f"{PG}/postgres"
    subprocess.run(
        ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True
    )
    anchors_of(f"{PG}/{name}").unlink(missing_ok=True)
    return f"{PG}/{name}"


def prepare(url: str, *, members: int | None = None, branches: int | None = None) -> dict:
    env = env_for(url)
    run([PY, "manage.py", "migrate", "--no-input", "-v0"], env)
    started = time.monotonic()
    if members is None:
        run([PY, "manage.py", "demo_data"], env)
    else:
        out = run(
            [
                PY,
                "manage.py",
                "synth",
                "--members",
                str(members),
                "--branches",
                str(branches),
                "--years",
                "1",
            ],
            env,
        )
        log("  " + out.strip().splitlines()[-1])
    return {"seconds": time.monotonic() - started}


def progress(results: dict) -> None:
    """What is measured so far, should a later step fail (docs/benchmarks.json is written
    at the end): var/bench/results.partial.json."""
    (VAR / "results.partial.json").write_text(json.dumps(results, indent=2, default=str))


def commit() -> str:
    """The commit measured (with "+" when tracked files have changes)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return "?"  # not a git checkout: the figures stand without it
    return head + ("+" if git("status", "--porcelain", "--untracked-files=no") else "")


def carried(previous: dict, key: str | None, path: Path) -> dict:
    """A size's entry (or, with no key, the import's marker) kept from the last run."""
    mark = {
        "date": previous.get("date")
        or time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime)),
        "commit": previous.get("commit", "?"),
    }
    if key is None:
        return previous["import"].get("carried", mark)
    entry = dict(previous["sizes"][key])
    entry.setdefault("carried", mark)
    return entry


def holds_data(url: str) -> bool:
    """Whether a benchmark database exists and holds its tree (``--reuse``)."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if not path.exists():
            return False
        probe = f"import sqlite3; c = sqlite3.connect({str(path)!r}); c.execute('SELECT 1 FROM orgs_org LIMIT 1').fetchone()"
        return subprocess.run([PY, "-c", probe], capture_output=True).returncode == 0
    done = subprocess.run(
        ["psql", url, "-Atc", "SELECT count(*) > 0 FROM orgs_org"], capture_output=True, text=True
    )
    return done.returncode == 0 and done.stdout.strip() == "t"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    versions = subprocess.run(
        [
            PY,
            "-c",
            "import django, sqlite3, psycopg; print(django.get_version(), sqlite3.sqlite_version, psycopg.__version__)",
        ],
        capture_output=True,
        text=True,
    ).stdout.split()
    pg = subprocess.run(
        ["psql", f"{PG}/postgres", "-Atc", "show server_version"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": versions[0] if versions else "",
        "sqlite": versions[1] if len(versions) > 1 else "",
        "psycopg": versions[2] if len(versions) > 2 else "",
        "postgresql": pg,
    }


def import_bench(rows: int) -> dict:
    url = fresh_sqlite("import")
    out = run([PY, "bench/import_members.py", str(rows)], env_for(url, ZHIBU_ENV="test"))
    figures = {"rows": rows, "output": out.strip()}
    match = re.search(r"total:\s+([\d.]+) s\s+([\d,]+) rows/s", out)
    if match:
        figures["seconds"] = float(match.group(1))
        figures["rows_per_second"] = int(match.group(2).replace(",", ""))
    match = re.search(r"([\d,]+) rows per CPU-second", out)
    if match:
        figures["rows_per_cpu_second"] = int(match.group(1).replace(",", ""))
    match = re.search(r"peak RSS: (\d+) MB \(before the import: (\d+) MB\)", out)
    if match:
        figures["peak_rss_mb"], figures["baseline_rss_mb"] = (
            int(match.group(1)),
            int(match.group(2)),
        )
    return figures


def fanout_bench(url: str, *, repeat: int = 3) -> dict:
    """The nightly run fanned out (zhibu.insight.fanout): ``tick --wait`` with one and
    with two ``db_worker`` processes taking the queued parts. The first tick writes the
    findings; the timed ticks judge every open rule-period again (``--full``: an
    unchanged night now keeps most of them, which would time the queue, not the work).
    Workers start before the clock and are stopped after it."""
    env = env_for(url)
    figures: dict = {"workers": {}}
    for workers in (1, 2):
        procs = [
            subprocess.Popen(
                [PY, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        times = []
        try:
            time.sleep(3)  # the workers import Django before the clock starts
            if workers == 1:  # the first run writes the findings; untimed
                out = run([PY, "manage.py", "tick", "--wait"], env)
                figures["parts"] = int(re.search(r"(\d+) part", out).group(1))
            for _ in range(repeat):
                started = time.monotonic()
                run([PY, "manage.py", "tick", "--wait", "--full"], env)
                times.append(time.monotonic() - started)
            if workers == 1:  # the baseline: the whole tree in one job (--parts 1)
                whole = []
                for _ in range(repeat):
                    started = time.monotonic()
                    run([PY, "manage.py", "tick", "--wait", "--full", "--parts", "1"], env)
                    whole.append(time.monotonic() - started)
                whole.sort()
                figures["one_part"] = {
                    "median": whole[len(whole) // 2],
                    "min": whole[0],
                    "max": whole[-1],
                    "runs": len(whole),
                }
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)
        times.sort()
        figures["workers"][str(workers)] = {
            "median": times[len(times) // 2],
            "min": times[0],
            "max": times[-1],
            "runs": len(times),
        }
    one, two = figures["workers"]["1"]["median"], figures["workers"]["2"]["median"]
    figures["speedup"] = one / two if two else None
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="S and a small M only")
    parser.add_argument("--skip-l", action="store_true", help="leave out the 1,000,000-member size")
    parser.add_argument(
        "--only", help="measure these sizes only (comma-separated: S,M,L); the others are kept"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep a size's database if it holds the data already"
    )
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)  # --only L makes no SQLite file there

    def step(message: str) -> None:
        progress(results)
        log(message)

    before = RESULTS
    previous = json.loads(before.read_text()) if before.exists() else {}
    results: dict = {
        "machine": machine(),
        "sizes": {},
        "quick": args.quick,
        "commit": commit(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    sizes = [("S", "sqlite", None, None)]
    if args.quick:
        sizes += [("M", "sqlite", 20_000, 1_000)]
    else:
        sizes += [("M", "sqlite", 100_000, 5_000), ("M", "postgresql", 100_000, 5_000)]
        sizes += [("L", "postgresql", 1_000_000, 50_000)]
    wanted = set((args.only or "S,M" + ("" if args.skip_l or args.quick else ",L")).split(","))
    for label, engine, members, branches in sizes:
        key = f"{label}-{engine}"
        if label not in wanted:
            # Not measured by this invocation (L takes an hour and more): the last run's
            # figures are kept, marked with their date and commit, rather than dropped.
            if key in previous.get("sizes", {}) and not args.quick:
                results["sizes"][key] = carried(previous, key, before)
            continue
        log(f"{key}: preparing")
        url = (
            f"sqlite:///{VAR / f'bench_{label.lower()}'}.sqlite3"
            if engine == "sqlite"
            else f"{PG}/zhibu_bench_{label.lower()}"
        )
        if args.reuse and holds_data(url):
            log(f"  {key}: the database of the last run is kept (--reuse)")
            run([PY, "manage.py", "migrate", "--no-input", "-v0"], env_for(url))
            before_entry = previous.get("sizes", {}).get(key, {})
            prepared = {**before_entry.get("prepare", {}), "reused": True}
        else:
            url = (
                fresh_sqlite(f"bench_{label.lower()}")
                if engine == "sqlite"
                else fresh_pg(f"zhibu_bench_{label.lower()}")
            )
            prepared = prepare(url, members=members, branches=branches)
        entry = {"members": members, "branches": branches, "prepare": prepared}
        results["sizes"][key] = entry  # filled in task by task; saved after each (progress)
        org = "RLJT" if members is None else "SYN"
        repeat = 1 if label == "L" else 3
        step(f"{key}: evaluating a year")
        entry["evaluate"] = task(  # two nights at L: the first after synth is not steady
            "evaluate",
            url,
            org=org,
            period=YEAR,
            repeat=2 if label == "L" else 3,
            first=1 if label == "L" else 2,
        )
        step(f"{key}: engine against raw SQL")
        entry["rawsql"] = task("rawsql", url, org=org, period=YEAR, repeat=repeat + 2)
        if label != "S":
            step(f"{key}: pages")
            entry["pages"] = task("pages", url, org=org, period=YEAR, repeat=5)
        if label == "M":
            step(f"{key}: a month's dues and the 党费 ledger of the 党委")
            entry["dues"] = task("dues", url, org=org, repeat=3)
        if label == "M" and engine == "postgresql" and not args.skip_http:
            step(f"{key}: HTTP load")
            from bench import httpload

            entry["http"] = httpload.load(url, org=org, period=YEAR, log=log)
        if label == "M" and engine == "postgresql" and os.geteuid() == 0:
            step(f"{key}: cockpit on a streaming replica")
            out = run(["bash", "bench/replica.sh", "zhibu_bench_m"], env_for(url))
            line = next((x for x in out.splitlines() if x.startswith("RESULT ")), "")
            if line:
                entry["replica"] = json.loads(line[len("RESULT ") :])
                entry["replica"]["log"] = [
                    x for x in out.splitlines() if not x.startswith("RESULT ")
                ]
        if engine == "postgresql" and label == ("L" if "L" in wanted else "M"):
            step(f"{key}: fan-out, 1 vs 2 workers")
            entry["fanout"] = fanout_bench(url, repeat=1 if label == "L" else 3)
        progress(results)
    if "M" not in wanted and "import" in previous:
        results["import"] = {**previous["import"], "carried": carried(previous, None, before)}
    else:
        log("Excel import")
        results["import"] = import_bench(20_000 if args.quick else 100_000)
    results["total_minutes"] = (time.monotonic() - started) / 60
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    from bench import report

    (ROOT / "docs" / "benchmarks.md").write_text(report.render(results))
    log(f"wrote docs/benchmarks.md in {results['total_minutes']:.1f} minutes")
    if not args.quick:
        shutil.rmtree(VAR / "import", ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
