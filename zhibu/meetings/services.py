"""Every write to organisational life.

The services keep the derived kind rows (``MeetingKindRow``) in step with each meeting,
refuse what cannot be true (attendees not on the roster that day, a meeting in the
future recorded as held, a tally larger than those present, a failed vote recorded as
passed) and guard the record lock: N days after the meeting a change needs a reason,
which is written to the history and to the audit chain.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.workdays import is_workday
from zhibu.meetings import votes
from zhibu.meetings.models import (
    YEARLY_KINDS,
    Attachment,
    Attendance,
    Correction,
    Decision,
    FeedToken,
    Guest,
    LifeMeetingPrep,
    Meeting,
    MeetingKind,
    MeetingKindRow,
    MeetingSettings,
    Review,
    ReviewEntry,
    Talk,
)
from zhibu.meetings.selectors import (
    committee_member_ids,
    effective_settings,
    roster,
)
from zhibu.members.models import Member
from zhibu.members.selectors import members_on, spans_on, voters_on
from zhibu.orgs.models import Committee, Org

# --- messages (tests assert on these) --------------------------------------------------------
MEETING_IN_FUTURE = _("会议日期 %(day)s 晚于今天，不能登记为已召开。")
ORG_NOT_EXISTING = _("%(day)s 时该党组织尚未成立或已撤销。")
NO_KINDS = _("请至少选择一种会议类型。")
KIND_NOT_ALLOWED = _("%(org)s 不能召开“%(kind)s”。")
ENDS_BEFORE_START = _("结束时间应晚于开始时间。")
NOT_ON_ROSTER = _("以下人员在 %(day)s 不是本组织应参会人员，不能登记出席情况：%(names)s。")
ROSTER_INCOMPLETE = _(
    "请为名册中每名应参会人员登记出席情况（缺少：%(names)s）。日期变更后请重新载入名册。"
)
LEAVE_NEEDS_REASON = _("%(name)s 请假，请填写请假事由。")
DOUBLE_BOOKED = _(
    "%(name)s 同一时间已登记出席“%(other)s”（%(day)s），同一人不能同时出席两个会议（DQ-05）。"
)
STUDY_HOURS_RANGE = _("学时应在 0 至 24 之间。")
HOST_NOT_PRESENT = _("主持人、记录人应是出席会议的人员。")
LOCKED_NEEDS_REASON = _("会议记录已于 %(day)s 锁定，修改须填写修改理由。")
NOT_UPCOMING = _("只有计划或已通知的会议可以修改计划、发通知或取消。")
CANCEL_NEEDS_REASON = _("请填写取消原因。")
NOTICE_EMPTY = _("请填写通知内容。")
NOT_HELD = _("会议尚未登记为已召开。")
DECISION_WRONG_MEETING = _("表决只能在支部党员大会或支部委员会会议上进行。")
DECISION_MANY_CANDIDATES = _("多名对象应逐一表决（VOTE-04），请每名对象单独登记一项表决。")
DECISION_NOT_PASSED = _(
    "按规定表决未通过，不能登记为通过：应到有表决权 %(entitled)s 人，实到 %(present)s 人"
    "（须超过半数），赞成 %(yes)s 票（含书面意见），须达到 %(needed)s 票（VOTE-01/02/03）。"
)
DECISION_PASSED_BY_NUMBERS = _(
    "按票数该事项已通过（赞成 %(yes)s 票，须 %(needed)s 票），请核对表决结果。"
)
ATTACHMENT_TOO_LARGE = _("文件过大：最大 %(mb)s MB。")
ATTACHMENT_TYPE = _("只能上传 JPG、PNG 图片或 PDF 文件。")
ATTACHMENT_LOCKED = _("会议记录已锁定，不能删除附件。")
LEAVE_NOT_ON_ROSTER = _("您不在该会议的应参会名单中。")
LEAVE_TOO_LATE = _("会议已召开或已取消，不能请假。")
LEAVE_REASON = _("请填写请假事由。")
TALK_SAME_PERSON = _("谈话双方不能是同一人。")
TALK_IN_FUTURE = _("谈话日期不能晚于今天。")
TALK_NOT_MEMBER = _("%(name)s 在 %(day)s 不是本支部党员。")
TALK_PARTNER_NOT_MEMBER = _("%(name)s 在 %(day)s 不在党员名册中。")
REVIEW_EXISTS = _("%(year)s 年度的民主评议已经建立。")
REVIEW_NOT_BRANCH = _("民主评议党员由党支部组织。")
REVIEW_FINISHED = _("该年度民主评议已完成，不能再修改。")
GRADE_UNKNOWN = _("评定等次应为：%(grades)s。")
TALLY_NEGATIVE = _("测评票数不能为负数。")
TALLY_TOO_MANY = _("测评票数合计 %(n)s，超过参加评议的党员人数（%(max)s）。")
REVIEW_UNGRADED = _("还有 %(n)s 名党员未评定等次：%(names)s。")
CORRECTION_TOO_LONG = _("限期改正期限最长 1 年（MBR-07），应不晚于 %(day)s。")
CORRECTION_CLOSED = _("该限期改正已经结束。")
CORRECTION_OUTCOME = _("请选择改正结果。")
SETTINGS_DAY = _("日期应在 1 至 31 之间。")
SETTINGS_LOCK = _("锁定天数应在 1 至 60 之间。")
SETTINGS_GRADES = _("请至少填写两个评议等次，且不能重复。")
PLAN_NOT_BRANCH = _("年度计划按党支部生成。")

ALLOWED_KINDS = {
    "branch": {
        MeetingKind.BRANCH_ASSEMBLY, MeetingKind.BRANCH_COMMITTEE, MeetingKind.PARTY_LECTURE,
        MeetingKind.THEME_DAY, MeetingKind.LIFE_MEETING, MeetingKind.MEMBER_REVIEW, MeetingKind.OTHER,
    },
    "group": {MeetingKind.GROUP_MEETING, MeetingKind.PARTY_LECTURE, MeetingKind.THEME_DAY, MeetingKind.OTHER},
    "committee": {
        MeetingKind.LEADERSHIP_LIFE_MEETING, MeetingKind.PARTY_LECTURE, MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.THEME_DAY, MeetingKind.OTHER,
    },
}  # fmt: skip

ATTACHMENT_MAX_MB = 10
ATTACHMENT_TYPES = {  # magic bytes → (content type, extension)
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"%PDF-": ("application/pdf", "pdf"),
}


@dataclass(frozen=True)
class GuestIn:
    name: str
    role: str = Guest.Role.OTHER
    member: Member | None = None
    note: str = ""


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _names(members: Iterable[Member]) -> str:
    return "、".join(m.name for m in members)


# --- kinds, lock ----------------------------------------------------------------------------------


def _check_kinds(org: Org, kinds: list[str]) -> list[str]:
    if not kinds:
        raise ValidationError({"kinds": NO_KINDS})
    allowed = ALLOWED_KINDS[org.level]
    for kind in kinds:
        if kind not in allowed:
            label = MeetingKind(kind).label if kind in MeetingKind.values else kind
            raise ValidationError({"kinds": KIND_NOT_ALLOWED % {"org": org.name, "kind": label}})
    # Stable order, no duplicates: the order of MeetingKind.
    return [k for k in MeetingKind.values if k in set(kinds)]


def sync_kind_rows(meeting: Meeting) -> None:
    """Re-derive the meeting's kind rows (one per kind) from the meeting itself."""
    held = meeting.status in Meeting.HELD_STATUSES
    wanted = set(meeting.kinds) if meeting.status != Meeting.Status.CANCELLED else set()
    existing = {row.kind: row for row in meeting.kind_rows.all()}
    for kind, row in existing.items():
        if kind not in wanted:
            row.delete()
    for kind in wanted:
        covers = meeting.covers_year if kind in YEARLY_KINDS else None
        row = existing.get(kind)
        if row is None:
            MeetingKindRow.objects.create(
                meeting=meeting,
                kind=kind,
                org=meeting.org,
                on=meeting.on,
                held=held,
                covers_year=covers,
            )
        elif (row.org_id, row.on, row.held, row.covers_year) != (
            meeting.org_id,
            meeting.on,
            held,
            covers,
        ):
            row.org, row.on, row.held, row.covers_year = meeting.org, meeting.on, held, covers
            row.save(update_fields=["org", "on", "held", "covers_year"])


