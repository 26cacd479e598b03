"""党内统计 tables computed as of any day from the dated history, set-based over a subtree.

Where the figures come from (never today's roster):

- who was a member on day D: ``MemberSpan`` rows (derived from ``MemberEvent``) running
  on D under the org's subtree, status 正式 or 预备 (停止党籍 is not counted; its start and
  end are a loss and a gain of the year);
- what the member's record said on D (sex, ethnicity, birth date, education, 人员类别,
  入党日期): the member's history row (django-simple-history) current at the end of D, or,
  for records entered after D, the first version recorded. So a record edited today leaves
  every earlier table as it was;
- gains and losses of the year: spans starting or ending inside (31 Dec of the year before,
  D] without a touching span in the subtree on the other side; the cause is the member's
  event of that day. By construction gained − lost = change in the year, and the check
  before a report is submitted verifies it on the figures;
- development: the cases' dated steps (stage on D = the highest step recorded by D);
- organisations: established/dissolved dates, committees elected and posts held on D;
- 流动党员: mobility records running on D.

Each table is one or two grouped queries whatever the size of the subtree; each cell
carries a key (table, row, column) that ``drill`` turns back into the rows behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhibu.core.scope import STEPLEN, subtree_q
from zhibu.development.models import Case as DevCase
from zhibu.development.models import Step
from zhibu.members.choices import Education
from zhibu.members.models import Member, MemberEvent, MemberSpan, Mobility
from zhibu.orgs.models import Committee, CommitteePost, Org, OrgEvent, Sector

COUNTED = (Member.Status.FULL, Member.Status.PROBATIONARY)
BEFORE_ORG = gettext_lazy(
    "统计时点 %(day)s 早于%(org)s的成立日期 %(established)s，当时该组织尚未成立。"
)
BAD_DATE = gettext_lazy("统计时点格式不正确，请写成 2025-12-31。")
FUTURE_DATE = gettext_lazy("统计时点不能晚于今天。")
UNKNOWN_CELL = gettext_lazy("没有这个统计项。")

HistoricalMember = Member.history.model
HistoricalCase = DevCase.history.model


# --- the shape of a table ------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    cells: list[int]
    level: int = 0  # 0 a line, 1 a sub-line ("其中")
    drill: bool = True


@dataclass
class Table:
    key: str
    title: str
    unit: str
    kind: str  # members | cases | orgs | mobility: what a cell drills down to
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[Row] = field(default_factory=list)

    def cell(self, row: str, column: str) -> int:
        index = [c for c, _label in self.columns].index(column)
        return next(r.cells[index] for r in self.rows if r.key == row)

    def grid(self) -> list[tuple[Row, list[tuple[str, int]]]]:
        """Rows with (column key, value) pairs, for templates."""
        keys = [c for c, _label in self.columns]
        return [(r, list(zip(keys, r.cells, strict=True))) for r in self.rows]

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "unit": self.unit,
            "kind": self.kind,
            "columns": [list(c) for c in self.columns],
            "rows": [
                {
                    "key": r.key,
                    "label": r.label,
                    "cells": r.cells,
                    "level": r.level,
                    "drill": r.drill,
                }
                for r in self.rows
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Table:
        return cls(
            key=data["key"],
            title=data["title"],
            unit=data["unit"],
            kind=data["kind"],
            columns=[tuple(c) for c in data["columns"]],  # type: ignore[misc]
            rows=[Row(**r) for r in data["rows"]],
        )


TOTAL = "total"


# --- dates and scope ------------------------------------------------------------------------


def parse_day(text: str | None, *, default: date | None = None) -> date:
    """``2025-12-31`` → a date; empty → ``default``; anything else a Chinese error."""
    if not text:
        if default is None:
            raise ValidationError({"as_of": BAD_DATE})
        return default
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError({"as_of": BAD_DATE}) from None
    if day > timezone.localdate():
        raise ValidationError({"as_of": FUTURE_DATE})
    return day


def check_day(org: Org, day: date) -> None:
    if day < org.established_on:
        raise ValidationError(
            {"as_of": BEFORE_ORG % {"day": day, "org": org.name, "established": org.established_on}}
        )


def year_start(day: date) -> date:
    """The last day of the year before ``day``'s year: the base of the year's changes."""
    return date(day.year - 1, 12, 31)


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def in_scope(org: Org, day: date, field: str = "org") -> Q:
    """Rows whose ``field`` (an org) lay in ``org``'s subtree as the tree stood on ``day``.

    Without a 隶属关系调整 after ``day`` this is the path prefix (one query to find out).
    Otherwise the later moves are undone, newest first, on the parent links of the orgs
    involved (the current subtree and the moved orgs' subtrees: one more query), and the
    subtree is collected from those links in memory. Cached on the ``org`` instance."""
    cache = org.__dict__.setdefault("_census_scope", {})
    if day not in cache:
        moves = list(
            OrgEvent.objects.filter(kind=OrgEvent.Kind.MOVED, on__gt=day)
            .order_by("-on", "-id")
            .values_list("org_id", "from_parent_id", "org__path")
        )
        if not moves:
            cache[day] = None
        else:
            rows = list(
                Org.objects.filter(subtree_q([org.path, *[m[2] for m in moves]])).values_list(
                    "id", "path"
                )
            )
            by_path = {path: pk for pk, path in rows}
            parent = {pk: by_path.get(path[:-STEPLEN]) for pk, path in rows}
            for moved, from_parent, _path in moves:
                parent[moved] = from_parent
            children: dict[int | None, list[int]] = {}
            for pk, up in parent.items():
                children.setdefault(up, []).append(pk)
            ids, stack = set(), [org.pk]
            while stack:
                pk = stack.pop()
                if pk not in ids:
                    ids.add(pk)
                    stack.extend(children.get(pk, []))
            cache[day] = sorted(ids)
    if cache[day] is None:
        return subtree_q([org.path], f"{field}__path" if field else "path")
    return Q(**{f"{field}_id__in" if field else "pk__in": cache[day]})


def spans_on(org: Org, day: date, scope_day: date | None = None) -> QuerySet[MemberSpan]:
    """Counted spans running on ``day`` in ``org``'s subtree as it stood on ``scope_day``
    (default ``day``): one per member."""
    return MemberSpan.objects.filter(
        in_scope(org, scope_day or day), status__in=COUNTED, start__lte=day
    ).filter(Q(end__isnull=True) | Q(end__gt=day))


def _history_id(day: date):
    """The history row that tells a member's record as of ``day`` (see the module doc)."""
    latest = HistoricalMember.objects.filter(
        id=OuterRef("member_id"), history_date__lt=_end_of(day)
    ).order_by("-history_date", "-history_id")
    first = HistoricalMember.objects.filter(id=OuterRef("member_id")).order_by(
        "history_date", "history_id"
    )
    return Coalesce(
        Subquery(latest.values("history_id")[:1]), Subquery(first.values("history_id")[:1])
    )


def person_sources(org: Org, day: date) -> tuple[QuerySet, QuerySet]:
    """The member records as of ``day`` of everyone counted on ``day``: history rows, and
    (for records with no history at all, e.g. written by a raw bulk load) the live rows."""
    spans = spans_on(org, day)
    historical = HistoricalMember.objects.filter(
        history_id__in=spans.annotate(hid=_history_id(day)).values("hid")
    )
    live = Member.objects.filter(pk__in=spans.values("member_id")).exclude(
        Exists(HistoricalMember.objects.filter(id=OuterRef("pk")))
    )
    return historical, live


# --- breakdowns -------------------------------------------------------------------------------


def _bands(field_name: str, day: date, bands: list[tuple[str, Any, int | None]], missing: str):
    """A CASE giving the band key of a date field by whole years before ``day``: bands are
    (key, label, upper years inclusive) in increasing order, the last without upper."""
    whens = [When(**{f"{field_name}__isnull": True}, then=Value(missing))]
    for key, _label, upper in bands:
        if upper is None:
            break
        # years(field → day) <= upper  ⇔  field > day − (upper + 1) years
        whens.append(
            When(**{f"{field_name}__gt": day - relativedelta(years=upper + 1)}, then=Value(key))
        )
    return Case(*whens, default=Value(bands[-1][0]), output_field=CharField())


AGE_BANDS = [
    ("a30", gettext_lazy("30岁及以下"), 30),
    ("a35", gettext_lazy("31至35岁"), 35),
    ("a40", gettext_lazy("36至40岁"), 40),
    ("a45", gettext_lazy("41至45岁"), 45),
    ("a50", gettext_lazy("46至50岁"), 50),
    ("a55", gettext_lazy("51至55岁"), 55),
    ("a60", gettext_lazy("56至60岁"), 60),
    ("a70", gettext_lazy("61至70岁"), 70),
    ("a71", gettext_lazy("71岁及以上"), None),
]
LENGTH_BANDS = [
    ("y5", gettext_lazy("不满5年"), 4),
    ("y10", gettext_lazy("5至10年"), 10),
    ("y20", gettext_lazy("11至20年"), 20),
    ("y30", gettext_lazy("21至30年"), 30),
    ("y40", gettext_lazy("31至40年"), 40),
    ("y50", gettext_lazy("41至50年"), 50),
    ("y51", gettext_lazy("51年及以上"), None),
]
MISSING = "none"


@dataclass
class Dimension:
    """One breakdown of the members counted on a day."""

    key: str
    title: object
    source: str  # person (the record as of the day) | span (the span itself)
    choices: Sequence[tuple[str, Any]]

    def expression(self, day: date):
        if self.key == "gender":
            return F("gender")
        if self.key == "ethnicity":
            return Case(
                When(ethnicity="汉族", then=Value("han")),
                default=Value("minority"),
                output_field=CharField(),
            )
        if self.key == "age":
            return _bands("birth_date", day, AGE_BANDS, MISSING)
        if self.key == "education":
            return Case(
                When(education="", then=Value(MISSING)),
                default=F("education"),
                output_field=CharField(),
            )
        if self.key == "category":
            return F("category")
        if self.key == "length":
            return _bands("admitted_on", day, LENGTH_BANDS, MISSING)
        if self.key == "status":
            return F("status")
        if self.key == "sector":
            return F("org__sector")
        raise KeyError(self.key)


DIMENSIONS = [
    Dimension(
        "status", gettext_lazy("党员按类别（正式/预备）"), "span", list(Member.Status.choices[:2])
    ),
    Dimension("gender", gettext_lazy("党员按性别"), "person", list(Member.Gender.choices)),
    Dimension(
        "ethnicity",
        gettext_lazy("党员按民族"),
        "person",
        [("han", gettext_lazy("汉族")), ("minority", gettext_lazy("少数民族"))],
    ),
    Dimension(
        "age",
        gettext_lazy("党员按年龄"),
        "person",
        [(k, label) for k, label, _u in AGE_BANDS] + [(MISSING, gettext_lazy("未填写"))],
    ),
    Dimension(
        "education",
        gettext_lazy("党员按学历"),
        "person",
        [*Education.choices, (MISSING, gettext_lazy("未填写"))],
    ),
    Dimension(
        "category", gettext_lazy("党员按职业（人员类别）"), "person", list(Member.Category.choices)
    ),
    Dimension("sector", gettext_lazy("党员按所在党组织领域"), "span", list(Sector.choices)),
    Dimension(
        "length",
        gettext_lazy("党员按党龄（自入党之日起）"),
        "person",
        [(k, label) for k, label, _u in LENGTH_BANDS] + [(MISSING, gettext_lazy("未填写"))],
    ),
]
DIMENSION_BY_KEY = {d.key: d for d in DIMENSIONS}


def _count_by(qs: QuerySet, expression, counted: str = "id") -> dict[str, int]:
    rows = (
        qs.annotate(_k=expression)
        .order_by()
        .values("_k")
        .annotate(_n=Count(counted, distinct=True))
    )
    return {str(r["_k"]): r["_n"] for r in rows}


def _dimension_counts(org: Org, day: date, dim: Dimension) -> dict[str, int]:
    expression = dim.expression(day)
    if dim.source == "span":
        return _count_by(spans_on(org, day), expression, "member_id")
    historical, live = person_sources(org, day)
    counts = _count_by(historical, expression)
    for key, n in _count_by(live, dim.expression(day)).items():
        counts[key] = counts.get(key, 0) + n
    return counts


def _share_table(key: str, title, counts: dict[str, int], choices) -> Table:
    total = sum(counts.values())
    known = {str(k) for k, _l in choices}
    rows = [Row(TOTAL, _("合计"), [total])]
    for value, label in choices:
        n = counts.get(str(value), 0)
        if str(value) == MISSING and not n:
            continue
        rows.append(Row(str(value), str(label), [n], level=1))
    other = sum(n for k, n in counts.items() if k not in known)
    if other:
        rows.append(Row("other", _("其他"), [other], level=1, drill=False))
    return Table(key, str(title), _("人"), "members", [("n", _("人数"))], rows)


# --- gains and losses -------------------------------------------------------------------------

GAIN_CAUSES = [
    ("develop", gettext_lazy("发展党员"), [MemberEvent.Kind.ADMITTED]),
    ("in_outside", gettext_lazy("从系统外转入"), [MemberEvent.Kind.TRANSFERRED_IN]),
    (
        "in_inside",
        gettext_lazy("系统内转入"),
        [MemberEvent.Kind.TRANSFERRED, MemberEvent.Kind.MOVED],
    ),
    ("restored", gettext_lazy("恢复党籍"), [MemberEvent.Kind.RESTORED]),
]
LOSS_CAUSES = [
    ("out_outside", gettext_lazy("转出至系统外"), [MemberEvent.Kind.TRANSFERRED_OUT]),
    (
        "out_inside",
        gettext_lazy("系统内转出"),
        [MemberEvent.Kind.TRANSFERRED, MemberEvent.Kind.MOVED],
    ),
    ("deceased", gettext_lazy("死亡"), [MemberEvent.Kind.DECEASED]),
    (
        "left",
        gettext_lazy("出党"),
        [
            MemberEvent.Kind.PERSUADED_OUT,
            MemberEvent.Kind.REMOVED,
            MemberEvent.Kind.EXPELLED,
            MemberEvent.Kind.PROBATION_CANCELLED,
        ],
    ),
    ("suspended", gettext_lazy("停止党籍"), [MemberEvent.Kind.SUSPENDED]),
]
OTHER_CAUSE = "other"


def _cause(causes, date_field: str):
    kind = Subquery(
        MemberEvent.objects.filter(member=OuterRef("member_id"), on=OuterRef(date_field))
        .order_by("-id")
        .values("kind")[:1]
    )
    whens = [When(_kind__in=kinds, then=Value(key)) for key, _l, kinds in causes]
    return kind, Case(*whens, default=Value(OTHER_CAUSE), output_field=CharField())


def _in_subtree_counted(org: Org, day: date) -> QuerySet[MemberSpan]:
    return MemberSpan.objects.filter(in_scope(org, day), status__in=COUNTED)


def gains(org: Org, day: date) -> QuerySet[Any]:
    """Counted spans starting in (year base, day] with no counted span in the subtree
    ending that same day (a 转正 or a move inside the subtree is no gain)."""
    before = _in_subtree_counted(org, day).filter(
        member=OuterRef("member_id"), end=OuterRef("start")
    )
    kind, cause = _cause(GAIN_CAUSES, "start")
    return (
        _in_subtree_counted(org, day)
        .filter(start__gt=year_start(day), start__lte=day)
        .exclude(Exists(before))
        .annotate(_kind=kind, cause=cause)
    )


def losses(org: Org, day: date) -> QuerySet[Any]:
    """Counted spans ending in (year base, day] (the member is gone on ``end``) with no
    counted span in the subtree starting that day."""
    after = _in_subtree_counted(org, day).filter(
        member=OuterRef("member_id"), start=OuterRef("end")
    )
    kind, cause = _cause(LOSS_CAUSES, "end")
    return (
        _in_subtree_counted(org, day)
        .filter(end__gt=year_start(day), end__lte=day)
        .exclude(Exists(after))
        .annotate(_kind=kind, cause=cause)
    )


def _flow_table(org: Org, day: date) -> Table:
    base = spans_on(org, year_start(day), day).values("member_id").distinct().count()
    now = spans_on(org, day).values("member_id").distinct().count()
    gained = {
        r["cause"]: r["n"]
        for r in gains(org, day).order_by().values("cause").annotate(n=Count("id"))
    }
    lost = {
        r["cause"]: r["n"]
        for r in losses(org, day).order_by().values("cause").annotate(n=Count("id"))
    }
    rows = [Row("base", _("上年末党员数"), [base])]
    rows.append(Row("gained", _("本年增加"), [sum(gained.values())]))
    for key, label, _k in [*GAIN_CAUSES, (OTHER_CAUSE, gettext_lazy("其他"), [])]:
        if key != OTHER_CAUSE or gained.get(key):
            rows.append(Row(f"gained.{key}", str(label), [gained.get(key, 0)], level=1))
    rows.append(Row("lost", _("本年减少"), [sum(lost.values())]))
    for key, label, _k in [*LOSS_CAUSES, (OTHER_CAUSE, gettext_lazy("其他"), [])]:
        if key != OTHER_CAUSE or lost.get(key):
            rows.append(Row(f"lost.{key}", str(label), [lost.get(key, 0)], level=1))
    rows.append(Row("now", _("统计时点党员数"), [now]))
    return Table("flow", _("党员增减变化"), _("人"), "members", [("n", _("人数"))], rows)


# --- development --------------------------------------------------------------------------------

DEV_STAGES = [
    ("applicants", gettext_lazy("入党申请人"), 1, 2),
    ("activists", gettext_lazy("入党积极分子"), 3, 6),
    ("targets", gettext_lazy("发展对象"), 7, 14),
]
ADMISSION_STEP, CONFIRMATION_STEP = 15, 23
DEV_COLUMNS = [
    (TOTAL, gettext_lazy("合计")),
    ("female", gettext_lazy("女性")),
    ("minority", gettext_lazy("少数民族")),
    ("young", gettext_lazy("35岁及以下")),
    ("college", gettext_lazy("大专及以上学历")),
    ("front_line", gettext_lazy("生产工作一线")),
]
COLLEGE = (Education.DOCTORATE, Education.MASTER, Education.BACHELOR, Education.COLLEGE)


def _dev_column_q(column: str, day: date) -> Q:
    return {
        TOTAL: Q(),
        "female": Q(gender="F"),
        "minority": ~Q(ethnicity="汉族"),
        "young": Q(birth_date__gt=day - relativedelta(years=36)),
        "college": Q(education__in=COLLEGE),
        "front_line": Q(front_line=True),
    }[column]


def _dev_cases(org: Org, day: date) -> QuerySet[Any]:
    """Cases of the subtree not stopped by the end of ``day``, with their last step by then."""
    stopped = HistoricalCase.objects.filter(
        id=OuterRef("pk"), status=DevCase.Status.STOPPED, history_date__lt=_end_of(day)
    )
    last = Step.objects.filter(case=OuterRef("pk"), on__lte=day).order_by("-number")
    return (
        DevCase.objects.filter(in_scope(org, day))
        .exclude(Exists(stopped))
        .annotate(last_no=Subquery(last.values("number")[:1]))
    )


def dev_rows(org: Org, day: date, row: str) -> QuerySet[DevCase]:
    cases = _dev_cases(org, day)
    for key, _label, low, high in DEV_STAGES:
        if row == key:
            return cases.filter(last_no__gte=low, last_no__lte=high)
    step = {"admitted": ADMISSION_STEP, "confirmed": CONFIRMATION_STEP}.get(row)
    if step is None:
        raise KeyError(row)
    steps = Step.objects.filter(
        case=OuterRef("pk"), number=step, on__gt=year_start(day), on__lte=day
    )
    if step == CONFIRMATION_STEP:
        steps = steps.filter(outcome=Step.Outcome.CONFIRM)
    return DevCase.objects.filter(in_scope(org, day)).filter(Exists(steps))


DEV_ROWS = [
    *[(k, label) for k, label, _l, _h in DEV_STAGES],
    ("admitted", gettext_lazy("本年接收预备党员")),
    ("confirmed", gettext_lazy("本年预备党员转正")),
]


def _dev_table(org: Org, day: date) -> Table:
    aggregates = {c: Count("id", filter=_dev_column_q(c, day)) for c, _l in DEV_COLUMNS}
    cases = _dev_cases(org, day)
    stage = Case(
        *[
            When(last_no__gte=low, last_no__lte=high, then=Value(k))
            for k, _l, low, high in DEV_STAGES
        ],
        default=Value(""),
        output_field=CharField(),
    )
    by_stage = {
        r["_s"]: r for r in cases.annotate(_s=stage).order_by().values("_s").annotate(**aggregates)
    }
    rows = []
    for key, label in DEV_ROWS:
        if key in by_stage or key in {k for k, *_r in DEV_STAGES}:
            found = by_stage.get(key, {})
        else:
            found = dev_rows(org, day, key).aggregate(**aggregates)
        rows.append(Row(key, str(label), [found.get(c, 0) or 0 for c, _l in DEV_COLUMNS]))
    return Table(
        "development",
        _("发展党员情况"),
        _("人"),
        "cases",
        [(c, str(label)) for c, label in DEV_COLUMNS],
        rows,
    )


# --- organisations -------------------------------------------------------------------------------

PARTY_ORG_KINDS = [k for k in Org.Kind if k != Org.Kind.GROUP]


def orgs_on(org: Org, day: date) -> QuerySet[Org]:
    return Org.objects.filter(
        in_scope(org, day, field=""), established_on__lte=day, kind__in=PARTY_ORG_KINDS
    ).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))


