"""Running the rulebook over a subtree and period, and storing the findings.

A run is idempotent: for every rule and (sub-)period it computes all outcomes for the
subtree, applies approved exemptions, and then writes only the differences — new
findings are inserted, changed ones updated, vanished ones deleted. Running it twice
changes nothing the second time.

Period semantics: a rule judges periods of its own kind. A run for a year evaluates a
monthly rule for each of the twelve months, a quarterly rule for each quarter; a run
for a month evaluates a yearly rule for the year containing it. Snapshot rules (ORG,
DQ ...) are judged once, as of the period's reference day, and filed under the period.
"""

from __future__ import annotations

import gc
import hashlib
import inspect
import json
import logging
import marshal
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from zhibu.core.bulk import insert_rows
from zhibu.core.rules.base import Context, Outcome, Rule, Status
from zhibu.core.rules.engine import existing, reference_day
from zhibu.core.rules.messages import Message, as_parts
from zhibu.core.rules.models import Exemption, Finding, RuleRun
from zhibu.core.rules.params import param_groups
from zhibu.core.rules.periods import Period
from zhibu.core.rules.registry import codes as all_codes
from zhibu.core.rules.registry import in_force, versions
from zhibu.core.scope import subtree_q
from zhibu.orgs.models import Org
from zhibu.rulebook import changes, hooks, summary
from zhibu.rulebook.models import RuleMark

log = logging.getLogger(__name__)

KINDS_ORDER = {"month": 0, "quarter": 1, "year": 2}


def periods_for(rule: Rule, period: Period) -> list[Period]:
    """The periods of the rule's own kind that a run over ``period`` judges."""
    kind = rule.period_kind
    if kind == "snapshot":
        return [period]
    if KINDS_ORDER[kind] <= KINDS_ORDER[period.kind]:
        return period.split(kind)
    return [Period.containing(kind, period.start)]


def _exemptions(
    codes: Iterable[str], root_path: str, period: Period
) -> dict[tuple[str, int], list[Exemption]]:
    rows = Exemption.objects.filter(
        rule_code__in=list(codes),
        state=Exemption.State.APPROVED,
        start__lt=period.end,
        end__gte=period.start,
    ).filter(subtree_q([root_path], field="org__path"))
    table: dict[tuple[str, int], list[Exemption]] = defaultdict(list)
    for exemption in rows:
        table[(exemption.rule_code, exemption.org_id)].append(exemption)
    return table


def _apply_exemption(
    outcome: Outcome, candidates: list[Exemption], sub: Period
) -> Exemption | None:
    """An approved exemption overlapping the period and covering the subject, if any."""
    for exemption in candidates:
        if exemption.start >= sub.end or exemption.end < sub.start:
            continue
        if exemption.member_id is not None and not (
            outcome.subject_type == "member" and outcome.subject_id == exemption.member_id
        ):
            continue
        return exemption
    return None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for one run: a run allocates hundreds of
    thousands of short-lived rows and messages (no cycles among them), and each collection
    walks every live object of the process — about a sixth of a re-run's time at 20,000
    members. Reference counting still frees everything; the collector resumes afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# What every rule-period depends on besides the tables its rule declares: the orgs judged
# (their paths, kinds, sectors and dates), local supplements (parameters) and exemptions.
ALWAYS_READ = ("orgs.Org", "core.Supplement", "core.Exemption")
# The date fields every rule-period compares with its reference day: which orgs exist
# (``applicable_orgs``) and which local supplements are in force (``param_groups``).
ALWAYS_DATED = (
    "orgs.Org.established_on",
    "orgs.Org.dissolved_on",
    "core.Supplement.effective_from",
    "core.Supplement.effective_to",
)

_sources: dict[str, str] = {}


def _source_digest(rule: Rule) -> str:
    """A digest of the rule's module source: changed code is judged again even when the
    rule's version number was not raised."""
    module = type(rule).__module__
    found = _sources.get(module)
    if found is None:
        try:
            path = inspect.getsourcefile(type(rule)) or ""
            with open(path, "rb") as handle:
                found = hashlib.blake2b(handle.read(), digest_size=8).hexdigest()
        except (OSError, TypeError):
            found = uuid.uuid4().hex  # no source to compare: never the same twice
        _sources[module] = found
    return found


