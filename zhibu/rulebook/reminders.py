"""The daily digest: one message per user with what is overdue and what is due soon.

Never a flood of single pings: a user gets at most one digest a day (in the in-app
inbox, and by email when they have an address), listing the problem findings of the
current periods in their scope.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone, translation

from zhibu.accounts import permissions
from zhibu.accounts.models import RoleAssignment, User
from zhibu.core.rules.base import Status
from zhibu.core.rules.messages import finding_text
from zhibu.core.rules.models import Finding, Notification
from zhibu.core.rules.registry import snapshot_codes

URGENCY = Case(
    When(status=Status.LATE, then=Value(0)),
    When(status=Status.MISSING, then=Value(1)),
    When(status=Status.SUSPECT, then=Value(2)),
    When(status=Status.DUE, then=Value(3)),
    default=Value(9),
    output_field=IntegerField(),
)
PROBLEMS = [Status.LATE, Status.MISSING, Status.SUSPECT, Status.DUE]
MAX_ITEMS = 30

# Whether ``digest_for`` mails the digest itself. The notices app (above this layer)
# turns it off at start-up and mails the findings together with its own reminders, so
# that a person gets one email a day and only the topics they chose.
_EMAIL_HERE = {"on": True}


def leave_email_to_others() -> None:
    _EMAIL_HERE["on"] = False


def open_problems(user, today: date):
    """Problem findings in the user's scope whose period is current or ended within a year,
    each problem once: a rule judged as of a day (ORG-08 ...) is filed under every period a
    run covers, and only its latest judgement counts — an older "late" that a later run
    found resolved is gone."""
    superseded = Finding.objects.filter(
        rule_code=OuterRef("rule_code"),
        org_id=OuterRef("org_id"),
        subject_type=OuterRef("subject_type"),
        subject_id=OuterRef("subject_id"),
    ).filter(
        Q(period_end__gt=OuterRef("period_end"))
        | Q(period_end=OuterRef("period_end"), period_start__gt=OuterRef("period_start"))
    )
    return (
        Finding.objects.filter(permissions.scope_q(user, "finding.view", field="org_path"))
        .filter(
            status__in=PROBLEMS,
            period_end__gt=today.replace(year=today.year - 1),
            period_start__lte=today,
        )
        .exclude(Q(rule_code__in=snapshot_codes()) & Exists(superseded))
        .select_related("org")
        .annotate(urgency=URGENCY)
        .order_by("urgency", "period_end", "org_path", "rule_code")
    )


def digest_for(user, today: date) -> Notification | None:
    """Create (once a day) the user's digest; None when there is nothing to say."""
    if Notification.objects.filter(user=user, day=today).exists():
        return None
    problems = list(open_problems(user, today)[: MAX_ITEMS + 1])
    if not problems:
        return None
    with translation.override("zh-hans"):  # a digest is written in Chinese
        items = [
            {
                "rule": f.rule_code,
                "org": f.org.name,
                "period": f.period_code,
                "status": f.status,
                "text": finding_text(f),
            }
            for f in problems[:MAX_ITEMS]
        ]
    late = sum(1 for f in problems if f.status in (Status.LATE, Status.MISSING))
    with translation.override("zh-hans"):
        subject = f"支部每日提醒：{late} 项逾期或缺失，{len(items) - late} 项待办或存疑"
    notification = Notification.objects.create(user=user, day=today, subject=subject, items=items)
    if user.email and _EMAIL_HERE["on"]:
        body = "\n".join(f"[{i['rule']}] {i['org']} {i['period']}：{i['text']}" for i in items)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return notification


def send_digests(today: date | None = None) -> int:
    today = today or timezone.localdate()
    active = RoleAssignment.objects.filter(start__lte=today).exclude(end__lt=today).values("user")
    sent = 0
    for user in User.objects.filter(is_active=True, pk__in=active):
        if permissions.holds_anywhere(user, "finding.view") and digest_for(user, today):
            sent += 1
    return sent
