"""One measurement inside Django, printed as a JSON line (called by bench/run.py).

    DATABASE_URL=... python bench/tasks.py evaluate --org SYN --period 2026 --repeat 3
    DATABASE_URL=... python bench/tasks.py rawsql --org SYN --period 2026 --repeat 5
    DATABASE_URL=... python bench/tasks.py pages --org SYN --period 2026 --repeat 7
    DATABASE_URL=... python bench/tasks.py integrity --org SYN --period 2025 --repeat 3

Timings are wall-clock seconds of the work itself (Django start-up excluded).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibu.settings")


def summary(samples: list[float]) -> dict:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "runs": len(samples),
    }


def evaluate(args) -> dict:
    """A year's rule evaluation of the whole tree: the first run (writes every finding),
    re-runs the same day (nothing changed, nothing written), the next nights' runs
    (nothing changed but the day: the running periods are judged again) and forced full
    re-runs of today (every rule-period judged again, ``--full`` only those; the first
    of them also brings back today's findings after a next night's run)."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from zhibu.core.models import Finding
    from zhibu.core.rules import Period
    from zhibu.orgs.models import Org
    from zhibu.rulebook.run import rules_run

    root = Org.objects.get(code=args.org)
    period = Period.parse(args.period)
    firsts, reruns = [], []
    for _attempt in range(args.first):
        Finding.objects.all().delete()  # a first evaluation: nothing stored yet
        started = time.perf_counter()
        run = rules_run(root=root, period=period, trigger="bench", full=True)
        firsts.append(time.perf_counter() - started)
    fulls: list[float] = []
    nights: list[float] = []
    judged: list[int] = []  # outcomes judged on each night
    skipped = night_skipped = 0
    today = timezone.localdate()
    day = today
    if not args.full:
        # Consecutive nights, each after the previous one (as cron runs them): a re-run of
        # the day before (nothing changed, nothing judged), then the next night, on which
        # the running periods are judged again as of that day unless their rules declare
        # the dates they depend on and none of those turned (docs/scaling.md).
        for night in range(1, args.repeat + 1):
            started = time.perf_counter()
            again = rules_run(root=root, period=period, trigger="bench", today=day)
            reruns.append(time.perf_counter() - started)
            assert again.created == again.updated == again.deleted == 0, "re-run changed findings"
            skipped = again.skipped
            day = today + timedelta(days=night)
            started = time.perf_counter()
            again = rules_run(root=root, period=period, trigger="bench", today=day)
            nights.append(time.perf_counter() - started)
            judged.append(again.evaluated)
            night_skipped = again.skipped
    for _attempt in range(args.repeat):
        started = time.perf_counter()
        again = rules_run(root=root, period=period, trigger="bench", today=day, full=True)
        fulls.append(time.perf_counter() - started)
        # the nights' findings are a full run's
        assert again.created == again.updated == again.deleted == 0, "re-run changed findings"
    from zhibu.members.models import Member

    return {
        "engine": connection.vendor,
        "orgs": Org.objects.filter(path__startswith=root.path).count(),
        "members": Member.objects.count(),
        "findings": run.evaluated if firsts else Finding.objects.count(),
        "first": summary(firsts) if firsts else None,
        "rerun": summary(reruns or fulls),
        "rerun_full": summary(fulls),
        # the next night's run (today + 1, + 2 …, nothing else changed)
        # the first night after synth judges what turned on the day the data was made
        "next_night": summary(nights[1:] or nights or fulls),
        "nights": [round(n, 3) for n in nights],  # each night in turn
        "nights_judged": judged,
        "skipped": skipped,  # rule-periods an incremental re-run kept without judging
        "next_night_skipped": night_skipped,
    }