def _org_kind_table(org: Org, day: date) -> Table:
    sectors = list(Sector.choices)
    aggregates = {TOTAL: Count("id")} | {s: Count("id", filter=Q(sector=s)) for s, _l in sectors}
    by_kind = {
        r["kind"]: r for r in orgs_on(org, day).order_by().values("kind").annotate(**aggregates)
    }
    totals = orgs_on(org, day).aggregate(**aggregates)
    columns = [(TOTAL, _("合计"))] + [(s, str(label)) for s, label in sectors]
    rows = [Row(TOTAL, _("党组织总数"), [totals[c] or 0 for c, _l in columns])]
    for kind in PARTY_ORG_KINDS:
        found = by_kind.get(kind, {})
        rows.append(
            Row(kind, str(Org.Kind(kind).label), [found.get(c, 0) for c, _l in columns], level=1)
        )
    return Table("orgs", _("党组织按类型和领域"), _("个"), "orgs", columns, rows)


def _with_committee(day: date):
    return Committee.objects.filter(org=OuterRef("pk"), elected_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )


def _with_secretary(day: date):
    return CommitteePost.objects.filter(
        org=OuterRef("pk"), post=CommitteePost.Post.SECRETARY, start__lte=day
    ).filter(Q(end__isnull=True) | Q(end__gt=day))


