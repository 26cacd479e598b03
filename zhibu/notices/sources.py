"""What goes into a digest: each topic's items, from the apps below this layer, read
set-based over a subtree (a few queries per topic, never one per org).

A source is registered per topic, for an organisation's group channel (``org``: items
about the subtrees of ``paths``) and/or for one person (``personal``: their own 政治生日,
their unpaid dues ...). Apps above this layer add their own with ``register``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.rules.base import Status
from zhibu.core.rules.models import Finding
from zhibu.core.scope import ancestor_paths, subtree_q
from zhibu.dues.models import Payment
from zhibu.duties.models import Request, Supervision, Task
from zhibu.meetings.models import Meeting
from zhibu.members.models import Member
from zhibu.notices.models import Announcement, Receipt, Topic

OrgSource = Callable[[list[str], date], list[dict]]
PersonalSource = Callable[[object, date], list[dict]]

_ORG: dict[str, list[OrgSource]] = {}
_PERSONAL: dict[str, list[PersonalSource]] = {}

AHEAD_DAYS = 3  # meetings, tasks and 督办 due within this many days are mentioned
DUES_FROM_DAY = 20  # unpaid dues of the month are mentioned from this day (地方/单位规定)
PER_TOPIC = 10  # at most this many items of one topic in one digest


def register(topic: str, *, org: OrgSource | None = None, personal: PersonalSource | None = None):
    if org is not None and org not in _ORG.setdefault(topic, []):
        _ORG[topic].append(org)
    if personal is not None and personal not in _PERSONAL.setdefault(topic, []):
        _PERSONAL[topic].append(personal)


def item(topic: str, org: str, text: str, *, status: str = Status.DUE, day: date | None = None):
    """A digest item in the inbox's shape (the rulebook's: rule, org, period, status, text)."""
    return {
        "rule": str(Topic(topic).label),
        "topic": topic,
        "org": org,
        "period": _("%(m)s月%(d)s日") % {"m": day.month, "d": day.day} if day else "",
        "status": status,
        "text": text,
    }


def collect_org(paths: list[str], topics, today: date) -> list[dict]:
    out: list[dict] = []
    for topic in Topic.values:
        if topic in topics:
            for source in _ORG.get(topic, []):
                out.extend(source(paths, today)[:PER_TOPIC])
    return out


def collect_personal(user, topics, today: date) -> list[dict]:
    out: list[dict] = []
    for topic in Topic.values:
        if topic in topics:
            for source in _PERSONAL.get(topic, []):
                out.extend(source(user, today)[:PER_TOPIC])
    return out


def _when(meeting) -> str:
    clock = meeting.starts_at.strftime(" %H:%M") if meeting.starts_at else ""
    place = _("，%(place)s") % {"place": meeting.place} if meeting.place else ""
    return _("%(m)s月%(d)s日") % {"m": meeting.on.month, "d": meeting.on.day} + clock + place


def _meetings(q: Q, today: date) -> list[dict]:
    """Upcoming meetings within ``AHEAD_DAYS``, and meetings ahead that were noticed,
    changed or cancelled since yesterday (a change people must hear of, however far off)."""
    since = timezone.now() - timedelta(days=1)
    soon = Q(status__in=Meeting.UPCOMING_STATUSES, on__range=(today, today + timedelta(AHEAD_DAYS)))
    changed = Q(updated_at__gte=since, on__gte=today) & Q(
        status__in=[*Meeting.UPCOMING_STATUSES, Meeting.Status.CANCELLED]
    )
    rows = (
        Meeting.objects.filter(q)
        .filter(soon | changed)
        .select_related("org")
        .order_by("on", "starts_at", "id")[:PER_TOPIC]
    )
    out = []
    for m in rows:
        if m.status == Meeting.Status.CANCELLED:
            text = _("「%(title)s」已取消（原定 %(when)s）") % {"title": m.title, "when": _when(m)}
        elif m.updated_at >= since and m.created_at < since:
            text = _("「%(title)s」有变更：%(when)s") % {"title": m.title, "when": _when(m)}
        else:
            text = _("「%(title)s」 %(when)s") % {"title": m.title, "when": _when(m)}
        out.append(item(Topic.MEETING, m.org.name, text, day=m.on))
    return out


def meetings_org(paths: list[str], today: date) -> list[dict]:
    return _meetings(subtree_q(paths, "org__path"), today)


def meetings_personal(user, today: date) -> list[dict]:
    """The meetings of the organisations the person belongs to (their branch and the
    orgs above it, e.g. a 党委's 党课 for everyone)."""
    member = Member.objects.filter(user=user, status__in=Member.ON_ROSTER).first()
    if member is None:
        return []
    orgs = Q(org_id=member.org_id)
    if member.group_id:
        orgs |= Q(org_id=member.group_id)
    return _meetings(orgs, today)


def tasks_org(paths: list[str], today: date) -> list[dict]:
    soon = today + timedelta(AHEAD_DAYS)
    out = []
    for t in (
        Task.objects.filter(subtree_q(paths, "org__path"), due__lte=soon)
        .exclude(status=Task.Status.DONE)
        .select_related("org")
        .order_by("due", "id")[:PER_TOPIC]
    ):
        late = t.due < today
        text = (
            _("任务「%(title)s」已逾期（时限 %(due)s）")
            if late
            else _("任务「%(title)s」即将到期（时限 %(due)s）")
        ) % {"title": t.title, "due": f"{t.due:%Y-%m-%d}"}
        out.append(item(Topic.TASK, t.org.name, text, status=Status.LATE if late else Status.DUE))
    for s in (
        Supervision.objects.filter(
            subtree_q(paths, "org__path"), status=Supervision.Status.OPEN, reply_due__lte=soon
        )
        .select_related("org")
        .order_by("reply_due", "id")[:PER_TOPIC]
    ):
        late = s.reply_due < today
        text = _("%(level)s「%(target)s」待回复（期限 %(due)s）") % {
            "level": s.get_level_display(),
            "target": s.target_label,
            "due": f"{s.reply_due:%Y-%m-%d}",
        }
        out.append(item(Topic.TASK, s.org.name, text, status=Status.LATE if late else Status.DUE))
    return out


def requests_org(paths: list[str], today: date) -> list[dict]:
    """请示 sent to an org in the subtrees and not yet answered (REQ-06)."""
    out = []
    for r in (
        Request.objects.filter(
            subtree_q(paths, "receiver__path"),
            kind=Request.Kind.REQUEST,
            status=Request.Status.SENT,
        )
        .select_related("sender", "receiver")
        .order_by("due_on", "id")[:PER_TOPIC]
    ):
        late = r.due_on is not None and r.due_on < today
        due = _("，时限 %(due)s") % {"due": f"{r.due_on:%Y-%m-%d}"} if r.due_on else ""
        text = (
            _("%(sender)s的请示「%(subject)s」待答复")
            % {
                "sender": r.sender.name,
                "subject": r.subject,
            }
            + due
        )
        out.append(
            item(Topic.REQUEST, r.receiver.name, text, status=Status.LATE if late else Status.DUE)
        )
    return out


def _unpaid(q: Q, today: date):
    month = today.replace(day=1)
    paid = Payment.objects.filter(member=OuterRef("pk"), month=month)
    return Member.objects.filter(
        q, status__in=[Member.Status.FULL, Member.Status.PROBATIONARY]
    ).filter(~Exists(paid))


def dues_org(paths: list[str], today: date) -> list[dict]:
    if today.day < DUES_FROM_DAY:
        return []
    rows = (
        _unpaid(subtree_q(paths, "org__path"), today)
        .values("org__name")
        .annotate(n=Count("id"))
        .order_by("org__name")
    )
    return [
        item(Topic.DUES, r["org__name"], _("本月尚有 %(n)s 名党员未交纳党费") % {"n": r["n"]})
        for r in rows
    ]


def dues_personal(user, today: date) -> list[dict]:
    if today.day < DUES_FROM_DAY:
        return []
    member = _unpaid(Q(user=user), today).select_related("org").first()
    if member is None:
        return []
    return [item(Topic.DUES, member.org.name, _("您 %(m)s 月的党费尚未交纳") % {"m": today.month})]


def _birthdays(q: Q, today: date):
    return (
        Member.objects.filter(q, status__in=[Member.Status.FULL, Member.Status.PROBATIONARY])
        .filter(admitted_on__month=today.month, admitted_on__day=today.day)
        .exclude(admitted_on__year=today.year)
        .select_related("org")
    )


def birthdays_org(paths: list[str], today: date) -> list[dict]:
    names: dict[str, list[str]] = {}
    for m in _birthdays(subtree_q(paths, "org__path"), today).order_by("org__path", "name"):
        names.setdefault(m.org.name, []).append(m.name)
    return [
        item(Topic.BIRTHDAY, org, _("今天是 %(names)s 的政治生日") % {"names": "、".join(people)})
        for org, people in names.items()
    ]


def birthday_personal(user, today: date) -> list[dict]:
    member = _birthdays(Q(user=user), today).first()
    if member is None:
        return []
    years = today.year - member.admitted_on.year
    return [
        item(
            Topic.BIRTHDAY, member.org.name, _("今天是您的政治生日，入党 %(n)s 周年") % {"n": years}
        )
    ]


def findings_org(paths: list[str], today: date) -> list[dict]:
    counts = (
        Finding.objects.filter(
            subtree_q(paths, "org_path"),
            status__in=[Status.LATE, Status.MISSING, Status.DUE],
            period_start__lte=today,
            period_end__gte=today,
        )
        .values("status")
        .annotate(n=Count("id"))
    )
    by = {r["status"]: r["n"] for r in counts}
    late = by.get(Status.LATE, 0) + by.get(Status.MISSING, 0)
    if not late and not by.get(Status.DUE):
        return []
    text = _("本期 %(late)s 项逾期或缺失，%(due)s 项待办，详见驾驶舱") % {
        "late": late,
        "due": by.get(Status.DUE, 0),
    }
    return [item(Topic.DIGEST, "", text, status=Status.LATE if late else Status.DUE)]


def announcements_org(paths: list[str], today: date) -> list[dict]:
    rows = (
        Announcement.objects.filter(subtree_q(paths, "targets__path"), published_on=today)
        .select_related("org")
        .distinct()
        .order_by("-id")
    )
    return [
        item(Topic.NOTICE, a.org.name, _("发布通知「%(title)s」") % {"title": a.title})
        for a in rows[:PER_TOPIC]
    ]


def announcements_personal(user, today: date) -> list[dict]:
    """Announcements published since yesterday to the person's orgs that they have not
    opened: mentioned once in a digest, never chased afterwards (RESP-06)."""
    own = [g.path for g in permissions.grants(user, today) if g.level != permissions.PLATFORM]
    reachable = {p for path in own for p in ancestor_paths(path, include_self=True)}
    if not reachable:
        return []
    read = Receipt.objects.filter(announcement=OuterRef("pk"), user=user)
    rows = (
        Announcement.objects.filter(
            targets__path__in=reachable, published_on__gte=today - timedelta(days=1)
        )
        .filter(~Exists(read))
        .select_related("org")
        .distinct()
        .order_by("-id")
    )
    return [
        item(Topic.NOTICE, a.org.name, _("新通知「%(title)s」") % {"title": a.title})
        for a in rows[:PER_TOPIC]
    ]


def manager_tasks(user, today: date) -> list[dict]:
    paths = permissions.scope_paths(user, "request.handle")
    return tasks_org(paths, today) if paths and paths != [permissions.ALL_ORGS] else []


def manager_requests(user, today: date) -> list[dict]:
    paths = permissions.scope_paths(user, "request.handle")
    return requests_org(paths, today) if paths and paths != [permissions.ALL_ORGS] else []


register(Topic.DIGEST, org=findings_org)  # a person's findings are the rulebook's digest
register(Topic.MEETING, org=meetings_org, personal=meetings_personal)
register(Topic.BIRTHDAY, org=birthdays_org, personal=birthday_personal)
register(Topic.DUES, org=dues_org, personal=dues_personal)
register(Topic.TASK, org=tasks_org, personal=manager_tasks)
register(Topic.REQUEST, org=requests_org, personal=manager_requests)
register(Topic.NOTICE, org=announcements_org, personal=announcements_personal)
