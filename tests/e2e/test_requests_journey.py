"""请示报告 in a real browser: a branch drafts and sends a 请示 to its 党总支, the 党总支
answers it from its inbox, and the branch reads the answer."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.duties.models import Request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Test-pass-2026"  # tests/factories.UserFactory
SUBJECT = "关于调整党小组设置的请示"


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


def test_a_branch_sends_a_request_the_parent_answers_and_the_branch_sees_it(
    cast, browser, live_server, page
):
    zongzhi = UserFactory(username="zongzhi-e2e", full_name="总支书记")
    grant(zongzhi, Role.SECRETARY, cast.general_branch)

    sign_in(page, live_server, "zhibu1")
    page.goto(f"{live_server.url}/duties/requests/org/{cast.branch1.public_id}/new/")
    page.get_by_label("文种").select_option(label="请示")
    page.get_by_label("主送组织").select_option(label="第一党总支")
    page.get_by_label("标题（事项）").fill(SUBJECT)
    page.get_by_label("正文").fill("因生产班组调整，拟将第一党小组分设为两个党小组。妥否，请批示。")
    page.get_by_label("紧急程度").select_option(label="紧急")
    page.get_by_label("签发人").fill("李书记")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(lambda u: "/duties/requests/" in u and "/new/" not in u)
    page.get_by_role("button", name="报送").click()
    page.get_by_text("已报送。").wait_for()
    assert Request.objects.get().status == Request.Status.SENT

    other = browser.new_context(locale="zh-CN").new_page()
    sign_in(other, live_server, "zongzhi-e2e")
    other.goto(live_server.url + "/duties/requests/")
    other.get_by_role("link", name=SUBJECT).click()
    other.get_by_label("答复意见").fill("同意分设，请按程序选举党小组长。")
    other.get_by_role("button", name="提交答复").click()
    other.get_by_text("已答复。").wait_for()
    other.context.close()

    page.reload()
    assert "同意分设，请按程序选举党小组长。" in page.get_by_test_id("answer").inner_text()
    assert page.get_by_text("已答复", exact=True).count() >= 1