def lead_rows(org: Org, day: date, row: str) -> QuerySet[Org]:
    orgs = orgs_on(org, day)
    branches = orgs.filter(kind__in=Org.BRANCH_KINDS)
    return {
        "branches": branches,
        "branch_committee": branches.filter(Exists(_with_committee(day))),
        "all": orgs,
        "secretary": orgs.filter(Exists(_with_secretary(day))),
        "no_secretary": orgs.exclude(Exists(_with_secretary(day))),
    }[row]


def _lead_table(org: Org, day: date) -> Table:
    orgs = orgs_on(org, day).annotate(
        _c=Exists(_with_committee(day)), _s=Exists(_with_secretary(day))
    )
    branch = Q(kind__in=Org.BRANCH_KINDS)
    n = orgs.aggregate(
        branches=Count("id", filter=branch),
        branch_committee=Count("id", filter=branch & Q(_c=True)),
        all=Count("id"),
        secretary=Count("id", filter=Q(_s=True)),
        no_secretary=Count("id", filter=Q(_s=False)),
    )
    labels = [
        ("all", _("党组织数"), 0),
        ("secretary", _("书记在岗"), 1),
        ("no_secretary", _("书记空缺"), 1),
        ("branches", _("党支部数（含联合、临时）"), 0),
        ("branch_committee", _("其中设立支部委员会"), 1),
    ]
    rows = [Row(k, label, [n[k] or 0], level=level) for k, label, level in labels]
    return Table("leadership", _("党组织班子和书记"), _("个"), "orgs", [("n", _("个数"))], rows)


