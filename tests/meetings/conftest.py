"""Fixtures for the organisational-life tests: a frozen clock and a private media folder."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

TODAY = date(2025, 9, 30)


@pytest.fixture
def frozen(time_machine):
    """Pages run on 30 September 2025 (Beijing time) unless a test moves the clock."""
    time_machine.move_to(datetime(2025, 9, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def record_data(on, statuses: dict, *, kinds=("theme_day",), title="9月主题党日", **extra) -> dict:
    """POST data of the one-page record form: ``statuses`` maps members to present/leave/absent."""
    data = {
        "title": title,
        "on": str(on),
        "kinds": list(kinds),
        "study_hours": "2",
        "complete": "on",
        "starts_at": "09:00",
        "ends_at": "11:00",
        "place": "党员活动室",
    }
    for member, status in statuses.items():
        data[f"att-{member.public_id}"] = status
        if status == "leave":
            data[f"why-{member.public_id}"] = "出差"
    data.update(extra)
    return data


def url(name, *args):
    return reverse(f"meetings:{name}", args=[getattr(a, "public_id", a) for a in args])
