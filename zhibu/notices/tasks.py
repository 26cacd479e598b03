"""Delivery on the task queue (django-tasks; ``manage.py db_worker`` runs it).

A delivery is claimed before it is sent (so a retry and a deferred job never send it
twice), sent outside any transaction (a slow robot never holds the database), then
logged: sent, or failed with the reason and the time of the next attempt. After
``MAX_ATTEMPTS`` it is given up. A failure never raises out of the task.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from zhibu.notices.models import Delivery
from zhibu.notices.senders import DeliveryError, send

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=5)  # doubled after each failure: 5, 10, 20, 40 minutes
CLAIM = timedelta(minutes=2)  # longer than a send can take (senders.TIMEOUT_SECONDS)
OPEN = [Delivery.Status.PENDING, Delivery.Status.FAILED]


def _due(now: datetime) -> Q:
    return (
        Q(status__in=OPEN)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    )


def attempt(delivery_id: int, now: datetime | None = None) -> str:
    now = now or timezone.now()
    claimed = Delivery.objects.filter(_due(now), pk=delivery_id).update(next_attempt_at=now + CLAIM)
    if not claimed:
        return "not due"
    delivery = Delivery.objects.select_related("channel", "user").get(pk=delivery_id)
    attempts = delivery.attempts + 1
    try:
        send(delivery)
    except Exception as exc:  # every failure is logged, none escapes to the worker
        reason = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
        gave_up = attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery_id).update(
            attempts=attempts,
            status=Delivery.Status.GAVE_UP if gave_up else Delivery.Status.FAILED,
            last_error=reason[:500],
            next_attempt_at=None if gave_up else now + BACKOFF * 2 ** (attempts - 1),
            updated_at=timezone.now(),
        )
        if not gave_up:
            schedule(Delivery.objects.get(pk=delivery_id))
        return f"failed: {reason}"
    Delivery.objects.filter(pk=delivery_id).update(
        attempts=attempts,
        status=Delivery.Status.SENT,
        last_error="",
        sent_at=timezone.now(),
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    return "sent"


@task()
def deliver(delivery_id: int) -> str:
    return attempt(delivery_id)


def schedule(delivery: Delivery) -> None:
    """Queue ``delivery`` for when it may go (after quiet hours, after the back-off).
    A backend that cannot defer (the tests' immediate one) leaves a later one to
    ``retry_due``, which the nightly ``tick`` and ``notices_send`` call."""
    when = max((t for t in (delivery.not_before, delivery.next_attempt_at) if t), default=None)
    if when and when > timezone.now():
        if deliver.get_backend().supports_defer:
            deliver.using(run_after=when).enqueue(delivery.pk)
        return
    deliver.enqueue(delivery.pk)


def retry_due(now: datetime | None = None) -> int:
    """Send every delivery whose time has come (failed ones past their back-off, ones held
    by quiet hours). Returns how many were attempted."""
    now = now or timezone.now()
    ids = list(Delivery.objects.filter(_due(now)).values_list("pk", flat=True)[:1000])
    for pk in ids:
        attempt(pk, now)
    return len(ids)
