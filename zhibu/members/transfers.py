"""组织关系转接 and 流动党员: the writes (MBR-03, MBR-04, MBR-05).

Inside the system a transfer goes sending committee → receiving committee: the branch
(or the committee) asks, the sending committee approves (``member.transfer`` at the
member's org), the receiving committee accepts (``member.transfer`` at the receiving
org). Until then the member stays on the sender's roster (MBR-04), so meetings, dues
and rules keep counting them there. A transfer to an organisation outside the system
completes when the letter's receipt (回执) comes back; one from outside is recorded when
the member arrives. Status changes go through ``member_record_event`` as always.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core.crypto import blind_index
from zhibu.members import idnumber
from zhibu.members.models import Member, MemberEvent, Mobility, Transfer
from zhibu.members.services import (
    DUPLICATE_PERSON_ELSEWHERE,
    check_phone,
    check_placement,
    member_create,
    member_record_event,
    normalise_phone,
)
from zhibu.orgs.models import Org

# MBR-04 (local default): a letter is valid for three months.
LETTER_VALID_MONTHS = 3

TO_ORG_REQUIRED = _("请填写接收党支部的组织代码。")
TO_ORG_UNKNOWN = _("未找到组织代码为“%(code)s”的党支部。")
SAME_ORG = _("接收党支部与党员现所在党支部相同。")
OUTSIDE_ORG_REQUIRED = _("请填写系统外党组织的全称。")
LETTER_REQUIRED = _("转往或转自系统外党组织须填写介绍信编号（MBR-04）。")
OPEN_TRANSFER_EXISTS = _("该党员已有尚未办结的组织关系转接，请先办结或撤销。")
NOT_ON_ROSTER = _("党籍状态为“%(status)s”的党员不能办理组织关系转接。")
WRONG_STATUS = _("该转接当前状态为“%(status)s”，不能办理此项。")
REJECT_NEEDS_REASON = _("退回须写明理由：无正当理由不得拒收（MBR-04）。")
VALID_UNTIL_BEFORE_ISSUE = _("有效期不能早于开具日期。")
DATE_IN_FUTURE = _("日期不能晚于今天。")
DATE_BEFORE_REQUEST = _("日期不能早于申请日期（%(day)s）。")
DATE_BEFORE_ISSUE = _("日期不能早于介绍信开具日期（%(day)s）。")
ALREADY_ON_ROSTER = _("该公民身份号码对应的党员在册（%(status)s），不能再从系统外转入（DQ-04）。")
PERSON_FIELDS_REQUIRED = _("首次转入本系统的党员，请填写姓名、性别、出生日期和入党日期。")

MOBILITY_OPEN_EXISTS = _("该党员已有未结束的外出流动登记。")
MOBILITY_MEMBER_NOT_ON_ROSTER = _("只有在册党员可以登记外出流动。")
MOBILITY_PERSON_REQUIRED = _("请填写流入党员的姓名。")
MOBILITY_END_BEFORE_START = _("结束日期不能早于开始日期（%(day)s）。")
MOBILITY_DATE_BEFORE_START = _("日期不能早于外出流动开始日期（%(day)s）。")
MOBILITY_ENDED = _("该流动登记已结束。")
MOBILITY_ORG_NOT_BRANCH = _("流动党员应由党支部管理。")


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _not_future(field: str, day: date, today: date | None) -> None:
    if day > _today(today):
        raise ValidationError({field: DATE_IN_FUTURE})


def _locked(transfer: Transfer, *allowed: str) -> Transfer:
    transfer = Transfer.objects.select_for_update().select_related("member").get(pk=transfer.pk)
    if transfer.status not in allowed:
        raise ValidationError(WRONG_STATUS % {"status": transfer.get_status_display()})
    return transfer


def branch_by_code(code: str) -> Org:
    """An active branch anywhere in the system, by its org code (the receiving side of a
    transfer is usually outside the sender's scope, so it is named, not browsed)."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({"to_org": TO_ORG_REQUIRED})
    org = Org.objects.filter(
        code__iexact=code, kind__in=Org.BRANCH_KINDS, dissolved_on__isnull=True
    ).first()
    if org is None:
        raise ValidationError({"to_org": TO_ORG_UNKNOWN % {"code": code}})
    return org


@transaction.atomic
def transfer_start(
    *,
    member: Member,
    direction: str,
    requested_on: date,
    by=None,
    to_org: Org | None = None,
    outside_org: str = "",
    reason: str = "",
    note: str = "",
    today: date | None = None,
) -> Transfer:
    """Ask for a member's transfer (inside the system or to an org outside it)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status not in Member.ON_ROSTER:
        raise ValidationError(NOT_ON_ROSTER % {"status": member.get_status_display()})
    if Transfer.objects.filter(member=member, status__in=Transfer.OPEN).exists():
        raise ValidationError(OPEN_TRANSFER_EXISTS)
    _not_future("requested_on", requested_on, today)
    if direction == Transfer.Direction.INTERNAL:
        if to_org is None:
            raise ValidationError({"to_org": TO_ORG_REQUIRED})
        if to_org.pk == member.org_id:
            raise ValidationError({"to_org": SAME_ORG})
        errors = check_placement(to_org, None)
        if errors:
            raise ValidationError({"to_org": errors["org"]})
        outside_org = ""
    elif direction == Transfer.Direction.OUT:
        if not outside_org.strip():
            raise ValidationError({"outside_org": OUTSIDE_ORG_REQUIRED})
        to_org = None
    else:
        raise ValidationError({"direction": WRONG_STATUS % {"status": direction}})
    transfer = Transfer(
        member=member,
        direction=direction,
        from_org=member.org,
        to_org=to_org,
        outside_org=outside_org.strip(),
        reason=reason.strip(),
        note=note.strip(),
        requested_on=requested_on,
        requested_by=by,
    )
    transfer.full_clean()
    transfer.save()
    return transfer


@transaction.atomic
def transfer_approve(
    *,
    transfer: Transfer,
    by=None,
    issued_on: date,
    letter_no: str = "",
    valid_until: date | None = None,
    today: date | None = None,
) -> Transfer:
    """The sending committee approves: the letter is issued (to outside: with its number)."""
    transfer = _locked(transfer, Transfer.Status.REQUESTED)
    letter_no = letter_no.strip()
    if transfer.direction == Transfer.Direction.OUT and not letter_no:
        raise ValidationError({"letter_no": LETTER_REQUIRED})
    _not_future("issued_on", issued_on, today)
    if issued_on < transfer.requested_on:
        raise ValidationError({"issued_on": DATE_BEFORE_REQUEST % {"day": transfer.requested_on}})
    valid_until = valid_until or issued_on + relativedelta(months=LETTER_VALID_MONTHS)
    if valid_until < issued_on:
        raise ValidationError({"valid_until": VALID_UNTIL_BEFORE_ISSUE})
    transfer.letter_no = letter_no
    transfer.issued_on, transfer.valid_until = issued_on, valid_until
    transfer.sent_by, transfer.sent_at = by, timezone.now()
    transfer.status = (
        Transfer.Status.ISSUED
        if transfer.direction == Transfer.Direction.OUT
        else Transfer.Status.SENT
    )
    transfer._history_user = by
    transfer.save()
    return transfer


@transaction.atomic
def transfer_receive(
    *, transfer: Transfer, on: date, by=None, group: Org | None = None, today: date | None = None
) -> Transfer:
    """The receiving committee accepts: from ``on`` the member belongs to the new branch."""
    transfer = _locked(transfer, Transfer.Status.SENT)
    _not_future("on", on, today)
    if transfer.issued_on and on < transfer.issued_on:
        raise ValidationError({"on": DATE_BEFORE_ISSUE % {"day": transfer.issued_on}})
    member_record_event(
        member=transfer.member,
        kind=MemberEvent.Kind.TRANSFERRED,
        on=on,
        org=transfer.to_org,
        group=group,
        by=by,
        document_no=transfer.letter_no,
        note=str(_("自%(org)s转入")) % {"org": transfer.from_org},
        today=today,
    )
    transfer.status = Transfer.Status.RECEIVED
    transfer.received_on, transfer.received_by = on, by
    transfer._history_user = by
    transfer.save()
    return transfer


@transaction.atomic
def transfer_record_receipt(
    *, transfer: Transfer, on: date, by=None, today: date | None = None
) -> Transfer:
    """The receipt of a letter to outside the system came back: the member has left."""
    transfer = _locked(transfer, Transfer.Status.ISSUED)
    _not_future("on", on, today)
    if transfer.issued_on and on < transfer.issued_on:
        raise ValidationError({"on": DATE_BEFORE_ISSUE % {"day": transfer.issued_on}})
    member_record_event(
        member=transfer.member,
        kind=MemberEvent.Kind.TRANSFERRED_OUT,
        on=on,
        by=by,
        document_no=transfer.letter_no,
        note=str(_("转往%(org)s")) % {"org": transfer.outside_org},
        today=today,
    )
    transfer.status = Transfer.Status.RECEIVED
    transfer.received_on, transfer.received_by = on, by
    transfer._history_user = by
    transfer.save()
    return transfer


@transaction.atomic
def transfer_reject(*, transfer: Transfer, reason: str, by=None) -> Transfer:
    """Send a transfer back: the receiver (or the sending committee) must say why."""
    transfer = _locked(transfer, Transfer.Status.REQUESTED, Transfer.Status.SENT)
    if len((reason or "").strip()) < 4:
        raise ValidationError({"reason": REJECT_NEEDS_REASON})
    transfer.status = Transfer.Status.REJECTED
    transfer.rejection_reason = reason.strip()
    transfer._history_user = by
    transfer.save()
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, by=None) -> Transfer:
    """Withdraw a transfer not yet completed (the member simply stays where they are)."""
    transfer = _locked(transfer, *Transfer.OPEN)
    transfer.status = Transfer.Status.CANCELLED
    transfer._history_user = by
    transfer.save()
    return transfer


@transaction.atomic
def transfer_in_from_outside(
    *,
    to_org: Org,
    received_on: date,
    letter_no: str,
    outside_org: str,
    id_number: str,
    by=None,
    group: Org | None = None,
    issued_on: date | None = None,
    today: date | None = None,
    **person,
) -> Transfer:
    """Record a member arriving with a letter from outside the system.

    A person who once left this system (状态“已转出”) is found by the ID number's blind
    index and returns with a 转入 event; anyone else is registered with ``person``'s data
    (name, gender, birth date, admission and 转正 dates) as arriving on ``received_on``.
    """
    letter_no, outside_org = letter_no.strip(), outside_org.strip()
    errors = {}
    if not letter_no:
        errors["letter_no"] = [LETTER_REQUIRED]
    if not outside_org:
        errors["outside_org"] = [OUTSIDE_ORG_REQUIRED]
    try:
        number = idnumber.parse(id_number).number
    except idnumber.InvalidIdNumber as exc:
        errors["id_number"] = [exc.message]
        number = ""
    if errors:
        raise ValidationError(errors)
    _not_future("received_on", received_on, today)
    returning = Member.objects.filter(id_index=blind_index(number)).first()
    if returning is not None:
        if returning.status != Member.Status.TRANSFERRED_OUT:
            # Outside the user's scope the answer says no more than "registered elsewhere".
            visible = by is None or permissions.can(by, "member.view", returning.org)
            message = (
                ALREADY_ON_ROSTER % {"status": returning.get_status_display()}
                if visible
                else DUPLICATE_PERSON_ELSEWHERE
            )
            raise ValidationError({"id_number": message})
        member_record_event(
            member=returning,
            kind=MemberEvent.Kind.TRANSFERRED_IN,
            on=received_on,
            org=to_org,
            group=group,
            by=by,
            document_no=letter_no,
            note=str(_("自%(org)s转入")) % {"org": outside_org},
            today=today,
        )
        member = returning
    else:
        required = ("name", "gender", "birth_date", "admitted_on")
        if any(not person.get(key) for key in required):
            raise ValidationError(
                {key: [PERSON_FIELDS_REQUIRED] for key in required if not person.get(key)}
            )
        member = member_create(
            org=to_org,
            group=group,
            id_number=number,
            transferred_in_on=received_on,
            by=by,
            document_no=letter_no,
            **person,
        )
    transfer = Transfer(
        member=member,
        direction=Transfer.Direction.IN,
        status=Transfer.Status.RECEIVED,
        to_org=to_org,
        outside_org=outside_org,
        letter_no=letter_no,
        issued_on=issued_on,
        requested_on=issued_on or received_on,
        requested_by=by,
        received_on=received_on,
        received_by=by,
    )
    transfer.full_clean()
    transfer.save()
    return transfer


# --- 流动党员 -------------------------------------------------------------------------------


@transaction.atomic
def mobility_start(
    *,
    direction: str,
    org: Org,
    place: str,
    started_on: date,
    by=None,
    member: Member | None = None,
    person_name: str = "",
    other_org: str = "",
    reason: str = Mobility.Reason.WORK,
    contact: str = "",
    expected_until: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Mobility:
    """Register a member going away (out, kept by ``org``) or staying here (in)."""
    if not org.is_branch:
        raise ValidationError({"org": MOBILITY_ORG_NOT_BRANCH})
    _not_future("started_on", started_on, today)
    if direction == Mobility.Direction.OUT:
        if member is None or member.status not in Member.ON_ROSTER:
            raise ValidationError(MOBILITY_MEMBER_NOT_ON_ROSTER)
        if Mobility.objects.filter(
            member=member, direction=Mobility.Direction.OUT, ended_on__isnull=True
        ).exists():
            raise ValidationError(MOBILITY_OPEN_EXISTS)
    elif member is None and not person_name.strip():
        raise ValidationError({"person_name": MOBILITY_PERSON_REQUIRED})
    contact = contact.strip()
    if contact[:1].isdigit():  # a phone number (else e.g. a WeChat id): check its shape
        if check_phone(contact):
            raise ValidationError({"contact": check_phone(contact)["phone"]})
        contact = normalise_phone(contact)
    if expected_until and expected_until < started_on:
        raise ValidationError({"expected_until": MOBILITY_END_BEFORE_START % {"day": started_on}})
    mobility = Mobility(
        direction=direction,
        member=member,
        org=org,
        person_name=person_name.strip(),
        other_org=other_org.strip(),
        place=place.strip(),
        reason=reason,
        contact=contact,
        started_on=started_on,
        expected_until=expected_until,
        last_contact_on=started_on,
        note=note.strip(),
    )
    mobility.full_clean()
    mobility._history_user = by
    mobility.save()
    return mobility


def _open_mobility(mobility: Mobility) -> Mobility:
    mobility = Mobility.objects.select_for_update().get(pk=mobility.pk)
    if mobility.ended_on is not None:
        raise ValidationError(MOBILITY_ENDED)
    return mobility


@transaction.atomic
def mobility_record_contact(
    *, mobility: Mobility, on: date, by=None, today: date | None = None
) -> Mobility:
    """The branch reached the member on ``on``: contact is restored (MBR-05 stops)."""
    mobility = _open_mobility(mobility)
    _not_future("on", on, today)
    if on < mobility.started_on:
        raise ValidationError({"on": MOBILITY_DATE_BEFORE_START % {"day": mobility.started_on}})
    mobility.last_contact_on = max(on, mobility.last_contact_on or on)
    mobility.lost_contact_since = None
    mobility._history_user = by
    mobility.save()
    return mobility


@transaction.atomic
def mobility_mark_lost(
    *, mobility: Mobility, since: date, by=None, today: date | None = None
) -> Mobility:
    """The member cannot be reached since ``since`` (the MBR-05 clock starts then)."""
    mobility = _open_mobility(mobility)
    _not_future("since", since, today)
    if since < mobility.started_on:
        raise ValidationError({"since": MOBILITY_DATE_BEFORE_START % {"day": mobility.started_on}})
    mobility.lost_contact_since = since
    mobility._history_user = by
    mobility.save()
    return mobility


@transaction.atomic
def mobility_end(*, mobility: Mobility, on: date, by=None, today: date | None = None) -> Mobility:
    """The member came back (or left this place): the mobility record is closed."""
    mobility = _open_mobility(mobility)
    _not_future("on", on, today)
    if on < mobility.started_on:
        raise ValidationError({"on": MOBILITY_END_BEFORE_START % {"day": mobility.started_on}})
    mobility.ended_on = on
    mobility._history_user = by
    mobility.save()
    return mobility
