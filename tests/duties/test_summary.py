"""The cockpit's 责任落实 panel and the home page's 责任事项: counts per sub-organisation
(set-based, bounded queries), numbers that drill down to the records they count, scope
kept, and each user's own duties on the home page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import make_org
from zhibu.duties.models import Rectification, Supervision
from zhibu.duties.selectors.summary import duty_panel
from zhibu.duties.services import rectification as rect_services
from zhibu.duties.services import tasks as task_services
from zhibu.duties.services.supervision import supervision_open
from zhibu.duties.targets import target_for
from zhibu.insight.selectors import children_of
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


def task(cast, org, due, title="落实三会一课制度"):
    return task_services.task_create(
        issuer=cast.committee,
        org=org,
        title=title,
        due=due,
        by=cast.party_secretary,
        today=date(2026, 1, 5),
    )


def rectification(cast, org, deadline):
    return rect_services.rectification_create(
        org=org,
        problem="支委会记录不全",
        measure="补齐记录",
        deadline=deadline,
        by=cast.party_secretary,
        today=date(2026, 1, 5),
    )


@pytest.fixture
def work(cast, frozen):
    late = task(cast, cast.branch1, date(2026, 3, 1), "完成党员活动室改造")
    task(cast, cast.branch2, date(2026, 6, 30))
    task(cast, cast.committee, date(2026, 2, 1), "党委本级任务")
    rectification(cast, cast.branch1, date(2026, 2, 28))
    rectification(cast, cast.branch2, date(2026, 9, 30))
    sheet = supervision_open(
        target=target_for(cast.party_secretary, f"task:{late.public_id}"),
        request="请报告进展",
        working_days=3,
        by=cast.party_secretary,
        today=date(2026, 3, 2),
    )
    return late, sheet


def test_counts_per_sub_organisation_and_own_row(cast, work):
    rows = duty_panel(
        org=cast.committee, children=list(children_of(cast.committee)), year=2026, today=TODAY
    )
    own, general = rows
    assert own.own and own.org == cast.committee and not general.own
    assert (own.tasks, own.tasks_overdue) == (1, 1)
    assert (general.tasks, general.tasks_overdue) == (2, 1)
    assert (general.rectifications_open, general.rectifications_overdue) == (2, 1)
    assert (general.supervisions_open, general.supervisions_overdue) == (1, 1)
    assert general.attention and own.rectifications_open == 0
    one_level_down = duty_panel(
        org=cast.general_branch,
        children=list(children_of(cast.general_branch)),
        year=2026,
        today=TODAY,
    )
    by_org = {row.org: row for row in one_level_down}
    assert by_org[cast.branch1].tasks_overdue == 1 and by_org[cast.branch2].tasks_overdue == 0


def test_the_panel_is_one_query_per_record_kind_whatever_the_tree(
    cast, work, django_assert_num_queries
):
    for i in range(12):
        make_org(cast.committee, Org.Kind.BRANCH, f"新增党支部{i}", code=f"XZB{i:02d}")
    children = list(children_of(cast.committee))
    with django_assert_num_queries(5):
        rows = duty_panel(org=cast.committee, children=children, year=2026, today=TODAY)
    assert len(rows) == 14


def test_the_cockpit_shows_the_panel_and_each_number_drills_to_its_records(cast, work, login):
    client = login(cast.party_secretary)
    body = client.get(reverse("insight:cockpit"), {"org": cast.committee.public_id}).content
    page = body.decode()
    assert 'id="duties-panel"' in page and "第一党总支" in page
    general = cast.general_branch.public_id
    overdue = client.get(
        reverse("duties:task_list"), {"status": "overdue", "year": 2026, "org": general}
    ).content.decode()
    assert "完成党员活动室改造" in overdue and "党委本级任务" not in overdue
    own = client.get(
        reverse("duties:task_list"),
        {"status": "overdue", "year": 2026, "org": cast.committee.public_id, "own": 1},
    ).content.decode()
    assert "党委本级任务" in own and "完成党员活动室改造" not in own and "（本级）" in own
    late_items = client.get(
        reverse("duties:list"), {"status": "overdue", "org": general}
    ).content.decode()
    assert late_items.count("支委会记录不全") == 1
    sheets = client.get(
        reverse("duties:supervisions"), {"status": "open", "org": general}
    ).content.decode()
    assert "完成党员活动室改造" in sheets


def test_drilling_into_an_organisation_outside_scope_is_404(cast, work, login):
    client = login(cast.branch_secretary)
    for name in ("duties:task_list", "duties:list", "duties:supervisions", "duties:letter_list"):
        response = client.get(reverse(name), {"org": cast.other_committee.public_id})
        assert response.status_code == 404, name
    narrowed = client.get(reverse("duties:task_list"), {"org": cast.branch2.public_id})
    assert narrowed.status_code == 404  # a sibling branch is outside a branch secretary's scope


def test_the_home_page_lists_what_waits_on_ones_own_organisation(cast, work, login):
    _late, sheet = work
    branch_home = login(cast.branch_secretary).get(reverse("home")).content.decode()
    assert 'id="duties-home"' in branch_home
    assert "完成党员活动室改造" in branch_home and "支委会记录不全" in branch_home
    assert reverse("duties:supervision", args=[sheet.public_id]) in branch_home
    top_home = login(cast.party_secretary).get(reverse("home")).content.decode()
    # the 党委's own duties are its own task, not each branch's
    assert "党委本级任务" in top_home and "完成党员活动室改造" not in top_home
    assert Supervision.objects.count() == 1 and Rectification.objects.count() == 2


def test_a_request_awaiting_an_answer_counts_where_it_must_be_answered(cast, work, login):
    from zhibu.duties.models import Request
    from zhibu.duties.services import requests as request_services

    draft = request_services.request_save(
        sender=cast.branch1,
        receiver=cast.general_branch,
        kind=Request.Kind.REQUEST,
        subject="关于调整党小组设置的请示",
        body="因生产班组调整，拟将第一党小组分设为两个党小组。妥否，请批示。",
        signer="李书记",
        by=cast.branch_secretary,
    )
    request_services.request_send(record=draft, by=cast.branch_secretary)
    rows = duty_panel(
        org=cast.committee, children=list(children_of(cast.committee)), year=2026, today=TODAY
    )
    assert [row.requests_waiting for row in rows] == [0, 1]
    client = login(cast.party_secretary)
    pending = client.get(
        reverse("duties:requests_org", args=[cast.general_branch.public_id]), {"box": "pending"}
    ).content.decode()
    assert "关于调整党小组设置的请示" in pending


def test_the_supervision_and_rectification_rules_read_a_subtree_in_fixed_queries(
    cast, work, django_assert_max_num_queries
):
    """RESP-01 (督办 unanswered) and RESP-05 (整改 overdue): the same number of queries for
    one organisation and for a tree of fourteen, and the late ones found."""
    from zhibu.core.rules import in_force
    from zhibu.core.rules.engine import evaluate

    small = [cast.branch1]
    for i in range(10):
        make_org(cast.general_branch, Org.Kind.BRANCH, f"加设党支部{i}", code=f"JS{i:02d}")
    tree = list(Org.objects.filter(path__startswith=cast.committee.path))
    for code in ("RESP-01", "RESP-05"):
        rule = in_force(code, TODAY)
        with django_assert_max_num_queries(2) as few:
            evaluate(rule, small, today=TODAY)
        with django_assert_max_num_queries(len(few.captured_queries)):
            outcomes = evaluate(rule, tree, today=TODAY)
        late = {o.org_id for o in outcomes if o.status == "late"}
        assert late == {cast.branch1.pk}, code
