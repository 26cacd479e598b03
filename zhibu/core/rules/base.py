"""What a rule is: a cited, versioned, parameterised check computed set-based over orgs.

A rule subclass declares its code (``MTG-01``), Chinese title, citation, what it applies
to, its period kind, parameters with defaults and effective dates, and implements
``evaluate(ctx)``, which must compute outcomes for *all* orgs of ``ctx.orgs`` with a
bounded number of aggregate queries — never a query per org.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, cast

from django.db import models
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from zhibu.core.rules.messages import Message
from zhibu.core.rules.periods import Period

# The regulations cited by the rulebook (docs/rules.md, consequence 5).
REGULATIONS = {
    "条例": gettext_noop("《中国共产党支部工作条例（试行）》"),
    "细则": gettext_noop("《中国共产党发展党员工作细则》"),
    "教育管理": gettext_noop("《中国共产党党员教育管理工作条例》"),
    "党费规定": gettext_noop("《关于中国共产党党费收缴、使用和管理的规定》"),
    "请示报告": gettext_noop("《中国共产党重大事项请示报告条例》"),
    "纪律": gettext_noop("《中国共产党纪律处分条例》"),
    "党章": gettext_noop("《中国共产党章程》"),
    "监督": gettext_noop("《中国共产党党内监督条例》"),
    "述职办法": gettext_noop("《党委（党组）书记抓基层党建工作述职评议考核办法（试行）》"),
    "培训规划": gettext_noop("《2019—2023年全国党员教育培训工作规划》"),
    "国标身份证": gettext_noop("GB 11643《公民身份号码》"),
    "地方": gettext_noop("地方/单位规定"),
}


class Confidence(models.TextChoices):
    CONFIRMED = "C", _("已核实")
    ARTICLE_UNCERTAIN = "C?", _("条款待核")
    LOCAL = "L", _("地方/单位规定")


class Status(models.TextChoices):
    OK = "ok", _("符合")
    DUE = "due", _("待办")
    LATE = "late", _("逾期")
    MISSING = "missing", _("缺失")
    EXEMPT = "exempt", _("豁免")
    SUSPECT = "suspect", _("存疑")


PROBLEM_STATUSES = frozenset({Status.DUE, Status.LATE, Status.MISSING, Status.SUSPECT})


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_ARTICLE = re.compile(r"第([零一二三四五六七八九十百]+)条")


def _number(chinese: str) -> int:
    total, digit = 0, 0
    for char in chinese:
        if char in _DIGITS:
            digit = _DIGITS[char]
        else:
            total += (digit or 1) * (100 if char == "百" else 10)
            digit = 0
    return total + digit


def article_text(article: str) -> str:
    """ "第十一条" as the active language writes it ("Art. 11" in English)."""
    if not article or get_language().startswith("zh"):
        return article
    return " " + _ARTICLE.sub(lambda m: gettext("第%(n)s条") % {"n": _number(m.group(1))}, article)


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from. ``article`` prefixed with ≈ is uncertain and not shown."""

    source: str  # a key of REGULATIONS
    article: str = ""
    confidence: str = Confidence.CONFIRMED
    note: str = ""

    @property
    def regulation(self) -> str:
        return REGULATIONS.get(self.source, self.source)

    @property
    def shown_article(self) -> str:
        if self.article.startswith("≈"):
            return ""
        return self.article

    def __str__(self) -> str:
        """The citation in the active language (Chinese as stored in findings)."""
        regulation = gettext(self.regulation)
        if self.source == "地方":
            return regulation + (
                gettext("：%(note)s") % {"note": gettext(self.note)} if self.note else ""
            )
        text = regulation + article_text(self.shown_article)
        if self.confidence == Confidence.LOCAL:
            text += gettext("（地方/单位规定）")
        return text


@dataclass(frozen=True)
class Param:
    """A rule parameter. ``stricter`` says which way a local supplement may move it."""

    name: str
    label: str
    default: int
    unit: str = ""
    stricter: str = "lower"  # "lower": a smaller value is stricter; "higher": a larger one


@dataclass(slots=True)
class Outcome:
    """One judgement of one subject (an org by default) for one rule and period."""

    org_id: int
    status: str
    explanation: Message | str  # a Message (zhibu.core.rules.messages); text is kept as is
    numbers: dict[str, Any] = field(default_factory=dict)
    subject_type: str = "org"
    subject_id: int | None = None
    refs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.subject_id is None:
            self.subject_id = self.org_id

    @property
    def text(self) -> str:
        """The explanation in the active language."""
        return str(self.explanation)


@dataclass(frozen=True)
class Action:
    """What a user does about a problem this rule finds: a page of the app that owns the
    work (登记会议, 安排谈话, 办理下一步 …), shown beside 申请豁免. ``target`` says what the
    page's one URL argument is: the finding's org, or the first of its references of that
    kind (``case``, ``member``, ``meeting``)."""

    label: Any  # a lazy translation
    url_name: str
    target: str = "org"