RAW_SQL = """
WITH periods AS ({periods}),
branches AS (
  SELECT o.id FROM orgs_org o
  WHERE o.path >= %(root)s AND o.path < %(upper)s AND o.kind IN ('branch','joint_branch','temporary_branch')
    AND o.established_on < %(end)s AND (o.dissolved_on IS NULL OR o.dissolved_on > %(start)s)
),
committees AS (
  SELECT DISTINCT c.org_id FROM orgs_committee c
  WHERE c.elected_on <= %(today)s AND (c.ended_on IS NULL OR c.ended_on > %(today)s)
),
held AS (
  SELECT r.org_id, r.kind, p.code, COUNT(*) AS n
  FROM meetings_meetingkindrow r JOIN periods p
    ON r."on" >= p.start AND r."on" < p.finish AND r.kind = p.kind
  WHERE r.held AND r.org_id IN (SELECT id FROM branches)
  GROUP BY r.org_id, r.kind, p.code
)
SELECT b.id, p.rule, p.code,
       CASE WHEN COALESCE(h.n, 0) >= 1 THEN 'ok' WHEN p.finish > %(today)s THEN 'due' ELSE 'missing' END
FROM branches b CROSS JOIN periods p
LEFT JOIN held h ON h.org_id = b.id AND h.kind = p.kind AND h.code = p.code
WHERE p.start <= %(today)s AND (p.rule <> 'MTG-02' OR b.id IN (SELECT org_id FROM committees))
"""


