"""Small helpers shared by the organisational-life services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from zhibu.members.models import Member


def today_or(today: date | None) -> date:
    return today or timezone.localdate()


def names_of(members: Iterable[Member]) -> str:
    return "、".join(m.name for m in members)