def lock_state(meeting: Meeting, today: date | None = None) -> tuple[bool, date]:
    """(locked?, the day it locks)."""
    days = effective_settings(meeting.org).lock_days
    return meeting.is_locked(days, _today(today)), meeting.locks_on(days)


def _guard_lock(
    meeting: Meeting, *, reason: str, by, what: str, today: date | None, save: bool = True
) -> None:
    """Refuse a change to a locked record without a reason; with one, audit it and put the
    reason on the meeting's history (saved here unless the caller saves the meeting)."""
    locked, locks_on = lock_state(meeting, today)
    if not locked:
        return
    if not reason.strip():
        raise ValidationError({"reason": LOCKED_NEEDS_REASON % {"day": locks_on}})
    audit_record(
        kind=AuditEvent.Kind.RECORD_UNLOCKED,
        summary=_t("修改已锁定的会议记录：%(title)s（%(what)s）")
        % {"title": meeting.title, "what": what},
        actor=by,
        obj=meeting,
        org_path=meeting.org.path,
        details={"reason": reason.strip(), "what": what, "meeting_on": meeting.on.isoformat()},
    )
    meeting._change_reason = f"{what}：{reason.strip()}"
    if save:
        # The change may touch only attendance or decisions: still leave a dated history row.
        meeting.save()


