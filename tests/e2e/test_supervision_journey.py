"""整改闭环 in a real browser: a finding is turned into 整改 from the cockpit's findings
page, and the item's page offers the 党委 a 督办. (Opening, replying to and accepting a
督办 is driven on a task in test_responsibility_journey.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.helpers import sign_in
from zhibu.committees import services as committee_services
from zhibu.core.rules import Period
from zhibu.duties.models import Rectification
from zhibu.rulebook.run import rules_run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_finding_is_turned_into_a_rectification_item_from_the_findings_page(
    cast, live_server, page
):
    today = timezone.localdate()
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(record=post, on=today.replace(year=today.year - 1))
    period = Period.containing("quarter", today)
    rules_run(root=cast.committee, period=period)
    sign_in(page, live_server, "dangwei")
    page.goto(
        f"{live_server.url}/cockpit/findings/?org={cast.committee.public_id}"
        f"&period={period.code}&rule=ORG-08"
    )
    row = page.locator("tbody tr", has_text="第一党支部")
    row.get_by_role("link", name="转为整改").click()
    page.get_by_label("整改措施").fill("党委研究配备支部书记")
    page.get_by_label("整改期限").fill((today + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/duties/*/")
    body = page.locator("main").inner_text()
    assert "ORG-08" in body and "由合规检查结果转来" in body
    assert page.get_by_role("link", name="督办", exact=True).is_visible()
    item = Rectification.objects.get()
    assert item.source == Rectification.Source.FINDING and item.finding_rule == "ORG-08"
