"""学习教育 in one browser journey (issue 18's done-when for study): the branch secretary
records a 党课 and who attended; a member records self-study, reads an article of the
党委's library, sees its keywords and 相关阅读, and sees their hours (已完成 x/32) on their
own page; the secretary approves the self-study and the member's hours grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.helpers import sign_in
from zhibu.demo.study import ARTICLES
from zhibu.study import services
from zhibu.study.models import SelfStudy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_course_self_study_library_and_my_hours(cast, live_server, page):
    today = timezone.localdate()
    for title, topic, source, keywords, body in ARTICLES:
        services.article_save(
            org=cast.committee,
            data={
                "title": title,
                "topic": topic,
                "source": source,
                "keywords": keywords,
                "body": body,
            },
            by=None,
        )
    main = page.locator("main")

    # The branch secretary records a 党课 and its attendance.
    sign_in(page, live_server, "zhibu1")
    page.get_by_role("link", name="学习教育").first.click()
    main.get_by_role("link", name="课程与学习活动").click()
    page.get_by_role("link", name="登记课程").click()
    page.get_by_label("形式").select_option(label="党课")
    page.get_by_label("名称").fill("书记讲党课：做合格党员")
    page.get_by_label("日期").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("学时", exact=True).fill("3")
    page.get_by_role("button", name="保存").click()
    page.get_by_label("王党员（第一党支部）").check()
    page.get_by_role("button", name="保存").click()
    assert "王党员" in page.locator("#attendees").inner_text()

    # The member records self-study, reads an article and its related reading.
    sign_in(page, live_server, "dangyuan")
    page.get_by_role("link", name="学习教育").first.click()
    assert "已完成 3/32 学时" in main.inner_text()
    main.get_by_role("link", name="登记自学").click()
    page.get_by_label("学习内容").fill("自学党章第一章")
    page.get_by_label("学时", exact=True).fill("2")
    page.get_by_role("button", name="保存").click()
    assert "待认定" in page.locator("#my-self-study").inner_text()
    page.get_by_label("搜索").first.fill("合格党员")
    main.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="做合格党员，先从岗位做起").click()
    assert "合格党员" in page.locator("#keywords").inner_text()
    related = page.locator("#related")
    assert "两学一做：学党章党规，学系列讲话，做合格党员" in related.inner_text()
    related.get_by_role("link").first.click()
    assert "两学一做" in page.locator("h1").inner_text() or "两学一做" in main.inner_text()
    page.goto(live_server.url + "/members/me/")
    assert "已完成 3/32 学时" in page.locator("#my-study").inner_text()

    # The secretary approves; the member's hours grow.
    sign_in(page, live_server, "zhibu1")
    page.goto(live_server.url + "/study/self-study/pending/")
    page.get_by_role("button", name="确定").click()
    assert SelfStudy.objects.get().status == "approved"
    sign_in(page, live_server, "dangyuan")
    page.goto(live_server.url + "/members/me/")
    assert "已完成 5/32 学时" in page.locator("#my-study").inner_text()
