"""Render bench results (docs/benchmarks.json) as docs/benchmarks.md."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def s(seconds: float) -> str:
    return f"{seconds:,.1f} s" if seconds >= 1 else ms(seconds)


def spread(summary: dict, unit=s) -> str:
    if summary.get("runs", 1) == 1:
        return f"{unit(summary['median'])} (1 run)"
    return f"{unit(summary['median'])} ({unit(summary['min'])}–{unit(summary['max'])}, {summary['runs']} runs)"


def target(ok: bool) -> str:
    return "✅" if ok else "❌ gap"


def _replica_lines(results: dict) -> list[str]:
    entry = next((e["replica"] for e in results["sizes"].values() if "replica" in e), None)
    if not entry:
        return ["Not run in this invocation (needs root and a local cluster)."]
    queries = entry.get("cockpit_queries", {})
    lines = [f"- {line}" for line in entry.get("log", []) if line.strip()]
    lines.append(
        f"- cockpit through the replica: {spread(entry['cockpit'], ms)}; its queries: {queries.get('replica', '?')} on the "
        f"replica, {queries.get('primary', '?')} on the primary (session and permissions, outside the read-only view)"
    )
    return lines


def _fanout_lines(results: dict) -> list[str]:
    found = [(key, e["fanout"]) for key, e in results["sizes"].items() if "fanout" in e]
    if not found:
        return ["Not run in this invocation."]
    lines = [
        "| size | one job, 1 worker (`--parts 1`) | parts | 1 worker | 2 workers | speed-up (1 → 2) |",
        "|---|---|---:|---|---|---:|",
    ]
    for key, entry in found:
        workers = entry["workers"]
        whole = entry.get("one_part")
        lines.append(
            f"| {key} | {spread(whole) if whole else '—'} | {entry.get('parts', '?')} "
            f"| {spread(workers['1'])} | {spread(workers['2'])} | ×{entry['speedup']:.2f} |"
        )
    return lines


def _carried_lines(results: dict) -> list[str]:
    """Sizes this invocation did not measure (``--skip-l``) but kept from the last run."""
    lines = []
    for key, entry in results["sizes"].items():
        if "carried" in entry:
            lines.append(
                f"**{key} was not measured by this invocation** (`--skip-l` or `--only`): its figures are"
                f" those of the run of {entry['carried']['date']} (commit"
                f" {entry['carried']['commit']}), kept as they were."
            )
    return [*lines, ""] if lines else []


def render(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {results.get('date') or f'{datetime.now():%Y-%m-%d %H:%M}'} in {results.get('total_minutes', 0):.0f} minutes"
        + (f" at commit {results['commit']}" if results.get("commit") else "")
        + (" (**--quick**: small sizes only)" if results.get("quick") else "")
        + ". Figures are medians with the spread (min–max) over the runs shown.",
        "",
        *_carried_lines(results),
        "## Machine and versions",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory']}; {m['os']}",
        f"- Python {m['python']}, Django {m['django']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql']} (psycopg {m['psycopg']})",
        "- Databases: SQLite files under `var/bench/` in WAL mode; PostgreSQL on the same machine over loopback.",
        "",
        "## How the data is made",
        "",
        "`manage.py synth --members N --branches M --years 1 --seed 1` (bulk inserts): a 党委 over second-level",
        "党委 (10 党总支 each) and 党总支 (8 branches each); branch sizes log-normal around the mean; committees",
        "in about 55% of branches; secretaries in 93%; a year of meetings with per-branch habits (monthly 主题党日 and",
        "支委会, quarterly 大会 with 党课, the yearly 组织生活会 and 评议) and attendance for every member. S is",
        "the demo organisation (`manage.py demo_data`).",
        "",
        "## 1. Rule evaluation of a year",
        "",
        "`bench/tasks.py evaluate --org CODE --period YEAR`: `rules_run` over the whole tree for the year — every",
        "rule in force, monthly rules for each month, quarterly for each quarter. *First* writes every finding;",
        "*re-run* is a second run the same day (nothing changed: every rule-period kept, nothing judged);",
        "*next night* is the nightly steady state (nothing changed but the day: the running month, quarter,",
        "year and the snapshot rules are judged again as of that day, closed periods kept). The target is",
        "judged on the next night; the first night after `synth` also judges what turns on the day the data",
        "was made and is listed, not counted, where more nights ran.",
        "",
        "| size | engine | orgs | members | findings | first run | re-run (same day) | next night | target (nightly: M < 5 s on SQLite and PostgreSQL, L < 60 s on PostgreSQL) |",
        "|---|---|---:|---:|---:|---|---|---|---|",
    ]
    sizes = results["sizes"]
    previous = None
    growth = []
    commits = {
        key: entry.get("carried", {}).get("commit", results.get("commit"))
        for key, entry in sizes.items()
    }
    for key, entry in sizes.items():
        e = entry["evaluate"]
        label, engine = key.split("-", 1)
        goal = ""
        limit = {"M": 5, "L": 60}.get(label)
        if limit is not None:
            goal = target(e.get("next_night", e["rerun"])["median"] < limit)
        night = spread(e["next_night"]) if "next_night" in e else "–"
        lines.append(
            f"| {label} | {engine} | {e['orgs']:,} | {e['members']:,} | {e['findings']:,} | {spread(e['first'])} | {spread(e['rerun'])} | {night} | {goal} |"
        )
        if previous and previous[1] == engine:
            factor_members = e["members"] / max(previous[0]["members"], 1)
            # forced full re-runs judge every rule-period: the work grows with the records
            full, before = e.get("rerun_full") or e["rerun"], previous[0].get("rerun_full")
            factor_time = full["median"] / max((before or previous[0]["rerun"])["median"], 1e-9)
            factor_findings = e["findings"] / max(previous[0]["findings"], 1)
            apart = commits[previous[3]] != commits[key]
            growth.append(
                f"- {previous[2]} → {label} on {engine}: members ×{factor_members:,.1f}, findings"
                f" ×{factor_findings:,.1f}, full re-run time ×{factor_time:,.1f} (time per finding"
                f" ×{factor_time / factor_findings:,.2f})"
                + (
                    f"; measured at different commits ({commits[previous[3]]}, {commits[key]}),"
                    " so the factor also holds the code's changes between them"
                    if apart
                    else ""
                )
            )
        previous = (e, engine, label, key)
    for key, entry in sizes.items():
        e = entry["evaluate"]
        if e.get("nights"):
            each = ", ".join(
                f"{s(n)} ({judged:,} judged)"
                for n, judged in zip(e["nights"], e.get("nights_judged", []), strict=False)
            )
            lines.append(f"- {key}: the nights in turn: {each}.")
    lines += [
        "",
        "Growth from one size to the next (target: no worse than linear in records):",
        "",
        *growth,
        "",
    ]
    lines += [
        "## 2. The engine against one hand-written SQL query",
        "",
        "`bench/tasks.py rawsql`: the statuses of MTG-01 (大会 per quarter), MTG-02 (支委会 per month, branches with a",
        "committee) and MTG-06 (主题党日 per month) for a year, computed by the engine (outcomes with explanations,",
        "citations and the meetings behind each number) and by one SQL query that only returns the status per",
        "branch and period. Target: engine ≤ 1.5 × raw SQL.",
        "",
        "| size | engine | engine | raw SQL | ratio | rows (engine / SQL) | target |",
        "|---|---|---|---|---:|---|---|",
    ]
    for key, entry in sizes.items():
        r = entry["rawsql"]
        label, engine = key.split("-", 1)
        lines.append(
            f"| {label} | {engine} | {spread(r['engine'])} | {spread(r['raw'])} | {r['ratio']:.1f}× | {r['engine_rows']:,} / {r['raw_rows']:,} | {target(r['ratio'] <= 1.5)} |"
        )
    lines += [
        "",
        "The engine's extra cost is per-outcome work the query does not do: a Chinese explanation with the",
        "numbers, the meetings behind each count for drill-down, the part of the period an org existed",
        "(founded or dissolved mid-period), fixed theme days from each org's settings. Row counts differ slightly",
        "because the query ignores those windows.",
        "",
        "## 3. Cockpit and member search",
        "",
        "`bench/tasks.py pages`: full Django stack in-process (middleware, scoping, templates), as a 党委 secretary",
        "whose scope is the whole tree; the first request is discarded. The cockpit reads the summary table kept",
        "by the rule run and its matrix is cached per org, period and run; “uncached” is the same page right after",
        "a run changed findings. Targets: cockpit < 100 ms at M and < 300 ms at L; member search < 50 ms at M.",
        "",
        "| size | engine | cockpit (year) | cockpit uncached | member search “zh” | member search “wj” | meeting | API orgs | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, entry in sizes.items():
        if "pages" not in entry:
            continue
        p = entry["pages"]
        label, engine = key.split("-", 1)
        limit = {"M": 0.1, "L": 0.3}.get(label)
        goal = ""
        if limit is not None:
            search_ok = (
                label != "M"
                or max(p["member_search"]["median"], p["member_search_initials"]["median"]) < 0.05
            )
            goal = target(p["cockpit"]["median"] < limit and search_ok)
        extra = [
            spread(p[name], ms) if name in p else "–"
            for name in ("cockpit_uncached", "meeting_detail", "api_orgs")
        ]
        lines.append(
            f"| {label} | {engine} | {spread(p['cockpit'], ms)} | {extra[0]} | {spread(p['member_search'], ms)} | {spread(p['member_search_initials'], ms)} | {extra[1]} | {extra[2]} | {goal} |"
        )
    dues_rows = [(key, entry["dues"]) for key, entry in sizes.items() if "dues" in entry]
    if dues_rows:
        lines += [
            "",
            "### 党费 at M (issue 18)",
            "",
            "`bench/tasks.py dues`: a month's dues for every member of the 党委 (the obligations",
            "selector: spans, bases, reliefs, policies) and the 党费 ledger page as its secretary sees it.",
            "",
            "| size | engine | members owing | a month's dues | ledger page |",
            "|---|---|---:|---|---|",
        ]
        for key, d in dues_rows:
            label, engine = key.split("-", 1)
            lines.append(
                f"| {label} | {engine} | {d['members_owing']:,} | {spread(d['month_dues'], ms)} | {spread(d['ledger_page'], ms)} |"
            )
    imp = results.get("import", {})
    lines += [
        "",
        "## 4. Excel import",
        "",
        f"`bench/import_members.py {imp.get('rows', 100000)}`: a workbook of valid members generated with openpyxl's",
        "streaming writer, then upload → check → commit through the same service as the web page, on SQLite.",
        "Target: ≥ 2,500 rows/s with memory that does not grow with the file (peak RSS vs before the import).",
        "",
    ]
    if "carried" in imp:
        lines += [
            f"Not measured by this invocation: the run of {imp['carried']['date']} (commit"
            f" {imp['carried']['commit']}).",
            "",
        ]
    if "rows_per_second" in imp:
        ok = imp["rows_per_second"] >= 2500
        lines.append(
            f"- {imp['rows']:,} rows in {imp['seconds']:.1f} s: **{imp['rows_per_second']:,} rows/s** {target(ok)}; "
            f"peak RSS {imp.get('peak_rss_mb', '?')} MB (before the import {imp.get('baseline_rss_mb', '?')} MB)."
        )
        if "rows_per_cpu_second" in imp:  # what the import costs, whatever else ran
            lines.append(
                f"- {imp['rows_per_cpu_second']:,} rows per CPU-second of the import's process."
            )
    if imp.get("output"):
        lines += ["", "```", imp["output"], "```"]
    http = next((e["http"] for e in sizes.values() if "http" in e), None)
    lines += ["", "## 5. HTTP load", ""]
    if http:
        lines += [
            f"`bench/httpload.py`: gunicorn with {http['workers']} workers on PostgreSQL at size M (psycopg pool), locust",
            f"headless with {http['users']} concurrent users for {http['seconds']} s on loopback (the load generator",
            "shares the 2 cores). Target: ≥ 40 req/s with p95 < 200 ms at 50 users, zero errors."
            + (
                f" The load ran {len(http['runs'])} times against the same server; the table is the run"
                " of median p95."
                if http.get("runs")
                else ""
            ),
            "",
            "| endpoint | requests | failures | p50 | p95 | req/s |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, row in http["endpoints"].items():
            lines.append(
                f"| {name} | {row['requests']:,} | {row['failures']} | {row['p50_ms']:.0f} ms | {row['p95_ms']:.0f} ms | {row['rps']:.1f} |"
            )
        agg = http["endpoints"].get("Aggregated")
        if agg:
            lines += [
                "",
                f"Overall {agg['rps']:.1f} req/s, p95 {agg['p95_ms']:.0f} ms "
                f"{target(agg['rps'] >= 40 and agg['p95_ms'] < 200 and agg['failures'] == 0)}.",
            ]
            runs = [run for run in http.get("runs") or [] if run]
            if len(runs) > 1:
                lines[-1] += (
                    " Every run: "
                    + "; ".join(
                        f"{run['rps']:.1f} req/s, p95 {run['p95_ms']:.0f} ms, {run['failures']} errors"
                        for run in runs
                    )
                    + "."
                )
        cpu = http.get("cpu_per_request") or {}
        if cpu:
            lines += [
                "",
                "CPU per request, each endpoint alone at 10 users: the CPU time of gunicorn's workers and of the",
                "PostgreSQL backends serving this database, divided by the requests served.",
                "",
                "| endpoint | CPU per request | requests |",
                "|---|---:|---:|",
            ]
            for name, row in cpu.items():
                lines.append(f"| {name} | {row['cpu_ms']:.1f} ms | {row['requests']:,} |")
    else:
        lines.append("Not run in this invocation.")
    lines += [
        "",
        "## Reading replicas",
        "",
        "`bench/replica.sh` starts a real streaming replica of the local PostgreSQL on loopback (pg_basebackup,",
        "hot standby on port 5433), checks that a write on the primary streams to it, and runs the cockpit with",
        "`ZHIBU_REPLICA_URL` pointing at it; see docs/scaling.md.",
        "",
        *_replica_lines(results),
        "",
        "## Fan-out: 1 vs 2 workers",
        "",
        "`manage.py tick --wait` with one and with two `manage.py db_worker` processes taking the queued parts",
        "(runs of consecutive children of the top-level org, balanced by org count, `--parts 4`;",
        "docs/scaling.md): the nightly re-run of the open",
        "periods, after a first tick has written the findings. Two workers on two cores also share them with",
        "PostgreSQL and the waiting `tick`, so the speed-up is below 2.",
        "",
        *_fanout_lines(results),
        "",
        "## Commands",
        "",
        "```sh",
        "make bench                                   # everything, writes this file",
        ".venv/bin/python bench/run.py --quick        # S and a small M, a few minutes",
        "DATABASE_URL=... .venv/bin/python manage.py synth --members 100000 --branches 5000 --years 1",
        "DATABASE_URL=... .venv/bin/python bench/tasks.py evaluate --org SYN --period 2026 --repeat 3",
        ".venv/bin/python bench/import_members.py 100000",
        "```",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text())
    print(render(data))