# --- plan, notice, cancel ---------------------------------------------------------------------------


def _check_times(starts_at: time | None, ends_at: time | None) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": ENDS_BEFORE_START})


def _default_covers_year(kinds, on: date, covers_year: int | None) -> int | None:
    if not set(kinds) & YEARLY_KINDS:
        return None
    if covers_year:
        return covers_year
    # A 组织生活会 or 评议 held in the first quarter usually reviews the year before.
    return on.year - 1 if on.month <= 3 else on.year


@transaction.atomic
def meeting_plan(
    *,
    org: Org,
    title: str,
    on: date,
    kinds: list[str],
    starts_at: time | None = None,
    ends_at: time | None = None,
    place: str = "",
    topics: str = "",
    covers_year: int | None = None,
    plan_year: int | None = None,
    by=None,
) -> Meeting:
    """Put a meeting on the calendar (status 计划)."""
    kinds = _check_kinds(org, kinds)
    _check_times(starts_at, ends_at)
    meeting = Meeting(
        org=org, title=title, on=on, kinds=kinds, starts_at=starts_at, ends_at=ends_at, place=place,
        topics=topics, covers_year=_default_covers_year(kinds, on, covers_year), plan_year=plan_year,
        created_by=by, status=Meeting.Status.PLANNED,
    )  # fmt: skip
    meeting.full_clean(exclude=["host", "recorder", "lecturer"])
    meeting.save()
    sync_kind_rows(meeting)
    return meeting


@transaction.atomic
def meeting_update_plan(
    *,
    meeting: Meeting,
    title: str,
    on: date,
    kinds: list[str],
    starts_at: time | None = None,
    ends_at: time | None = None,
    place: str = "",
    topics: str = "",
    by=None,
) -> Meeting:
    if meeting.status not in Meeting.UPCOMING_STATUSES:
        raise ValidationError(NOT_UPCOMING)
    meeting.kinds = _check_kinds(meeting.org, kinds)
    _check_times(starts_at, ends_at)
    meeting.title, meeting.on, meeting.starts_at, meeting.ends_at = title, on, starts_at, ends_at
    meeting.place, meeting.topics = place, topics
    meeting.covers_year = _default_covers_year(meeting.kinds, on, meeting.covers_year)
    meeting.full_clean(exclude=["host", "recorder", "lecturer"])
    meeting.save()
    sync_kind_rows(meeting)
    return meeting


@transaction.atomic
def meeting_notice(*, meeting: Meeting, notice: str, by=None) -> Meeting:
    if meeting.status not in Meeting.UPCOMING_STATUSES:
        raise ValidationError(NOT_UPCOMING)
    if not notice.strip():
        raise ValidationError({"notice": NOTICE_EMPTY})
    meeting.notice = notice.strip()
    meeting.noticed_at = timezone.now()
    meeting.status = Meeting.Status.NOTICED
    meeting.save()
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, by=None) -> Meeting:
    if meeting.status not in Meeting.UPCOMING_STATUSES:
        raise ValidationError(NOT_UPCOMING)
    if not reason.strip():
        raise ValidationError({"reason": CANCEL_NEEDS_REASON})
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason.strip()[:200]
    meeting.save()
    sync_kind_rows(meeting)
    return meeting


# --- recording ----------------------------------------------------------------------------------------


def _double_booked(
    member_ids: set[int], on: date, starts_at, ends_at, exclude_pk
) -> list[tuple[Member, Meeting]]:
    """Attendees already present at another held meeting overlapping this one in time."""
    if not (starts_at and ends_at and member_ids):
        return []
    rows = (
        Attendance.objects.filter(
            member__in=member_ids,
            status=Attendance.Status.PRESENT,
            meeting__on=on,
            meeting__status__in=Meeting.HELD_STATUSES,
            meeting__starts_at__lt=ends_at,
            meeting__ends_at__gt=starts_at,
        )
        .exclude(meeting=exclude_pk)
        .select_related("member", "meeting")
    )
    return [(row.member, row.meeting) for row in rows]