def date_field(label: str):
    """``"app.Model.field"`` → (model, field name); the field must be a date."""
    app_model, name = label.rsplit(".", 1)
    model = apps.get_model(app_model)
    field = model._meta.get_field(name)
    if field.get_internal_type() != "DateField":
        raise ValueError(f"{label} is not a DateField")
    return model, name


def next_boundaries(labels: Iterable[str], today: date) -> dict[str, date | None]:
    """For each date field, the first day after ``today`` on which a comparison of it with
    the reference day can turn: a stored date (``start <= on`` turns on it) or the day
    after one (``end >= on`` turns then). Between two days with the same answer no row's
    comparison turns, so a rule that depends on the day only through such comparisons
    judges both days alike. One query: a MIN per field (indexed where the field is)."""
    labels = sorted(set(labels))
    if not labels:
        return {}
    parts = []
    for label in labels:
        model, name = date_field(label)
        column = connection.ops.quote_name(model._meta.get_field(name).column)
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT MIN({column}) FROM {table} WHERE {column} >= %s)")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), [today] * len(labels))
        row = cursor.fetchone()
    found: dict[str, date | None] = {}
    for label, value in zip(labels, row, strict=True):
        if isinstance(value, str):  # SQLite returns the stored text
            value = date.fromisoformat(value[:10])
        found[label] = today + timedelta(days=1) if value == today else value
    return found


def input_tables(rule: Rule) -> frozenset[str] | None:
    """The tables a rule-period of ``rule`` reads: its declared ``reads`` and
    ``ALWAYS_READ``; None for a rule that declares nothing (always evaluated)."""
    if rule.reads is None:
        return None
    return frozenset(apps.get_model(label)._meta.db_table for label in (*ALWAYS_READ, *rule.reads))


