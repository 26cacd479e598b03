"""督办与整改闭环 in a real browser: the 党委 opens a 督办 on a rectification item, the
branch replies with a file, the 党委 accepts; a finding is turned into 整改 from the
cockpit's findings page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.test_journeys import sign_in
from zhibu.committees import services as committee_services
from zhibu.core.rules import Period
from zhibu.duties.models import Rectification, Supervision
from zhibu.duties.services.rectification import rectification_create
from zhibu.rulebook.run import rules_run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n% reply evidence\n"


def test_committee_supervises_branch_replies_with_a_file_committee_accepts(
    cast, live_server, page, private_media
):
    today = timezone.localdate()
    item = rectification_create(
        org=cast.branch1,
        problem="党员发展档案未按时归档",
        measure="一周内补齐归档",
        deadline=today + timedelta(days=20),
    )
    sign_in(page, live_server, "dangwei")
    page.goto(f"{live_server.url}/duties/{item.public_id}/")
    page.get_by_role("link", name="督办", exact=True).click()
    page.get_by_label("督办要求").fill("请报告归档进度并附佐证")
    page.get_by_label("回复时限（工作日）").fill("3")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/duties/supervisions/*/")
    assert "请报告归档进度并附佐证" in page.locator("main").inner_text()
    supervision = Supervision.objects.get()

    page.context.clear_cookies()
    sign_in(page, live_server, "zhibu1")
    page.goto(f"{live_server.url}/duties/supervisions/{supervision.public_id}/")
    page.get_by_role("link", name="回复督办").click()
    page.get_by_label("回复内容").fill("已全部归档，附归档清单")
    page.get_by_label("佐证材料文件").set_input_files(
        [{"name": "归档清单.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/duties/supervisions/{supervision.public_id}/")
    assert "归档清单.pdf" in page.locator("main").inner_text()

    page.context.clear_cookies()
    sign_in(page, live_server, "dangwei")
    page.goto(f"{live_server.url}/duties/supervisions/{supervision.public_id}/")
    page.get_by_role("link", name="审核回复").click()
    page.get_by_label("审核结论").select_option("1")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/duties/supervisions/{supervision.public_id}/")
    assert "已办结" in page.locator("main").inner_text()
    supervision.refresh_from_db()
    assert supervision.status == Supervision.Status.CLOSED


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
    item = Rectification.objects.get()
    assert item.source == Rectification.Source.FINDING and item.finding_rule == "ORG-08"