@transaction.atomic
def meeting_record(
    *,
    org: Org,
    on: date,
    title: str,
    kinds: list[str],
    attendance: dict[int, tuple[str, str]],
    meeting: Meeting | None = None,
    starts_at: time | None = None,
    ends_at: time | None = None,
    place: str = "",
    topics: str = "",
    host: Member | None = None,
    recorder: Member | None = None,
    lecturer: Member | None = None,
    minutes: str = "",
    decisions_text: str = "",
    study_hours: Decimal = Decimal("0"),
    tags: list[str] | None = None,
    covers_year: int | None = None,
    guests: list[GuestIn] | None = None,
    complete: bool = True,
    reason: str = "",
    by=None,
    today: date | None = None,
) -> Meeting:
    """Record a meeting as held, in one step: details, attendance, guests, study hours.

    ``attendance`` maps every member expected on ``on`` (see ``selectors.roster``) to
    (status, reason). A new meeting is created when ``meeting`` is None.
    """
    today = _today(today)
    if on > today:
        raise ValidationError({"on": MEETING_IN_FUTURE % {"day": on}})
    if not org.exists_on(on):
        raise ValidationError({"on": ORG_NOT_EXISTING % {"day": on}})
    kinds = _check_kinds(org, kinds)
    _check_times(starts_at, ends_at)
    if not (Decimal("0") <= study_hours <= Decimal("24")):
        raise ValidationError({"study_hours": STUDY_HOURS_RANGE})

    expected = {m.pk: m for m in roster(org, on, kinds)}
    extra = [pk for pk in attendance if pk not in expected]
    if extra:
        names = _names(Member.objects.filter(pk__in=extra).order_by("name_pinyin")) or "?"
        raise ValidationError({"attendance": NOT_ON_ROSTER % {"day": on, "names": names}})
    missing = [m for pk, m in expected.items() if pk not in attendance]
    if missing:
        raise ValidationError({"attendance": ROSTER_INCOMPLETE % {"names": _names(missing)}})
    for pk, (status, why) in attendance.items():
        if status not in Attendance.Status.values:
            raise ValidationError({"attendance": ROSTER_INCOMPLETE % {"names": expected[pk].name}})
        if status == Attendance.Status.LEAVE and not why.strip():
            raise ValidationError({"attendance": LEAVE_NEEDS_REASON % {"name": expected[pk].name}})
    present = {
        pk for pk, (status, _why) in attendance.items() if status == Attendance.Status.PRESENT
    }
    guests = guests or []
    guest_members = {g.member.pk for g in guests if g.member is not None}
    for person in (host, recorder):
        if person is not None and person.pk not in present | guest_members:
            raise ValidationError({"host": HOST_NOT_PRESENT})
    clash = _double_booked(
        present | guest_members, on, starts_at, ends_at, meeting.pk if meeting else None
    )
    if clash:
        member, other = clash[0]
        params = {"name": member.name, "other": other.title, "day": other.on}
        raise ValidationError(
            {"attendance": ValidationError(DOUBLE_BOOKED, code="DQ-05", params=params)}
        )

    if meeting is None:
        meeting = Meeting(org=org, created_by=by)
    elif meeting.is_held:
        _guard_lock(meeting, reason=reason, by=by, what=_t("修改会议记录"), today=today, save=False)
    meeting.org = org
    meeting.on, meeting.title, meeting.kinds = on, title, kinds
    meeting.starts_at, meeting.ends_at, meeting.place, meeting.topics = (
        starts_at,
        ends_at,
        place,
        topics,
    )
    meeting.host, meeting.recorder = host, recorder
    meeting.lecturer = lecturer if MeetingKind.PARTY_LECTURE in kinds else None
    meeting.minutes, meeting.decisions_text = minutes, decisions_text
    meeting.study_hours = study_hours
    meeting.tags = sorted({t.strip() for t in (tags or []) if t.strip()})
    meeting.covers_year = _default_covers_year(kinds, on, covers_year)
    meeting.status = Meeting.Status.RECORDED if complete else Meeting.Status.HELD
    if meeting.recorded_at is None:
        meeting.recorded_at, meeting.recorded_by = timezone.now(), by
    meeting.full_clean(exclude=["host", "recorder", "lecturer", "created_by", "recorded_by"])
    meeting.save()
    sync_kind_rows(meeting)
    _write_attendance(meeting, attendance, study_hours)
    meeting.guests.all().delete()
    Guest.objects.bulk_create(
        Guest(meeting=meeting, member=g.member, name=g.name[:50], role=g.role, note=g.note[:100])
        for g in guests
        if g.name.strip()
    )
    return meeting


