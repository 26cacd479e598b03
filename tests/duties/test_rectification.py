"""Rectification items (RESP-05): problem → measure → owner → deadline → evidence → 销号 →
复查 by the level above; who sees what and bad input."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.duties.models import Rectification
from zhibu.duties.services import rectification as services

pytestmark = pytest.mark.django_db
TODAY = date(2025, 9, 30)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2025, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def item(cast):
    return services.rectification_create(
        org=cast.branch1,
        problem="三会一课记录不规范",
        measure="按模板补齐记录",
        deadline=date(2025, 12, 31),
        owner=cast.secretary_member,
        source=Rectification.Source.LIFE_MEETING,
        today=TODAY,
    )


@pytest.fixture
def inspector(cast):
    user = UserFactory(username="jijian-duties")
    grant(user, Role.DISCIPLINE, cast.committee)
    return user


def url(name, obj):
    return reverse(f"duties:{name}", args=[obj.public_id])


def test_the_list_is_scoped_and_its_queries_pinned(
    cast, login, item, django_assert_max_num_queries
):
    for i in range(10):
        services.rectification_create(
            org=cast.branch1,
            problem=f"问题{i}",
            measure="措施",
            deadline=date(2025, 12, 1),
            today=TODAY,
        )
    services.rectification_create(
        org=cast.branch2,
        problem="二支部的问题",
        measure="措施",
        deadline=date(2025, 12, 1),
        today=TODAY,
    )
    client = login(cast.branch_secretary)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("duties:list")).content.decode()
    assert "三会一课记录不规范" in body and "问题9" in body and "二支部的问题" not in body
    assert (
        "二支部的问题" in login(cast.party_secretary).get(reverse("duties:list")).content.decode()
    )


def test_close_with_evidence_then_recheck_by_the_level_above(cast, login, item):
    secretary = login(cast.branch_secretary)
    assert secretary.get(url("detail", item)).status_code == 200
    response = secretary.post(
        url("close", item), {"evidence": "已补齐 9 月记录并上传签到表", "on": "2025-09-30"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_by == cast.branch_secretary
    # The branch cannot re-check its own work.
    assert (
        secretary.post(url("recheck", item), {"passed": "1", "on": "2025-09-30"}).status_code == 403
    )
    party = login(cast.party_secretary)
    response = party.post(
        url("recheck", item), {"passed": "0", "on": "2025-09-30", "note": "签到表不全"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.reopened, item.recheck_note) == ("open", 1, "签到表不全")
    services.rectification_close(item=item, evidence="补充签到表", on=TODAY, today=TODAY)
    party.post(url("recheck", item), {"passed": "1", "on": "2025-09-30"})
    item.refresh_from_db()
    assert item.status == "verified" and item.rechecked_by == cast.party_secretary
    assert "复查通过" in party.get(url("detail", item)).content.decode()


def test_closing_without_evidence_is_refused(cast, login, item):
    response = login(cast.branch_secretary).post(
        url("close", item), {"evidence": " ", "on": "2025-09-30"}
    )
    assert response.status_code == 200
    # Text or files: with neither, the rule is cited (RESP-05).
    assert "销号须有整改成效说明或佐证材料文件（RESP-05" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"


def test_a_failed_recheck_needs_a_note(cast, login, item):
    services.rectification_close(item=item, evidence="已整改", on=TODAY, today=TODAY)
    response = login(cast.party_secretary).post(
        url("recheck", item), {"passed": "0", "on": "2025-09-30"}
    )
    assert "复查未通过时请写明复查意见" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "closed"


def test_access_outsider_404_reader_403_login_required(cast, login, client, item, inspector):
    assert login(cast.outsider).get(url("detail", item)).status_code == 404
    assert (
        login(cast.outsider)
        .post(url("close", item), {"evidence": "x", "on": "2025-09-30"})
        .status_code
        == 404
    )
    reader = login(inspector)
    assert reader.get(url("detail", item)).status_code == 200
    assert reader.post(url("close", item), {"evidence": "x", "on": "2025-09-30"}).status_code == 403
    client.logout()
    response = client.post(url("close", item), {"evidence": "x", "on": "2025-09-30"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    item.refresh_from_db()
    assert item.status == "open"


def test_creating_an_item_for_an_org(cast, login):
    client = login(cast.branch_secretary)
    target = reverse("duties:create", args=[cast.branch1.public_id])
    response = client.post(
        target,
        {
            "problem": "党费收缴不及时",
            "measure": "按月收缴",
            "owner": str(cast.ordinary_member.public_id),
            "deadline": "2025-10-31",
        },
    )
    assert response.status_code == 302
    created = Rectification.objects.get()
    assert (created.owner, created.source, created.created_by) == (
        cast.ordinary_member,
        "other",
        cast.branch_secretary,
    )
    response = client.post(target, {"problem": "x", "measure": "y", "deadline": "2025-01-01"})
    assert "整改期限不能早于今天" in response.content.decode()
    assert Rectification.objects.count() == 1
    assert (
        login(cast.outsider)
        .post(target, {"problem": "x", "measure": "y", "deadline": "2025-12-01"})
        .status_code
        == 404
    )


def test_an_owner_from_elsewhere_is_refused(cast, item):
    with pytest.raises(Exception, match="责任人应是本组织的党员"):
        services.rectification_create(
            org=cast.branch1,
            problem="p",
            measure="m",
            deadline=date(2025, 12, 1),
            owner=cast.branch2_member,
            today=TODAY,
        )


def test_overdue_items_are_marked(cast, login, item, time_machine):
    time_machine.move_to(datetime(2026, 1, 5, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    assert item.is_overdue(date(2026, 1, 5))
    assert "逾期" in login(cast.branch_secretary).get(reverse("duties:list")).content.decode()
