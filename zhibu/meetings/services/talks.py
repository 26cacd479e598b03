"""谈心谈话."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhibu.meetings.models import Talk
from zhibu.meetings.services.common import today_or
from zhibu.members.models import Member
from zhibu.members.selectors import members_on, spans_on
from zhibu.orgs.models import Org

TALK_SAME_PERSON = _("谈话双方不能是同一人。")
TALK_IN_FUTURE = _("谈话日期不能晚于今天。")
TALK_NOT_MEMBER = _("%(name)s 在 %(day)s 不是本支部党员。")
TALK_PARTNER_NOT_MEMBER = _("%(name)s 在 %(day)s 不在党员名册中。")


@transaction.atomic
def talk_record(
    *,
    org: Org,
    on: date,
    member_a: Member,
    member_b: Member,
    topic: str,
    note: str = "",
    by=None,
    today: date | None = None,
) -> Talk:
    if member_a.pk == member_b.pk:
        raise ValidationError({"member_b": TALK_SAME_PERSON})
    if on > today_or(today):
        raise ValidationError({"on": TALK_IN_FUTURE})
    if not members_on(org, on).filter(pk=member_a.pk).exists():
        raise ValidationError({"member_a": TALK_NOT_MEMBER % {"name": member_a.name, "day": on}})
    if not spans_on(on).filter(member=member_b).exists():
        raise ValidationError(
            {"member_b": TALK_PARTNER_NOT_MEMBER % {"name": member_b.name, "day": on}}
        )
    talk = Talk(
        org=org, on=on, member_a=member_a, member_b=member_b, topic=topic, note=note, recorded_by=by
    )
    talk.full_clean(exclude=["recorded_by"])
    talk.save()
    return talk