class Marks:
    """The incremental run's bookkeeping (docs/scaling.md, "Incremental nightly run").

    A rule-period of a rule that declares its input tables (every rule does) is keyed by
    the rule's code, version and module source, the period, the change counts of its
    input tables (``zhibu.rulebook.changes``) and, while the period is still running,
    today's date (it is judged as of today) — or, for a rule that declares the date
    fields through which it depends on the day (``Rule.dated``), the next day on which
    one of them turns (``next_boundaries``). The key is stored per
    run scope (root, ``only=``, ``exclude=``) after the rule-period was judged; a later run
    of the same scope that computes the same key keeps the stored findings and skips the
    rule. While a rule-period is judged, the tables its queries name are traced: one
    outside its declaration (or unguarded) stores no key, so it is judged every time."""

    def __init__(self, root_path: str, within, skip, today: date, full: bool) -> None:
        self.today = today
        self.full = full
        scope = json.dumps([root_path, within, skip])
        self.scope = hashlib.blake2b(scope.encode(), digest_size=16).hexdigest()
        self.counts = changes.counts()
        self.boundaries: dict[str, date | None] = {}  # per dated field, read once per run
        self.stored: dict[tuple[str, str], str] | None = None
        self.fresh: dict[tuple[str, str], str] = {}
        self.dropped: set[tuple[str, str]] = set()
        self.skipped = 0

    def _load(self) -> dict[tuple[str, str], str]:
        if self.stored is None:
            self.stored = {
                (code, period): key
                for code, period, key in RuleMark.objects.filter(scope=self.scope).values_list(
                    "rule_code", "period_code", "key"
                )
            }
        return self.stored

    def key(self, rule: Rule, sub: Period) -> str | None:
        """The rule-period's key, or None when it must be judged every time.

        A period still running on ``today`` is judged as of today (due or missing, days
        vacant, who is on the roll today): its key also holds the day, so it is kept only
        by another run of the same day — the next night judges it again."""
        tables = input_tables(rule)
        if tables is None:
            return None
        try:
            counted = sorted((table, self.counts[table]) for table in tables)
        except KeyError:
            return None  # an input without its triggers: no way to tell it changed
        text = json.dumps(
            [rule.code, rule.version, _source_digest(rule), sub.code, counted, self.day(rule, sub)]
        )
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def day(self, rule: Rule, sub: Period):
        """What of today the key holds: nothing for a closed period; for a running one the
        day itself, or — for a rule declaring ``dated`` — the next day on which one of its
        date comparisons can turn (``next_boundaries``), so the nights in between keep it."""
        if sub.end <= self.today:
            return None
        if sub.start > self.today:
            return "not begun"
        if rule.dated is None:
            return self.today.isoformat()
        if not self.boundaries:  # every dated field of the rulebook, in one query
            dated = (
                label for code in all_codes() for r in versions(code) for label in r.dated or ()
            )
            self.boundaries = next_boundaries((*ALWAYS_DATED, *dated), self.today)
        turns = []
        for label in sorted({*ALWAYS_DATED, *rule.dated}):
            found = self.boundaries[label]
            turns.append([label, found.isoformat() if found else None])
        return turns

    def unchanged(self, rule: Rule, sub: Period, key: str) -> bool:
        if self.full or self._load().get((rule.code, sub.code)) != key:
            return False
        self.skipped += 1
        return True

    @contextmanager
    def tracing(self, key: str | None) -> Iterator[set[str]]:
        if key is None:
            yield set()
            return
        with changes.traced() as seen:
            yield seen

    def judged(self, rule: Rule, sub: Period, key: str | None, seen: set[str]) -> None:
        mark = (rule.code, sub.code)
        if key is not None:
            undeclared = seen - (input_tables(rule) or frozenset())
            if not undeclared:
                if self._load().get(mark) != key:
                    self.fresh[mark] = key
                return
            log.warning(
                "%s reads %s without declaring it: judged every time",
                rule.code,
                ", ".join(sorted(undeclared)),
            )
        if mark in self._load():
            self.dropped.add(mark)

    def save(self) -> None:
        stale = self.dropped | set(self.fresh)
        if not stale:
            return
        by_code: dict[str, list[str]] = defaultdict(list)
        for code, period in stale:
            by_code[code].append(period)
        for code, periods in sorted(by_code.items()):
            RuleMark.objects.filter(
                scope=self.scope, rule_code=code, period_code__in=sorted(periods)
            ).delete()
        RuleMark.objects.bulk_create(
            [
                RuleMark(scope=self.scope, rule_code=code, period_code=period, key=key)
                for (code, period), key in self.fresh.items()
            ],
            batch_size=500,
        )


