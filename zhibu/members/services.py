"""Writes to the roster: creating members, recording status events, deriving spans.

Status and affiliation change only through dated ``MemberEvent`` rows; the member's
current ``status``/``org``/``group`` and the ``MemberSpan`` rows are derived from them
here, in one place (``member_rebuild_spans``).
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from zhibu.accounts import permissions
from zhibu.core import versioning
from zhibu.core.audit import audit_record
from zhibu.core.crypto import blind_index
from zhibu.core.models import AuditEvent
from zhibu.members import idnumber
from zhibu.members.accounts import member_changed
from zhibu.members.models import Member, MemberEvent, MemberSpan
from zhibu.orgs.models import Org

ADMITTED_UNDER_18 = _("入党日期早于年满 18 周岁之日（%(day)s）（DQ-02，细则第五条）。")
FULL_BEFORE_PROBATION_ENDS = _("转正日期早于预备期满之日（%(day)s）（DQ-03，党章第七条）。")
FULL_WITHOUT_ADMISSION = _("填写了转正日期，请同时填写入党日期。")
ADMITTED_BEFORE_APPLIED = _("入党日期不能早于申请入党日期。")
DUPLICATE_PERSON = _(
    "该公民身份号码已登记为党员“%(name)s”（%(org)s），同一人不能重复登记（DQ-04）。"
)
# The same finding when the existing record lies outside the user's scope: no name, no org.
DUPLICATE_PERSON_ELSEWHERE = _(
    "该公民身份号码已在其他党组织登记，同一人不能重复登记（DQ-04），请与上级党组织核实。"
)
PHONE_INVALID = _("联系电话格式不正确：手机号为 11 位数字，固定电话如 010-12345678。")
REVEAL_FIELD_UNKNOWN = _("只能查看公民身份号码或联系电话。")
REVEAL_REASON_REQUIRED = _("请填写查看理由（不少于 4 个字）。")
REVEAL_EMPTY = _("该党员未登记此项信息。")
GROUP_NEEDED = _("请选择党小组。")
STALE = versioning.STALE  # the error code of a stale edit (zhibu.core.versioning)
STALE_EDIT = versioning.STALE_EDIT
CORRECTION_EMPTY = _("请填写应更正为的内容。")
CORRECTION_ALREADY_HANDLED = _("该更正申请已处理。")
CORRECTION_NEEDS_RESPONSE = _("不予更正时请填写处理意见。")
ORG_NOT_BRANCH = _("党员应编入党支部（含联合、临时党支部），不能直接编入%(kind)s。")
GROUP_NOT_IN_BRANCH = _("所选党小组不属于所选党支部。")
ORG_DISSOLVED = _("所选党组织已撤销。")
GROUP_DISSOLVED = _("所选党小组已撤销。")
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
    MemberEvent.Kind.TRANSFERRED: (frozenset(Member.ON_ROSTER), ""),
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
# Kinds that place the member in an org (the event carries the new branch).
PLACING_KINDS = frozenset(
    {MemberEvent.Kind.TRANSFERRED_IN, MemberEvent.Kind.TRANSFERRED, MemberEvent.Kind.MOVED}
)
EXIT_KINDS = {
    MemberEvent.Kind.PERSUADED_OUT: Member.ExitKind.PERSUADED,
    MemberEvent.Kind.REMOVED: Member.ExitKind.REMOVED,
    MemberEvent.Kind.EXPELLED: Member.ExitKind.EXPELLED,
    MemberEvent.Kind.PROBATION_CANCELLED: Member.ExitKind.CANCELLED,
}


@functools.lru_cache(maxsize=8192)  # pure; common names recur in a roster
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
    check_duplicate: bool = True,
    user=None,
    id_info: idnumber.IdInfo | None = None,
) -> dict[str, list]:
    """The DQ-01..04 checks of one person; returns {field: [messages]} (empty when fine).

    Forms, services and the Excel import all call this one function. The import checks
    duplicates against the database itself, a chunk of rows at a time
    (``check_duplicate=False``). With ``user``, a duplicate outside the user's scope is
    reported without its name and org. ``id_info``: the number already parsed by the
    caller (``idnumber.parse(id_number)``), so it is not parsed again.
    """
    errors: dict[str, list] = {}

    def add(field: str, message, code: str | None = None) -> None:
        # The rule code travels with the message (the API reports it as details[].rule).
        errors.setdefault(field, []).append(
            ValidationError(message, code=code) if code else message
        )

    info = id_info
    if id_number and info is None:
        try:
            info = idnumber.parse(id_number)
        except idnumber.InvalidIdNumber as exc:
            add("id_number", exc.message, "DQ-01")
    if info is not None:
        if birth_date and birth_date != info.birth_date:
            add("birth_date", idnumber.ID_BIRTH_MISMATCH % {"day": info.birth_date}, "DQ-01")
        if gender and gender != info.gender:
            add(
                "gender",
                idnumber.ID_SEX_MISMATCH % {"sex": Member.Gender(info.gender).label},
                "DQ-01",
            )
        if check_duplicate:
            duplicate = (
                Member.objects.filter(id_index=blind_index(info.number))
                .exclude(pk=exclude_pk)
                .select_related("org")
                .first()
            )
            if duplicate is not None:
                add("id_number", duplicate_message(duplicate, user), "DQ-04")
    born = birth_date or (info.birth_date if info else None)
    if admitted_on and born and admitted_on < born + relativedelta(years=18):
        add("admitted_on", ADMITTED_UNDER_18 % {"day": born + relativedelta(years=18)}, "DQ-02")
    if applied_on and admitted_on and admitted_on < applied_on:
        add("admitted_on", ADMITTED_BEFORE_APPLIED)
    if full_on and not admitted_on:
        add("admitted_on", FULL_WITHOUT_ADMISSION)
    if full_on and admitted_on and full_on < probation_end(admitted_on):
        add("full_on", FULL_BEFORE_PROBATION_ENDS % {"day": probation_end(admitted_on)}, "DQ-03")
    return errors


def duplicate_message(duplicate: Member, user=None) -> str:
    if user is not None and not permissions.can(user, "member.view", duplicate.org):
        return str(DUPLICATE_PERSON_ELSEWHERE)
    return str(DUPLICATE_PERSON % {"name": duplicate.name, "org": duplicate.org})


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def normalise_phone(value: str) -> str:
    return (value or "").strip().replace(" ", "").replace("－", "-")


def check_phone(value: str) -> dict[str, list]:
    """A mainland mobile number or a landline with its area code (empty is fine)."""
    phone = normalise_phone(value)
    if phone and not (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)):
        return {"phone": [PHONE_INVALID]}
    return {}


def merge_errors(*parts: dict[str, list]) -> dict[str, list]:
    errors: dict[str, list] = {}
    for part in parts:
        for field, messages in part.items():
            errors.setdefault(field, []).extend(messages)
    return errors


def check_placement(org: Org, group: Org | None) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not org.is_branch:
        errors["org"] = [ORG_NOT_BRANCH % {"kind": org.get_kind_display()}]
    elif org.dissolved_on is not None:
        errors["org"] = [ORG_DISSOLVED]
    if group is not None and (group.kind != Org.Kind.GROUP or not group.path.startswith(org.path)):
        errors["group"] = [GROUP_NOT_IN_BRANCH]
    elif group is not None and group.dissolved_on is not None:
        errors["group"] = [GROUP_DISSOLVED]
    return errors


def set_identity(member: Member, id_number: str) -> None:
    """Store an ID number encrypted with its keyed indexes (exact value, last four) and
    whether it agrees with the record — never the number or a fragment of it in clear."""
    number = idnumber.normalise(id_number)
    member.id_number = number
    member.id_index = blind_index(number) if number else None
    derive_identity(member, number)


def derive_identity(member: Member, number: str) -> None:
    """Fill the keyed tail index and the yes/no facts DQ-01 reads: is the number well
    formed, and do its birth date and sex agree with the record's? Call it again whenever
    the record's birth date or sex changes."""
    member.id_tail_index, member.id_format_ok, member.id_matches = identity_facts(
        number, member.birth_date, member.gender
    )