def _write_attendance(
    meeting: Meeting, attendance: dict[int, tuple[str, str]], hours: Decimal
) -> None:
    """Update, create and delete attendance rows so they match ``attendance`` (history kept)."""
    existing = {row.member_id: row for row in meeting.attendance.all()}
    for member_id, row in existing.items():
        if member_id not in attendance:
            row.delete()
    for member_id, (status, why) in attendance.items():
        credited = hours if status == Attendance.Status.PRESENT else Decimal("0")
        row = existing.get(member_id)
        if row is None:
            Attendance.objects.create(
                meeting=meeting,
                member_id=member_id,
                status=status,
                reason=why.strip()[:200],
                study_hours=credited,
            )
        elif (row.status, row.reason, row.study_hours) != (status, why.strip()[:200], credited):
            row.status, row.reason, row.study_hours = status, why.strip()[:200], credited
            row.save()


# --- votes --------------------------------------------------------------------------------------------------


def decision_body(meeting: Meeting) -> str:
    if MeetingKind.BRANCH_ASSEMBLY in meeting.kinds:
        return Decision.Body.ASSEMBLY
    if MeetingKind.BRANCH_COMMITTEE in meeting.kinds:
        return Decision.Body.COMMITTEE
    raise ValidationError(DECISION_WRONG_MEETING)


def entitled_and_present(meeting: Meeting, body: str) -> tuple[int, int]:
    """(entitled, present) for a vote: from the roster on the meeting date (VOTE-01/03)."""
    if body == Decision.Body.ASSEMBLY:
        entitled = set(voters_on(meeting.org, meeting.on).values_list("pk", flat=True))
    else:
        entitled = committee_member_ids(meeting.org, meeting.on)
    present = set(
        meeting.attendance.filter(
            status=Attendance.Status.PRESENT, member__in=entitled
        ).values_list("member", flat=True)
    )
    return len(entitled), len(present)


MANY_SEPARATORS = ("、", ",", "，", ";", "；", "/", " 和 ", "及")


@transaction.atomic
def decision_record(
    *,
    meeting: Meeting,
    title: str,
    yes: int,
    no: int,
    abstain: int,
    passed: bool | None = None,
    kind: str = Decision.Kind.GENERAL,
    candidate: str = "",
    written_yes: int = 0,
    written_no: int = 0,
    written_abstain: int = 0,
    note: str = "",
    reason: str = "",
    by=None,
    today: date | None = None,
) -> Decision:
    """Record one vote. The result is computed (VOTE-01..03); a claimed result that the
    numbers do not support is refused, so a failed vote can never be filed as passed."""
    if not meeting.is_held:
        raise ValidationError(NOT_HELD)
    body = decision_body(meeting)
    if any(sep in candidate for sep in MANY_SEPARATORS):
        raise ValidationError(
            {"candidate": ValidationError(DECISION_MANY_CANDIDATES, code="VOTE-04")}
        )
    entitled, present = entitled_and_present(meeting, body)
    tally = votes.Tally(
        entitled, present, yes, no, abstain, written_yes, written_no, written_abstain
    )
    result = votes.count_votes(tally)
    if result.errors:
        raise ValidationError({"yes": list(result.errors)})
    numbers = {
        "entitled": entitled,
        "present": present,
        "yes": result.yes_total,
        "needed": result.needed,
    }
    # The rule a refused claim is about: quorum (VOTE-01 at the assembly, VOTE-03 at the
    # committee) or majority (VOTE-02); the code reaches the API as details[].rule.
    if passed is True and not result.passed:
        if result.quorum_met:
            rule = "VOTE-02"
        else:
            rule = "VOTE-01" if body == Decision.Body.ASSEMBLY else "VOTE-03"
        raise ValidationError(
            {"passed": ValidationError(DECISION_NOT_PASSED, code=rule, params=numbers)}
        )
    if passed is False and result.passed:
        raise ValidationError(
            {"passed": ValidationError(DECISION_PASSED_BY_NUMBERS, code="VOTE-02", params=numbers)}
        )
    _guard_lock(meeting, reason=reason, by=by, what=_t("登记表决"), today=today)
    return Decision.objects.create(
        meeting=meeting, title=title, kind=kind, candidate=candidate.strip(), body=body,
        entitled=entitled, present=present, yes=yes, no=no, abstain=abstain,
        written_yes=written_yes, written_no=written_no, written_abstain=written_abstain,
        quorum_met=result.quorum_met, passed=result.passed, note=note, recorded_by=by,
    )  # fmt: skip


# --- attachments ------------------------------------------------------------------------------------------


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, kind in ATTACHMENT_TYPES.items():
        if head.startswith(magic):
            return kind
    return None


