"""Writes to the roster: creating members, recording status events, deriving spans.

Status and affiliation change only through dated ``MemberEvent`` rows; the member's
current ``status``/``org``/``group`` and the ``MemberSpan`` rows are derived from them
here, in one place (``member_rebuild_spans``).
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from zhibu.core.crypto import blind_index
from zhibu.members import idnumber
from zhibu.members.models import Member, MemberEvent, MemberSpan
from zhibu.orgs.models import Org

ADMITTED_UNDER_18 = _("入党日期早于年满 18 周岁之日（%(day)s）（DQ-02，细则第五条）。")
FULL_BEFORE_PROBATION_ENDS = _("转正日期早于预备期满之日（%(day)s）（DQ-03，党章第七条）。")
FULL_WITHOUT_ADMISSION = _("填写了转正日期，请同时填写入党日期。")
ADMITTED_BEFORE_APPLIED = _("入党日期不能早于申请入党日期。")
DUPLICATE_PERSON = _(
    "该公民身份号码已登记为党员“%(name)s”（%(org)s），同一人不能重复登记（DQ-04）。"
)
ORG_NOT_BRANCH = _("党员应编入党支部（含联合、临时党支部），不能直接编入%(kind)s。")
GROUP_NOT_IN_BRANCH = _("所选党小组不属于所选党支部。")
ORG_DISSOLVED = _("所选党组织已撤销。")
EVENT_BEFORE_LAST = _("变动日期不能早于该党员最近一次党籍变动（%(day)s）。")
EVENT_IN_FUTURE = _("变动日期不能晚于今天。")
EVENT_NOT_ALLOWED = _("党籍状态为“%(status)s”的党员不能办理“%(kind)s”。")
EVENT_NEEDS_ORG = _("请选择转入或调整后的党支部。")

# Which event kinds may follow which statuses, and the status each leads to.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    MemberEvent.Kind.CONFIRMED: (frozenset({Member.Status.PROBATIONARY}), Member.Status.FULL),
    MemberEvent.Kind.PROBATION_EXTENDED: (
        frozenset({Member.Status.PROBATIONARY}),
        Member.Status.PROBATIONARY,
    ),
    MemberEvent.Kind.PROBATION_CANCELLED: (
        frozenset({Member.Status.PROBATIONARY}),
        Member.Status.LEFT,
    ),
    MemberEvent.Kind.TRANSFERRED_IN: (frozenset({Member.Status.TRANSFERRED_OUT}), ""),
    MemberEvent.Kind.TRANSFERRED_OUT: (frozenset(Member.ON_ROSTER), Member.Status.TRANSFERRED_OUT),
    MemberEvent.Kind.MOVED: (frozenset(Member.ON_ROSTER), ""),
    MemberEvent.Kind.SUSPENDED: (
        frozenset({Member.Status.FULL, Member.Status.PROBATIONARY}),
        Member.Status.SUSPENDED,
    ),
    MemberEvent.Kind.RESTORED: (frozenset({Member.Status.SUSPENDED}), ""),
    MemberEvent.Kind.PERSUADED_OUT: (frozenset(Member.ON_ROSTER), Member.Status.LEFT),
    MemberEvent.Kind.REMOVED: (frozenset(Member.ON_ROSTER), Member.Status.LEFT),
    MemberEvent.Kind.EXPELLED: (frozenset(Member.ON_ROSTER), Member.Status.LEFT),
    MemberEvent.Kind.DECEASED: (frozenset(Member.ON_ROSTER), Member.Status.DECEASED),
}
EXIT_KINDS = {
    MemberEvent.Kind.PERSUADED_OUT: Member.ExitKind.PERSUADED,
    MemberEvent.Kind.REMOVED: Member.ExitKind.REMOVED,
    MemberEvent.Kind.EXPELLED: Member.ExitKind.EXPELLED,
    MemberEvent.Kind.PROBATION_CANCELLED: Member.ExitKind.CANCELLED,
}


def pinyin_of(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lower case without spaces: 张三 → ("zhangsan", "zs")."""
    syllables = [s for s in lazy_pinyin(name, style=Style.NORMAL) if s.strip()]
    return "".join(syllables).lower(), "".join(s[0] for s in syllables).lower()