def identity_facts(
    number: str, birth_date: date | None, gender: str | None, *, today: date | None = None
) -> tuple[str, bool, bool]:
    """(keyed tail index, well formed?, birth date and sex agree?) of a normalised number."""
    try:
        info = idnumber.parse(number, today=today) if number else None
    except idnumber.InvalidIdNumber:
        info = None
    tail = idnumber.tail_index(number) if number else ""
    matches = info is not None and info.birth_date == birth_date and info.gender == gender
    return tail, info is not None, matches


def initial_events(
    member: Member,
    *,
    enrolled_on: date | None = None,
    transferred_in_on: date | None = None,
    by=None,
    document_no: str = "",
    note: str = "",
) -> list[MemberEvent]:
    """The events a new record's dates imply (admission, 转正), unsaved.

    A member transferred in from outside the system (``transferred_in_on``) was admitted
    elsewhere: those events carry no org here, and a 转入 event places them, so the dated
    roster starts on the day they arrived.
    """
    values = initial_event_values(
        org=member.org,
        group=member.group,
        admitted_on=member.admitted_on,
        full_on=member.full_on,
        status=member.status,
        enrolled_on=enrolled_on,
        transferred_in_on=transferred_in_on,
        document_no=document_no,
        note=note,
    )
    return [MemberEvent(member=member, recorded_by=by, **each) for each in values]