@dataclass
class Context:
    """What ``evaluate`` works on: the orgs it applies to, the period and parameters."""

    orgs: list  # Org rows (already filtered to the rule's kinds and sectors)
    period: Period | None
    on: date  # the reference day: the period's last day, or today for a running period
    params: dict[str, int]
    today: date
    shared: dict = field(default_factory=dict)  # one run's cache, shared by all its rules
    # The same orgs as a query, when the engine can state them as criteria: filters then
    # carry a subquery instead of an IN list of thousands of ids.
    org_query: Any = None
    # The run's orgs as path ranges (a Q over Org), when it has them: ``within``.
    bounds: Any = None

    @property
    def org_ids(self) -> list[int]:
        return [org.pk for org in self.orgs]

    @property
    def org_in(self) -> Any:
        """For ``org__in=``: a subquery when available, else the list of ids."""
        if self.org_query is not None:
            return self.org_query.values("pk")
        return self.org_ids

    def within(self, relation: str) -> Any:
        """A condition on rows whose ``relation`` (a foreign key to Org) lies among the
        run's orgs: its path ranges on the join the query already makes, where the run
        has them — a superset of ``orgs`` (every kind in the ranges), for grouped counts
        the rule then reads for its own orgs only; else the orgs themselves."""
        if self.bounds is None:
            return models.Q(**{f"{relation}__in": self.org_in})
        return _prefixed(self.bounds, f"{relation}__")

    def memo(self, name: str, factory: Callable[[], Any], *, per_orgs: bool = True) -> Any:
        """Compute ``factory()`` once per run for this reference day (and org set, unless
        ``per_orgs`` is False): rules that read the same data share one query."""
        key = (name, self.on, tuple(org.pk for org in self.orgs) if per_orgs else None)
        if key not in self.shared:
            self.shared[key] = factory()
        return self.shared[key]


def _prefixed(condition: models.Q, prefix: str) -> models.Q:
    """``condition`` (on Org's fields) with every lookup reached through ``prefix``."""
    children: list[Any] = []
    for child in condition.children:
        if isinstance(child, models.Q):
            children.append(_prefixed(child, prefix))
        else:
            lookup, value = cast(tuple, child)
            children.append((prefix + lookup, value))
    return models.Q(*children, _connector=condition.connector, _negated=condition.negated)


class Rule:
    code: ClassVar[str]
    version: ClassVar[int] = 1
    title: ClassVar[str]
    citation: ClassVar[Citation]
    kinds: ClassVar[frozenset[str]] = frozenset()  # Org.Kind values; empty = every kind
    sectors: ClassVar[frozenset[str] | None] = None  # None = every sector
    period_kind: ClassVar[str] = "snapshot"  # "month" | "quarter" | "year" | "snapshot"
    # A snapshot rule that reads only the present state of its records (a case's current
    # step), not their dated history, cannot judge a closed period: runs skip it there and
    # keep what was stored while the period was running.
    live_only: ClassVar[bool] = False
    # The models (``"app.Model"`` labels) whose tables the rule's queries read, besides
    # the orgs, supplements and exemptions every rule depends on. Declaring them lets the
    # nightly run keep a closed period's findings when none of these tables changed since
    # it was judged (zhibu.rulebook.run.Marks) — a running period only within the same
    # day; the declaration also promises that an outcome depends on nothing else (a
    # closed period's not on today, a running one's on today only). Every rule declares
    # them (tests/rules/test_incremental.py); None: judged every time. A run that sees the rule read an undeclared table judges it every
    # time too, and tests/rulebook/test_incremental.py checks every declaration.
    reads: ClassVar[tuple[str, ...] | None] = None
    # A period still running is judged as of today. ``dated`` promises that its outcome
    # depends on today only through the listed date fields (``"app.Model.field"``, of
    # models among ``reads``) compared with the reference day — who is on the roll, a
    # committee in office, meetings held so far — and never through the day itself (days
    # of vacancy, a deadline's distance). The nightly run then keeps such a running period
    # until a stored date of those fields (or the day after it) is reached, instead of
    # judging it every night (zhibu.rulebook.run.Marks). None: judged again every day.
    # tests/rules/test_dated.py evaluates every declaring rule on consecutive days and
    # requires equal outcomes wherever no such date lies between them.
    dated: ClassVar[tuple[str, ...] | None] = None
    params: ClassVar[tuple[Param, ...]] = ()
    effective_from: ClassVar[date] = date(2000, 1, 1)
    effective_to: ClassVar[date | None] = None
    module: ClassVar[str] = ""  # the app whose records it reads, for the catalogue
    # How much the cockpit trusts a finding of this rule enough to block a workflow step.
    blocking: ClassVar[bool] = False
    action: ClassVar[Action | None] = None  # the natural next step for its problems

    def evaluate(self, ctx: Context) -> Iterable[Outcome]:
        raise NotImplementedError

    def default_params(self) -> dict[str, int]:
        return {p.name: p.default for p in self.params}

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def applies_to(self, org: Any) -> bool:
        if self.kinds and org.kind not in self.kinds:
            return False
        return self.sectors is None or org.sector in self.sectors

    def __repr__(self) -> str:
        return f"<Rule {self.code} v{self.version}>"
