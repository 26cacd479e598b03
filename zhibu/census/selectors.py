"""Reads of 党内统计, scoped: the org and report doors answer 404 outside the user's
``census.manage`` scope (403 inside the scope without the action)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from zhibu.census.models import Report
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_for_user, visible_orgs

ACTION = "census.manage"


def census_org_for_user(user, public_id) -> Org:
    return org_for_user(user, public_id, action=ACTION)


def census_orgs(user) -> QuerySet[Org]:
    return visible_orgs(user, ACTION).exclude(kind=Org.Kind.GROUP)


def report_list(*, user, org: Org | None = None, year: int | None = None) -> QuerySet[Report]:
    qs = Report.objects.filter(org__in=census_orgs(user)).select_related("org", "submitted_by")
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "org__path")


def report_for_user(user, public_id) -> Report:
    try:
        return report_list(user=user).get(public_id=public_id)
    except (Report.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def child_reports(org: Org, year: int) -> QuerySet[Report]:
    """Reports of the committees directly below ``org`` for ``year`` (one query)."""
    return Report.objects.filter(
        org__path__startswith=org.path, org__depth=org.depth + 1, year=year
    ).select_related("org")
