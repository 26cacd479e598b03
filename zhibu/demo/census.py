"""Demo: last year's 党内统计 annual report of the first 党总支, submitted and frozen."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from zhibu.census import services
from zhibu.census.models import Report
from zhibu.demo.state import Demo
from zhibu.orgs.models import Org


def build(demo: Demo, root: Org) -> int:
    """Submit the report as of 31 December last year for the first 党总支 under the root
    (its branches' members counted from the dated history). Returns reports written."""
    year = demo.today.year - 1
    org = (
        Org.objects.filter(
            path__startswith=root.path, depth=root.depth + 1, kind=Org.Kind.GENERAL_BRANCH
        )
        .order_by("path")
        .first()
    )
    if org is None or Report.objects.filter(org=org, year=year).exists():
        return 0
    try:
        with transaction.atomic():
            services.report_submit(org=org, year=year, by=None, today=demo.today)
    except ValidationError:
        return 0  # a failed check leaves the report to be submitted on the page
    return 1