def rawsql(args) -> dict:
    """MTG-01, MTG-02 and MTG-06 statuses for a year, by the engine and by one hand-written
    SQL query over the same data: the ratio is how close the engine runs to the database."""
    from django.db import connection
    from django.utils import timezone

    from zhibu.core.rules import Period
    from zhibu.core.rules.registry import in_force
    from zhibu.core.scope import subtree_q, successor
    from zhibu.orgs.models import Org
    from zhibu.rulebook.run import _evaluate, gc_paused, periods_for, prepare

    root = Org.objects.get(code=args.org)
    period = Period.parse(args.period)
    today = timezone.localdate()
    orgs = list(Org.objects.filter(subtree_q([root.path])))
    codes = {"MTG-01": "branch_assembly", "MTG-02": "branch_committee", "MTG-06": "theme_day"}
    engine_samples, raw_samples = [], []
    engine_rows = raw_rows = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        engine_rows = 0
        shared: dict = {}  # one run's memo, as in rules_run
        with gc_paused():  # as rules_run evaluates
            for code in codes:
                rule = in_force(code, period.start)
                for sub in periods_for(rule, period):
                    # What rules_run does per rule-period before comparing with the store:
                    # statuses, numbers, message parts and fingerprints, ready to write.
                    outcomes = _evaluate(rule, orgs, sub, today, shared, subtree_q([root.path]))
                    engine_rows += len(prepare(rule, sub, outcomes, {}))
        engine_samples.append(time.perf_counter() - started)
    values = []
    for code, kind in codes.items():
        rule = in_force(code, period.start)
        for sub in periods_for(rule, period):
            values.append(
                f"SELECT '{code}' AS rule, '{kind}' AS kind, '{sub.code}' AS code, "
                f"DATE '{sub.start}' AS start, DATE '{sub.end}' AS finish"
            )
    if connection.vendor == "sqlite":
        values = [v.replace("DATE '", "'") for v in values]
    sql = RAW_SQL.format(periods=" UNION ALL ".join(values))
    params = {
        "root": root.path,
        "upper": successor(root.path),
        "start": period.start,
        "end": period.end,
        "today": today,
    }
    if connection.vendor == "sqlite":
        sql = (
            sql.replace("%(root)s", ":root")
            .replace("%(upper)s", ":upper")
            .replace("%(start)s", ":start")
        )
        sql = sql.replace("%(end)s", ":end").replace("%(today)s", ":today")
        params = {k: str(v) for k, v in params.items()}
    for _ in range(args.repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            raw_rows = len(cursor.fetchall())
        raw_samples.append(time.perf_counter() - started)
    return {
        "engine": summary(engine_samples),
        "raw": summary(raw_samples),
        "engine_rows": engine_rows,
        "raw_rows": raw_rows,
        "ratio": statistics.median(engine_samples) / statistics.median(raw_samples),
    }


def pages(args) -> dict:
    """Cockpit, member search, a meeting and the API's org list as a 党委 secretary sees
    them (in-process, full stack): the pages of the HTTP load, one at a time."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    from zhibu.accounts.models import Role, RoleAssignment, User
    from zhibu.orgs.models import Org

    setup_test_environment()
    root = Org.objects.get(code=args.org)
    user, _ = User.objects.get_or_create(
        username="bench-secretary", defaults={"full_name": "压测书记"}
    )
    if not RoleAssignment.objects.filter(user=user, org=root).exists():
        RoleAssignment.objects.create(user=user, org=root, role=Role.SECRETARY, start="2000-01-01")
    client = Client()
    client.force_login(user)
    from django.core.cache import cache

    from zhibu.api.models import ApiToken, hash_secret
    from zhibu.meetings.models import Meeting

    full, prefix, secret = ApiToken.generate()
    ApiToken.objects.create(user=user, name="bench", prefix=prefix, secret_hash=hash_secret(secret))
    meeting = Meeting.objects.order_by("-on").values_list("public_id", flat=True).first()
    cockpit = ("/cockpit/", {"org": str(root.public_id), "period": args.period})
    targets = {
        "cockpit": cockpit,
        # The same page right after a run changed findings: nothing cached.
        "cockpit_uncached": (*cockpit, cache.clear),
        "member_search": ("/members/", {"q": "zh"}),
        "member_search_initials": ("/members/", {"q": "wj"}),
        "meeting_detail": (f"/meetings/{meeting}/", {}),
        "api_orgs": ("/api/v1/orgs", {"limit": 50}, None, {"HTTP_AUTHORIZATION": f"Bearer {full}"}),
    }
    results = {}
    if args.aliases:
        from django.db import connections
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connections["default"]) as primary:
            if "replica" in connections:
                with CaptureQueriesContext(connections["replica"]) as replica:
                    client.get(targets["cockpit"][0], targets["cockpit"][1], HTTP_HOST="127.0.0.1")
                results["cockpit_queries"] = {"primary": len(primary), "replica": len(replica)}
    for name, (path, params, *extra) in targets.items():
        before = extra[0] if extra else None
        headers = extra[1] if len(extra) > 1 else {}
        samples = []
        for attempt in range(args.repeat + 1):
            if before is not None:
                before()
            started = time.perf_counter()
            response = client.get(path, params, HTTP_HOST="127.0.0.1", **headers)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (name, response.status_code)
            if attempt:  # the first request warms caches and the connection
                samples.append(elapsed)
        results[name] = summary(samples)
    return results


def dues(args) -> dict:
    """Issue 18: computing a month's dues for every member of the subtree (the obligations
    selector: spans, bases, reliefs, policies) and the 党费 ledger page of the 党委, as its
    secretary sees it. Bases are declared first (bulk, untimed) when the data has none."""
    from datetime import date
    from decimal import Decimal

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from zhibu.accounts.models import Role, RoleAssignment, User
    from zhibu.core.bulk import analyze
    from zhibu.core.scope import subtree_q
    from zhibu.dues import selectors
    from zhibu.dues.models import DuesBase
    from zhibu.dues.rates import Category
    from zhibu.members.models import Member
    from zhibu.orgs.models import Org

    setup_test_environment()
    root = Org.objects.get(code=args.org)
    where = subtree_q([root.path], "org__path")
    month = timezone.localdate().replace(day=1)
    if not DuesBase.objects.exists():
        ids = Member.objects.filter(where).values_list("pk", flat=True)
        DuesBase.objects.bulk_create(
            (
                DuesBase(
                    member_id=pk,
                    category=Category.IN_SERVICE,
                    base=Decimal(2500 + (pk * 37) % 14000),
                    effective_month=date(month.year - 1, 1, 1),
                )
                for pk in ids.iterator(chunk_size=5000)
            ),
            batch_size=5000,
        )
        analyze(DuesBase)
    from zhibu.dues import summary as dues_summary

    started = time.perf_counter()
    dues_summary.build_month(month)  # what the first view of a month does, once
    build = time.perf_counter() - started
    samples, owed = [], 0
    for attempt in range(args.repeat + 1):
        started = time.perf_counter()
        owed = len(selectors.obligations(where, [month]))
        if attempt:
            samples.append(time.perf_counter() - started)
    user, _ = User.objects.get_or_create(
        username="bench-secretary", defaults={"full_name": "压测书记"}
    )
    if not RoleAssignment.objects.filter(user=user, org=root).exists():
        RoleAssignment.objects.create(user=user, org=root, role=Role.SECRETARY, start="2000-01-01")
    client = Client()
    client.force_login(user)
    pages = []
    for attempt in range(args.repeat + 1):
        started = time.perf_counter()
        response = client.get(
            "/dues/", {"org": str(root.public_id), "month": f"{month:%Y-%m}"}, HTTP_HOST="127.0.0.1"
        )
        assert response.status_code == 200, response.status_code
        if attempt:
            pages.append(time.perf_counter() - started)
    return {
        "members_owing": owed,
        "month_dues": summary(samples),
        "summary_build": build,
        "ledger_page": summary(pages),
    }


def integrity(args) -> dict:
    """Issue 19: the 真实性核查 rules DQ-06 … DQ-09 judged over the whole tree for a year
    (the quarterly ones for each of its quarters), each alone, without storing findings.
    Synthetic minutes are short placeholders: DQ-06 then measures the scan and the
    normalisation, not the similarity of real texts."""
    from django.db import connection
    from django.utils import timezone

    from zhibu.core.rules import Period, in_force
    from zhibu.core.rules.engine import evaluate as judge
    from zhibu.core.scope import subtree_q
    from zhibu.orgs.models import Org

    root = Org.objects.get(code=args.org)
    year = Period.parse(args.period or str(timezone.localdate().year - 1))
    orgs = list(Org.objects.filter(subtree_q([root.path])))
    result: dict = {"engine": connection.vendor, "orgs": len(orgs)}
    for code in ("DQ-06", "DQ-07", "DQ-08", "DQ-09"):
        rule = in_force(code, year.start)
        periods = [year] if rule.period_kind == "year" else year.split(rule.period_kind)
        samples, flagged = [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            flagged = sum(len(judge(rule, orgs, period=p)) for p in periods)
            samples.append(time.perf_counter() - started)
        result[code] = {**summary(samples), "flagged": flagged}
    return result


def fixtures(args) -> dict:
    """What the HTTP load needs: a login, an API token, a meeting to open."""
    from zhibu.accounts.models import Role, RoleAssignment, User
    from zhibu.api.models import ApiToken, hash_secret
    from zhibu.meetings.models import Meeting
    from zhibu.orgs.models import Org

    root = Org.objects.get(code=args.org)
    user, _ = User.objects.get_or_create(username="bench-load", defaults={"full_name": "压测用户"})
    user.set_password("Bench-Load-2026!")
    user.save()
    if not RoleAssignment.objects.filter(user=user, org=root).exists():
        RoleAssignment.objects.create(user=user, org=root, role=Role.SECRETARY, start="2000-01-01")
    full, prefix, secret = ApiToken.generate()
    ApiToken.objects.create(user=user, name="bench", prefix=prefix, secret_hash=hash_secret(secret))
    meetings = list(Meeting.objects.order_by("-on").values_list("public_id", flat=True)[:200])
    # Signed-in sessions made here, so the load measures the pages, not password hashing.
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    sessions = []
    for _ in range(args.sessions):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store["zhibu_last_seen"] = int(time.time()) + 3600
        store.create()
        sessions.append(store.session_key)
    return {
        "token": full,
        "org": str(root.public_id),
        "meetings": [str(m) for m in meetings],
        "sessions": sessions,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "task", choices=["evaluate", "rawsql", "pages", "fixtures", "dues", "integrity"]
    )
    parser.add_argument("--org", default="SYN")
    parser.add_argument("--period", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument(
        "--full", action="store_true", help="evaluate: only forced full re-runs, no incremental"
    )
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument(
        "--aliases", action="store_true", help="count the cockpit's queries per database alias"
    )
    args = parser.parse_args()
    import django

    django.setup()
    result = {
        "evaluate": evaluate,
        "rawsql": rawsql,
        "pages": pages,
        "fixtures": fixtures,
        "dues": dues,
        "integrity": integrity,
    }[args.task](args)
    print("RESULT " + json.dumps(result, default=str))


if __name__ == "__main__":
    main()