def initial_event_values(
    *,
    org,
    group,
    admitted_on: date | None,
    full_on: date | None,
    status: str,
    enrolled_on: date | None = None,
    transferred_in_on: date | None = None,
    document_no: str = "",
    note: str = "",
) -> list[dict]:
    """The fields of ``initial_events`` (kind, on, org, group, status_after, document_no,
    note) as dicts, for a record with these values; ``org`` and ``group`` are passed
    through as given (instances, or keys for a bulk write)."""
    here = transferred_in_on is None
    events: list[dict] = []
    if admitted_on:
        events.append(
            {
                "kind": MemberEvent.Kind.ADMITTED,
                "on": admitted_on,
                "org": org if here else None,
                "group": group if here else None,
                "status_after": Member.Status.PROBATIONARY,
                "document_no": document_no if here else "",
                "note": note,
            }
        )
    if full_on:
        events.append(
            {
                "kind": MemberEvent.Kind.CONFIRMED,
                "on": full_on,
                "org": None,
                "group": None,
                "status_after": Member.Status.FULL,
                "document_no": "",
                "note": note,
            }
        )
    if not here:
        events.append(
            {
                "kind": MemberEvent.Kind.TRANSFERRED_IN,
                "on": transferred_in_on,
                "org": org,
                "group": group,
                "status_after": status,
                "document_no": document_no,
                "note": note,
            }
        )
    if not events or status != events[-1]["status_after"]:
        # No admission date (legacy records) or a status the dates do not imply: a baseline.
        events.append(
            {
                "kind": MemberEvent.Kind.ENROLLED,
                "on": enrolled_on or timezone.localdate(),
                "org": org,
                "group": group,
                "status_after": status,
                "document_no": "",
                "note": str(_("建档时的状态")),
            }
        )
    return events


def new_member(
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
    **fields,
) -> Member:
    """An unsaved member with its derived values (status, pinyin, blind index) filled in."""
    derived = Member.Status.FULL if full_on else Member.Status.PROBATIONARY
    if "phone" in fields:
        fields["phone"] = normalise_phone(fields["phone"])
    member = Member(
        org=org,
        group=group,
        name=name.strip(),
        gender=gender,
        birth_date=birth_date,
        applied_on=applied_on,
        admitted_on=admitted_on,
        full_on=full_on,
        status=status or derived,
        **fields,
    )
    member.name_pinyin, member.name_initials = pinyin_of(member.name)
    set_identity(member, id_number)
    return member


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
    transferred_in_on: date | None = None,
    by=None,
    document_no: str = "",
    **fields,
) -> Member:
    """Register a member with the events their dates imply (admission, 转正)."""
    errors = merge_errors(
        check_placement(org, group),
        check_person(
            id_number=id_number,
            birth_date=birth_date,
            gender=gender,
            applied_on=applied_on,
            admitted_on=admitted_on,
            full_on=full_on,
            user=by,
        ),
        check_phone(fields.get("phone", "")),
    )
    if errors:
        raise ValidationError(errors)
    member = new_member(
        org=org,
        group=group,
        name=name,
        gender=gender,
        birth_date=birth_date,
        id_number=id_number,
        status=status,
        admitted_on=admitted_on,
        full_on=full_on,
        applied_on=applied_on,
        **fields,
    )
    member.full_clean(exclude=["id_index", "id_tail_index"])
    member.save()
    events = initial_events(
        member,
        enrolled_on=enrolled_on,
        transferred_in_on=transferred_in_on,
        by=by,
        document_no=document_no,
    )
    MemberEvent.objects.bulk_create(events)
    member_rebuild_spans(member)
    return member


