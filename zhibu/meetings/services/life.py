"""组织生活会: the preparation before it and the criticism record."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _t

from zhibu.meetings.models import LifeMeetingPrep, Meeting
from zhibu.meetings.services.locking import guard_lock


@transaction.atomic
def life_prep_update(
    *, meeting: Meeting, by=None, reason: str = "", today: date | None = None, **fields
) -> LifeMeetingPrep:
    if meeting.is_held:
        guard_lock(
            meeting, reason=reason, by=by, what=_t("修改组织生活会准备和批评记录"), today=today
        )
    prep, _created = LifeMeetingPrep.objects.get_or_create(meeting=meeting)
    for name, value in fields.items():
        setattr(prep, name, value)
    prep.updated_by = by
    prep.full_clean(exclude=["meeting", "updated_by"])
    prep.save()
    return prep
