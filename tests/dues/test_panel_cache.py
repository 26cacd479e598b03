"""The cockpit's 党费 and 学习教育 panels from the cache (``changes.cached``, shared with
the 责任落实 panel): one query while nothing changed, and a write shows at the next view."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.dues.conftest import MAR, TODAY, entry
from zhibu.dues import services
from zhibu.dues.selectors import cached_dues_panel, dues_panel
from zhibu.insight.selectors import children_of
from zhibu.study.models import SelfStudy
from zhibu.study.selectors.summary import cached_study_panel, study_panel

pytestmark = pytest.mark.django_db


def _dues(rows):
    return [(r.org.pk, r.own, r.due, r.collected, r.long_arrears) for r in rows]


def _study(rows):
    return [(r.org.pk, r.own, r.members, r.below, r.courses, r.pending) for r in rows]


def test_the_dues_panel_is_cached_until_a_payment(bases, login, django_assert_num_queries):
    children = list(children_of(bases.committee))
    first = cached_dues_panel(org=bases.committee, children=children, today=TODAY)
    with django_assert_num_queries(4):  # held month, dirty pairs, findings token, change counts
        warm = cached_dues_panel(org=bases.committee, children=children, today=TODAY)
    assert (
        _dues(first)
        == _dues(warm)
        == _dues(dues_panel(org=bases.committee, children=children, today=TODAY))
    )
    services.payments_record(
        entries=[entry(bases.ordinary_member, MAR, "40.00")], by=None, org=bases.branch1
    )
    after = cached_dues_panel(org=bases.committee, children=children, today=TODAY)
    assert sum(r.collected for r in after) == Decimal("40.00")
    # The cockpit shows it too.
    client = login(bases.party_secretary)
    response = client.get(reverse("insight:cockpit"), {"org": bases.committee.public_id})
    assert response.status_code == 200
    assert sum(r.collected for r in response.context["dues_rows"]) == Decimal("40.00")


def test_the_study_panel_is_cached_until_a_study_record(cast, django_assert_num_queries):
    children = list(children_of(cast.committee))
    today = date(2026, 3, 10)
    first = cached_study_panel(org=cast.committee, children=children, year=2026, today=today)
    with django_assert_num_queries(3):  # the latest run, the summary token, change counts
        cached_study_panel(org=cast.committee, children=children, year=2026, today=today)
    assert _study(first) == _study(
        study_panel(org=cast.committee, children=children, year=2026, today=today)
    )
    SelfStudy.objects.create(
        member=cast.ordinary_member,
        org=cast.branch1,
        title="自学党章",
        on=today,
        hours=Decimal("2"),
        status=SelfStudy.Status.PENDING,
    )
    after = cached_study_panel(org=cast.committee, children=children, year=2026, today=today)
    assert sum(r.pending for r in after) == sum(r.pending for r in first) + 1
