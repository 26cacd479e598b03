"""The cockpit's 责任落实 panel from the cache (``cached_duty_panel``): no aggregate while
nothing changed, and every kind of write — a service, a bulk update, a delete, a moved
organisation — shows at the very next view."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.duties.test_summary import TODAY, rectification, task, work  # noqa: F401 - fixture
from tests.factories import make_org
from zhibu.duties.models import Rectification, Task
from zhibu.duties.selectors.summary import cached_duty_panel, duty_panel
from zhibu.insight.selectors import children_of
from zhibu.orgs.models import Org

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("work")]


def _figures(rows) -> list[tuple]:
    return [(row.org.pk, row.own, sorted(row.counts.items())) for row in rows]


def _panel(cast, today=TODAY):
    children = list(children_of(cast.committee))
    return cached_duty_panel(org=cast.committee, children=children, year=2026, today=today)


def _cockpit(client, cast):
    response = client.get(reverse("insight:cockpit"), {"org": cast.committee.public_id})
    assert response.status_code == 200
    return response


def test_a_warm_panel_costs_one_query_and_equals_the_direct_counts(cast, django_assert_num_queries):
    children = list(children_of(cast.committee))
    first = cached_duty_panel(org=cast.committee, children=children, year=2026, today=TODAY)
    with django_assert_num_queries(1):  # the change counts of the panel's tables
        warm = cached_duty_panel(org=cast.committee, children=children, year=2026, today=TODAY)
    direct = duty_panel(org=cast.committee, children=children, year=2026, today=TODAY)
    assert _figures(first) == _figures(warm) == _figures(direct)
    assert any(row.tasks_overdue for row in warm)


def test_a_warm_cockpit_reads_no_duties_table(cast, login):
    client = login(cast.party_secretary)
    _cockpit(client, cast)
    with CaptureQueriesContext(connection) as warm:
        _cockpit(client, cast)
    assert not [q["sql"] for q in warm.captured_queries if '"duties_' in q["sql"]]


def test_a_new_task_shows_at_the_next_cockpit_view(cast, login):
    client = login(cast.party_secretary)
    before = {r.org: r for r in _cockpit(client, cast).context["duty_rows"]}
    assert before[cast.general_branch].tasks == 2
    task(cast, cast.branch2, date(2026, 3, 5), "新的逾期任务")
    after = {r.org: r for r in _cockpit(client, cast).context["duty_rows"]}
    assert after[cast.general_branch].tasks == 3
    assert after[cast.general_branch].tasks_overdue == before[cast.general_branch].tasks_overdue + 1


def test_bulk_updates_and_deletes_show_at_the_next_view(cast, login):
    client = login(cast.party_secretary)
    rows = {r.org: r for r in _cockpit(client, cast).context["duty_rows"]}
    assert rows[cast.general_branch].rectifications_open == 2
    Task.objects.update(status=Task.Status.DONE)  # no save(), no signal
    rows = {r.org: r for r in _cockpit(client, cast).context["duty_rows"]}
    assert rows[cast.general_branch].tasks_overdue == 0 and rows[cast.committee].tasks_overdue == 0
    Rectification.objects.filter(org=cast.branch1).delete()
    rows = {r.org: r for r in _cockpit(client, cast).context["duty_rows"]}
    assert rows[cast.general_branch].rectifications_open == 1


def test_a_new_child_organisation_and_a_new_day_show(cast, login):
    client = login(cast.party_secretary)
    _cockpit(client, cast)
    new = make_org(cast.committee, Org.Kind.BRANCH, "新设党支部", code="XSB01")
    task(cast, new, date(2026, 3, 1), "新支部的任务")
    rows = {r.org: r for r in _cockpit(client, cast).context["duty_rows"]}
    assert rows[new].tasks_overdue == 1
    # overdue is judged against the day: a later day is a different entry
    later = {r.org: r for r in _panel(cast, today=date(2026, 7, 1))}
    assert later[cast.general_branch].tasks_overdue == 2
