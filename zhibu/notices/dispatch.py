"""The day's reminders: one digest per channel per day, never a flood.

``send_day`` (called by the nightly ``tick`` after the rulebook's digests, or by
``manage.py notices_send``) writes, for the day:

- per enabled group channel: one message with the items of the channel's topics about
  its org's subtree;
- per person: their items added to today's inbox entry (the rulebook's ``Notification``,
  created if missing) for the topics they keep in the inbox, and one email with the
  topics they chose for email (the rulebook's findings included: the rulebook leaves
  email to this app, so a person gets one email a day, not two).

Each outgoing message is a ``Delivery`` keyed by channel (or mailbox) and day, so a
second run the same day sends nothing new. Quiet hours hold a message until they end.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibu.accounts.models import RoleAssignment, User
from zhibu.core.rules.models import Notification
from zhibu.core.scope import nearest
from zhibu.notices import sources
from zhibu.notices.models import ALL_TOPICS, Channel, Delivery, Policy, Preference, Topic
from zhibu.notices.tasks import retry_due, schedule

DEFAULT_EMAIL = [Topic.DIGEST, Topic.MEETING, Topic.TASK, Topic.REQUEST, Topic.NOTICE]
DEFAULT_CHANNEL = [Topic.DIGEST, Topic.MEETING, Topic.TASK, Topic.REQUEST, Topic.NOTICE]


def quiet_until(start: time | None, end: time | None, now: datetime) -> datetime | None:
    """When the quiet hours around ``now`` end (None: ``now`` is not in quiet hours).
    Quiet hours may wrap midnight (22:00–07:00)."""
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    t = local.time()
    if start < end:
        quiet = start <= t < end
        ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    else:
        quiet = t >= start or t < end
        ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if t >= start:
            ends += timedelta(days=1)
    return ends if quiet else None


def allowed_for(user) -> tuple[set[str], bool]:
    """The topics (and whether email) the user's organisation allows: the nearest policy
    at or above any of their orgs; with none, everything."""
    paths = list(
        RoleAssignment.objects.filter(user=user, org__isnull=False, start__lte=timezone.localdate())
        .exclude(end__lt=timezone.localdate())
        .values_list("org__path", flat=True)
    )
    policies = {p.org.path: p for p in Policy.objects.select_related("org")}
    found = [p for p in (nearest(path, policies) for path in paths) if p is not None]
    if not found or len(found) < len(paths):
        return set(ALL_TOPICS), True
    topics = set().union(*(set(p.topics) for p in found))
    return topics, any(p.email_allowed for p in found)


def choices_for(user) -> dict:
    """The user's effective choices: their preference within what is allowed."""
    allowed, email_allowed = allowed_for(user)
    pref = Preference.objects.filter(user=user).first()
    inbox = set(pref.inbox_topics) if pref else set(ALL_TOPICS)
    email = set(pref.email_topics) if pref else set(DEFAULT_EMAIL)
    return {
        "inbox": inbox & allowed,
        "email": (email & allowed) if email_allowed and user.email else set(),
        "quiet": (pref.quiet_start, pref.quiet_end) if pref else (None, None),
    }


def _text(items: list[dict]) -> str:
    return "\n".join(
        f"- 【{i.get('rule') or ''}】{i.get('org') or ''} {i.get('period') or ''}：{i['text']}"
        for i in items
    )


def _deliver(
    *, key: str, day: date, subject: str, items: list[dict], quiet: tuple, **target
) -> None:
    delivery, created = Delivery.objects.get_or_create(
        key=key,
        defaults={
            "day": day,
            "subject": subject[:200],
            "text": _text(items),
            "not_before": quiet_until(quiet[0], quiet[1], timezone.now()),
            **target,
        },
    )
    if created:
        schedule(delivery)


def channel_digest(channel: Channel, day: date) -> bool:
    items = sources.collect_org([channel.org.path], channel.topics, day)
    if not items:
        return False
    _deliver(
        key=f"channel:{channel.pk}:{day.isoformat()}",
        day=day,
        subject=_("%(org)s %(m)s月%(d)s日提醒（%(n)s 项）")
        % {"org": channel.org.name, "m": day.month, "d": day.day, "n": len(items)},
        items=items,
        quiet=(channel.quiet_start, channel.quiet_end),
        channel=channel,
        medium=channel.kind,
    )
    return True


def person_digest(user, day: date) -> bool:
    choices = choices_for(user)
    wanted = choices["inbox"] | choices["email"]
    items = sources.collect_personal(user, wanted, day)
    inbox_items = [i for i in items if i["topic"] in choices["inbox"]]
    with transaction.atomic():
        note = Notification.objects.select_for_update().filter(user=user, day=day).first()
        if inbox_items:
            if note is None:
                note = Notification.objects.create(
                    user=user,
                    day=day,
                    subject=_("%(m)s月%(d)s日提醒：%(n)s 项")
                    % {"m": day.month, "d": day.day, "n": len(inbox_items)},
                    items=inbox_items,
                )
            elif not any(i.get("topic") for i in note.items):  # not yet added today
                note.items = [*note.items, *inbox_items]
                note.save(update_fields=["items"])
    if not choices["email"]:
        return bool(inbox_items)
    findings = [
        i
        for i in (note.items if note else [])
        if not i.get("topic") and i.get("status") != "security"
    ]
    mail = (findings if Topic.DIGEST in choices["email"] else []) + [
        i for i in items if i["topic"] in choices["email"]
    ]
    if mail:
        _deliver(
            key=f"email:{user.pk}:{day.isoformat()}",
            day=day,
            subject=note.subject
            if note and findings
            else _("支部每日提醒：%(n)s 项") % {"n": len(mail)},
            items=mail,
            quiet=choices["quiet"],
            user=user,
            medium=Delivery.Medium.EMAIL,
        )
    return bool(inbox_items or mail)


def send_day(day: date | None = None) -> dict[str, int]:
    day = day or timezone.localdate()
    counts = {"channels": 0, "people": 0, "retried": 0}
    with translation.override("zh-hans"):
        for channel in Channel.objects.filter(enabled=True).select_related("org"):
            counts["channels"] += channel_digest(channel, day)
        active = (
            RoleAssignment.objects.filter(start__lte=day, org__isnull=False)
            .exclude(end__lt=day)
            .values("user")
        )
        for user in User.objects.filter(is_active=True, pk__in=active).order_by("pk"):
            counts["people"] += person_digest(user, day)
    counts["retried"] = retry_due()
    return counts
