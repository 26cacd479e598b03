"""真实性核查 cases seeded on purpose (DQ-06 … DQ-08), and nothing else to flag.

- 机关第二党支部 copies last May's minutes of 机关第一党支部 into its June record,
  changing the names, the date and the numbers (DQ-06);
- 客服中心党支部 enters last September's first meeting ten weeks late (DQ-07);
- a member of 调度中心党支部 is recorded present at last October's first meeting while
  registered 外出流动 abroad (DQ-08).

The records are changed in place (queryset updates, as an import would), before the
rulebook runs, so its findings include them. ``SEEDED`` lists them for the tests.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from zhibu.demo.state import Demo
from zhibu.meetings.models import Attendance, Meeting
from zhibu.members.models import Mobility
from zhibu.orgs.models import Org

COPY_FROM, COPY_TO = "RLJT-JG01", "RLJT-JG02"
BACKFILLED = "RLJT-KF"
ABROAD = "RLJT-DD"
ABROAD_PLACE = "德国杜塞尔多夫（出国务工）"
LATE_DAYS = 70

# (rule code, org code) of what the integrity rules should find in the demo, and only that.
SEEDED: tuple[tuple[str, str], ...] = (
    ("DQ-06", COPY_TO),
    ("DQ-07", BACKFILLED),
    ("DQ-08", ABROAD),
)

MINUTES = (
    "会议由{host}主持，于{day}在办公楼三楼会议室召开。应到{n}人，实到{m}人。"
    "会议首先集中学习了习近平总书记关于党的建设的重要思想，{host}领学了《中国共产党支部工作条例（试行）》"
    "关于支部主要职责的规定，并结合本部门实际谈了体会。随后围绕提升机关服务基层质效、"
    "落实为基层减负要求进行了讨论，{member}发言提出精简会议文件、推行一次性告知清单，"
    "大家一致认为要把调查研究作为基本功，每名党员至少联系一个基层班组。"
    "会议决定由{member}牵头梳理部门服务事项清单，下月底前报支部委员会研究。"
)


def _first_held(org: Org, year: int, month: int) -> Meeting:
    start = date(year, month, 1)
    return (
        Meeting.objects.filter(
            org=org,
            status__in=Meeting.HELD_STATUSES,
            on__gte=start,
            on__lt=(start + timedelta(days=32)).replace(day=1),
        )
        .order_by("on", "pk")
        .first()
    )


def _present(meeting: Meeting):
    return [
        a.member
        for a in meeting.attendance.filter(status=Attendance.Status.PRESENT)
        .select_related("member")
        .order_by("member__name_pinyin", "member_id")
    ]


def _minutes(meeting: Meeting) -> str:
    people = _present(meeting)
    host = meeting.host or people[0]
    member = next(p for p in people if p.pk != host.pk)
    return MINUTES.format(
        host=host.name,
        member=member.name,
        day=f"{meeting.on.year}年{meeting.on.month}月{meeting.on.day}日",
        n=meeting.attendance.count(),
        m=len(people),
    )


def build(demo: Demo, root: Org) -> int:
    """Seed the three cases; 0 when already seeded (the build runs twice)."""
    if Mobility.objects.filter(place=ABROAD_PLACE).exists():
        return 0
    year = demo.today.year - 1
    orgs = {
        o.code: o for o in Org.objects.filter(code__in=[COPY_FROM, COPY_TO, BACKFILLED, ABROAD])
    }
    source = _first_held(orgs[COPY_FROM], year, 5)
    copy = _first_held(orgs[COPY_TO], year, 6)
    Meeting.objects.filter(pk=source.pk).update(minutes=_minutes(source))
    Meeting.objects.filter(pk=copy.pk).update(minutes=_minutes(copy))
    late = _first_held(orgs[BACKFILLED], year, 9)
    entered = timezone.make_aware(datetime.combine(late.on + timedelta(days=LATE_DAYS), time(10)))
    Meeting.objects.filter(pk=late.pk).update(recorded_at=entered)
    meeting = _first_held(orgs[ABROAD], year, 10)
    # Away between the member's other meetings, so this meeting is the one contradiction:
    # the present member with the widest gap around it (at most a month either side).
    around: defaultdict[int, list[date]] = defaultdict(list)
    for member_id, on in (
        Attendance.objects.filter(
            status=Attendance.Status.PRESENT,
            member__in=[p.pk for p in _present(meeting)],
            meeting__on__gte=meeting.on - timedelta(days=31),
            meeting__on__lte=meeting.on + timedelta(days=31),
        )
        .exclude(meeting=meeting)
        .values_list("member", "meeting__on")
    ):
        around[member_id].append(on)
    windows = []
    for person in _present(meeting):
        days = around.get(person.pk, [])
        before = [d for d in days if d < meeting.on]
        after = [d for d in days if d > meeting.on]
        if meeting.on in days:
            continue
        start = max(before) + timedelta(days=1) if before else meeting.on - timedelta(days=30)
        end = min(after) if after else meeting.on + timedelta(days=30)
        windows.append(((end - start).days, person.pk, person, start, end))
    _days, _pk, member, start, end = max(windows, key=lambda w: (w[0], -w[1]))
    Mobility.objects.create(
        direction=Mobility.Direction.OUT,
        member=member,
        org=orgs[ABROAD],
        place=ABROAD_PLACE,
        reason=Mobility.Reason.WORK,
        started_on=start,
        ended_on=end,
        last_contact_on=meeting.on,
    )
    return 3
