"""党内统计 pages: tables, drill-down, export, submit/lock/return, scope and bad input."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from tests.factories import UserFactory, grant
from zhibu.census.models import Report


def url_of(world, org=None, **params):
    org = org or world.committee
    query = "&".join(f"{k}={v}" for k, v in {"org": org.public_id, **params}.items())
    return f"/census/?{query}"


def test_the_lead_sees_the_tables_as_of_a_day_with_drill_links(world, login):
    client = login(world.lead)
    response = client.get(url_of(world, as_of="2025-12-31"))
    assert response.status_code == 200
    tables = {t.key: t for t in response.context["tables"]}
    assert tables["flow"].cell("now", "n") == 5
    assert response.context["problems"] == []
    html = response.content.decode()
    assert 'data-cell="flow:lost.left:n"' in html
    assert 'id="census-chart-data"' in html and "<script>" not in html.replace(
        '<script src="', ""
    ).replace('type="application/json"', "")


def test_drilling_into_a_cell_lists_the_members_behind_it(
    world, login, django_assert_max_num_queries
):
    client = login(world.lead)
    with django_assert_max_num_queries(60):
        response = client.get(
            f"/census/cell/?org={world.committee.public_id}&as_of=2025-12-31"
            "&table=gender&row=F&col=n"
        )
    assert response.status_code == 200
    assert sorted(m.name for m in response.context["rows"]) == ["丁", "甲"]
    assert response.context["count"] == 2
    assert "党员按性别" in response.context["label"]
    response = client.get(
        f"/census/cell/?org={world.committee.public_id}&as_of=2025-12-31&table=gender&row=F&col=zz"
        "&table=nosuch"
    )
    assert response.status_code == 400
    assert "没有这个统计项" in response.content.decode()


def test_a_branch_user_and_another_committee_get_404_a_member_403(world, login):
    # the branch secretary holds no census.manage: 403 reveals nothing
    assert login(world.branch_user).get(url_of(world)).status_code == 403
    assert login(world.member_user).get(url_of(world)).status_code == 403
    # another committee's lead: our org is not in their scope
    client = login(world.other_lead)
    assert client.get(url_of(world)).status_code == 404
    cell = (
        f"/census/cell/?org={world.committee.public_id}&as_of=2025-12-31&table=flow&row=now&col=n"
    )
    assert client.get(cell).status_code == 404
    assert client.get(f"/census/export/?org={world.committee.public_id}").status_code == 404
    response = client.post(f"/census/{world.committee.public_id}/submit/", {"year": 2025})
    assert response.status_code == 404
    assert not Report.objects.exists()
    assert client.get("/census/?org=not-a-uuid").status_code == 404


def test_a_platform_admin_never_reaches_the_statistics(world, login):
    from zhibu.accounts.models import Role

    admin = UserFactory(username="sysadmin", full_name="系统管理员")
    grant(admin, Role.SYSTEM_ADMIN, None)
    client = login(admin)
    assert client.get("/census/").status_code == 403
    assert client.get(url_of(world)).status_code == 403


def test_bad_dates_are_refused_in_chinese(world, login):
    client = login(world.lead)
    response = client.get(url_of(world, world.b3, as_of="2025-12-31"))
    assert response.status_code == 400
    assert "尚未成立" in response.content.decode()
    response = client.get(url_of(world, as_of="2025-02-30"))
    assert response.status_code == 400 and "格式不正确" in response.content.decode()
    response = client.get(url_of(world, as_of="2099-01-01"))
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()


def test_the_workbook_has_one_titled_sheet_per_table(world, login):
    client = login(world.lead)
    response = client.get(f"/census/export/?org={world.committee.public_id}&as_of=2025-12-31")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert len(book.sheetnames) == 13
    first = book[book.sheetnames[0]]
    assert "党员增减变化" in first["A1"].value
    assert "集团党委" in first["A2"].value and "2025-12-31" in first["A3"].value
    values = [[c.value for c in row] for row in first.iter_rows(min_row=4)]
    assert values[0][0] == "项目"
    assert ["统计时点党员数", 5] in values
    assert any("党员按类别" in name for name in book.sheetnames)


def test_submitting_freezes_the_report_and_a_second_submit_is_refused(world, login):
    from zhibu.members.models import MemberEvent
    from zhibu.members.services import member_record_event

    client = login(world.lead)
    # the committee's report needs the 总支 below it first
    response = client.post(f"/census/{world.committee.public_id}/submit/", {"year": "2025"})
    assert response.status_code == 302
    assert not Report.objects.exists()
    response = client.post(f"/census/{world.general.public_id}/submit/", {"year": "2025"})
    assert response.status_code == 302
    report = Report.objects.get(org=world.general, year=2025)
    assert report.is_locked and report.member_total == 5
    response = client.post(f"/census/{world.committee.public_id}/submit/", {"year": "2025"})
    top = Report.objects.get(org=world.committee, year=2025)
    assert top.member_total == 5
    # a back-dated correction moves the live tables but never the submitted snapshot
    member_record_event(
        member=world.m[1],
        kind=MemberEvent.Kind.DECEASED,
        on=date(2026, 1, 5),
        today=date(2026, 12, 5),
    )
    frozen = client.get(f"/census/reports/{report.public_id}/")
    assert {t.key: t for t in frozen.context["tables"]}["flow"].cell("now", "n") == 5
    # locked: a second submission is refused and changes nothing
    before = report.updated_at
    client.post(f"/census/{world.general.public_id}/submit/", {"year": "2025"})
    report.refresh_from_db()
    assert report.updated_at == before
    # the committee above returns it; a stale version (read before the return) is refused
    old_version = report.updated_at.isoformat()
    response = client.post(
        f"/census/reports/{report.public_id}/return/",
        {"reason": "数据有误", "version": old_version},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    client.post(
        f"/census/{world.general.public_id}/submit/", {"year": "2025", "version": old_version}
    )
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    client.post(
        f"/census/{world.general.public_id}/submit/",
        {"year": "2025", "version": report.updated_at.isoformat()},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_submission_refused_before_the_year_is_over_or_with_a_bad_year(world, login):
    client = login(world.lead)
    for year in ("2026", "abc", "1800"):
        response = client.post(f"/census/{world.general.public_id}/submit/", {"year": year})
        assert response.status_code == 302
    assert not Report.objects.exists()


def test_a_committee_whose_child_report_no_longer_agrees_is_refused(world, login):
    from zhibu.census import services
    from zhibu.members.models import MemberEvent
    from zhibu.members.services import member_record_event

    services.report_submit(org=world.general, year=2025, by=world.lead)
    member_record_event(
        member=world.m[1],
        kind=MemberEvent.Kind.DECEASED,
        on=date(2025, 12, 1),
        today=date(2026, 12, 5),
    )
    with pytest.raises(ValidationError) as err:
        services.report_submit(org=world.committee, year=2025, by=world.lead)
    assert "已报送党员 5 人" in str(err.value)
    assert not Report.objects.filter(org=world.committee).exists()


def test_the_pages_have_unique_ids_and_labelled_controls(world, login):
    import re
    from collections import Counter

    from tests.test_accessibility import CONTROL, ID, LABEL_FOR
    from zhibu.census import services

    report = services.report_submit(org=world.general, year=2025, by=world.lead)
    client = login(world.lead)
    urls = [
        url_of(world, as_of="2025-12-31"),
        f"/census/cell/?org={world.committee.public_id}&as_of=2025-12-31&table=flow&row=now&col=n",
        f"/census/reports/{report.public_id}/",
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert [i for i, n in Counter(ID.findall(html)).items() if n > 1] == [], url
        labelled = set(LABEL_FOR.findall(html))
        for _tag, attrs in CONTROL.findall(html):
            if re.search(r'type="(hidden|submit|button)"', attrs):
                continue
            control_id = re.search(r'\sid="([^"]+)"', attrs)
            assert (control_id and control_id.group(1) in labelled) or "aria-label" in attrs, (
                url,
                attrs,
            )