# Fields a member's record may change outside status events (those go through events).
EDITABLE_FIELDS = (
    "name",
    "former_name",
    "gender",
    "ethnicity",
    "birth_date",
    "native_place",
    "education",
    "degree",
    "occupation",
    "work_unit",
    "address",
    "category",
    "applied_on",
    "frail_exempt",
    "frail_reason",
    "front_line",
)


@transaction.atomic
def member_update(
    *,
    member: Member,
    by=None,
    id_number: str = "",
    phone: str | None = None,
    version: datetime | None = None,
    **changes,
) -> Member:
    """Change a member's personal data. An empty ``id_number`` keeps the stored one;
    ``phone=None`` keeps the phone, ``""`` clears it. With ``version`` (the record's
    ``updated_at`` when the editor read it, as the API's), a record changed since then is
    refused with what changed, instead of silently overwriting it."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"member_update cannot change {sorted(unknown)}")
    member = Member.objects.select_for_update().get(pk=member.pk)
    versioning.check_version(member, version, noun=_("党员的信息"))
    for field, value in changes.items():
        setattr(member, field, value)
    errors = merge_errors(
        check_person(
            id_number=id_number or member.id_number,
            birth_date=member.birth_date,
            gender=member.gender,
            applied_on=member.applied_on,
            admitted_on=member.admitted_on,
            full_on=member.full_on,
            exclude_pk=member.pk,
            user=by,
        ),
        check_phone(phone or ""),
    )
    if errors:
        raise ValidationError(errors)
    if id_number:
        set_identity(member, id_number)
    else:
        derive_identity(member, member.id_number or "")  # the birth date or sex may change
    if phone is not None:
        member.phone = normalise_phone(phone)
    member.name = member.name.strip()
    member.name_pinyin, member.name_initials = pinyin_of(member.name)
    member.full_clean(exclude=["id_index", "id_tail_index", "org", "group", "user"])
    member._history_user = by
    member.save()
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
    if kind == MemberEvent.Kind.MOVED and org is None:
        org = member.org  # a change of 党小组 inside the branch
    if kind in PLACING_KINDS:
        if org is None:
            raise ValidationError({"org": EVENT_NEEDS_ORG})
        errors = check_placement(org, group)
        if errors:
            raise ValidationError(errors)
    else:
        org = group = None  # only a placing event (转入, 党内调整) may move a member
    if not status_after:
        # Moves keep the status; restoring and transferring in return to full or probationary.
        status_after = member.status
        if kind in (MemberEvent.Kind.RESTORED, MemberEvent.Kind.TRANSFERRED_IN):
            status_after = Member.Status.FULL if member.full_on else Member.Status.PROBATIONARY
    event = MemberEvent.objects.create(
        member=member,
        kind=kind,
        on=on,
        org=org,
        group=group,
        status_after=status_after,
        document_no=document_no,
        note=note,
        recorded_by=by,
    )
    member.status = status_after
    if org is not None:
        member.org, member.group = org, group
    if kind in EXIT_KINDS:
        member.exit_kind = EXIT_KINDS[kind]
    if kind == MemberEvent.Kind.CONFIRMED:
        member.full_on = on
    member._history_user = by
    member.save()
    member_rebuild_spans(member)
    # A member who left the organisation (转出, 死亡, 出党 …) can no longer sign in; one
    # who moved keeps their account, with the 党员 role at the new branch.
    member_changed(member=member, by=by)
    return event


def spans_from_events(member: Member, events) -> list[MemberSpan]:
    """The spans ``events`` (in date order) imply for ``member``, unsaved (pure)."""
    steps = ((e.on, e.org_id, e.group_id, e.status_after) for e in events)
    return [
        MemberSpan(
            member=member, org_id=org_id, group_id=group_id, status=status, start=start, end=end
        )
        for org_id, group_id, status, start, end in span_values(steps)
    ]


def span_values(steps) -> list[tuple]:
    """The spans (org_id, group_id, status, start, end) that events given as (on, org_id,
    group_id, status_after), in date order, imply (pure; ``spans_from_events``' rule)."""
    spans: list[tuple] = []
    current: list | None = None
    org_id, group_id = None, None
    for on, event_org, event_group, status_after in steps:
        if event_org is not None:
            org_id, group_id = event_org, event_group
        if current is not None and (current[0], current[1], current[2]) == (
            org_id,
            group_id,
            status_after,
        ):
            continue
        if current is not None:
            current[4] = on
            if on > current[3]:
                spans.append(tuple(current))
            current = None
        if status_after in Member.ON_ROSTER and org_id is not None:
            current = [org_id, group_id, status_after, on, None]
    if current is not None:
        spans.append(tuple(current))
    return spans


def member_rebuild_spans(member: Member) -> list[MemberSpan]:
    """Derive the member's spans from their events (idempotent)."""
    spans = spans_from_events(member, member.events.order_by("on", "id"))
    MemberSpan.objects.filter(member=member).delete()
    return MemberSpan.objects.bulk_create(spans)


@transaction.atomic
def member_assign_group(*, members, group: Org, on: date, by=None) -> int:
    """Put several members of one or more branches into a 党小组 (a dated 党内调整 each).
    All or nothing: one misplaced member refuses the whole batch."""
    if group is None:
        raise ValidationError({"group": GROUP_NEEDED})
    changed = 0
    for member in members:
        if member.group_id == group.pk:
            continue
        errors = check_placement(member.org, group)
        if errors:
            raise ValidationError(
                {
                    "group": [
                        f"{member.name}：{m}" for m in errors.get("group", errors.get("org", []))
                    ]
                }
            )
        member_record_event(
            member=member,
            kind=MemberEvent.Kind.MOVED,
            on=on,
            org=member.org,
            group=group,
            by=by,
            note=str(_("批量调整党小组")),
        )
        changed += 1
    return changed


# --- personal data ---------------------------------------------------------------------

REVEALABLE = {"id_number": _("公民身份号码"), "phone": _("联系电话")}


@transaction.atomic
def member_reveal(*, member: Member, field: str, reason: str, by, request=None) -> str:
    """The full value of a protected field, for a stated reason, with an audit record.

    The caller has checked ``member.reveal`` at the member's org (``member_for_user``).
    The audit event names the field and the reason, never the value.
    """
    if field not in REVEALABLE:
        raise ValidationError({"field": REVEAL_FIELD_UNKNOWN})
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": REVEAL_REASON_REQUIRED})
    value = getattr(member, field) or ""
    if not value:
        raise ValidationError({"field": REVEAL_EMPTY})
    audit_record(
        kind=AuditEvent.Kind.REVEAL,
        summary=_("查看%(name)s的%(field)s") % {"name": member.name, "field": REVEALABLE[field]},
        actor=by,
        request=request,
        obj=member,
        org_path=member.org.path,
        details={"field": field, "reason": reason},
    )
    return value


# --- corrections requested by members ---------------------------------------------------


@transaction.atomic
def correction_request(*, member: Member, field: str, proposed: str, reason: str = "", by=None):
    """A member asks for their record to be corrected (from 我的信息)."""
    from zhibu.members.models import CorrectionRequest

    proposed = (proposed or "").strip()
    if not proposed:
        raise ValidationError({"proposed": CORRECTION_EMPTY})
    if field == CorrectionRequest.Field.ID_NUMBER:
        try:
            proposed = idnumber.parse(proposed).number
        except idnumber.InvalidIdNumber as exc:
            raise ValidationError({"proposed": exc.message}) from None
    if field == CorrectionRequest.Field.PHONE and check_phone(proposed):
        raise ValidationError({"proposed": PHONE_INVALID})
    record = CorrectionRequest(
        member=member, field=field, proposed=proposed, reason=reason.strip(), requested_by=by
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def correction_handle(*, correction, status: str, response: str = "", by=None):
    """Close a correction request: done (the record was corrected) or rejected with a reason."""
    from zhibu.members.models import CorrectionRequest

    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionRequest.Status.OPEN:
        raise ValidationError(CORRECTION_ALREADY_HANDLED)
    if status == CorrectionRequest.Status.REJECTED and not response.strip():
        raise ValidationError({"response": CORRECTION_NEEDS_RESPONSE})
    correction.status = status
    correction.response = response.strip()
    correction.handled_by = by
    correction.handled_at = timezone.now()
    correction.save()
    return correction
