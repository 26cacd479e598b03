"""RESP-03 over a subtree: a secretary whose review for last year is missing after the
deadline (default 31 March) is a finding at the organising committee; before it, a DUE;
a local supplement may tighten the deadline; a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_member, make_org
from zhibu.committees.services import post_assign
from zhibu.core.rules import Period, Status, in_force
from zhibu.core.rules.engine import evaluate
from zhibu.orgs.models import Org
from zhibu.reviews.rules import review_deadline

pytestmark = pytest.mark.django_db


def outcomes(orgs, today):
    return evaluate(in_force("RESP-03", today), orgs, period=Period.year(today.year), today=today)


def test_a_missing_review_after_the_deadline_is_found_at_the_organiser(cast):
    found = outcomes([cast.general_branch, cast.committee], date(2026, 4, 10))
    problems = [o for o in found if o.status != Status.OK]
    assert [(o.org_id, o.status, o.subject_id) for o in problems] == [
        (cast.general_branch.pk, Status.MISSING, cast.branch1.pk)
    ]
    assert "李书记" in str(problems[0].explanation) and "2025" in str(problems[0].explanation)
    assert problems[0].refs == [f"org:{cast.branch1.public_id}"]


def test_before_the_deadline_it_is_due(cast):
    found = outcomes([cast.general_branch], date(2026, 3, 31))
    assert [o.status for o in found] == [Status.DUE]


def test_a_held_review_clears_it(cast, review):
    found = outcomes([cast.general_branch], date(2026, 4, 10))
    assert [o.status for o in found] == [Status.OK]


def test_the_rule_cites_the_regulation(cast):
    rule = in_force("RESP-03", date(2026, 4, 10))
    assert "述职评议考核办法" in str(rule.citation) and "第三条" in str(rule.citation)


def test_the_deadline_is_a_calendar_day():
    assert review_deadline(2026, {"due_month": 2, "due_day": 31}) == date(2026, 2, 28)
    assert review_deadline(2028, {"due_month": 2, "due_day": 31}) == date(2028, 2, 29)
    assert review_deadline(2026, {}) == date(2026, 3, 31)


def test_a_subtree_costs_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for i in range(20):
        branch = make_org(cast.general_branch, Org.Kind.BRANCH, f"支部{i}", code=f"R{i}")
        holder = make_member(branch, f"书记{i}", birth_date=date(1980, 1, 1 + i % 27))
        post_assign(org=branch, post="secretary", holder=holder, start=date(2021, 1, 1))
    orgs = list(Org.objects.filter(kind__in=Org.COMMITTEE_KINDS))
    with django_assert_max_num_queries(3):
        found = outcomes(orgs, date(2026, 4, 10))
    assert sum(1 for o in found if o.status == Status.MISSING) == 21


def test_the_findings_next_step_opens_a_review_at_the_organiser(cast, login, general_secretary):
    from django.urls import reverse

    from zhibu.core.rules.registry import in_force as rule_in_force

    rule = rule_in_force("RESP-03", date(2026, 4, 10))
    target = reverse(rule.action.url_name, args=[cast.general_branch.public_id])
    response = login(general_secretary).get(target)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?organiser={cast.general_branch.public_id}")
    assert login(cast.outsider).get(target).status_code == 404
    assert login(cast.ordinary).get(target).status_code == 403
