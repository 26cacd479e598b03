"""Writes to 督办单: open, reply (text and evidence files), accept or ask again, and the
set-based escalation of unanswered ones (提醒 → 督办 → 约谈建议)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from zhibu.core import workdays
from zhibu.core.scope import subtree_q
from zhibu.core.versioning import check_version
from zhibu.duties.models import Supervision, SupervisionEntry
from zhibu.duties.selectors import supervision as selectors
from zhibu.duties.services.evidence import evidence_add_many, ref_of
from zhibu.duties.targets import Target

REQUEST_EMPTY = _("请填写督办要求。")
REPLY_EMPTY = _("请填写回复内容。")
ASK_EMPTY = _("请写明需要重新回复的原因。")
DAYS_RANGE = _("回复时限应为 1 至 30 个工作日。")
DUE_PAST = _("回复期限不能早于今天。")
ALREADY_OPEN = _("该事项已有未办结的督办单，请在原督办单上继续督办。")
NOT_ADDRESSED = _("该督办单不是发给本组织的，不能回复（督办须由责任组织回复）。")
NOT_OPEN = _("该督办单不在待回复状态，不能回复。")
NOT_REPLIED = _("该督办单尚未回复，不能审核。")
MAY_NOT_OPEN = _(
    "只有上级党委的组织、纪检岗位或任务下达人可以督办（RESP-01：党委主体责任、纪委监督责任）。"
)
NOUN = _("督办单")
DEFAULT_DAYS = 5


def reply_due_for(opened_on: date, working_days: int) -> date:
    """The reply deadline: ``working_days`` working days counted from the next day
    (法定节假日和调休 included, ``zhibu.core.workdays``)."""
    return workdays.working_days_end(opened_on + timedelta(days=1), working_days).end


def _days(working_days: int) -> int:
    if not 1 <= working_days <= 30:
        raise ValidationError({"working_days": DAYS_RANGE})
    return working_days


@transaction.atomic
def supervision_open(
    *,
    target: Target,
    request: str,
    by,
    level: int = Supervision.Level.REMIND,
    working_days: int = DEFAULT_DAYS,
    reply_due: date | None = None,
    today: date | None = None,
) -> Supervision:
    """督办 ``target`` (resolved for ``by`` by ``targets.target_for``): the responsible org
    must reply by ``reply_due`` (given) or within ``working_days`` working days."""
    today = today or timezone.localdate()
    opener = selectors.opener_org(by, target)
    if opener is None:
        raise PermissionDenied(MAY_NOT_OPEN)
    if not request.strip():
        raise ValidationError({"request": REQUEST_EMPTY})
    _days(working_days)
    if reply_due is not None and reply_due < today:
        raise ValidationError({"reply_due": DUE_PAST})
    if level not in Supervision.Level.values:
        level = Supervision.Level.REMIND
    if (
        Supervision.objects.filter(target_ref=target.ref)
        .exclude(status=Supervision.Status.CLOSED)
        .exists()
    ):
        raise ValidationError(ALREADY_OPEN)
    item = Supervision.objects.create(
        org=target.org,
        by_org=opener,
        target_ref=target.ref,
        target_label=target.label,
        level=level,
        request=request.strip(),
        opened_on=today,
        working_days=working_days,
        reply_due=reply_due or reply_due_for(today, working_days),
        opened_by=by,
    )
    return item


def _locked(supervision: Supervision, version) -> Supervision:
    locked = Supervision.objects.select_for_update().get(pk=supervision.pk)
    check_version(locked, version, noun=NOUN)
    # keep the related rows the caller already read
    locked.org, locked.by_org = supervision.org, supervision.by_org
    return locked


@transaction.atomic
def supervision_reply(
    *, supervision: Supervision, text: str, by, files=(), version=None
) -> SupervisionEntry:
    """The responsible org answers, with evidence files (checked before anything is
    written: one bad file refuses the whole reply)."""
    if not selectors.can_reply(by, supervision):
        raise ValidationError(NOT_ADDRESSED)
    supervision = _locked(supervision, version)
    if supervision.status != Supervision.Status.OPEN:
        raise ValidationError(NOT_OPEN)
    if not text.strip():
        raise ValidationError({"text": REPLY_EMPTY})
    entry = SupervisionEntry.objects.create(
        supervision=supervision, kind=SupervisionEntry.Kind.REPLY, text=text.strip(), by=by
    )
    supervision.status = Supervision.Status.REPLIED
    supervision.save()
    if files:
        evidence_add_many(
            org=supervision.org, ref=ref_of("supervision", supervision), uploads=files, by=by
        )
    return entry


@transaction.atomic
def supervision_decide(
    *,
    supervision: Supervision,
    accept: bool,
    by,
    note: str = "",
    working_days: int | None = None,
    version=None,
    today: date | None = None,
) -> Supervision:
    """The opener's side accepts the reply (办结) or asks again with a new deadline."""
    if not selectors.can_decide(by, supervision):
        raise PermissionDenied
    today = today or timezone.localdate()
    supervision = _locked(supervision, version)
    if supervision.status != Supervision.Status.REPLIED:
        raise ValidationError(NOT_REPLIED)
    if accept:
        supervision.status, supervision.closed_on = Supervision.Status.CLOSED, today
        kind = SupervisionEntry.Kind.ACCEPT
    else:
        if not note.strip():
            raise ValidationError({"note": ASK_EMPTY})
        days = _days(working_days or supervision.working_days)
        supervision.status = Supervision.Status.OPEN
        supervision.working_days, supervision.reply_due = days, reply_due_for(today, days)
        kind = SupervisionEntry.Kind.ASK_AGAIN
    supervision.save()
    SupervisionEntry.objects.create(supervision=supervision, kind=kind, text=note.strip(), by=by)
    return supervision


