"""Working days on the statutory calendar, with 调休, and the visible fallback."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.core import workdays
from zhibu.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.django_db


def test_national_day_2025_and_its_make_up_saturday():
    assert not workdays.is_workday(date(2025, 10, 1))
    assert not workdays.is_workday(date(2025, 10, 8))
    assert workdays.is_workday(date(2025, 9, 28))  # Sunday, make-up working day
    assert workdays.is_workday(date(2025, 10, 11))  # Saturday, make-up working day


def test_five_working_days_across_national_day():
    # Posted Tuesday 30 Sep 2025: 30 Sep, (1-8 Oct holiday), 9, 10, 11 (make-up Sat), 13 Oct.
    span = workdays.working_days_end(date(2025, 9, 30), 5)
    assert span.end == date(2025, 10, 13)
    assert span.is_official


def test_a_plain_week():
    assert workdays.working_days_end(date(2025, 6, 9), 5).end == date(2025, 6, 13)
    assert workdays.working_days_end(date(2025, 6, 14), 1).end == date(
        2025, 6, 16
    )  # posted on a Saturday
    assert not workdays.is_workday(date(2025, 6, 2))  # 端午节


def test_a_year_without_data_falls_back_visibly():
    year = max(workdays.package_years()) + 1
    span = workdays.working_days_end(date(year, 1, 5), 3)
    assert span.fallback_years == (year,)
    assert not span.is_official
    assert workdays.coverage(year) == workdays.FALLBACK


def test_an_administrator_fills_a_missing_year():
    year = max(workdays.package_years()) + 1
    CalendarDay.objects.create(day=date(year, 1, 1), is_workday=False, name="元旦")
    CalendarDay.objects.create(day=date(year, 1, 4), is_workday=True, name="元旦调休上班")
    assert workdays.coverage(year) == workdays.ADMIN
    assert not workdays.is_workday(date(year, 1, 1))
    assert workdays.is_workday(date(year, 1, 4)) or date(year, 1, 4).weekday() < 5
    assert workdays.working_days_end(date(year, 1, 1), 1).is_official


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 1)),
    count=st.integers(1, 20),
)
def test_the_span_contains_exactly_count_working_days(start, count):
    span = workdays.working_days_end(start, count)
    assert workdays.working_days_between(start, span.end) == count
    assert workdays.is_workday(span.end)


def test_calendar_page_for_the_system_administrator(client):
    admin = UserFactory(username="xitong")
    grant(admin, Role.SYSTEM_ADMIN, None)
    client.force_login(admin)
    assert client.get(reverse("core:calendar")).status_code == 200
    response = client.post(
        reverse("core:calendar"), {"day": "2027-10-01", "is_workday": "0", "name": "国庆节"}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(day=date(2027, 10, 1), is_workday=False).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CONFIG_CHANGED).exists()
    again = client.post(reverse("core:calendar"), {"day": "2027-10-01", "is_workday": "1"})
    assert again.status_code == 200 and "已录入" in again.content.decode()
    assert CalendarDay.objects.count() == 1


def test_calendar_page_bad_date_and_other_roles(client, cast):
    admin = UserFactory(username="xitong")
    grant(admin, Role.SYSTEM_ADMIN, None)
    client.force_login(admin)
    response = client.post(reverse("core:calendar"), {"day": "2027-02-30", "is_workday": "0"})
    assert response.status_code == 200 and not CalendarDay.objects.exists()
    client.force_login(cast.party_secretary)
    assert client.get(reverse("core:calendar")).status_code == 403
