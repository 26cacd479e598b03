"""The responsibility half of issue 16 in one browser journey (its done-when): the 党委
issues a letter → the 党总支 signs and passes an item down → the branch signs → the
branch's task falls overdue → the 党委 opens a 督办 on it from the task page → the branch
replies with a file → the 党委 accepts → the branch reports completion with a file → the
issuer (the 党总支) confirms; then the branch sends a 请示 to the 党委, which answers, and
the branch sees the answer. One test, so the pages are driven once (it replaces the
separate letters, task-督办 and 请示 journeys)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import open_letter, sign_in
from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.duties.models import Evidence, Letter, Request, Supervision, Task

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n% evidence\n"
SUBJECT = "关于调整党小组设置的请示"


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_letter_to_overdue_task_supervised_confirmed_then_a_request_answered(
    cast, live_server, page, private_media
):
    general = UserFactory(username="zongzhi", full_name="赵总支")
    grant(general, Role.SECRETARY, cast.general_branch)
    today = timezone.localdate()
    main = page.locator("main")

    # The 党委 drafts a 范本, loads the standard items and issues it to its 党总支.
    sign_in(page, live_server, "dangwei")
    page.get_by_role("link", name="责任书与任务").first.click()
    page.get_by_role("link", name="新建责任书").click()
    page.get_by_label("标题").fill(f"{today.year} 年度全面从严治党主体责任书")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="载入标准分项").click()
    expect(page.locator("#letter-items tbody tr")).to_have_count(6)
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
    page.wait_for_url("**/duties/tasks/*/")
    task_url = page.url

    # The task falls overdue (its time limit passes without a report).
    Task.objects.filter(org=cast.branch1).update(due=today - timedelta(days=1))

    # The 党委 sees it overdue and opens a 督办 from the task page.
    sign_in(page, live_server, "dangwei")
    page.goto(task_url)
    assert page.locator("#task-status").inner_text() == "逾期"
    page.get_by_role("link", name="督办", exact=True).click()
    page.get_by_label("督办要求").fill("任务已逾期，请报告进展并附佐证")
    page.get_by_label("回复时限（工作日）").fill("3")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/duties/supervisions/*/")
    assert "任务已逾期，请报告进展并附佐证" in main.inner_text()
    supervision = Supervision.objects.get()
    assert supervision.target_ref == f"task:{Task.objects.get(org=cast.branch1).public_id}"

    # The branch finds the 督办 on its task page and replies with a file.
    sign_in(page, live_server, "zhibu1")
    page.goto(task_url)
    page.locator("main li", has_text="集团党委").get_by_role("link").click()
    page.get_by_role("link", name="回复督办").click()
    page.get_by_label("回复内容").fill("已召开支委会部署，标准化自查下周完成")
    page.get_by_label("佐证材料文件").set_input_files([pdf("支委会纪要.pdf")])
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/duties/supervisions/{supervision.public_id}/")
    assert "支委会纪要.pdf" in main.inner_text()

    # The 党委 accepts the reply.
    sign_in(page, live_server, "dangwei")
    page.goto(f"{live_server.url}/duties/supervisions/{supervision.public_id}/")
    page.get_by_role("link", name="审核回复").click()
    page.get_by_label("审核结论").select_option("1")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/duties/supervisions/{supervision.public_id}/")
    assert "已办结" in main.inner_text()

    # The branch reports completion with a file ...
    sign_in(page, live_server, "zhibu1")
    page.goto(task_url)
    page.get_by_role("link", name="报告进展").click()
    page.get_by_label("完成进度（%）").fill("100")
    page.get_by_label("进展情况").fill("标准化建设自查已完成")
    page.get_by_label("已完成，申请交办组织确认").check()
    page.get_by_label("佐证材料").set_input_files([pdf("自查报告.pdf")])
    page.get_by_role("button", name="保存").click()
    reports = page.locator("#task-reports")
    assert reports.locator("tr", has_text="自查报告.pdf").filter(has_text="申请确认").is_visible()
    # Still past its time limit until the issuer confirms it.
    assert page.locator("#task-status").inner_text() == "逾期"

    # ... and the 党总支, which issued the branch's letter, confirms it.
    sign_in(page, live_server, "zongzhi")
    page.goto(task_url)
    page.get_by_role("link", name="确认完成").click()
    page.get_by_role("button", name="保存").click()
    assert page.locator("#task-status").inner_text() == "已完成"

    task = Task.objects.get(org=cast.branch1)
    assert task.status == Task.Status.DONE and task.issuer == cast.general_branch
    assert Letter.objects.get(recipient=cast.branch1).signer_name == "李书记"
    assert Supervision.objects.get().status == Supervision.Status.CLOSED
    assert {e.original_name for e in Evidence.objects.all()} == {"支委会纪要.pdf", "自查报告.pdf"}

    # The branch sends a 请示 to the 党委 (越级, with its reason) ...
    sign_in(page, live_server, "zhibu1")
    page.goto(f"{live_server.url}/duties/requests/org/{cast.branch1.public_id}/new/")
    page.get_by_label("文种").select_option(label="请示")
    page.get_by_label("主送组织").select_option(label="集团党委")
    page.get_by_label("越级报送理由").fill("党小组设置调整须经党委批准")
    page.get_by_label("标题（事项）").fill(SUBJECT)
    page.get_by_label("正文").fill("因生产班组调整，拟将第一党小组分设为两个党小组。妥否，请批示。")
    page.get_by_label("紧急程度").select_option(label="紧急")
    page.get_by_label("签发人").fill("李书记")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(lambda u: "/duties/requests/" in u and "/new/" not in u)
    page.get_by_role("button", name="报送").click()
    page.get_by_text("已报送。").wait_for()
    request_url = page.url
    assert Request.objects.get().status == Request.Status.SENT

    # ... the 党委 answers it from its inbox ...
    sign_in(page, live_server, "dangwei")
    page.goto(live_server.url + "/duties/requests/")
    page.get_by_role("link", name=SUBJECT).click()
    page.get_by_label("答复意见").fill("同意分设，请按程序选举党小组长。")
    page.get_by_role("button", name="提交答复").click()
    page.get_by_text("已答复。").wait_for()

    # ... and the branch reads the answer.
    sign_in(page, live_server, "zhibu1")
    page.goto(request_url)
    assert "同意分设，请按程序选举党小组长。" in page.get_by_test_id("answer").inner_text()
    assert page.get_by_text("已答复", exact=True).count() >= 1