def rules_run(
    *,
    root,
    period: Period,
    today: date | None = None,
    by=None,
    codes: Iterable[str] | None = None,
    trigger: str = "manual",
    only: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    full: bool = False,
) -> RuleRun:
    """Evaluate every rule in force over ``root``'s subtree for ``period`` and store findings.

    ``only``: judge just these subtrees of ``root``'s; ``exclude``: paths of subtrees left
    out. Orgs outside are neither judged nor their findings touched (the nightly fan-out
    judges them in jobs of their own, ``zhibu.insight.fanout``).

    Incremental: a period of a rule that declares what it reads (``Rule.reads``) is not
    evaluated again when nothing it reads changed since this scope last judged it — and,
    for a period still running, when that was the same day (``Marks``); its stored
    findings stay. ``full`` evaluates everything (and records
    the marks afresh)."""
    today = today or timezone.localdate()
    started = time.monotonic()
    selected = list(codes) if codes else all_codes()
    within = sorted(only) if only is not None else None
    skip = sorted(exclude)
    # Before any data is read: a write committed after this moment moves a counter past
    # what the marks record, so the next run judges it (never the other way round).
    marks = Marks(root.path, within, skip, today, full)
    narrowed = within is not None or bool(skip)
    # The run's orgs as path ranges: rules filter by them (a subquery), narrowed runs of
    # the fan-out too, rather than by an IN list of every id.
    bounds = subtree_q([root.path])
    if within is not None:
        bounds &= subtree_q(within)
    if skip:
        bounds &= ~subtree_q(skip)
    orgs = list(Org.objects.filter(bounds).order_by("path"))
    path_of = {org.pk: org.path for org in orgs}
    exemptions = _exemptions(selected, root.path, period)
    shared: dict = {}  # rules of this run share reads through Context.memo
    totals = {"evaluated": 0, "created": 0, "updated": 0, "deleted": 0}
    changed: set[str] = set()  # rules whose stored findings this run changed
    with gc_paused(), translation.override("zh-hans"), transaction.atomic():
        for code in selected:
            for sub in periods_for_code(code, period):
                rule = in_force(code, sub.start) or in_force(code, reference_day(sub, today))
                if rule is None or (rule.live_only and reference_day(sub, today) < today):
                    continue
                key = marks.key(rule, sub)
                if key is not None and marks.unchanged(rule, sub, key):
                    continue
                with marks.tracing(key) as seen:
                    outcomes = _evaluate(rule, orgs, sub, today, shared, bounds)
                marks.judged(rule, sub, key, seen)
                if narrowed:
                    outcomes = [o for o in outcomes if o.org_id in path_of]
                counts = _store(rule, sub, root.path, outcomes, exemptions, path_of, within, skip)
                for name, value in counts.items():
                    totals[name] += value
                if counts["created"] or counts["updated"] or counts["deleted"]:
                    changed.add(code)
        written = totals["created"] + totals["updated"] + totals["deleted"]
        if written >= ANALYZE_AFTER and written >= ANALYZE_SHARE * totals["evaluated"]:
            analyze_findings()
        marks.save()
        run = RuleRun.objects.create(
            org=root,
            period_code=period.code,
            codes=selected if codes else [],
            trigger=trigger,
            started_by=by,
            duration_ms=int((time.monotonic() - started) * 1000),
            **totals,
        )
        run.skipped = marks.skipped  # not stored: how many rule-periods kept their findings
        # Only the rules whose findings changed can have changed counts.
        summary.after_run(run, root=root, period=period, codes=sorted(changed))
        hooks.after_run(
            run, root=root, period=period, codes=selected if codes else None, today=today
        )
    log.info(
        "rules_run org=%s period=%s skipped=%s evaluated=%s created=%s updated=%s deleted=%s"
        " in %sms",
        root.code,
        period.code,
        marks.skipped,
        totals["evaluated"],
        totals["created"],
        totals["updated"],
        totals["deleted"],
        run.duration_ms,
    )
    return run


def periods_for_code(code: str, period: Period) -> list[Period]:
    rule = in_force(code, period.start) or in_force(code, period.last_day)
    if rule is None:
        candidates = versions(code)
        if not candidates:
            return []
        rule = candidates[-1]
    return periods_for(rule, period)


def applicable_query(rule: Rule, bounds: Q, sub: Period, on: date):
    """``applicable_orgs`` as database criteria over the run's orgs (``bounds``, path
    ranges) — the same orgs — so rules filter by a subquery instead of an IN list of
    every id."""
    qs = Org.objects.filter(bounds)
    if rule.kinds:
        qs = qs.filter(kind__in=sorted(rule.kinds))
    if rule.sectors is not None:
        qs = qs.filter(sector__in=sorted(rule.sectors))
    start = sub.start if sub else on
    qs = qs.filter(established_on__lte=on).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start)
    )
    return qs


def _of_kind(rule: Rule, orgs: list, shared: dict | None) -> list:
    """The run's orgs of the rule's kinds and sectors, sorted out once per run for every
    rule with the same kinds (a year's run asks for each of a monthly rule's twelve
    months); ``existing`` then only checks the dates. A rule with its own ``applies_to``
    is asked each time."""
    if shared is None or type(rule).applies_to is not Rule.applies_to:
        return [org for org in orgs if rule.applies_to(org)]
    key = ("of-kind", rule.kinds, rule.sectors, id(orgs))
    found = shared.get(key)
    if found is None:
        found = shared[key] = [org for org in orgs if rule.applies_to(org)]
    return found


