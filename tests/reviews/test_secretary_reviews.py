"""述职评议 (RESP-03): opening a review follows the tree (the committee directly above, the
secretary from the post held that day); each listed evaluator grades once; the tally
follows the local threshold; 点评 then 评定; the rectification list enters the duties loop.
Bad input is refused in Chinese with nothing written; stale versions are refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_member
from zhibu.core.models import AuditEvent
from zhibu.core.versioning import version_of
from zhibu.duties.models import Rectification
from zhibu.reviews import services
from zhibu.reviews.models import Evaluator, Grade, SecretaryReview

pytestmark = pytest.mark.django_db


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_opening_a_review_takes_the_secretary_from_the_post_held_that_day(review, cast):
    assert review.organiser == cast.general_branch
    assert review.secretary == cast.secretary_member
    assert sorted(e.member_id for e in review.evaluators.all()) == sorted(
        [cast.ordinary_member.pk, cast.branch2_member.pk]
    )


def test_a_review_for_an_org_outside_the_direct_subordinates_is_refused(cast, general_secretary):
    with pytest.raises(ValidationError) as exc:
        services.review_open(
            organiser=cast.committee,
            org=cast.branch1,  # a grandchild of the 党委: the 总支 organises its review
            year=2025,
            report="述职",
            evaluators=[cast.ordinary_member],
        )
    assert "不是集团党委的直接下级" in messages_of(exc.value)
    assert not SecretaryReview.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"report": "  "}, "请填写述职报告"),
        ({"evaluators": []}, "请至少列出一名评议人"),
        ({"year": 2027}, "述职年度不能晚于今年"),
        ({"meeting_on": date(2026, 5, 1)}, "日期不能晚于今天"),
    ],
)
def test_bad_input_opening_a_review_writes_nothing(cast, change, expected):
    data = {
        "organiser": cast.general_branch,
        "org": cast.branch1,
        "year": 2025,
        "report": "述职",
        "evaluators": [cast.ordinary_member],
        **change,
    }
    with pytest.raises(ValidationError) as exc:
        services.review_open(**data)
    assert expected in messages_of(exc.value)
    assert not SecretaryReview.objects.exists() and not Evaluator.objects.exists()


def test_the_secretary_cannot_evaluate_themself_nor_can_an_outsider(cast):
    for evaluators, expected in (
        ([cast.secretary_member], "述职书记本人不能作为评议人"),
        ([cast.other_member], "钱党员不符合"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.review_open(
                organiser=cast.general_branch,
                org=cast.branch1,
                year=2025,
                report="述职",
                evaluators=evaluators,
            )
        assert expected in messages_of(exc.value)
    assert not SecretaryReview.objects.exists()


def test_an_org_without_a_secretary_has_nobody_to_review(cast):
    with pytest.raises(ValidationError) as exc:
        services.review_open(
            organiser=cast.general_branch,
            org=cast.branch2,
            year=2025,
            report="述职",
            evaluators=[cast.ordinary_member],
        )
    assert "没有在任书记" in messages_of(exc.value)


def test_one_review_per_org_and_year(review, cast):
    with pytest.raises(ValidationError) as exc:
        services.review_open(
            organiser=cast.general_branch,
            org=cast.branch1,
            year=2025,
            report="又一次",
            evaluators=[cast.ordinary_member],
        )
    assert "已经建立" in messages_of(exc.value)
    assert SecretaryReview.objects.count() == 1


def test_each_evaluator_grades_once(review, cast):
    services.grade_record(
        review=review, member=cast.ordinary_member, grade=Grade.GOOD, by=cast.ordinary
    )
    with pytest.raises(ValidationError) as exc:
        services.grade_record(
            review=review, member=cast.ordinary_member, grade=Grade.POOR, by=cast.ordinary
        )
    assert "只能评价一次" in messages_of(exc.value)
    assert Evaluator.objects.get(member=cast.ordinary_member).grade == Grade.GOOD


def test_a_grade_outside_the_four_is_refused(review, cast):
    with pytest.raises(ValidationError) as exc:
        services.grade_record(
            review=review, member=cast.ordinary_member, grade="excellent", by=cast.ordinary
        )
    assert "好、较好、一般、差" in messages_of(exc.value)
    assert not Evaluator.objects.exclude(grade="").exists()


def test_an_evaluator_not_on_the_list_is_refused(review, cast, general_secretary):
    stranger = make_member(cast.branch2, "孙党员", birth_date=date(1990, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.grade_record(
            review=review, member=stranger, grade=Grade.GOOD, by=general_secretary
        )
    assert "不在该述职评议的评议人名单中" in messages_of(exc.value)


def test_nobody_grades_in_another_evaluators_name(review, cast):
    with pytest.raises(PermissionDenied):
        services.grade_record(
            review=review, member=cast.branch2_member, grade=Grade.GOOD, by=cast.ordinary
        )
    assert not Evaluator.objects.exclude(grade="").exists()


def test_a_stale_grading_form_is_refused(review, cast, general_secretary, time_machine):
    row = Evaluator.objects.get(member=cast.ordinary_member)
    read = row.updated_at
    time_machine.shift(timedelta(seconds=5))
    row.comment = "（组织方补充）"
    row.save()
    with pytest.raises(ValidationError) as exc:
        services.grade_record(
            review=review,
            member=cast.ordinary_member,
            grade=Grade.GOOD,
            by=cast.ordinary,
            version=read,
        )
    assert "您打开此页后" in messages_of(exc.value)
    assert Evaluator.objects.get(pk=row.pk).grade == ""


@pytest.mark.parametrize(
    ("grades", "threshold", "result"),
    [
        (["good", "good", "fairly_good"], 50, "good"),
        (["good", "fairly_good", "average", "average"], 50, "average"),
        (["good", "fairly_good", "fairly_good", "poor"], 50, "fairly_good"),
        (["good", "good", "fairly_good", "average"], 50, "fairly_good"),  # 好 50%: not more
        (["good", "good", "good", "fairly_good"], 80, "fairly_good"),
        (["poor", "poor", "average"], 50, "poor"),
        ([], 50, ""),
    ],
)
def test_the_tally_takes_the_best_grade_with_more_than_the_threshold(grades, threshold, result):
    tally = services.tally_of(grades, listed=len(grades), threshold=threshold)
    assert tally.result == result
    assert sum(tally.counts.values()) == len(grades)


def test_remarks_then_finish_fixes_the_tally_and_audits(review, cast, general_secretary):
    services.grade_record(
        review=review, member=cast.ordinary_member, grade=Grade.GOOD, by=cast.ordinary
    )
    services.grade_record(
        review=review,
        member=cast.branch2_member,
        grade=Grade.FAIRLY_GOOD,
        comment="纸质票",
        by=general_secretary,
    )
    with pytest.raises(ValidationError) as exc:
        services.review_finish(review=review, on=date(2026, 4, 10), by=general_secretary)
    assert "请先填写点评意见" in messages_of(exc.value)
    services.review_remark(
        review=review,
        remarks="抓党建思路清晰，发展党员偏慢。",
        on=date(2026, 4, 10),
        by=general_secretary,
    )
    review.refresh_from_db()
    done = services.review_finish(
        review=review, on=date(2026, 4, 10), by=general_secretary, version=review.updated_at
    )
    assert done.status == SecretaryReview.Status.FINISHED
    assert done.result == Grade.FAIRLY_GOOD  # 好 1 of 2 is not more than half
    assert done.tally["counts"] == {"good": 1, "fairly_good": 1, "average": 0, "poor": 0}
    assert AuditEvent.objects.filter(object_id=str(review.public_id)).exists()
    with pytest.raises(ValidationError) as exc:
        services.review_remark(
            review=done, remarks="再改", on=date(2026, 4, 10), by=general_secretary
        )
    assert "已评定" in messages_of(exc.value)


def test_a_stale_remark_is_refused(review, general_secretary, time_machine):
    read = review.updated_at
    time_machine.shift(timedelta(seconds=5))
    services.review_remark(
        review=review, remarks="第一次", on=date(2026, 4, 1), by=general_secretary
    )
    with pytest.raises(ValidationError) as exc:
        services.review_remark(
            review=review, remarks="第二次", on=date(2026, 4, 1), by=general_secretary, version=read
        )
    assert "您打开此页后" in messages_of(exc.value)
    review.refresh_from_db()
    assert review.remarks == "第一次"


def test_the_rectification_list_enters_the_duties_loop(review, cast, general_secretary):
    item = services.review_rectification_add(
        review=review,
        problem="发展党员工作偏慢",
        measure="制定年度发展计划",
        deadline=date(2026, 9, 30),
        by=general_secretary,
    )
    assert item.source == Rectification.Source.REVIEW
    assert item.org == cast.branch1 and item.owner == cast.secretary_member
    assert item.source_ref == services.review_ref(review)
    with pytest.raises(ValidationError):
        services.review_rectification_add(
            review=review, problem=" ", measure="x", deadline=date(2026, 9, 30)
        )
    assert Rectification.objects.count() == 1


def test_version_of_review_is_its_updated_at(review):
    assert version_of(review) == review.updated_at.isoformat()
