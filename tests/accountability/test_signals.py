"""The built-in signal sources: what counts as a signal, what does not, and that each is
set-based (its query count does not grow with the subtree)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.accountability.conftest import TODAY, make_finding, move
from tests.factories import make_org
from zhibu.accountability import builtin, selectors
from zhibu.accountability.sources import sources
from zhibu.duties.models import Rectification, Supervision
from zhibu.duties.services import rectification as rect_services
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db


def test_the_builtin_sources_are_registered():
    kinds = {source.kind for source in sources()}
    assert {
        builtin.RULE_REPEATED,
        builtin.SUPERVISION_UNANSWERED,
        builtin.RECTIFICATION_TWICE,
    } <= kinds


def test_a_rule_failing_four_months_running_is_one_signal(cast, world):
    found = builtin.rule_repeated([cast.committee.path], TODAY)
    assert len(found) == 1
    (signal,) = found
    assert signal.org_id == cast.branch1.id
    assert "MTG-02" in signal.title and "4" in signal.title
    assert "2025-11" in signal.title and "2026-02" in signal.title
    assert signal.since == date(2026, 2, 1)  # the third failed month ended on 2026-01-31
    last = cast.branch1.findings.get(period_code="2026-02")
    assert signal.evidence_url == reverse("duties:finding", args=[last.pk])
    assert signal.key == f"{cast.branch1.public_id}:MTG-02:2025-11"


def test_a_gap_breaks_the_run_and_n_is_a_local_parameter(cast, world, settings):
    make_finding(cast.branch2, "2025-11")  # 2025-11, (gap 2025-12), 2026-01, 2026-02
    assert [s.org_id for s in builtin.rule_repeated([cast.committee.path], TODAY)] == [
        cast.branch1.id
    ]
    settings.ZHIBU_ACCOUNTABILITY_CONSECUTIVE = 2
    assert {s.org_id for s in builtin.rule_repeated([cast.committee.path], TODAY)} == {
        cast.branch1.id,
        cast.branch2.id,
    }
    settings.ZHIBU_ACCOUNTABILITY_CONSECUTIVE = 5
    assert builtin.rule_repeated([cast.committee.path], TODAY) == []


def test_an_unanswered_supervision_past_its_limit_is_a_signal(cast, world):
    (signal,) = builtin.supervision_unanswered([cast.committee.path], TODAY)
    assert signal.org_id == cast.branch2.id
    assert signal.evidence_url == reverse("duties:supervision", args=[world.supervision.public_id])
    assert signal.since == date(2026, 3, 3)
    world.supervision.status = Supervision.Status.REPLIED
    world.supervision.save()
    assert builtin.supervision_unanswered([cast.committee.path], TODAY) == []


def test_still_within_its_limit_is_no_signal(cast, world):
    assert builtin.supervision_unanswered([cast.committee.path], date(2026, 3, 2)) == []


def test_a_rectification_closed_late_reopened_and_overdue_again_is_a_signal(cast, world):
    (signal,) = builtin.rectification_overdue_twice([cast.committee.path], TODAY)
    assert signal.key == str(world.twice.public_id)  # not ``once``: closed on time
    assert signal.evidence_url == reverse("duties:detail", args=[world.twice.public_id])
    assert signal.since == date(2026, 1, 1)


def test_an_extension_after_the_miss_counts_one_before_the_deadline_does_not(
    cast, world, time_machine
):
    move(time_machine, date(2025, 12, 1))
    late = rect_services.rectification_create(
        org=cast.branch2, problem="A", measure="a", deadline=date(2026, 1, 10)
    )
    early = rect_services.rectification_create(
        org=cast.branch2, problem="B", measure="b", deadline=date(2026, 1, 31)
    )
    move(time_machine, date(2026, 1, 20))  # after ``late``'s deadline, before ``early``'s
    for item in (late, early):
        item.deadline = date(2026, 2, 20)
        item.save()
    move(time_machine, TODAY)
    keys = {s.key for s in builtin.rectification_overdue_twice([cast.branch2.path], TODAY)}
    assert keys == {str(late.public_id)}
    item = Rectification.objects.get(pk=late.pk)
    assert builtin.missed_before(
        list(
            item.history.order_by("history_date").values(
                "status", "deadline", "closed_on", "history_date"
            )
        )
    )


def test_scope_limits_every_source(cast, world, branch_inspector):
    rows = selectors.signals_for(branch_inspector, TODAY)
    assert {row.signal.org_id for row in rows} == {cast.branch1.id}
    assert len(rows) == 2


def test_sources_are_set_based(cast, world, inspector, django_assert_num_queries):
    paths = [cast.committee.path]
    with django_assert_num_queries(1):
        builtin.rule_repeated(paths, TODAY)
    with django_assert_num_queries(1):
        builtin.supervision_unanswered(paths, TODAY)
    with django_assert_num_queries(2):
        builtin.rectification_overdue_twice(paths, TODAY)
    selectors.view_paths(inspector)  # the grants, read once per request

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            selectors.grouped(selectors.signals_for(inspector, TODAY))
        return len(ctx.captured_queries)

    before = count()
    for i in range(6):  # more branches, each with its own signals of every kind
        branch = make_org(cast.general_branch, Org.Kind.BRANCH, f"新党支部{i}", code=f"N{i}")
        for period in ("2025-12", "2026-01", "2026-02"):
            make_finding(branch, period)
        Supervision.objects.create(
            org=branch,
            by_org=cast.committee,
            target_ref=f"task:{i}",
            target_label="任务",
            level=1,
            request="r",
            opened_on=date(2026, 2, 1),
            working_days=3,
            reply_due=date(2026, 2, 5),
        )
    assert len(selectors.signals_for(inspector, TODAY)) == 3 + 12
    assert count() == before
