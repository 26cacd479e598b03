"""The accountability signal this app supplies (``zhibu.accountability.sources``): a
confirmed sheet graded 差. One query over the subtree, whatever its size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from zhibu.accountability.sources import Signal
from zhibu.assessment.models import Sheet
from zhibu.assessment.selectors import poor_sheets

KIND = "assessment_poor"
ALL_ORGS = "*"


def poor_assessments(paths: list[str], day: date) -> Iterator[Signal]:
    qs = (
        Sheet.objects.filter(grade="poor", status=Sheet.Status.CONFIRMED, confirmed_on__lte=day)
        if ALL_ORGS in paths
        else poor_sheets(paths, day)
    )
    for public_id, org_id, org_name, year, title, total, confirmed_on in qs.order_by(
        "confirmed_on", "id"
    ).values_list(
        "public_id", "org_id", "org__name", "scheme__year", "scheme__title", "total", "confirmed_on"
    ):
        yield Signal(
            kind=KIND,
            key=f"sheet:{public_id}",
            org_id=org_id,
            title=_("%(org)s %(year)s 年度考核评定为“差”（%(total)s 分，%(scheme)s）")
            % {"org": org_name, "year": year, "total": total, "scheme": title},
            evidence_url=reverse("assessment:sheet", args=[public_id]),
            since=confirmed_on or day,
        )
