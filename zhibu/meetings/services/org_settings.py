"""An org's organisational-life settings: fixed days, lock days, review grades."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.meetings.models import MeetingSettings
from zhibu.orgs.models import Org

SETTINGS_DAY = _("日期应在 1 至 31 之间。")
SETTINGS_LOCK = _("锁定天数应在 1 至 60 之间。")
SETTINGS_GRADES = _("请至少填写两个评议等次，且不能重复。")


@transaction.atomic
def settings_update(
    *,
    org: Org,
    theme_day: int | None,
    committee_day: int | None,
    group_day: int | None,
    lock_days: int | None,
    review_grades: list[str],
    by=None,
) -> MeetingSettings:
    for name, value in (
        ("theme_day", theme_day),
        ("committee_day", committee_day),
        ("group_day", group_day),
    ):
        if value is not None and not 1 <= value <= 31:
            raise ValidationError({name: SETTINGS_DAY})
    if lock_days is not None and not 1 <= lock_days <= 60:
        raise ValidationError({"lock_days": SETTINGS_LOCK})
    grades = [g.strip() for g in review_grades if g.strip()]
    if grades and (len(grades) < 2 or len(set(grades)) != len(grades)):
        raise ValidationError({"review_grades": SETTINGS_GRADES})
    row, _created = MeetingSettings.objects.get_or_create(org=org)
    row.theme_day, row.committee_day, row.group_day, row.lock_days = (
        theme_day,
        committee_day,
        group_day,
        lock_days,
    )
    row.review_grades, row.updated_by = grades, by
    row.save()
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        summary=_t("修改组织生活设置：%(org)s") % {"org": org.name},
        actor=by,
        obj=org,
        org_path=org.path,
        details={"theme_day": theme_day, "lock_days": lock_days, "review_grades": grades},
    )
    return row