def _evaluate(
    rule: Rule,
    orgs: list,
    sub: Period,
    today: date,
    shared: dict | None = None,
    bounds: Q | None = None,
) -> list[Outcome]:
    on = reference_day(sub, today)
    if sub.start > today:
        return []  # a period that has not begun is not judged
    targets = existing(_of_kind(rule, orgs, shared), sub, on)  # kinds checked once a run
    outcomes: list[Outcome] = []
    groups = param_groups(rule, targets, on, shared)
    for group in groups:
        if not group.enabled or not group.orgs:
            continue
        ctx = Context(
            orgs=group.orgs,
            period=sub,
            on=on,
            params=group.params,
            today=today,
            shared=shared if shared is not None else {},
            org_query=applicable_query(rule, bounds, sub, on)
            if bounds is not None and len(groups) == 1
            else None,
            bounds=bounds if len(groups) == 1 else None,
        )
        outcomes.extend(rule.evaluate(ctx))
    return outcomes


# A run that wrote at least this many rows refreshes the planner's statistics of the
# findings table itself (both engines), rather than wait for autovacuum.
ANALYZE_AFTER = 1000
# … and at least this share of what it judged, as autovacuum's own threshold would ask:
# a night that rewrites a few thousand explanations (ORG-08's days) of the 70,000
# outcomes it judged moves no statistic, and ANALYZE of the partitioned findings table
# at M costs a second on PostgreSQL.
ANALYZE_SHARE = 0.1