# --- mobility --------------------------------------------------------------------------------------


def mobility_rows(org: Org, day: date, row: str, column: str = TOTAL) -> QuerySet[Mobility]:
    qs = Mobility.objects.filter(in_scope(org, day), started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )
    if row != TOTAL:
        qs = qs.filter(direction=row)
    if column == "lost":
        qs = qs.filter(lost_contact_since__lte=day)
    return qs


def _mobility_table(org: Org, day: date) -> Table:
    lost = Q(lost_contact_since__lte=day)
    by = {
        r["direction"]: r
        for r in mobility_rows(org, day, TOTAL)
        .order_by()
        .values("direction")
        .annotate(total=Count("id"), lost=Count("id", filter=lost))
    }
    columns = [(TOTAL, _("人数")), ("lost", _("其中失去联系"))]
    rows = [
        Row(TOTAL, _("合计"), [sum(r[c] for r in by.values()) for c, _l in columns]),
        *[
            Row(d, str(label), [by.get(d, {}).get(c, 0) for c, _l in columns], level=1)
            for d, label in Mobility.Direction.choices
        ],
    ]
    return Table("mobility", _("流动党员"), _("人"), "mobility", columns, rows)


# --- the whole set ---------------------------------------------------------------------------


def compute(org: Org, day: date) -> list[Table]:
    """Every table for ``org``'s subtree as of ``day`` (a few grouped queries each)."""
    check_day(org, day)
    tables = [_flow_table(org, day)]
    for dim in DIMENSIONS:
        tables.append(
            _share_table(dim.key, dim.title, _dimension_counts(org, day, dim), dim.choices)
        )
    tables += [_dev_table(org, day), _org_kind_table(org, day), _lead_table(org, day)]
    tables.append(_mobility_table(org, day))
    return tables


