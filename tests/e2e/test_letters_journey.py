"""The responsibility-letter journey in a real browser (issue 16): the 党委 issues a letter
→ the 党总支 signs and passes an item down → the branch signs → the branch reports
progress on its task with a file → the 党总支 (the issuer of the branch's letter) confirms."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.duties.models import Evidence, Letter, Task

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Test-pass-2026"  # tests/factories.UserFactory
PDF = b"%PDF-1.4\n% self-check report\n"


def sign_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


def open_letter(page, live_server, recipient: str) -> None:
    page.goto(live_server.url + "/duties/letters/")
    page.locator("tbody tr", has_text=recipient).filter(has_not_text="范本").get_by_role(
        "link"
    ).first.click()
    page.wait_for_url("**/duties/letters/*/")


def test_a_letter_is_issued_signed_down_to_a_branch_and_its_task_confirmed(
    cast, live_server, page, tmp_path, private_media
):
    general = UserFactory(username="zongzhi", full_name="赵总支")
    grant(general, Role.SECRETARY, cast.general_branch)
    year = timezone.localdate().year

    # The 党委 drafts a 范本, loads the standard items and issues it to its 党总支.
    sign_in(page, live_server, "dangwei")
    page.get_by_role("link", name="责任书与任务").first.click()
    page.get_by_role("link", name="新建责任书").click()
    page.get_by_label("标题").fill(f"{year} 年度全面从严治党主体责任书")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="载入标准分项").click()
    assert page.locator("#letter-items tbody tr").count() == 6
    page.get_by_role("link", name="下达", exact=True).click()
    assert page.get_by_label("第一党总支").is_checked()
    page.get_by_role("button", name="保存").click()
    assert page.locator("#letter-copies", has_text="第一党总支").is_visible()

    # The 党总支's secretary signs and passes the 组织建设 item down to 第一党支部.
    sign_in(page, live_server, "zongzhi")
    open_letter(page, live_server, "第一党总支")
    page.get_by_role("link", name="签订", exact=True).click()
    page.get_by_label("签订地点").fill("集团党建工作会议会场")
    page.get_by_role("button", name="保存").click()
    assert "赵总支" in page.locator("#letter-signature").inner_text()
    page.locator("#letter-items tr", has_text="组织建设").get_by_role("link", name="分解").click()
    page.get_by_label("第一党支部").check()
    page.get_by_role("button", name="保存").click()
    assert "第一党支部" in page.locator("#letter-coverage tr", has_text="组织建设").inner_text()
    open_letter(page, live_server, "第一党支部")
    page.get_by_role("link", name="下达", exact=True).click()
    page.get_by_role("button", name="保存").click()

    # The branch secretary signs; the item became the branch's task.
    sign_in(page, live_server, "zhibu1")
    open_letter(page, live_server, "第一党支部")
    page.get_by_role("link", name="签订", exact=True).click()
    page.get_by_label("签订地点").fill("支部活动室")
    page.get_by_role("button", name="保存").click()
    page.locator("#letter-items tr", has_text="组织建设").get_by_role("link", name="任务").click()
    page.get_by_role("link", name="报告进展").click()
    page.get_by_label("完成进度（%）").fill("100")
    page.get_by_label("进展情况").fill("标准化建设自查已完成")
    page.get_by_label("已完成，申请交办组织确认").check()
    report = tmp_path / "自查报告.pdf"
    report.write_bytes(PDF)
    page.get_by_label("佐证材料").set_input_files(str(report))
    page.get_by_role("button", name="保存").click()
    assert page.locator("#task-reports", has_text="自查报告.pdf").is_visible()
    assert page.locator("#task-status").inner_text() == "待确认"
    task_url = page.url

    # The 党总支, which issued the branch's letter, confirms completion.
    sign_in(page, live_server, "zongzhi")
    page.goto(task_url)
    page.get_by_role("link", name="确认完成").click()
    page.get_by_role("button", name="保存").click()
    assert page.locator("#task-status").inner_text() == "已完成"

    task = Task.objects.get(org=cast.branch1)
    assert task.status == Task.Status.DONE and task.issuer == cast.general_branch
    assert Letter.objects.get(recipient=cast.branch1).signer_name == "李书记"
    assert Evidence.objects.get().original_name == "自查报告.pdf"
