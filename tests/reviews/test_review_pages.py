"""The 述职评议 pages: the year's list, opening a review, the detail with grading, 点评,
评定 and the rectification list, the evaluator's own page, PDF and Excel. Each role's
permission, out-of-scope 404, bad input in Chinese with nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory
from zhibu.core.models import AuditEvent
from zhibu.duties.models import Rectification
from zhibu.reviews import services
from zhibu.reviews.models import Evaluator, Grade, SecretaryReview

pytestmark = pytest.mark.django_db


def url(name, review=None):
    return reverse(f"reviews:{name}", args=[review.public_id] if review else [])


def test_the_index_lists_the_years_reviews_and_whats_pending(login, review, general_secretary):
    page = login(general_secretary).get(url("index") + "?year=2025")
    assert page.status_code == 200
    text = page.content.decode()
    assert "第一党支部" in text and "李书记" in text
    # 第二党支部 has no review yet: offered to the organiser.
    assert [org.name for _o, org in page.context["pending"]] == ["第二党支部"]


def test_the_index_pins_its_queries(
    login, review, cast, general_secretary, django_assert_max_num_queries
):
    client = login(general_secretary)
    with django_assert_max_num_queries(14):
        client.get(url("index") + "?year=2025")


def test_an_ordinary_member_without_actions_gets_403(login, review, cast):
    client = login(cast.ordinary)
    assert client.get(url("index")).status_code == 403
    assert client.get(url("detail", review)).status_code == 403


def test_an_outsider_gets_404_on_the_review(login, review, cast):
    client = login(cast.outsider)
    assert client.get(url("detail", review)).status_code == 404
    assert client.get(url("pdf", review)).status_code == 404
    assert (
        client.post(url("remark", review), {"remarks": "x", "on": "2026-04-10"}).status_code == 404
    )
    assert SecretaryReview.objects.get().remarks == ""


def test_the_reviewed_branch_sees_its_review_but_cannot_manage_it(login, review, cast):
    client = login(cast.branch_secretary)
    page = client.get(url("detail", review))
    assert page.status_code == 200
    assert "remark_form" not in page.context
    # assessment.manage is a committee's action: the branch holds it nowhere.
    assert (
        client.post(url("remark", review), {"remarks": "x", "on": "2026-04-10"}).status_code == 403
    )
    assert client.get(url("pdf", review)).status_code == 403


def test_login_is_required(client, review):
    response = client.get(url("detail", review))
    assert response.status_code == 302 and "login" in response["Location"]


def test_opening_a_review_from_the_page(login, cast, general_secretary):
    client = login(general_secretary)
    form = client.get(url("new") + f"?organiser={cast.general_branch.public_id}")
    assert form.status_code == 200
    response = client.post(
        url("new") + f"?organiser={cast.general_branch.public_id}",
        {
            "organiser": str(cast.general_branch.public_id),
            "org": str(cast.branch1.public_id),
            "year": "2025",
            "report": "述职报告正文",
            "meeting_on": "2026-03-20",
            "meeting_place": "会议室",
            "evaluators": [str(cast.ordinary_member.public_id)],
        },
    )
    review = SecretaryReview.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", review)
    assert review.secretary == cast.secretary_member


def test_opening_with_bad_input_shows_chinese_errors_and_writes_nothing(
    login, cast, general_secretary
):
    client = login(general_secretary)
    response = client.post(
        url("new"),
        {
            "organiser": str(cast.general_branch.public_id),
            "org": str(cast.branch1.public_id),
            "year": "2025",
            "report": "述职",
            "evaluators": [str(cast.secretary_member.public_id)],
        },
    )
    assert response.status_code == 200
    assert "述职书记本人不能作为评议人" in response.content.decode()
    assert not SecretaryReview.objects.exists()


def test_the_evaluator_grades_once_from_their_own_page(login, review, cast):
    client = login(cast.ordinary)  # an ordinary member: no org-wide action at all
    evaluator = Evaluator.objects.get(member=cast.ordinary_member)
    page = client.get(url("grade", review))
    assert page.status_code == 200 and "一年来" in page.content.decode()
    response = client.post(
        url("grade", review),
        {"grade": "good", "comment": "作风扎实", "version": evaluator.updated_at.isoformat()},
    )
    assert response.status_code == 302
    evaluator.refresh_from_db()
    assert evaluator.grade == Grade.GOOD and evaluator.graded_by == cast.ordinary
    again = client.post(url("grade", review), {"grade": "poor"}, follow=True)
    assert "只能评价一次" in again.content.decode() and again.context["form"] is None
    assert Evaluator.objects.get(pk=evaluator.pk).grade == Grade.GOOD


def test_a_grade_outside_the_four_is_refused_on_the_page(login, review, cast):
    response = login(cast.ordinary).post(url("grade", review), {"grade": "excellent"})
    assert response.status_code == 400
    assert "评价等次只能是好、较好、一般、差之一" in response.content.decode()
    assert not Evaluator.objects.exclude(grade="").exists()


def test_someone_not_on_the_list_gets_404_on_the_grading_page(login, review, cast):
    assert login(cast.branch_secretary).get(url("grade", review)).status_code == 404
    assert login(cast.outsider).post(url("grade", review), {"grade": "good"}).status_code == 404


def test_a_stale_grading_page_is_refused(login, review, cast, time_machine):
    evaluator = Evaluator.objects.get(member=cast.ordinary_member)
    read = evaluator.updated_at.isoformat()
    time_machine.shift(timedelta(seconds=3))
    evaluator.comment = "组织方改动"
    evaluator.save()
    response = login(cast.ordinary).post(url("grade", review), {"grade": "good", "version": read})
    assert response.status_code == 400 and "您打开此页后" in response.content.decode()
    assert Evaluator.objects.get(pk=evaluator.pk).grade == ""


def test_the_organiser_records_a_paper_ballot_remarks_and_finishes(
    login, review, cast, general_secretary
):
    client = login(general_secretary)
    paper = Evaluator.objects.get(member=cast.branch2_member)
    assert (
        client.post(
            url("record_grade", review), {"evaluator": str(paper.public_id), "grade": "fairly_good"}
        ).status_code
        == 302
    )
    review.refresh_from_db()
    assert (
        client.post(
            url("remark", review),
            {"remarks": "点评意见", "on": "2026-04-10", "version": review.updated_at.isoformat()},
        ).status_code
        == 302
    )
    review.refresh_from_db()
    response = client.post(
        url("finish", review), {"on": "2026-04-10", "version": review.updated_at.isoformat()}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.result == Grade.FAIRLY_GOOD and not review.is_open
    detail = client.get(url("detail", review)).content.decode()
    assert "较好" in detail


def test_a_stale_finish_is_refused(login, review, cast, general_secretary, time_machine):
    read = review.updated_at.isoformat()
    time_machine.shift(timedelta(seconds=3))
    services.review_remark(
        review=review, remarks="点评", on=date(2026, 4, 10), by=general_secretary
    )
    services.grade_record(
        review=review, member=cast.branch2_member, grade="good", by=general_secretary
    )
    response = login(general_secretary).post(
        url("finish", review), {"on": "2026-04-10", "version": read}
    )
    assert response.status_code == 400 and "您打开此页后" in response.content.decode()
    assert SecretaryReview.objects.get().is_open


def test_the_rectification_list_from_the_page(login, review, general_secretary):
    client = login(general_secretary)
    bad = client.post(url("rectification", review), {"problem": "", "measure": "x"})
    assert bad.status_code == 400 and not Rectification.objects.exists()
    response = client.post(
        url("rectification", review),
        {"problem": "组织生活不够规范", "measure": "严格落实三会一课", "deadline": "2026-08-31"},
    )
    assert response.status_code == 302
    item = Rectification.objects.get()
    assert item.source == Rectification.Source.REVIEW
    assert "组织生活不够规范" in client.get(url("detail", review)).content.decode()


def test_the_pdf_and_the_excel(login, review, cast, general_secretary):
    client = login(general_secretary)
    services.grade_record(
        review=review, member=cast.ordinary_member, grade="good", by=cast.ordinary
    )
    pdf = client.get(url("pdf", review))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(url("export") + "?year=2025")
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("年度", "组织评议的党组织", "述职的党组织", "述职书记")
    assert rows[1][2] == "第一党支部" and rows[1][5] == 2 and rows[1][6] == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_a_read_only_viewer_cannot_open_a_review(login, cast):
    viewer = UserFactory(username="viewer")
    from tests.factories import grant
    from zhibu.accounts.models import Role

    grant(viewer, Role.PUBLICITY, cast.general_branch)
    client = login(viewer)
    assert client.get(url("index")).status_code == 200
    assert client.get(url("new")).status_code == 403


def test_editing_the_report_checks_the_version(login, review, general_secretary, time_machine):
    client = login(general_secretary)
    page = client.get(url("edit", review))
    assert page.status_code == 200
    read = review.updated_at.isoformat()
    empty = client.post(url("edit", review), {"report": "", "version": read})
    assert empty.status_code == 200 and empty.context["form"].errors["report"]
    time_machine.shift(timedelta(seconds=3))
    services.review_remark(
        review=review, remarks="点评", on=date(2026, 4, 10), by=general_secretary
    )
    stale = client.post(url("edit", review), {"report": "新报告", "version": read})
    assert "您打开此页后" in stale.content.decode()
    assert SecretaryReview.objects.get().report.startswith("一年来")
    review.refresh_from_db()
    ok = client.post(
        url("edit", review),
        {
            "report": "新报告",
            "meeting_place": "党委会议室",
            "version": review.updated_at.isoformat(),
        },
    )
    assert ok.status_code == 302 and SecretaryReview.objects.get().report == "新报告"


def test_a_bad_attachment_is_refused_and_nothing_is_written(
    login, cast, general_secretary, private_media
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(general_secretary).post(
        url("new"),
        {
            "organiser": str(cast.general_branch.public_id),
            "org": str(cast.branch1.public_id),
            "year": "2025",
            "report": "述职",
            "evaluators": [str(cast.ordinary_member.public_id)],
            "attachments": [SimpleUploadedFile("x.pdf", b"not a pdf at all", "application/pdf")],
        },
    )
    assert response.status_code == 200
    assert not SecretaryReview.objects.exists()