def by_key(tables: Iterable[Table]) -> dict[str, Table]:
    return {t.key: t for t in tables}


# --- drilling down ----------------------------------------------------------------------------


def drill(org: Org, day: date, table: str, row: str, column: str) -> tuple[str, QuerySet]:
    """The rows behind one cell: (kind, queryset) of members, cases, orgs or mobility.
    An unknown cell is a ``ValidationError``."""
    check_day(org, day)
    try:
        return _drill(org, day, table, row, column)
    except (KeyError, ValueError):
        raise ValidationError({"cell": UNKNOWN_CELL}) from None


def _members(ids) -> QuerySet[Member]:
    return Member.objects.filter(pk__in=ids).select_related("org").order_by("name_pinyin", "id")


def _drill(org: Org, day: date, table: str, row: str, column: str) -> tuple[str, QuerySet]:
    if table == "flow":
        if row == "base":
            return "members", _members(spans_on(org, year_start(day), day).values("member_id"))
        if row == "now":
            return "members", _members(spans_on(org, day).values("member_id"))
        side, _dot, cause = row.partition(".")
        flows = {"gained": gains, "lost": losses}[side](org, day)
        if cause:
            flows = flows.filter(cause=cause)
        return "members", _members(flows.values("member_id"))
    if table in DIMENSION_BY_KEY:
        dim = DIMENSION_BY_KEY[table]
        if dim.source == "span":
            spans = spans_on(org, day)
            if row != TOTAL:
                spans = spans.annotate(_k=dim.expression(day)).filter(_k=row)
            return "members", _members(spans.values("member_id"))
        historical, live = person_sources(org, day)
        if row != TOTAL:
            historical = historical.annotate(_k=dim.expression(day)).filter(_k=row)
            live = live.annotate(_k=dim.expression(day)).filter(_k=row)
        return "members", _members(
            list(historical.values_list("id", flat=True)) + list(live.values_list("id", flat=True))
        )
    if table == "development":
        if column not in dict(DEV_COLUMNS):
            raise KeyError(column)
        cases = dev_rows(org, day, row).filter(_dev_column_q(column, day))
        return "cases", cases.select_related("org").order_by("name_pinyin", "id")
    if table == "orgs":
        qs = orgs_on(org, day)
        if row != TOTAL:
            qs = qs.filter(kind=Org.Kind(row))
        if column != TOTAL:
            qs = qs.filter(sector=Sector(column))
        return "orgs", qs.order_by("path")
    if table == "leadership":
        return "orgs", lead_rows(org, day, row).order_by("path")
    if table == "mobility":
        if row != TOTAL:
            Mobility.Direction(row)
        if column not in {TOTAL, "lost"}:
            raise KeyError(column)
        return "mobility", mobility_rows(org, day, row, column).select_related("member", "org")
    raise KeyError(table)


