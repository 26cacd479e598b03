"""The cockpit's 党费 panel counts long arrears from DUES-11's findings (its latest
judgement, as the findings summary holds it) — not from a second reckoning over every
member — so it agrees with the rule's exclusions and costs a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.dues.conftest import TODAY, entry
from tests.factories import make_member, make_org, record_meeting
from zhibu.core.rules import Period, Status
from zhibu.core.rules.models import Finding
from zhibu.dues import selectors, services
from zhibu.dues.models import LapseCase
from zhibu.dues.rates import Category
from zhibu.dues.selectors import cached_dues_panel, dues_panel
from zhibu.insight.selectors import children_of
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run

pytestmark = pytest.mark.django_db
AUG = date(2025, 8, 1)


def _lapsed(org, member):
    """``member`` paid August 2025 and nothing since: six months unpaid (Sep–Feb)."""
    services.base_declare(
        member=member, category=Category.STUDENT, base=None, effective_month=date(2025, 1, 1)
    )
    services.payments_record(
        entries=[entry(member, AUG, "0.20", paid_on=date(2025, 8, 5))], by=None, org=org
    )


def _judge(root):
    for kind in ("year", "quarter"):
        rules_run(root=root, period=Period.containing(kind, TODAY), today=TODAY, codes=["DUES-11"])


@pytest.fixture
def judged(bases):
    _lapsed(bases.branch1, bases.ordinary_member)
    _five_months(bases)
    _judge(bases.committee)
    return bases


def _five_months(bases):
    """李书记 paid September 2025: five months unpaid, a reminder only (not DUES-11)."""
    services.base_declare(
        member=bases.secretary_member,
        category=Category.STUDENT,
        base=None,
        effective_month=date(2025, 1, 1),
    )
    services.payments_record(
        entries=[entry(bases.secretary_member, date(2025, 9, 1), "0.20", paid_on=date(2025, 9, 5))],
        by=None,
        org=bases.branch1,
    )


def _arrears(rows):
    return {r.org.pk: r.long_arrears for r in rows}


def test_the_panel_counts_dues11_suspects_per_child(judged):
    rows = dues_panel(
        org=judged.general_branch, children=list(children_of(judged.general_branch)), today=TODAY
    )
    assert _arrears(rows)[judged.branch1.pk] == 1
    assert _arrears(rows)[judged.branch2.pk] == 0
    assert {r.arrears_period for r in rows} == {"2026"}  # the year: the latest judgement
    assert "第十三条" in str(rows[0].arrears_citation)
    top = dues_panel(
        org=judged.committee, children=list(children_of(judged.committee)), today=TODAY
    )
    assert _arrears(top)[judged.general_branch.pk] == 1
    # The same members as the rule's findings in that period.
    assert (
        Finding.objects.filter(rule_code="DUES-11", status=Status.SUSPECT, period_code="2026")
        .values_list("subject_id", flat=True)
        .get()
        == judged.ordinary_member.pk
    )


def test_the_panel_follows_dues11_exclusions_not_a_second_definition(judged):
    """A branch decision that the member had a good reason settles DUES-11; the panel
    follows at the next judgement, while the arrears list (ledger, lapse pages) still
    shows the unpaid months."""
    case = services.lapse_open(member=judged.ordinary_member, on=TODAY, months=6)
    meeting = record_meeting(judged.branch1, on=date(2026, 3, 9), today=TODAY)
    services.lapse_decide(
        case=case, decision=LapseCase.Decision.REASON, decided_on=TODAY, meeting=meeting
    )
    children = list(children_of(judged.general_branch))
    assert (
        _arrears(dues_panel(org=judged.general_branch, children=children, today=TODAY))[
            judged.branch1.pk
        ]
        == 1
    )  # not judged again yet: the panel shows DUES-11's latest judgement
    _judge(judged.committee)
    rows = dues_panel(org=judged.general_branch, children=children, today=TODAY)
    assert _arrears(rows)[judged.branch1.pk] == 0
    assert {r.arrears_period for r in rows} == {"2026"}  # judged, all OK now
    still = {a.name: a.months for a in selectors.arrears(Q(org=judged.branch1), TODAY)}
    assert still[judged.ordinary_member.name] >= 6


def test_never_judged_shows_no_period(bases):
    rows = dues_panel(org=bases.committee, children=list(children_of(bases.committee)), today=TODAY)
    assert all(r.long_arrears == 0 and r.arrears_period == "" for r in rows)


def test_the_panel_costs_the_same_queries_on_a_bigger_tree(judged):
    org = judged.committee
    children = list(children_of(org))
    dues_panel(org=org, children=children, today=TODAY)
    with CaptureQueriesContext(connection) as small:
        dues_panel(org=org, children=children, today=TODAY)
    for i in range(4):
        branch = make_org(judged.general_branch, Org.Kind.BRANCH, f"新支部{i}")
        for j in range(3):
            _lapsed(branch, make_member(branch, f"新党员{i}{j}"))
    extra = make_org(org, Org.Kind.GENERAL_BRANCH, "第二党总支")
    branch = make_org(extra, Org.Kind.BRANCH, "第三党支部")
    _lapsed(branch, make_member(branch, "新党员"))
    _judge(org)
    children = list(children_of(org))
    dues_panel(org=org, children=children, today=TODAY)  # builds the marked summary rows
    with CaptureQueriesContext(connection) as large:
        rows = dues_panel(org=org, children=children, today=TODAY)
    counts = _arrears(rows)
    assert counts.pop(org.pk, 0) == 0
    assert counts == {judged.general_branch.pk: 13, extra.pk: 1}
    # held month, dirty pairs, the monthly summary, the findings summary
    assert len(large.captured_queries) == len(small.captured_queries) == 4


def test_a_rules_run_refreshes_the_cached_panel(bases):
    children = list(children_of(bases.general_branch))
    first = cached_dues_panel(org=bases.general_branch, children=children, today=TODAY)
    assert _arrears(first)[bases.branch1.pk] == 0
    _lapsed(bases.branch1, bases.ordinary_member)
    _five_months(bases)
    _judge(bases.committee)
    after = cached_dues_panel(org=bases.general_branch, children=children, today=TODAY)
    assert _arrears(after)[bases.branch1.pk] == 1


def test_the_cockpit_shows_dues11_with_its_citation_and_link(judged, login):
    client = login(judged.party_secretary)
    page = client.get(reverse("insight:cockpit"), {"org": judged.general_branch.public_id})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="dues-panel-note"' in html
    assert "DUES-11" in html and "第十三条" in html
    link = (
        f"{reverse('insight:findings')}?org={judged.branch1.public_id}"
        "&amp;rule=DUES-11&amp;status=suspect&amp;period=2026"
    )
    assert link in html
    listed = client.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200 and judged.ordinary_member.name in listed.content.decode()
    # Another committee's secretary does not reach this org's panel or findings.
    other = login(judged.outsider)
    assert (
        other.get(reverse("insight:cockpit"), {"org": judged.general_branch.public_id}).status_code
        == 404
    )
