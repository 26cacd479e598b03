"""Issue 17's discipline done-when in a browser: the 纪检委员 records a 留党察看, then the
branch's vote page (a 支部党员大会 planned with a vote) leaves the member out of the
entitled count and shows only "受限至 …（纪律处分）" with the article — and the branch
secretary, who sees that line, cannot open the record itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.helpers import sign_in
from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.discipline.models import DisciplineRecord
from zhibu.meetings.services.scheduling import meeting_plan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_probation_recorded_then_the_vote_page_excludes_the_member(cast, live_server, page):
    inspector = UserFactory(username="jijian", full_name="纪检委员")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    today = timezone.localdate()
    meeting = meeting_plan(
        org=cast.branch1,
        title="支部党员大会：讨论接收预备党员",
        on=today + timedelta(days=7),
        kinds=["branch_assembly"],
    )
    main = page.locator("main")

    sign_in(page, live_server, "jijian")
    page.get_by_role("link", name="纪检监督").first.click()
    page.get_by_label("登记新的处分或处理：查找党员").fill("王党员")
    page.get_by_role("button", name="查找").click()
    page.locator("#candidates").get_by_role("link", name="王党员").click()
    page.get_by_label("种类").select_option("probation")
    page.get_by_label("察看期（年）").select_option("1")
    page.get_by_label("决定文号").fill("集团纪〔2026〕3号")
    page.get_by_label("事实和依据摘要").fill("收受供应商礼金，数额较大。")
    page.get_by_role("button", name="保存").click()
    assert "已保存纪律处分记录" in main.inner_text()
    record = DisciplineRecord.objects.get()
    until = record.effect_until.isoformat()
    assert f"受限至 {until}（纪律处分）" in page.locator("#restrictions").inner_text()

    # The branch secretary plans the vote: the member under 留党察看 is not entitled.
    sign_in(page, live_server, "zhibu1")
    page.goto(f"{live_server.url}/meetings/{meeting.public_id}/decisions/new/")
    roll = page.locator("#vote-roll").inner_text()
    assert "应到有表决权 1 人" in roll
    excluded = page.locator("#vote-excluded").inner_text()
    assert f"王党员：受限至 {until}（纪律处分）" in excluded and "DISC-04" in excluded
    assert "留党察看" not in excluded and "礼金" not in excluded
    # … and the record itself stays out of reach.
    response = page.goto(f"{live_server.url}/discipline/{record.public_id}/")
    assert response.status == 404