def analyze_findings() -> None:
    table = connection.ops.quote_name(Finding._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


# What the exemption adds to an exempted finding's explanation (a message part).
EXEMPTED = gettext_noop("（已豁免：%(reason)s）")

_FIELDS = (
    "status",
    "original_status",
    "numbers",
    "message",
    "citation",
    "refs",
    "exemption_id",
    "rule_version",
)


def digest(values: tuple) -> str:
    """A fingerprint of a finding's content: a run compares fingerprints, not JSON.

    Computed from the structured values as the rule built them (plain scalars, lists,
    dicts in the rule's own order) by ``marshal`` (format 2: no back-references, no
    interning flags, so equal values always give equal bytes) — about three times
    cheaper than their ``repr`` and no JSON encoding. Values marshal cannot write (a
    date, a Decimal, a str subclass left in a message) fall back to the ``repr``, which
    is as stable; the stored fingerprint was made the same way by the previous run."""
    try:
        data = _marshal(values, 2)
    except ValueError:
        data = b"r" + repr(values).encode("utf-8")
    return _blake2b(data, digest_size=16).hexdigest()


_marshal = marshal.dumps
_blake2b = hashlib.blake2b


def prepare(
    rule: Rule, sub: Period, outcomes: list[Outcome], exemptions
) -> list[tuple[tuple, Outcome, tuple, str, Exemption | None]]:
    """What a rule-period's outcomes store, ready to compare and write: (key, outcome,
    values, fingerprint, exemption) per subject, exemptions applied, duplicates dropped.

    Values are the structured ones (message parts, not text), and the fingerprint is made
    from them without JSON encoding."""
    citation = str(rule.citation)[:200]
    code, version, ok = rule.code, rule.version, Status.OK
    rows: list[tuple[tuple, Outcome, tuple, str, Exemption | None]] = []
    seen: set[tuple] = set()
    add, append = seen.add, rows.append
    # Rules share one immutable explanation, numbers and refs among outcomes alike (the
    # count rules: every branch that held one meeting in the month): their values and
    # fingerprint are made once. Keyed by identity, which is safe while ``outcomes``
    # keeps them all alive.
    made: dict[tuple, tuple[tuple, str]] = {}
    for outcome in outcomes:
        key = (outcome.org_id, outcome.subject_type, outcome.subject_id)
        if key in seen:
            continue
        add(key)
        status = outcome.status
        if status != ok:
            candidates = exemptions.get((code, outcome.org_id))
            if candidates:
                exemption = _apply_exemption(outcome, candidates, sub)
                if exemption is not None:
                    values = _values(outcome, status, citation, version, exemption)
                    append((key, outcome, values, digest(values), exemption))
                    continue
        same = (status, id(outcome.explanation), id(outcome.numbers), id(outcome.refs))
        found = made.get(same)
        if found is None:
            values = _values(outcome, status, citation, version)
            found = made[same] = (values, digest(values))
        append((key, outcome, found[0], found[1], None))
    return rows


def _values(
    outcome: Outcome, status: str, citation: str, version: int, exemption: Exemption | None = None
) -> tuple:
    """A finding's stored values (``_FIELDS``' order) as the rule built them, statuses as
    plain text (they fingerprint and compare as text); an exemption makes the status
    exempt, keeps the original and adds its reason to the explanation."""
    explanation = outcome.explanation
    parts = explanation.parts if type(explanation) is Message else as_parts(explanation)
    if exemption is None:
        return (str(status), "", outcome.numbers, parts, citation, outcome.refs, None, version)
    parts = [*parts, [EXEMPTED, {"reason": exemption.reason}]]
    return (
        str(Status.EXEMPT),
        str(status),
        outcome.numbers,
        parts,
        citation,
        outcome.refs,
        exemption.pk,
        version,
    )


def _store(
    rule: Rule,
    sub: Period,
    root_path: str,
    outcomes: list[Outcome],
    exemptions,
    path_of: dict[int, str],
    within: list[str] | None = None,
    skip: list[str] | None = None,
) -> dict[str, int]:
    """Write the differences between stored findings and ``outcomes`` for one rule-period.

    Existing findings are read as keys and content fingerprints (no JSON, no model
    instances), so an unchanged subtree costs one narrow read and no writes.
    """
    now = timezone.now()
    existing: dict[tuple, tuple[int, str]] = {}
    stored = Finding.objects.filter(rule_code=rule.code, period_code=sub.code).filter(
        subtree_q([root_path], field="org_path")
    )
    if within is not None:
        stored = stored.filter(subtree_q(within, field="org_path"))
    if skip:
        stored = stored.exclude(subtree_q(skip, field="org_path"))
    for pk, org_id, subject_type, subject_id, fingerprint in stored.values_list(
        "pk", "org_id", "subject_type", "subject_id", "digest"
    ):
        existing[(org_id, subject_type, subject_id)] = (pk, fingerprint)
    create: list[Finding] = []
    update: list[Finding] = []
    rows = prepare(rule, sub, outcomes, exemptions)
    for key, outcome, values, fingerprint, _exemption in rows:
        current = existing.get(key)
        if current is not None and current[1] == fingerprint:
            continue
        status, original, numbers, parts, citation, refs, *rest = values
        content = (status, original, _normal(numbers), parts, citation, _normal(refs), *rest)
        # subject_id is never None here: Outcome.__post_init__ defaults it to the org.
        finding = Finding(  # type: ignore[misc]
            pk=current[0] if current else None,
            rule_code=rule.code,
            period_code=sub.code,
            period_start=sub.start,
            period_end=sub.end,
            org_id=outcome.org_id,
            org_path=path_of.get(outcome.org_id, ""),
            subject_type=outcome.subject_type,
            subject_id=outcome.subject_id,
            computed_at=now,
            digest=fingerprint,
            explanation="",
            **dict(zip(_FIELDS, content, strict=True)),
        )
        (update if current else create).append(finding)
    seen = {row[0] for row in rows}
    stale = [pk for key, (pk, _) in existing.items() if key not in seen]
    _write(create, update)
    for start in range(0, len(stale), 2000):
        Finding.objects.filter(pk__in=stale[start : start + 2000]).delete()
    return {
        "evaluated": len(rows),
        "created": len(create),
        "updated": len(update),
        "deleted": len(stale),
    }


_COLUMNS = (
    "rule_code",
    "rule_version",
    "period_code",
    "period_start",
    "period_end",
    "org_id",
    "org_path",
    "subject_type",
    "subject_id",
    "status",
    "original_status",
    "numbers",
    "message",
    "explanation",
    "citation",
    "refs",
    "exemption_id",
    "computed_at",
    "digest",
)
_CHANGING = (*_FIELDS, "explanation", "digest", "computed_at")


def _write(create: list[Finding], update: list[Finding]) -> None:
    """Insert and update findings with one prepared statement each (``executemany``):
    at hundreds of thousands of rows the ORM's per-batch SQL building and bulk_update's
    CASE expressions cost more than the database work itself."""
    if not create and not update:
        return
    fields = {f.attname: f for f in Finding._meta.concrete_fields}

    def prepared(finding: Finding, names) -> list:
        return [fields[name].get_db_prep_save(getattr(finding, name), connection) for name in names]

    if create:
        insert_rows(Finding, create, _COLUMNS)
    if update:
        table = connection.ops.quote_name(Finding._meta.db_table)
        assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in _CHANGING)
        with connection.cursor() as cursor:
            # With the period's first day (unchanged by an update, the partition key on
            # PostgreSQL): each statement reads one partition's index, not every one's.
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s AND period_start = %s",  # noqa: S608 - names from the model
                [
                    [
                        *prepared(f, _CHANGING),
                        f.pk,
                        fields["period_start"].get_db_prep_save(f.period_start, connection),
                    ]
                    for f in update
                ],
            )