@transaction.atomic
def attachment_add(
    *, meeting: Meeting, upload, kind: str = Attachment.Kind.PHOTO, by=None
) -> Attachment:
    """Store an upload after checking its size and its real type (magic bytes, not the name)."""
    if upload.size > ATTACHMENT_MAX_MB * 1024 * 1024:
        raise ValidationError({"file": ATTACHMENT_TOO_LARGE % {"mb": ATTACHMENT_MAX_MB}})
    upload.seek(0)
    found = sniff(upload.read(16))
    if found is None:
        raise ValidationError({"file": ATTACHMENT_TYPE})
    content_type, extension = found
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original = upload.name or ""
    # The stored name is random: the original name is kept only as data, never as a path.
    upload.name = f"{secrets.token_hex(16)}.{extension}"
    return Attachment.objects.create(
        meeting=meeting, kind=kind, file=upload, original_name=original[:200],
        content_type=content_type, size=upload.size, sha256=digest.hexdigest(), uploaded_by=by,
    )  # fmt: skip


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by=None, today: date | None = None) -> None:
    locked, _day = lock_state(attachment.meeting, today)
    if locked:
        raise ValidationError(ATTACHMENT_LOCKED)
    attachment.file.delete(save=False)
    attachment.delete()


# --- 组织生活会 -------------------------------------------------------------------------------------------


@transaction.atomic
def life_prep_update(
    *, meeting: Meeting, by=None, reason: str = "", today: date | None = None, **fields
) -> LifeMeetingPrep:
    if meeting.is_held:
        _guard_lock(
            meeting, reason=reason, by=by, what=_t("修改组织生活会准备和批评记录"), today=today
        )
    prep, _created = LifeMeetingPrep.objects.get_or_create(meeting=meeting)
    for name, value in fields.items():
        setattr(prep, name, value)
    prep.updated_by = by
    prep.full_clean(exclude=["meeting", "updated_by"])
    prep.save()
    return prep


@transaction.atomic
def life_problem_add(
    *,
    meeting: Meeting,
    problem: str,
    measure: str,
    deadline: date,
    owner: Member | None = None,
    by=None,
):
    """A problem found at a 组织生活会 becomes a tracked rectification item (RESP-05)."""
    from zhibu.duties.models import Rectification
    from zhibu.duties.services import rectification_create

    return rectification_create(
        org=meeting.org, problem=problem, measure=measure, owner=owner, deadline=deadline,
        source=Rectification.Source.LIFE_MEETING, source_ref=f"meeting:{meeting.public_id}",
        source_label=str(meeting), by=by,
    )  # fmt: skip


# --- leave -----------------------------------------------------------------------------------------------------


@transaction.atomic
def leave_request(
    *, meeting: Meeting, member: Member, reason: str, today: date | None = None
) -> Attendance:
    """A member asks for leave from an upcoming meeting; the record form starts from it."""
    if meeting.status not in Meeting.UPCOMING_STATUSES or meeting.on < _today(today):
        raise ValidationError(LEAVE_TOO_LATE)
    if not reason.strip():
        raise ValidationError({"reason": LEAVE_REASON})
    if member.pk not in {m.pk for m in roster(meeting.org, meeting.on, meeting.kinds)}:
        raise ValidationError(LEAVE_NOT_ON_ROSTER)
    row, _created = Attendance.objects.update_or_create(
        meeting=meeting, member=member,
        defaults={"status": Attendance.Status.LEAVE, "reason": reason.strip()[:200], "leave_requested_at": timezone.now()},
    )  # fmt: skip
    return row


# --- 谈心谈话 ----------------------------------------------------------------------------------------------------


@transaction.atomic
def talk_record(
    *, org: Org, on: date, member_a: Member, member_b: Member, topic: str, note: str = "", by=None,
    today: date | None = None,
) -> Talk:  # fmt: skip
    if member_a.pk == member_b.pk:
        raise ValidationError({"member_b": TALK_SAME_PERSON})
    if on > _today(today):
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


# --- 民主评议党员 and 限期改正 ---------------------------------------------------------------------------------------


@transaction.atomic
def review_open(
    *, org: Org, year: int, meeting: Meeting | None = None, by=None, today: date | None = None
) -> Review:
    """Open a branch's review for ``year`` with an entry for each member on its roster."""
    if not org.is_branch:
        raise ValidationError(REVIEW_NOT_BRANCH)
    if Review.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": REVIEW_EXISTS % {"year": year}})
    grades = list(effective_settings(org).review_grades)
    review = Review.objects.create(
        org=org, year=year, grades=grades, meeting=meeting, created_by=by
    )
    day = min(date(year, 12, 31), _today(today))
    ReviewEntry.objects.bulk_create(
        ReviewEntry(review=review, member=m) for m in members_on(org, day)
    )
    return review