ESCALATED = _("逾期未回复，自动升级为“%(level)s”，新的回复期限 %(due)s。")
AT_TOP = _("已是最高一级（约谈建议），不能再升级。")
NOT_OPEN_ESCALATE = _("只有待回复的督办单可以升级。")


@transaction.atomic
def supervision_escalate(
    *, supervision: Supervision, by, note: str = "", version=None, today: date | None = None
) -> Supervision:
    """The opener's side raises one unanswered 督办 one step now (提醒 → 督办 → 约谈建议),
    with a new reply deadline of its working days."""
    if not selectors.can_decide(by, supervision):
        raise PermissionDenied
    today = today or timezone.localdate()
    supervision = _locked(supervision, version)
    if supervision.status != Supervision.Status.OPEN:
        raise ValidationError(NOT_OPEN_ESCALATE)
    if supervision.level >= Supervision.Level.INTERVIEW:
        raise ValidationError(AT_TOP)
    supervision.level += 1
    supervision.escalated_on = today
    supervision.reply_due = reply_due_for(today, supervision.working_days)
    supervision.save()
    text = note.strip() or str(
        _("升级为“%(level)s”，新的回复期限 %(due)s。")
        % {"level": Supervision.Level(supervision.level).label, "due": supervision.reply_due}
    )
    SupervisionEntry.objects.create(
        supervision=supervision, kind=SupervisionEntry.Kind.ESCALATE, text=text, by=by
    )
    return supervision


@transaction.atomic
def supervisions_escalate(*, root=None, today: date | None = None) -> int:
    """Every 督办 of ``root``'s subtree (all when None) past its reply deadline without a
    reply goes up one step with a new deadline of its working days; 约谈建议 is the last
    step (it stays, shown in the 纪检 view and judged by RESP-01). Set-based: one read, one
    bulk update and one bulk insert whatever the number; running it twice the same day
    changes nothing the second time (the new deadline is after today)."""
    today = today or timezone.localdate()
    qs = Supervision.objects.filter(
        status=Supervision.Status.OPEN,
        reply_due__lt=today,
        level__lt=Supervision.Level.INTERVIEW,
    )
    if root is not None:
        qs = qs.filter(subtree_q([root.path], field="org__path"))
    rows = list(qs.select_for_update())
    if not rows:
        return 0
    due: dict[int, date] = {}
    entries = []
    for row in rows:
        if row.working_days not in due:
            due[row.working_days] = reply_due_for(today, row.working_days)
        row.level += 1
        row.reply_due, row.escalated_on = due[row.working_days], today
        row.updated_at = timezone.now()
        entries.append(
            SupervisionEntry(
                supervision=row,
                kind=SupervisionEntry.Kind.ESCALATE,
                text=str(
                    ESCALATED % {"level": Supervision.Level(row.level).label, "due": row.reply_due}
                ),
            )
        )
    bulk_update_with_history(
        rows, Supervision, ["level", "reply_due", "escalated_on", "updated_at"], batch_size=500
    )
    SupervisionEntry.objects.bulk_create(entries, batch_size=500)
    return len(rows)


# The runs that escalate: the nightly tick (and its manual twin, ``manage.py rules_run``).
# A run started from a page, a save or the demo judges without moving 督办 on.
ESCALATING_TRIGGERS = frozenset({"tick", "command"})


def escalate_after_run(run, *, root, period, codes, today) -> None:
    """After-run hook (``zhibu.rulebook.hooks``): the nightly run over a subtree also
    escalates its unanswered 督办, so they keep moving without anyone pressing a button."""
    if run is None or run.trigger not in ESCALATING_TRIGGERS:
        return
    if codes and "RESP-01" not in codes:
        return
    supervisions_escalate(root=root, today=today)
