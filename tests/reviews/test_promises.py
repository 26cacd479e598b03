"""三诺一评 (EDU-04): the member makes their own promise and notes 践诺 from their own page;
the branch records 评诺 linked to its 民主评议; the card on the member's page; no ranking.
Bad input in Chinese, stale versions refused, scope and roles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhibu.meetings.models import Review as MemberReview
from zhibu.reviews import services
from zhibu.reviews.models import Promise, PromiseNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def promise(cast):
    return services.promise_make(
        member=cast.ordinary_member, year=2026, text="带头学习，帮扶一名困难群众"
    )


def test_the_member_makes_a_promise_from_their_own_page(login, cast):
    client = login(cast.ordinary)
    me = client.get(reverse("members:me"))
    assert "作出承诺" in me.content.decode()
    response = client.post(reverse("reviews:my_promise"), {"text": "按时参加组织生活"})
    assert response.status_code == 302
    promise = Promise.objects.get()
    assert promise.member == cast.ordinary_member and promise.org == cast.branch1
    assert promise.year == 2026
    assert "按时参加组织生活" in client.get(reverse("members:me")).content.decode()


def test_an_empty_promise_is_refused(login, cast):
    response = login(cast.ordinary).post(reverse("reviews:my_promise"), {"text": "  "})
    assert response.status_code == 200 and "请填写承诺内容" in response.content.decode()
    assert not Promise.objects.exists()


def test_one_promise_a_year(cast, promise):
    with pytest.raises(ValidationError) as exc:
        services.promise_make(member=cast.ordinary_member, year=2026, text="另一个")
    assert "已经作出2026年度的承诺" in " ".join(exc.value.messages)


def test_notes_of_keeping_the_promise(login, cast, promise):
    client = login(cast.ordinary)
    assert (
        client.post(
            reverse("reviews:my_note"), {"on": "2026-04-01", "text": "走访困难群众一次"}
        ).status_code
        == 302
    )
    bad = client.post(reverse("reviews:my_note"), {"on": "2025-12-01", "text": "去年的事"})
    assert "践诺日期应在承诺年度（2026年）内" in bad.content.decode()
    empty = client.post(reverse("reviews:my_note"), {"on": "2026-04-01", "text": ""})
    assert "请填写践诺情况" in empty.content.decode()
    assert PromiseNote.objects.count() == 1


def test_a_stale_promise_edit_is_refused(cast, promise, time_machine):
    read = promise.updated_at
    time_machine.shift(timedelta(seconds=3))
    services.promise_edit(promise=promise, text="新的承诺")
    with pytest.raises(ValidationError) as exc:
        services.promise_edit(promise=promise, text="旧页面的承诺", version=read)
    assert "您打开此页后" in " ".join(exc.value.messages)
    assert Promise.objects.get().text == "新的承诺"


def test_the_branch_records_the_evaluation_linked_to_its_member_review(login, cast, promise):
    member_review = MemberReview.objects.create(org=cast.branch1, year=2026, grades=["优秀"])
    client = login(cast.branch_secretary)
    page = client.get(reverse("reviews:promises") + "?year=2026")
    assert page.status_code == 200 and "带头学习" in page.content.decode()
    response = client.post(
        reverse("reviews:promise_evaluate", args=[promise.public_id]),
        {
            "evaluation": "good",
            "note": "践诺到位",
            "on": "2026-04-10",
            "version": promise.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302
    promise.refresh_from_db()
    assert promise.evaluation == "good" and promise.member_review == member_review
    # Evaluated: the member can no longer change it nor add notes.
    with pytest.raises(ValidationError):
        services.promise_edit(promise=promise, text="改")
    with pytest.raises(ValidationError):
        services.promise_note_add(promise=promise, on=date(2026, 4, 10), text="补")


def test_an_evaluation_outside_the_four_is_refused(login, cast, promise):
    response = login(cast.branch_secretary).post(
        reverse("reviews:promise_evaluate", args=[promise.public_id]),
        {"evaluation": "excellent", "on": "2026-04-10"},
    )
    assert (
        response.status_code == 200
        and "评诺等次只能是好、较好、一般、差之一" in response.content.decode()
    )
    assert Promise.objects.get().evaluation == ""


def test_roles_and_scope_on_promises(login, cast, promise):
    evaluate = reverse("reviews:promise_evaluate", args=[promise.public_id])
    assert login(cast.ordinary).get(reverse("reviews:promises")).status_code == 403
    assert login(cast.ordinary).get(evaluate).status_code == 403
    assert login(cast.outsider).get(evaluate).status_code == 404
    outsider_list = login(cast.outsider).get(reverse("reviews:promises") + "?year=2026")
    assert "带头学习" not in outsider_list.content.decode()


def test_the_list_shows_a_branch_without_promises_and_no_ranking(login, cast, promise):
    page = login(cast.party_secretary).get(reverse("reviews:promises") + "?year=2026")
    coverage = {b.name: made for b, _members, made in page.context["coverage"]}
    assert coverage == {"第一党支部": 1, "第二党支部": 0}
    assert "排名" not in page.content.decode().replace("不排名", "")


def test_a_member_without_a_record_gets_404(login, cast):
    from tests.factories import UserFactory

    assert (
        login(UserFactory(username="nobody")).get(reverse("reviews:my_promise")).status_code == 404
    )


def test_the_promises_page_pins_its_queries(login, cast, django_assert_max_num_queries):
    from tests.factories import make_member

    for i in range(10):
        member = make_member(cast.branch2, f"党员{i}", birth_date=date(1985, 1, 1 + i))
        promise = services.promise_make(member=member, year=2026, text=f"承诺{i}")
        services.promise_note_add(promise=promise, on=date(2026, 3, 1), text="践诺")
    client = login(cast.party_secretary)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("reviews:promises") + "?year=2026")
    assert len(page.context["promises"]) == 10
