"""Issue 18's 党费 journey in a real browser: the branch secretary declares a member's
base, enters the month on the branch's sheet, sees it in the ledger; the member then sees
我的党费 (the amount, the month paid) on their own page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.e2e.helpers import sign_in
from zhibu.dues.models import Payment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_monthly_sheet_to_ledger_to_my_dues(cast, live_server, page):
    month = timezone.localdate().strftime("%Y-%m")
    main = page.locator("main")

    # The branch secretary declares 王党员's base (in service, 5000.01 → 1.5 %: 75.00).
    sign_in(page, live_server, "zhibu1")
    page.goto(f"{live_server.url}/dues/member/{cast.ordinary_member.public_id}/")
    page.locator("#id_base-category").select_option("in_service")
    page.locator("#id_base-base").fill("5000.01")
    page.locator("#id_base-effective_month").fill(month)
    page.locator("form", has=page.get_by_label("党费类别")).get_by_role(
        "button", name="保存"
    ).click()
    assert "75.00" in page.locator("#member-due").inner_text()

    # The month's sheet: from the ledger, open the branch, tick 王党员, save.
    page.get_by_role("link", name="党费").first.click()
    page.locator("#dues-ledger").get_by_role("link", name="第一党支部").click()
    row = page.locator(f"#row-{cast.ordinary_member.public_id}")
    assert row.get_by_role("textbox", name="实交金额").input_value() == "75.00"
    row.get_by_role("checkbox").first.check()
    row.get_by_role("textbox", name="代交人").fill("王母")
    page.get_by_label("交纳方式").select_option("online")
    page.get_by_role("button", name="保存收缴登记").click()
    assert "已登记 1 人的党费" in main.inner_text()
    assert Payment.objects.get().paid_by == "王母"

    # The ledger shows it collected.
    page.get_by_role("link", name="党费").first.click()
    ledger = page.locator("#dues-ledger tr", has_text="第一党支部")
    assert "75.00" in ledger.inner_text()

    # The member sees 我的党费 on their own page.
    sign_in(page, live_server, "dangyuan")
    page.goto(f"{live_server.url}/members/me/")
    card = page.locator("#my-dues")
    assert "75.00" in card.inner_text() and "已交 1 个月" in card.inner_text()
    assert month