# --- consistency ------------------------------------------------------------------------------


def consistency(tables: list[Table]) -> list[str]:
    """Checks between tables before a report goes up; an empty list means all agree."""
    t = by_key(tables)
    problems: list[str] = []
    flow = t["flow"]
    base, now = flow.cell("base", "n"), flow.cell("now", "n")
    gained, lost = flow.cell("gained", "n"), flow.cell("lost", "n")
    if base + gained - lost != now:
        problems.append(
            _("增减不平衡：上年末 %(base)s + 增加 %(g)s − 减少 %(l)s ≠ 统计时点 %(now)s。")
            % {"base": base, "g": gained, "l": lost, "now": now}
        )
    for side in ("gained", "lost"):
        parts = sum(r.cells[0] for r in flow.rows if r.key.startswith(side + "."))
        if parts != flow.cell(side, "n"):
            problems.append(_("“%(row)s”的分项之和与合计不符。") % {"row": flow.title})
    for dim in DIMENSIONS:
        table = t[dim.key]
        total = table.cell(TOTAL, "n")
        parts = sum(r.cells[0] for r in table.rows if r.key != TOTAL)
        if total != now or parts != total:
            problems.append(
                _(
                    "“%(title)s”合计 %(total)s 人、分项之和 %(parts)s 人，与党员总数 %(now)s 人不一致。"
                )
                % {"title": table.title, "total": total, "parts": parts, "now": now}
            )
    orgs = t["orgs"]
    for index in range(len(orgs.columns)):
        parts = sum(r.cells[index] for r in orgs.rows if r.key != TOTAL)
        if parts != orgs.rows[0].cells[index]:
            problems.append(_("“%(title)s”各类型之和与合计不符。") % {"title": orgs.title})
            break
    if sum(orgs.rows[0].cells[1:]) != orgs.rows[0].cells[0]:
        problems.append(_("“%(title)s”各领域之和与合计不符。") % {"title": orgs.title})
    lead = t["leadership"]
    if lead.cell("secretary", "n") + lead.cell("no_secretary", "n") != lead.cell("all", "n"):
        problems.append(_("书记在岗与空缺之和与党组织数不符。"))
    if lead.cell("all", "n") != orgs.cell(TOTAL, TOTAL):
        problems.append(
            _("“%(a)s”与“%(b)s”的党组织数不一致。") % {"a": lead.title, "b": orgs.title}
        )
    return problems


def member_total(tables: list[Table]) -> int:
    return by_key(tables)["flow"].cell("now", "n")