_PLAIN = (str, int, float, bool, type(None))


def _normal(value):
    """JSON values as the database returns them (tuples become lists, dates strings).
    Plain values — the common case — pass through without a JSON round trip."""
    if isinstance(value, dict) and all(isinstance(v, _PLAIN) for v in value.values()):
        return value
    if isinstance(value, list) and all(isinstance(v, _PLAIN) for v in value):
        return value
    if isinstance(value, dict | list | tuple):
        return json.loads(json.dumps(value, default=str, sort_keys=True))
    return value


def rerun_for_exemption(exemption: Exemption, *, by=None) -> int:
    """Re-evaluate the stored periods an exemption touches, so findings turn exempt now."""
    period_codes = set(
        Finding.objects.filter(
            rule_code=exemption.rule_code,
            period_start__lte=exemption.end,
            period_end__gt=exemption.start,
        )
        .filter(subtree_q([exemption.org.path], field="org_path"))
        .values_list("period_code", flat=True)
    )
    for code in sorted(period_codes):
        rules_run(
            root=exemption.org,
            period=Period.parse(code),
            by=by,
            codes=[exemption.rule_code],
            trigger="exemption",
        )
    return len(period_codes)


# --- re-judging what a saved record changes ---------------------------------------------

_refresh_paused: ContextVar[bool] = ContextVar("zhibu_refresh_paused", default=False)


@contextmanager
def refresh_paused() -> Iterator[None]:
    """Bulk loads (the demo, imports) save thousands of records and run the whole rulebook
    once at the end: inside this block ``refresh_after_change`` does nothing."""
    token = _refresh_paused.set(True)
    try:
        yield
    finally:
        _refresh_paused.reset(token)


def refresh_codes(*, root, on: date, codes: Iterable[str], by=None) -> RuleRun | None:
    """Re-judge only ``codes`` over ``root``'s subtree for the year containing ``on`` after
    a record they read was saved (a 请示 sent or answered); paused like
    ``refresh_after_change``."""
    if _refresh_paused.get():
        return None
    today = timezone.localdate()
    period = Period.containing("year", on)
    return rules_run(root=root, period=period, today=today, by=by, codes=codes, trigger="save")


def refresh_after_change(*, org, on: date, by=None, today: date | None = None) -> list[RuleRun]:
    """Re-judge what a record saved at ``org`` for day ``on`` can change, so the to-do and
    the cockpit are current after the user's own edit.

    The run covers ``org``'s branch (a 党小组's parent) and its subtree, with the rules
    that apply to those kinds of org, for the periods containing ``on``: the year (which
    judges its months and quarters for periodic rules) and, for rules judged as of a day,
    the quarter and month too. Set-based like any run: a few queries per rule, whatever
    the subtree.
    """
    if _refresh_paused.get():
        return []
    today = today or timezone.localdate()
    root = Org.objects.get_parent(org) if org.kind == Org.Kind.GROUP else org
    kinds = {root.kind, Org.Kind.GROUP} if root.is_branch else {root.kind}
    codes, snapshots = [], []
    for code in all_codes():
        rule = in_force(code, on) or in_force(code, today)
        if rule is None or (rule.kinds and not (set(rule.kinds) & kinds)):
            continue
        codes.append(code)
        if rule.period_kind == "snapshot":
            snapshots.append(code)
    runs = []
    for kind, selected in (("year", codes), ("quarter", snapshots), ("month", snapshots)):
        period = Period.containing(kind, on)
        if selected and period.start <= today:
            runs.append(
                rules_run(
                    root=root, period=period, today=today, by=by, codes=selected, trigger="save"
                )
            )
    return runs
