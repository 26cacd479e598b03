"""真实性核查 pages: the list in scope, the detail with the two minutes side by side, the
verdict (已核实 / 已说明) with its history and version check, and who may see what."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import UserFactory, grant, make_member, record_meeting
from tests.integrity.test_rules import COPY, MINUTES, Y2025
from zhibu.accounts.models import Role
from zhibu.core.rules.models import Finding
from zhibu.integrity import services
from zhibu.integrity.models import FlagReview
from zhibu.rulebook.run import rules_run

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 30)


@pytest.fixture
def flagged(cast):
    make_member(cast.branch2, "孙党员", birth_date=date(1990, 3, 3))
    make_member(cast.branch2, "赵支书", birth_date=date(1975, 3, 3))
    first = record_meeting(cast.branch1, date(2025, 8, 20), ["theme_day"], minutes=MINUTES)
    copy = record_meeting(cast.branch2, date(2025, 9, 18), ["theme_day"], minutes=COPY)
    rules_run(root=cast.committee, period=Y2025, today=TODAY, codes=["DQ-06"])
    finding = Finding.objects.get(rule_code="DQ-06")
    return finding, first, copy


@pytest.fixture
def inspector2(cast):
    """The 纪检委员 of 第二党支部: integrity.review over that branch only."""
    user = UserFactory(username="jijian2", full_name="纪检委员")
    grant(user, Role.DISCIPLINE, cast.branch2)
    return user


def url(finding):
    return reverse("integrity:detail", args=[finding.pk])


def test_the_committee_sees_the_copy_with_both_minutes_side_by_side(client, cast, flagged):
    finding, first, copy = flagged
    client.force_login(cast.party_secretary)
    page = client.get(reverse("integrity:index")).content.decode()
    assert url(finding) in page and "第二党支部" in page and "待核查" in page
    detail = client.get(url(finding)).content.decode()
    assert 'id="side-by-side"' in detail
    assert "赵支书主持" in detail and "李书记主持" in detail  # both texts
    assert detail.index(str(copy.public_id)) < detail.index(str(first.public_id))


def test_a_branch_inspector_sees_its_flag_but_not_the_other_branchs_minutes(
    client, cast, flagged, inspector2
):
    finding, first, _copy = flagged
    client.force_login(inspector2)
    detail = client.get(url(finding)).content.decode()
    assert "赵支书主持" in detail and "李书记主持" not in detail
    assert str(first.public_id) not in detail and "权限范围之外" in detail


def test_others_get_404_and_members_without_the_action_403(client, cast, flagged):
    finding, _first, _copy = flagged
    client.force_login(cast.outsider)  # the secretary of another 党委
    assert client.get(url(finding)).status_code == 404
    assert url(finding) not in client.get(reverse("integrity:index")).content.decode()
    client.force_login(cast.ordinary)  # a member
    assert client.get(reverse("integrity:index")).status_code == 403
    inspector1 = UserFactory(username="jijian1")
    grant(inspector1, Role.DISCIPLINE, cast.branch1)
    client.force_login(inspector1)
    assert client.get(url(finding)).status_code == 404
    assert client.post(url(finding), {"state": "verified"}).status_code == 404
    assert "第二党支部" not in client.get(reverse("integrity:index")).content.decode()
    client.force_login(cast.branch_secretary)  # a branch lead, not an inspector
    assert client.get(url(finding)).status_code == 403
    assert not FlagReview.objects.exists()
    client.logout()
    assert client.get(url(finding)).status_code == 302


def test_marking_explained_needs_a_reason_and_is_kept_in_history(client, cast, flagged):
    finding, _first, _copy = flagged
    client.force_login(cast.party_secretary)
    response = client.post(url(finding), {"state": "explained", "reason": "  "})
    assert response.status_code == 400
    assert str(services.REASON_REQUIRED) in response.content.decode()
    assert not FlagReview.objects.exists()
    response = client.post(url(finding), {"state": "proven"})
    assert response.status_code == 400 and not FlagReview.objects.exists()
    response = client.post(url(finding), {"state": "verified"})
    assert response.status_code == 302
    review = FlagReview.objects.get()
    assert review.state == "verified" and review.reviewed_by == cast.party_secretary
    response = client.post(
        url(finding),
        {
            "state": "explained",
            "reason": "两支部联合召开",
            "version": review.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == "explained" and review.reason == "两支部联合召开"
    assert review.history.count() == 2
    page = client.get(url(finding)).content.decode()
    assert "已说明" in page and "两支部联合召开" in page
    listed = client.get(reverse("integrity:index") + "?state=explained").content.decode()
    assert url(finding) in listed
    assert (
        url(finding) not in client.get(reverse("integrity:index") + "?state=open").content.decode()
    )


def test_a_stale_verdict_is_refused_and_nothing_changes(client, cast, flagged):
    finding, _first, _copy = flagged
    review = services.flag_mark(finding=finding, state="verified", by=cast.party_secretary)
    old = review.updated_at.isoformat()
    services.flag_mark(
        finding=finding,
        state="explained",
        reason="已核对签到表",
        by=cast.party_secretary,
        version=review.updated_at,
    )
    client.force_login(cast.party_secretary)
    response = client.post(url(finding), {"state": "verified", "version": old})
    assert response.status_code == 400 and "您的修改未保存" in response.content.decode()
    assert FlagReview.objects.get().state == "explained"


def test_the_verdict_survives_the_nightly_run_recreating_the_finding(cast, flagged):
    finding, _first, _copy = flagged
    services.flag_mark(finding=finding, state="verified", by=cast.party_secretary)
    Finding.objects.all().delete()
    rules_run(root=cast.committee, period=Y2025, today=TODAY, codes=["DQ-06"], full=True)
    again = Finding.objects.get(rule_code="DQ-06")
    from zhibu.integrity.selectors import reviews_of

    assert reviews_of([again])[FlagReview.key_of(again)].state == "verified"


def test_the_list_costs_a_fixed_number_of_queries(
    client, cast, flagged, django_assert_max_num_queries
):
    client.force_login(cast.party_secretary)
    with django_assert_max_num_queries(12):
        client.get(reverse("integrity:index"))
