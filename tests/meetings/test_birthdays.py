"""政治生日 on the branch's calendars (plan page, study calendar, iCal feeds) and the
重温入党誓词 hint on a 主题党日; one definition: members.selectors.admission_anniversary."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import make_member
from tests.meetings.conftest import url
from tests.meetings.test_more_views import events, token_for
from zhibu.meetings.services.scheduling import meeting_plan
from zhibu.members.models import Member
from zhibu.members.selectors import admission_anniversary, political_birthdays

pytestmark = pytest.mark.django_db


def test_a_29_february_admission_is_kept_on_28_february_in_common_years():
    assert admission_anniversary(date(2004, 2, 29), 2025) == date(2025, 2, 28)
    assert admission_anniversary(date(2004, 2, 29), 2028) == date(2028, 2, 29)
    assert admission_anniversary(date(2012, 7, 1), 2025) == date(2025, 7, 1)
    assert admission_anniversary(date(2025, 3, 1), 2025) is None  # no anniversary yet


def admitted(org, name, on):
    full = date(on.year + 1, on.month, 28 if on.month == 2 else on.day)
    return make_member(org, name, birth_date=date(1975, 1, 1), admitted_on=on, full_on=full)


@pytest.fixture
def people(cast):
    """Branch 1: a 29 February admission, an October one, an October one who left the party
    and one who died; branch 2: an October admission."""
    leap = admitted(cast.branch1, "闰党员", date(2004, 2, 29))
    october = admitted(cast.branch1, "孙党员", date(2010, 10, 8))
    left = admitted(cast.branch1, "出党员", date(2011, 10, 9))
    dead = admitted(cast.branch1, "故党员", date(2009, 10, 10))
    Member.objects.filter(pk=left.pk).update(status=Member.Status.LEFT)
    Member.objects.filter(pk=dead.pk).update(status=Member.Status.DECEASED)
    other = admitted(cast.branch2, "钟党员", date(2008, 10, 11))
    return {"leap": leap, "october": october, "other": other}


def test_the_branch_plan_page_lists_birthdays_on_their_day(cast, people, login, frozen):
    page = login(cast.branch_secretary).get(url("plan_year", cast.branch1, 2025))
    rows = {b.member.name: (b.on, b.years) for b in page.context["birthdays"]}
    assert rows["闰党员"] == (date(2025, 2, 28), 21)
    assert rows["孙党员"] == (date(2025, 10, 8), 15)
    assert rows["王党员"] == (date(2025, 7, 1), 13)  # the cast's default admission
    assert "出党员" not in rows and "故党员" not in rows and "钟党员" not in rows
    body = page.content.decode()
    assert 'id="political-birthdays"' in body and "2025-02-28" in body
    leap_year = login(cast.branch_secretary).get(url("plan_year", cast.branch1, 2028))
    assert date(2028, 2, 29) in {b.on for b in leap_year.context["birthdays"]}


def test_birthdays_are_for_those_who_may_see_the_members(cast, people, login, frozen):
    assert political_birthdays(user=cast.ordinary, org=cast.branch1, year=2025) == []
    assert political_birthdays(user=cast.outsider, org=cast.branch1, year=2025) == []
    assert login(cast.ordinary).get(url("plan_year", cast.branch1, 2025)).status_code == 403
    assert login(cast.outsider).get(url("plan_year", cast.branch1, 2025)).status_code == 404
    study = reverse("study:calendar", args=[cast.branch1.public_id])
    assert login(cast.outsider).get(study).status_code == 404
    assert login(cast.ordinary).get(study).status_code == 403


def test_the_years_birthdays_of_a_branch_take_one_query(cast, people, django_assert_num_queries):
    political_birthdays(user=cast.branch_secretary, org=cast.branch1, year=2025)  # warm grants
    with django_assert_num_queries(1):
        found = political_birthdays(user=cast.branch_secretary, org=cast.branch1, year=2025)
    assert [b.member.org.name for b in found][:1] == ["第一党支部"]


def test_the_study_calendar_uses_the_same_days(cast, people, login, frozen):
    study = reverse("study:calendar", args=[cast.branch1.public_id])
    page = login(cast.branch_secretary).get(study, {"month": "2025-02"})
    assert [(r["member"].name, r["day"]) for r in page.context["rows"]] == [
        ("闰党员", date(2025, 2, 28))
    ]
    october = login(cast.branch_secretary).get(study, {"month": "2025-10"})
    assert [r["member"].name for r in october.context["rows"]] == ["孙党员"]


def test_the_members_own_feed_has_their_birthday(cast, people, login, client, frozen):
    token = token_for(login, cast.ordinary)
    client.logout()
    found = events(client.get(url("meeting_feed_member", token)), birthdays=True)
    # The feed reaches back 90 days (to 2 July 2025): next year's 1 July only.
    assert set(found) == {"我的政治生日（入党 14 周年）"}
    event = found["我的政治生日（入党 14 周年）"]
    assert event.decoded("dtstart") == date(2026, 7, 1)
    assert event.decoded("dtend") == date(2026, 7, 2)


def test_the_branch_feed_has_members_birthdays_for_leaders_only(
    cast, people, login, client, frozen
):
    secretary = token_for(login, cast.branch_secretary)
    party = token_for(login, cast.party_secretary)
    client.logout()
    found = events(client.get(url("meeting_feed_org", secretary, cast.branch1)), birthdays=True)
    days = {str(k): v.decoded("dtstart") for k, v in found.items()}
    assert days["孙党员 的政治生日（入党 15 周年）"] == date(2025, 10, 8)
    assert days["孙党员 的政治生日（入党 16 周年）"] == date(2026, 10, 8)
    assert days["闰党员 的政治生日（入党 22 周年）"] == date(2026, 2, 28)
    assert not any("出党员" in k or "故党员" in k or "钟党员" in k for k in days)
    assert client.get(url("meeting_feed_org", secretary, cast.branch2)).status_code == 404
    other = events(client.get(url("meeting_feed_org", party, cast.branch2)), birthdays=True)
    assert "钟党员 的政治生日（入党 17 周年）" in other


def test_a_theme_day_suggests_renewing_the_oath_to_that_months_birthdays(
    cast, people, login, frozen
):
    theme = meeting_plan(
        org=cast.branch1, title="10月主题党日", on=date(2025, 10, 15), kinds=["theme_day"]
    )
    other = meeting_plan(
        org=cast.branch1, title="支委会", on=date(2025, 10, 16), kinds=["branch_committee"]
    )
    client = login(cast.branch_secretary)
    detail = client.get(url("detail", theme))
    assert [b.member.name for b in detail.context["birthdays"]] == ["孙党员"]
    assert 'id="birthday-hint"' in detail.content.decode()
    assert "重温入党誓词" in detail.content.decode()
    assert client.get(url("detail", other)).context["birthdays"] == []
    edit = client.get(url("edit_plan", theme))
    assert [b.member.name for b in edit.context["birthdays"]] == ["孙党员"]
    new = client.get(url("record_new", cast.branch1), {"on": "2025-10-15"})
    assert [b.member.name for b in new.context["birthdays"]] == ["孙党员"]
    assert login(cast.ordinary).get(url("detail", theme)).status_code == 403
    assert login(cast.outsider).get(url("detail", theme)).status_code == 404