def probation_end(admitted_on: date) -> date:
    """One calendar year after the 支部大会 date (DEV-13); 29 Feb → 28 Feb."""
    return admitted_on + relativedelta(years=1)


def check_person(
    *,
    id_number: str,
    birth_date: date | None,
    gender: str | None,
    applied_on: date | None,
    admitted_on: date | None,
    full_on: date | None,
    exclude_pk: int | None = None,
) -> dict[str, list]:
    """The DQ-01..04 checks of one person; returns {field: [messages]} (empty when fine)."""
    errors: dict[str, list] = {}

    def add(field: str, message) -> None:
        errors.setdefault(field, []).append(message)

    info = None
    if id_number:
        try:
            info = idnumber.parse(id_number)
        except idnumber.InvalidIdNumber as exc:
            add("id_number", exc.message)
    if info is not None:
        if birth_date and birth_date != info.birth_date:
            add("birth_date", idnumber.ID_BIRTH_MISMATCH % {"day": info.birth_date})
        if gender and gender != info.gender:
            add("gender", idnumber.ID_SEX_MISMATCH % {"sex": Member.Gender(info.gender).label})
        duplicate = (
            Member.objects.filter(id_index=blind_index(info.number)).exclude(pk=exclude_pk).first()
        )
        if duplicate is not None:
            add("id_number", DUPLICATE_PERSON % {"name": duplicate.name, "org": duplicate.org})
    born = birth_date or (info.birth_date if info else None)
    if admitted_on and born and admitted_on < born + relativedelta(years=18):
        add("admitted_on", ADMITTED_UNDER_18 % {"day": born + relativedelta(years=18)})
    if applied_on and admitted_on and admitted_on < applied_on:
        add("admitted_on", ADMITTED_BEFORE_APPLIED)
    if full_on and not admitted_on:
        add("admitted_on", FULL_WITHOUT_ADMISSION)
    if full_on and admitted_on and full_on < probation_end(admitted_on):
        add("full_on", FULL_BEFORE_PROBATION_ENDS % {"day": probation_end(admitted_on)})
    return errors


def check_placement(org: Org, group: Org | None) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not org.is_branch:
        errors["org"] = [ORG_NOT_BRANCH % {"kind": org.get_kind_display()}]
    elif org.dissolved_on is not None:
        errors["org"] = [ORG_DISSOLVED]
    if group is not None and (group.kind != Org.Kind.GROUP or not group.path.startswith(org.path)):
        errors["group"] = [GROUP_NOT_IN_BRANCH]
    return errors


def set_identity(member: Member, id_number: str) -> None:
    """Store an ID number with its blind index and last four digits (never in plaintext)."""
    number = idnumber.normalise(id_number)
    member.id_number = number
    member.id_index = blind_index(number) if number else None
    member.id_last4 = number[-4:] if number else ""


@transaction.atomic
def member_create(
    *,
    org: Org,
    name: str,
    gender: str,
    birth_date: date,
    id_number: str = "",
    status: str | None = None,
    admitted_on: date | None = None,
    full_on: date | None = None,
    applied_on: date | None = None,
    group: Org | None = None,
    enrolled_on: date | None = None,
    by=None,
    document_no: str = "",
    **fields,
) -> Member:
    """Register a member with the events their dates imply (admission, 转正)."""
    errors = check_placement(org, group)
    for field, messages in check_person(
        id_number=id_number, birth_date=birth_date, gender=gender, applied_on=applied_on,
        admitted_on=admitted_on, full_on=full_on,
    ).items():  # fmt: skip
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    derived = Member.Status.FULL if full_on else Member.Status.PROBATIONARY
    member = Member(
        org=org, group=group, name=name, gender=gender, birth_date=birth_date,
        applied_on=applied_on, admitted_on=admitted_on, full_on=full_on,
        status=status or derived, **fields,
    )  # fmt: skip
    member.name_pinyin, member.name_initials = pinyin_of(name)
    set_identity(member, id_number)
    member.full_clean(exclude=["id_index", "id_last4"])
    member.save()
    events = []
    if admitted_on:
        events.append(MemberEvent(member=member, kind=MemberEvent.Kind.ADMITTED, on=admitted_on, org=org, group=group,
                                  status_after=Member.Status.PROBATIONARY, document_no=document_no, recorded_by=by))  # fmt: skip
    if full_on:
        events.append(MemberEvent(member=member, kind=MemberEvent.Kind.CONFIRMED, on=full_on,
                                  status_after=Member.Status.FULL, recorded_by=by))  # fmt: skip
    if not events or member.status != events[-1].status_after:
        # No admission date (legacy records) or a status the dates do not imply: a baseline.
        events.append(MemberEvent(member=member, kind=MemberEvent.Kind.ENROLLED, on=enrolled_on or timezone.localdate(),
                                  org=org, group=group, status_after=member.status, recorded_by=by,
                                  note=str(_("建档时的状态"))))  # fmt: skip
    MemberEvent.objects.bulk_create(events)
    member_rebuild_spans(member)
    return member


