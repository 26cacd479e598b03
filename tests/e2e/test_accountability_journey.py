"""问责 in one browser journey: the 党委's 纪检委员 sees the signals in scope (a rule failing
three months running in 第一党支部, a 督办 of 第二党支部 unanswered past its limit), opens
the rule's signal, records a 通报 answering it, and finds the signal closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.helpers import sign_in
from tests.factories import UserFactory, grant
from zhibu.accountability.models import Decision
from zhibu.accounts.models import Role
from zhibu.core.rules.models import Finding
from zhibu.core.rules.periods import Period
from zhibu.duties.models import Supervision

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def seed(cast) -> None:
    today = timezone.localdate()
    p = Period.containing("month", today)
    for _i in range(3):  # the three months before this one
        p = p.previous()
        Finding.objects.create(
            rule_code="MTG-02",
            period_code=p.code,
            period_start=p.start,
            period_end=p.end,
            org=cast.branch1,
            org_path=cast.branch1.path,
            subject_type="org",
            subject_id=cast.branch1.pk,
            status="missing",
            citation="《中国共产党支部工作条例（试行）》第十九条",
            computed_at=timezone.now(),
        )
    Supervision.objects.create(
        org=cast.branch2,
        by_org=cast.committee,
        target_ref="task:x",
        target_label="报送年度工作总结",
        level=Supervision.Level.SUPERVISE,
        request="请报告进度",
        opened_on=today - timedelta(days=10),
        working_days=3,
        reply_due=today - timedelta(days=4),
    )


def test_the_inspector_records_a_notice_that_closes_a_signal(cast, live_server, page):
    seed(cast)
    inspector = UserFactory(username="jijian", full_name="陈纪检")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    main = page.locator("main")

    # Someone without a 纪检 role does not even learn the page exists.
    sign_in(page, live_server, "dangwei")
    assert page.goto(live_server.url + "/accountability/").status == 404

    sign_in(page, live_server, "jijian")
    page.get_by_role("link", name="问责", exact=True).first.click()
    page.wait_for_url("**/accountability/")
    assert "待处理 2 条，已关闭 0 条" in main.inner_text()
    rule = main.locator("li[data-signal^='rule_repeated:']")
    assert "MTG-02 连续 3 个期间未通过" in rule.inner_text()
    assert (
        rule.get_by_role("link", name="查看证据")
        .get_attribute("href")
        .startswith("/duties/findings/")
    )
    assert (
        "报送年度工作总结"
        in main.locator("li[data-signal^='supervision_unanswered:']").inner_text()
    )

    # Answer the rule's signal with a 通报.
    rule.get_by_role("link", name="问责", exact=True).click()
    page.wait_for_url("**/decide/**")
    checkbox = main.locator("input[name='signals']").first
    assert checkbox.is_checked()
    page.get_by_label("问责方式").select_option(label="通报")
    page.get_by_role("button", name="保存").click()
    assert "请填写问责事由" in main.inner_text()  # refused, nothing written
    assert not Decision.objects.exists()
    page.get_by_label("问责事由").fill("连续三个月未按期召开支部委员会会议，予以通报。")
    page.get_by_label("文号").fill("集团纪〔2026〕5 号")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/accountability/decisions/*/")
    assert "集团纪〔2026〕5 号" in main.inner_text()
    assert Decision.objects.get().signals.count() == 1

    # The signal is closed; the other one still waits.
    page.get_by_role("link", name="问责", exact=True).first.click()
    assert "待处理 1 条，已关闭 1 条" in main.inner_text()
    assert "已关闭：通报" in main.locator("li[data-signal^='rule_repeated:']").inner_text()
