"""The 党内统计 workbook: one sheet per table, with title, reporting unit, as-of date and
unit of count, as statisticians lay them out."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from zhibu.census.tables import Table
from zhibu.core.excel import build_report_workbook
from zhibu.orgs.models import Org

SHEET_UNSAFE = str.maketrans(dict.fromkeys("[]:*?/\\", "、"))


def workbook(org: Org, day: date, tables: list[Table], *, status: str = "") -> bytes:
    sheets = []
    for number, table in enumerate(tables, start=1):
        notes = [
            _("填报单位：%(org)s") % {"org": org.name},
            _("统计时点：%(day)s　　计量单位：%(unit)s")
            % {"day": day.isoformat(), "unit": table.unit},
        ]
        if status:
            notes.append(status)
        headers = [_("项目"), *[label for _k, label in table.columns]]
        rows = [[("　" * r.level) + r.label, *r.cells] for r in table.rows]
        name = f"{number:02d} {table.title}".translate(SHEET_UNSAFE)
        title = _("表%(n)s　%(title)s") % {"n": number, "title": table.title}
        sheets.append((name, title, notes, headers, rows))
    return build_report_workbook(sheets)