@transaction.atomic
def member_record_event(
    *,
    member: Member,
    kind: str,
    on: date,
    by=None,
    org: Org | None = None,
    group: Org | None = None,
    document_no: str = "",
    note: str = "",
    today: date | None = None,
) -> MemberEvent:
    """Record one dated status change and re-derive the member's status and spans."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    allowed, status_after = TRANSITIONS[kind]
    if member.status not in allowed:
        raise ValidationError(
            {
                "kind": EVENT_NOT_ALLOWED
                % {"status": member.get_status_display(), "kind": MemberEvent.Kind(kind).label}
            }
        )
    last = member.events.order_by("-on", "-id").first()
    if last is not None and on < last.on:
        raise ValidationError({"on": EVENT_BEFORE_LAST % {"day": last.on}})
    if on > (today or timezone.localdate()):
        raise ValidationError({"on": EVENT_IN_FUTURE})
    if kind in (MemberEvent.Kind.TRANSFERRED_IN, MemberEvent.Kind.MOVED):
        if org is None:
            raise ValidationError({"org": EVENT_NEEDS_ORG})
        errors = check_placement(org, group)
        if errors:
            raise ValidationError(errors)
    if not status_after:
        # Moves keep the status; restoring and transferring in return to full or probationary.
        status_after = member.status
        if kind in (MemberEvent.Kind.RESTORED, MemberEvent.Kind.TRANSFERRED_IN):
            status_after = Member.Status.FULL if member.full_on else Member.Status.PROBATIONARY
    event = MemberEvent.objects.create(
        member=member, kind=kind, on=on, org=org, group=group, status_after=status_after,
        document_no=document_no, note=note, recorded_by=by,
    )  # fmt: skip
    member.status = status_after
    if org is not None:
        member.org, member.group = org, group
    if kind in EXIT_KINDS:
        member.exit_kind = EXIT_KINDS[kind]
    if kind == MemberEvent.Kind.CONFIRMED:
        member.full_on = on
    member.save()
    member_rebuild_spans(member)
    return event


def member_rebuild_spans(member: Member) -> list[MemberSpan]:
    """Derive the member's spans from their events (idempotent)."""
    spans: list[MemberSpan] = []
    current: MemberSpan | None = None
    org_id, group_id = None, None
    for event in member.events.order_by("on", "id"):
        if event.org_id is not None:
            org_id, group_id = event.org_id, event.group_id
        state = (org_id, group_id, event.status_after)
        if current is not None and (current.org_id, current.group_id, current.status) == state:
            continue
        if current is not None:
            current.end = event.on
            if current.end > current.start:
                spans.append(current)
            current = None
        if event.status_after in Member.ON_ROSTER and org_id is not None:
            current = MemberSpan(
                member=member,
                org_id=org_id,
                group_id=group_id,
                status=event.status_after,
                start=event.on,
            )
    if current is not None:
        spans.append(current)
    MemberSpan.objects.filter(member=member).delete()
    return MemberSpan.objects.bulk_create(spans)
