"""Issue 17's 述职评议 and 三诺一评 in one browser journey: the 党总支 opens last year's
review of its 第一党支部's secretary with the report and a file → a listed evaluator (an
ordinary member) grades from their own page, once → the 党总支 comments, grades (评定) and
lists a rectification item → the member makes this year's promise and notes 践诺 from
their own page → the branch records the 评诺."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.e2e.helpers import sign_in
from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.duties.models import Evidence, Rectification
from zhibu.reviews.models import Evaluator, Promise, SecretaryReview

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n% report\n"


def test_review_graded_commented_rectified_then_a_promise_kept_and_evaluated(
    cast, live_server, page, private_media
):
    general = UserFactory(username="zongzhi", full_name="赵总支")
    grant(general, Role.SECRETARY, cast.general_branch)
    today = timezone.localdate()
    main = page.locator("main")

    # The 党总支 opens the review of 第一党支部's secretary from the pending list.
    sign_in(page, live_server, "zongzhi")
    page.get_by_role("link", name="述职评议").first.click()
    main.locator("li", has_text="第一党支部").get_by_role("link", name="组织述职评议").click()
    page.get_by_label("述职报告", exact=True).fill("一年来，支部坚持三会一课，按期换届。")
    page.get_by_label("评议会日期").fill(today.isoformat())
    page.get_by_label("评议会地点").fill("总支会议室")
    page.get_by_label("评议人").select_option(label="王党员（第一党支部）")
    page.get_by_label("述职报告附件").set_input_files(
        [{"name": "述职报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/reviews/*/")
    assert "李书记" in main.inner_text()
    review = SecretaryReview.objects.get()
    assert Evidence.objects.filter(ref=f"secretary_review:{review.public_id}").count() == 1

    # The evaluator, an ordinary member, grades from their own page — once.
    sign_in(page, live_server, "dangyuan")
    page.goto(live_server.url + "/members/me/")
    page.locator("#zb-promise-card").get_by_role("link", name=str(review)).click()
    assert "三会一课" in main.inner_text()
    page.get_by_label("好", exact=True).check()
    page.get_by_label("评价意见").fill("作风扎实")
    page.get_by_role("button", name="提交评价").click()
    assert "您已评价：好" in main.inner_text()
    assert Evaluator.objects.get().grade == "good"

    # The member makes this year's promise and notes what they did.
    page.goto(live_server.url + "/members/me/")
    page.get_by_role("link", name="作出承诺").click()
    page.get_by_label("承诺内容").fill("带头学习，帮扶一名困难群众")
    page.get_by_role("button", name="保存").click()
    assert "带头学习" in page.locator("#zb-promise-card").inner_text()
    page.get_by_role("link", name="记录践诺").click()
    page.get_by_label("践诺情况").fill("走访困难群众一次")
    page.get_by_role("button", name="保存").click()
    assert "走访困难群众一次" in page.locator("#zb-promise-card").inner_text()

    # The 党总支 comments, grades (评定) and lists a rectification item.
    sign_in(page, live_server, "zongzhi")
    page.goto(live_server.url + f"/reviews/{review.public_id}/")
    page.get_by_label("点评意见").fill("思路清晰，发展党员偏慢。")
    page.get_by_role("button", name="保存点评").click()
    page.get_by_role("button", name="评定", exact=True).click()
    assert "已评定：好" in main.inner_text()
    page.get_by_label("问题").fill("发展党员工作偏慢")
    page.get_by_label("整改措施").fill("制定年度发展计划")
    page.get_by_label("整改期限").fill(
        (today.replace(day=1)).replace(year=today.year + 1).isoformat()
    )
    page.get_by_role("button", name="列入整改清单").click()
    assert "发展党员工作偏慢" in page.locator("#zb-rectifications").inner_text()
    assert Rectification.objects.get().source == "review"

    # The branch records the 评诺 at its 民主评议.
    sign_in(page, live_server, "zhibu1")
    page.goto(live_server.url + "/reviews/promises/")
    page.locator("#zb-promises tr", has_text="王党员").get_by_role("link", name="评诺").click()
    page.get_by_label("评诺等次").select_option(label="好")
    page.get_by_label("评诺意见").fill("践诺到位")
    page.get_by_role("button", name="保存").click()
    assert "践诺到位" in page.locator("#zb-promises").inner_text()
    assert Promise.objects.get().evaluation == "good"