@transaction.atomic
def review_entry_update(
    *, entry: ReviewEntry, self_assessment: str = "", peer_review: str = "", tally: dict[str, int] | None = None,
    grade: str = "", by=None,
) -> ReviewEntry:  # fmt: skip
    review = entry.review
    if review.status == Review.Status.FINISHED:
        raise ValidationError(REVIEW_FINISHED)
    if grade and grade not in review.grades:
        raise ValidationError({"grade": GRADE_UNKNOWN % {"grades": "、".join(review.grades)}})
    tally = {g: int(n) for g, n in (tally or {}).items() if g in review.grades and n is not None}
    if any(n < 0 for n in tally.values()):
        raise ValidationError({"tally": TALLY_NEGATIVE})
    limit = review.entries.count()
    if sum(tally.values()) > limit:
        raise ValidationError({"tally": TALLY_TOO_MANY % {"n": sum(tally.values()), "max": limit}})
    entry.self_assessment, entry.peer_review, entry.tally, entry.grade = (
        self_assessment,
        peer_review,
        tally,
        grade,
    )
    entry.save()
    return entry


@transaction.atomic
def review_finish(*, review: Review, on: date, by=None) -> list[Correction]:
    """Close the review; every member rated with the failing grade gets a 限期改正 of one
    year (MBR-07), which the branch tracks to its end."""
    if review.status == Review.Status.FINISHED:
        raise ValidationError(REVIEW_FINISHED)
    entries = list(review.entries.select_related("member"))
    ungraded = [e.member for e in entries if not e.grade]
    if ungraded:
        raise ValidationError(REVIEW_UNGRADED % {"n": len(ungraded), "names": _names(ungraded)})
    review.status, review.finished_on = Review.Status.FINISHED, on
    review.save()
    return [
        Correction.objects.create(
            member=e.member,
            org=review.org,
            entry=e,
            starts_on=on,
            ends_on=on + relativedelta(years=1),
        )
        for e in entries
        if e.grade == review.failing_grade
    ]


@transaction.atomic
def correction_update(
    *, correction: Correction, ends_on: date, measures: str = "", by=None
) -> Correction:
    if correction.outcome != Correction.Outcome.OPEN:
        raise ValidationError(CORRECTION_CLOSED)
    latest = correction.starts_on + relativedelta(years=1)
    if ends_on > latest:
        raise ValidationError({"ends_on": CORRECTION_TOO_LONG % {"day": latest}})
    correction.ends_on, correction.measures = ends_on, measures
    correction.full_clean(exclude=["member", "org", "entry"])
    correction.save()
    return correction


@transaction.atomic
def correction_close(
    *, correction: Correction, outcome: str, on: date, note: str = "", by=None
) -> Correction:
    if correction.outcome != Correction.Outcome.OPEN:
        raise ValidationError(CORRECTION_CLOSED)
    if outcome not in Correction.Outcome.values or outcome == Correction.Outcome.OPEN:
        raise ValidationError({"outcome": CORRECTION_OUTCOME})
    correction.outcome, correction.closed_on, correction.note = outcome, on, note
    correction.save()
    return correction


# --- settings -----------------------------------------------------------------------------------------------


@transaction.atomic
def settings_update(
    *, org: Org, theme_day: int | None, committee_day: int | None, group_day: int | None,
    lock_days: int | None, review_grades: list[str], by=None,
) -> MeetingSettings:  # fmt: skip
    for name, value in (
        ("theme_day", theme_day),
        ("committee_day", committee_day),
        ("group_day", group_day),
    ):
        if value is not None and not 1 <= value <= 31:
            raise ValidationError({name: SETTINGS_DAY})
    if lock_days is not None and not 1 <= lock_days <= 60:
        raise ValidationError({"lock_days": SETTINGS_LOCK})
    grades = [g.strip() for g in review_grades if g.strip()]
    if grades and (len(grades) < 2 or len(set(grades)) != len(grades)):
        raise ValidationError({"review_grades": SETTINGS_GRADES})
    row, _created = MeetingSettings.objects.get_or_create(org=org)
    row.theme_day, row.committee_day, row.group_day, row.lock_days = (
        theme_day,
        committee_day,
        group_day,
        lock_days,
    )
    row.review_grades, row.updated_by = grades, by
    row.save()
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED, summary=_t("修改组织生活设置：%(org)s") % {"org": org.name},
        actor=by, obj=org, org_path=org.path,
        details={"theme_day": theme_day, "lock_days": lock_days, "review_grades": grades},
    )  # fmt: skip
    return row


# --- annual plan ----------------------------------------------------------------------------------------------


