"""/api/v1/census: the 党内统计 tables of a subtree as of a day, and the annual reports
(frozen figures as submitted) — the same tables and scoped selectors as the pages
(``census.manage``; outside the scope 404). A malformed date is 400; a day before the
org existed, or in the future, 422 with the Chinese reason."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhibu.api.errors import require_anywhere
from zhibu.api.schemas import ERRORS, Day, Filters, Record
from zhibu.census import selectors
from zhibu.census import tables as T

router = Router(tags=["census"])
ACTION = selectors.ACTION


class RowOut(Schema):
    key: str
    label: str
    level: int
    cells: list[int]


class TableOut(Schema):
    key: str
    title: str
    unit: str
    kind: str
    columns: list[list[str]]
    rows: list[RowOut]


class TablesOut(Schema):
    org_id: UUID
    org_name: str
    as_of: date
    checks: list[str]
    tables: list[TableOut]


class TablesFilters(Filters):
    org: UUID
    as_of: Day | None = None


class ReportOut(Record):
    id: UUID
    org_id: UUID
    org_name: str
    year: int
    as_of: date
    status: str
    member_total: int
    submitted_at: datetime | None
    returned_reason: str
    version: str

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class ReportDetailOut(ReportOut):
    tables: list[TableOut]

    @staticmethod
    def resolve_tables(obj):
        return obj.figures


class ReportFilters(Filters):
    org: UUID | None = None
    year: int | None = Field(None, ge=1900, le=2999)


def _tables(tables: list[T.Table]) -> list[dict]:
    return [t.as_dict() for t in tables]


@router.get("", response={200: TablesOut, **ERRORS}, summary="党内统计表（按统计时点）")
def census_tables(request, filters: Query[TablesFilters]):
    require_anywhere(request.user, ACTION)
    org = selectors.census_org_for_user(request.user, filters.org)
    day = filters.as_of or date(timezone.localdate().year - 1, 12, 31)
    T.parse_day(day.isoformat())  # the future is refused like on the pages
    tables = T.compute(org, day)
    return {
        "org_id": org.public_id,
        "org_name": org.name,
        "as_of": day,
        "checks": T.consistency(tables),
        "tables": _tables(tables),
    }


@router.get("/reports", response={200: list[ReportOut], **ERRORS}, summary="党内统计年报")
def report_list(request, filters: Query[ReportFilters]):
    require_anywhere(request.user, ACTION)
    org = selectors.census_org_for_user(request.user, filters.org) if filters.org else None
    return list(selectors.report_list(user=request.user, org=org, year=filters.year)[:500])


@router.get(
    "/reports/{report_id}", response={200: ReportDetailOut, **ERRORS}, summary="党内统计年报详情"
)
def report_detail(request, report_id: UUID):
    require_anywhere(request.user, ACTION)
    return selectors.report_for_user(request.user, report_id)
