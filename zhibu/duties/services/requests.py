"""Writes to 请示 and 报告 (《中国共产党重大事项请示报告条例》, REQ-01..06): a draft, its
attachments, sending it to the organisation above, and the receiver's answer or return.

Every refusal is a ``ValidationError`` whose message cites the rule (``code`` is the rule
code, which the API reports as ``rule``); nothing is written when one is raised.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.rules.params import params_for
from zhibu.core.rules.registry import in_force
from zhibu.core.scope import parent_path
from zhibu.core.workdays import working_days_end
from zhibu.duties.models import Evidence, ReportSchedule, Request
from zhibu.duties.rules.requests import (
    URGENCY_PARAMS,
    OneMatterNoHiddenRequest,
    ReceiverAnswers,
    asks_for_approval,
)
from zhibu.duties.services.evidence import evidence_add, ref_of
from zhibu.meetings.models import Meeting
from zhibu.orgs.models import Org
from zhibu.rulebook.run import refresh_codes

SUBJECT_EMPTY = _("请填写标题：一份请示报告只写一个事项（REQ-05，一文一事）。")
BODY_EMPTY = _("请填写正文：写明事项和理由（REQ-05）。")
NOT_ABOVE = _("只能向本组织的上级党组织报送请示报告（REQ-01）。")
SKIP_NO_REASON = _("越级报送须写明理由（REQ-01，《中国共产党重大事项请示报告条例》第六条）。")
COPY_SAME = _("抄送组织不能是本组织或主送组织；双重领导的，主送一个、抄送另一个（REQ-02）。")
MEETING_ELSEWHERE = _("集体研究的会议应是本组织已召开的会议，且不晚于报送日期（REQ-03）。")
SIGNER_EMPTY = _("请填写签发人：请示报告须经主要负责人签发（REQ-03）。")
HIDDEN_REQUEST = _(
    "报告中含有“%(phrase)s”等请求批准的用语，属于“请示夹在报告中”（REQ-05，"
    "《中国共产党重大事项请示报告条例》第二十条）。请改用请示，或确认后仍按报告报送"
    "（将列为检查发现的问题）。"
)
NOT_EDITABLE = _("只有草稿或被退回的请示报告可以修改和报送。")
NOT_OPEN = _("该请示报告已答复或退回，不能重复办理（REQ-06）。")
ANSWER_EMPTY = _("请填写答复意见。")
LATE_NO_REASON = _(
    "已超过答复时限（%(due)s），请写明超时原因，向报送组织说明（REQ-06，"
    "《中国共产党重大事项请示报告条例》第二十三条）。"
)
RETURN_NO_REASON = _("退回须写明理由。")
ANSWER_BEFORE_SENT = _("答复日期不能早于报送日期（%(day)s）。")
IN_FUTURE = _("日期不能晚于今天。")
ATTACH_CLOSED = _("已报送的请示报告不能再添加附件。")

KIND = "request"  # evidence files name their record "request:<public id>"
# The findings a sent document changes: the sender's (REQ-01/03/05), the receiver's (REQ-06).
SENDER_CODES = ("REQ-01", "REQ-03", "REQ-05")
RECEIVER_CODES = ("REQ-06",)


def is_above(receiver: Org, sender: Org) -> bool:
    return receiver.path != sender.path and sender.path.startswith(receiver.path)


def skips_level(receiver: Org, sender: Org) -> bool:
    """Addressed above the direct parent (越级)."""
    return receiver.path != parent_path(sender.path)


def _check(
    *,
    sender: Org,
    receiver: Org,
    subject: str,
    body: str,
    copy_to: Org | None,
    meeting: Meeting | None,
    skip_reason: str,
    on: date,
) -> None:
    errors: dict[str, list] = {}
    if not subject.strip():
        errors["subject"] = [ValidationError(SUBJECT_EMPTY, code="REQ-05")]
    if not body.strip():
        errors["body"] = [ValidationError(BODY_EMPTY, code="REQ-05")]
    if not is_above(receiver, sender):
        errors["receiver"] = [ValidationError(NOT_ABOVE, code="REQ-01")]
    elif skips_level(receiver, sender) and not skip_reason.strip():
        errors["skip_reason"] = [ValidationError(SKIP_NO_REASON, code="REQ-01")]
    if copy_to is not None and copy_to.pk in (sender.pk, receiver.pk):
        errors["copy_to"] = [ValidationError(COPY_SAME, code="REQ-02")]
    if meeting is not None and (
        meeting.org_id != sender.pk
        or meeting.on > on
        or meeting.status not in Meeting.HELD_STATUSES
    ):
        errors["meeting"] = [ValidationError(MEETING_ELSEWHERE, code="REQ-03")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def request_save(
    *,
    sender: Org,
    receiver: Org,
    kind: str,
    subject: str,
    body: str,
    urgency: str = Request.Urgency.NORMAL,
    copy_to: Org | None = None,
    meeting: Meeting | None = None,
    signer: str = "",
    skip_reason: str = "",
    schedule_key: str = "",
    record: Request | None = None,
    by=None,
) -> Request:
    """Create a draft (``record`` None) or change a draft or a returned document."""
    if record is not None and record.status not in (Request.Status.DRAFT, Request.Status.RETURNED):
        raise ValidationError(NOT_EDITABLE)
    _check(
        sender=sender,
        receiver=receiver,
        subject=subject,
        body=body,
        copy_to=copy_to,
        meeting=meeting,
        skip_reason=skip_reason,
        on=timezone.localdate(),
    )
    item = record or Request(sender=sender, created_by=by)
    item.receiver, item.copy_to, item.kind = receiver, copy_to, kind
    item.subject, item.body, item.urgency = subject.strip(), body.strip(), urgency
    item.meeting, item.signer = meeting, signer.strip()[:50]
    item.skip_reason, item.schedule_key = skip_reason.strip(), schedule_key
    item.full_clean(exclude=["created_by", "sent_by", "answered_by", "meeting", "copy_to"])
    item.save()
    return item


def due_on(*, receiver: Org, urgency: str, sent_on: date) -> date:
    """The answer's time limit: the urgency's working days (REQ-06 parameters of the
    receiver), counted from the working day after sending."""
    rule = in_force("REQ-06", sent_on) or ReceiverAnswers()
    days = params_for(rule, receiver, sent_on)[URGENCY_PARAMS[urgency]]
    return working_days_end(sent_on + timedelta(days=1), days).end


@transaction.atomic
def request_send(*, record: Request, by=None, acknowledge: bool = False, request=None) -> Request:
    """报送. A 报告 that asks for approval is refused until the sender ``acknowledge``s the
    warning (then it is sent, flagged, and a REQ-05 finding follows). Skipping a level
    needs its reason (REQ-01); the principal leader signs (REQ-03)."""
    item = Request.objects.select_for_update().get(pk=record.pk)
    if item.status not in (Request.Status.DRAFT, Request.Status.RETURNED):
        raise ValidationError(NOT_EDITABLE)
    today = timezone.localdate()
    _check(
        sender=item.sender,
        receiver=item.receiver,
        subject=item.subject,
        body=item.body,
        copy_to=item.copy_to,
        meeting=item.meeting,
        skip_reason=item.skip_reason,
        on=today,
    )
    if not item.signer.strip():
        raise ValidationError({"signer": ValidationError(SIGNER_EMPTY, code="REQ-03")})
    phrase = asks_for_approval(f"{item.subject}\n{item.body}", OneMatterNoHiddenRequest.phrases)
    hidden = item.kind == Request.Kind.REPORT and phrase is not None
    if hidden and not acknowledge:
        raise ValidationError(
            {"acknowledge": ValidationError(HIDDEN_REQUEST % {"phrase": phrase}, code="REQ-05")}
        )
    item.hidden_request = hidden
    item.hidden_acknowledged = hidden
    item.skips_level = skips_level(item.receiver, item.sender)
    item.status, item.sent_on, item.sent_by = Request.Status.SENT, today, by
    item.due_on = (
        due_on(receiver=item.receiver, urgency=item.urgency, sent_on=today)
        if item.kind == Request.Kind.REQUEST
        else None
    )
    item.answer = item.return_reason = item.late_reason = ""
    item.answered_on, item.answered_by = None, None
    item.save()
    if hidden or item.skips_level:
        audit_record(
            kind=AuditEvent.Kind.OVERRIDE,
            summary=f"报送“{item.subject[:60]}”"
            + ("（请示夹在报告中，已确认）" if hidden else "")
            + ("（越级报送）" if item.skips_level else ""),
            actor=by,
            request=request,
            obj=item,
            org_path=item.sender.path,
            details={"rule": "REQ-05" if hidden else "REQ-01", "skip_reason": item.skip_reason},
        )
    refresh_codes(root=item.sender, on=today, codes=SENDER_CODES, by=by)
    refresh_codes(root=item.receiver, on=today, codes=RECEIVER_CODES, by=by)
    return item


def _open_for_reply(record: Request, on: date) -> Request:
    item = Request.objects.select_for_update().get(pk=record.pk)
    if item.status != Request.Status.SENT:
        raise ValidationError(ValidationError(NOT_OPEN, code="REQ-06"))
    if on > timezone.localdate():
        raise ValidationError({"on": IN_FUTURE})
    if item.sent_on and on < item.sent_on:
        raise ValidationError({"on": ANSWER_BEFORE_SENT % {"day": item.sent_on}})
    return item


@transaction.atomic
def request_answer(
    *, record: Request, answer: str, by=None, on: date | None = None, late_reason: str = ""
) -> Request:
    """批复 (a 请示) or 答复 (a 报告) by the addressed organisation; once only. After the
    time limit the receiver explains the delay to the sender (REQ-06)."""
    on = on or timezone.localdate()
    item = _open_for_reply(record, on)
    if not answer.strip():
        raise ValidationError({"answer": ANSWER_EMPTY})
    if item.due_on and on > item.due_on and not late_reason.strip():
        raise ValidationError(
            {"late_reason": ValidationError(LATE_NO_REASON % {"due": item.due_on}, code="REQ-06")}
        )
    item.status, item.answer, item.late_reason = (
        Request.Status.ANSWERED,
        answer.strip(),
        late_reason.strip(),
    )
    item.answered_on, item.answered_by = on, by
    item.save()
    refresh_codes(root=item.receiver, on=item.sent_on or on, codes=RECEIVER_CODES, by=by)
    return item


@transaction.atomic
def request_return(*, record: Request, reason: str, by=None, on: date | None = None) -> Request:
    """退回: the receiver sends the document back with a reason; the sender may revise it
    and send it again."""
    on = on or timezone.localdate()
    item = _open_for_reply(record, on)
    if not reason.strip():
        raise ValidationError({"reason": RETURN_NO_REASON})
    item.status, item.return_reason = Request.Status.RETURNED, reason.strip()
    item.answered_on, item.answered_by = on, by
    item.save()
    refresh_codes(root=item.receiver, on=item.sent_on or on, codes=RECEIVER_CODES, by=by)
    return item


@transaction.atomic
def request_attach(*, record: Request, upload, by=None) -> Evidence:
    """An attachment (附件) of a draft, checked by content and size like all evidence."""
    if record.status not in (Request.Status.DRAFT, Request.Status.RETURNED):
        raise ValidationError({"file": ATTACH_CLOSED})
    return evidence_add(org=record.sender, ref=ref_of(KIND, record), upload=upload, by=by)


SCHEDULE_NAME = _("请填写年度报告的名称。")
SCHEDULE_KINDS = _("请选择报送的组织类型。")
SCHEDULE_DAY = _("截止日期不存在，请检查月、日。")
SCHEDULE_NOT_COMMITTEE = _("年度报告由党委或党总支为下级组织安排。")


@transaction.atomic
def schedule_add(
    *, committee: Org, name: str, org_kinds: list[str], due_month: int, due_day: int
) -> ReportSchedule:
    """A yearly report ``committee`` asks of the orgs of ``org_kinds`` below it (REQ-01)."""
    if committee.kind not in Org.COMMITTEE_KINDS:
        raise ValidationError(SCHEDULE_NOT_COMMITTEE)
    errors = {}
    if not name.strip():
        errors["name"] = SCHEDULE_NAME
    if not org_kinds or not set(org_kinds) <= set(Org.Kind.values):
        errors["org_kinds"] = SCHEDULE_KINDS
    try:
        date(2001, due_month, due_day)  # a common year: no 29 February
    except (TypeError, ValueError):
        errors["due_day"] = SCHEDULE_DAY
    if errors:
        raise ValidationError(errors)
    order = ReportSchedule.objects.filter(committee=committee).count() + 1
    return ReportSchedule.objects.create(
        committee=committee,
        key=f"{committee.code}-{uuid.uuid4().hex[:8]}"[:40].lower(),
        name=name.strip()[:100],
        org_kinds=list(org_kinds),
        due_month=due_month,
        due_day=due_day,
        sort_order=order,
    )


@transaction.atomic
def schedule_switch(*, schedule: ReportSchedule, active: bool) -> ReportSchedule:
    schedule.active = active
    schedule.save(update_fields=["active"])
    return schedule