def working_day_on_or_after(day: date) -> date:
    """The first working day on or after ``day`` on the statutory calendar (with 调休)."""
    for _attempt in range(15):
        if is_workday(day):
            return day
        day += timedelta(days=1)
    return day


def _day_in_month(year: int, month: int, day: int) -> date:
    last = (date(year, month, 1) + relativedelta(months=1) - timedelta(days=1)).day
    return working_day_on_or_after(date(year, month, min(day, last)))


@dataclass(frozen=True)
class PlanItem:
    org: Org
    on: date
    kinds: tuple[str, ...]
    title: str


def plan_items(*, org: Org, year: int) -> list[PlanItem]:
    """The calendar the rules in force ask of a branch for ``year`` (MTG-01..07, MTG-09):
    a monthly 主题党日 on the fixed day (with the quarter's 党员大会 and 党课 in the
    quarter's last month), a monthly 支委会 where a committee is in office, a monthly
    党小组会 per group, and the yearly 组织生活会 and 民主评议 in December."""
    if not org.is_branch:
        raise ValidationError(PLAN_NOT_BRANCH)
    conf = effective_settings(org)
    start = date(year, 1, 1)
    has_committee = (
        Committee.objects.filter(org=org, elected_on__lte=date(year, 12, 31))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
        .exists()
    )
    groups = list(
        Org.objects.filter(path__startswith=org.path, depth=org.depth + 1, kind=Org.Kind.GROUP)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start))
        .order_by("path")
    )
    items: list[PlanItem] = []
    for month in range(1, 13):
        quarter_end = month % 3 == 0
        kinds = [MeetingKind.THEME_DAY]
        title = _t("%(m)s月主题党日") % {"m": month}
        if quarter_end:
            kinds += [MeetingKind.BRANCH_ASSEMBLY, MeetingKind.PARTY_LECTURE]
            title = _t("第%(q)s季度支部党员大会暨主题党日、党课") % {"q": month // 3}
        items.append(PlanItem(org, _day_in_month(year, month, conf.theme_day), tuple(kinds), title))
        if has_committee:
            items.append(
                PlanItem(org, _day_in_month(year, month, conf.committee_day), (MeetingKind.BRANCH_COMMITTEE,),
                         _t("%(m)s月支部委员会会议") % {"m": month})
            )  # fmt: skip
        for group in groups:
            items.append(
                PlanItem(group, _day_in_month(year, month, conf.group_day), (MeetingKind.GROUP_MEETING,),
                         _t("%(m)s月%(g)s会议") % {"m": month, "g": group.short_name or group.name})
            )  # fmt: skip
    items.append(
        PlanItem(org, working_day_on_or_after(date(year, 12, 22)), (MeetingKind.LIFE_MEETING,),
                 _t("%(y)s年度组织生活会") % {"y": year})
    )  # fmt: skip
    items.append(
        PlanItem(org, working_day_on_or_after(date(year, 12, 26)),
                 (MeetingKind.BRANCH_ASSEMBLY, MeetingKind.MEMBER_REVIEW), _t("%(y)s年度民主评议党员") % {"y": year})
    )  # fmt: skip
    return sorted(items, key=lambda item: (item.on, item.org.path))


@transaction.atomic
def plan_generate(*, org: Org, year: int, by=None) -> list[Meeting]:
    """Create the year's planned meetings; idempotent: an item whose leading kind already
    has a meeting at that org that month (for yearly kinds: for that year) is skipped."""
    items = plan_items(org=org, year=year)
    org_ids = {item.org.pk for item in items}
    taken = set()
    rows = MeetingKindRow.objects.filter(org__in=org_ids).filter(
        Q(on__year=year) | Q(covers_year=year)
    )
    for org_id, kind, on, covers in rows.values_list("org", "kind", "on", "covers_year"):
        taken.add((org_id, kind, covers if kind in YEARLY_KINDS and covers else on.month))
    created = []
    for item in items:
        lead = next((k for k in item.kinds if k in YEARLY_KINDS), item.kinds[0])
        key = (item.org.pk, lead, year if lead in YEARLY_KINDS else item.on.month)
        if key in taken:
            continue
        created.append(
            meeting_plan(org=item.org, title=item.title, on=item.on, kinds=list(item.kinds),
                         covers_year=year if set(item.kinds) & YEARLY_KINDS else None, plan_year=year, by=by)
        )  # fmt: skip
        taken.add(key)
    return created


# --- feed tokens --------------------------------------------------------------------------------------------


@transaction.atomic
def feed_token_reset(*, user) -> FeedToken:
    """A new unguessable token (the old feed URLs stop working)."""
    token, _created = FeedToken.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    if not _created:
        token.token = secrets.token_urlsafe(32)
        token.save(update_fields=["token"])
    return token
