"""The demo's discipline records (DISC, issue 17), entered as if on their decision days.

- In 热源厂党支部 (the branch of the ``zhibu`` login), a member under 留党察看 (one year,
  decided four months ago by the 党委) while a 支部党员大会 with a vote is on the calendar:
  the vote page shows them left out of the entitled count, with the citation (DISC-04).
  If the history left no assembly planned there, one is planned for next week.
- In 调度中心党支部, a 警告 still in effect (DISC-02: no promotion for 12 months).
- Two first-form measures (谈话提醒, 诫勉) elsewhere, for the 四种形态 statistics (DISC-07).

The ``jijian`` login (纪检委员 of the 党委) sees them all; branch secretaries see none.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta

from zhibu.demo.clock import at, moment
from zhibu.demo.logins import ROOT_CODE
from zhibu.demo.state import Demo
from zhibu.discipline.models import DisciplineRecord
from zhibu.discipline.services import record_save
from zhibu.meetings.models import Meeting, MeetingKind
from zhibu.meetings.services.scheduling import meeting_plan
from zhibu.members.models import Member
from zhibu.orgs.models import CommitteePost, Org

K = DisciplineRecord.Kind
PROBATION_BRANCH = "RLJT-RY"
WARNING_BRANCH = "RLJT-DD"
MEASURE_BRANCHES = ("RLJT-GW", "RLJT-AZ")

FACTS = {
    K.PROBATION: "在设备采购验收中收受供应商礼金，数额较大，经批评教育后主动退还，"
    "认错态度较好。依据《中国共产党纪律处分条例》给予留党察看一年处分。",
    K.WARNING: "违反工作纪律，值班期间擅自离岗，造成调度指令延误，未造成严重后果。",
    K.REMINDER: "群众反映其工作作风简单粗暴，经核实情况基本属实，进行谈话提醒。",
    K.ADMONITION: "在工程结算中审核把关不严，存在履职不力问题，予以诫勉。",
}


def _plain_member(branch: Org, rng, exclude: set[int]) -> Member | None:
    """A full member of ``branch`` with no post, no login and no 免予要求 — someone the
    demo's other stories do not lean on."""
    holders = CommitteePost.objects.filter(end__isnull=True).values("holder")
    candidates = list(
        Member.objects.filter(org=branch, status=Member.Status.FULL, frail_exempt=False)
        .exclude(pk__in=holders)
        .exclude(user__isnull=False)
        .exclude(pk__in=exclude)
        .order_by("pk")
    )
    return rng.choice(candidates) if candidates else None


def _record(demo: Demo, member: Member, kind: str, decided_on: date, root: Org, **fields):
    with at(moment(decided_on, 16)):
        return record_save(
            member=member,
            deciding_org=root,
            kind=kind,
            decided_on=decided_on,
            facts=FACTS[kind],
            document_no=f"热力纪〔{decided_on.year}〕{decided_on.month}号",
            today=decided_on,
            **fields,
        )


def _pending_vote(demo: Demo, branch: Org) -> Meeting:
    """The branch's next 支部党员大会 on the calendar, or one planned for next week."""
    upcoming = (
        Meeting.objects.filter(
            org=branch,
            status__in=Meeting.UPCOMING_STATUSES,
            on__gte=demo.today,
            kind_rows__kind=MeetingKind.BRANCH_ASSEMBLY,
        )
        .order_by("on")
        .first()
    )
    if upcoming is not None:
        return upcoming
    return meeting_plan(
        org=branch,
        title="支部党员大会：讨论接收预备党员",
        on=demo.today + timedelta(days=7),
        kinds=[MeetingKind.BRANCH_ASSEMBLY],
        starts_at=time(15, 0),
        ends_at=time(16, 30),
        place="热源厂会议室",
        topics="讨论发展对象接收为预备党员（表决）",
    )


def build(demo: Demo) -> int:
    """Create the records (nothing if the demo already has some); how many were made."""
    root = Org.objects.get(code=ROOT_CODE)
    if DisciplineRecord.objects.filter(deciding_org=root).exists():
        return 0
    rng = demo.rng("discipline")
    today = demo.today
    made = 0
    used: set[int] = set()
    branch = Org.objects.get(code=PROBATION_BRANCH)
    member = _plain_member(branch, rng, used)
    if member is not None:
        used.add(member.pk)
        _record(demo, member, K.PROBATION, today - relativedelta(months=4), root, probation_years=1)
        _pending_vote(demo, branch)
        made += 1
    for code, kind, months in (
        (WARNING_BRANCH, K.WARNING, 5),
        (MEASURE_BRANCHES[0], K.REMINDER, 2),
        (MEASURE_BRANCHES[1], K.ADMONITION, 10),
    ):
        org = Org.objects.filter(code=code).first()
        member = _plain_member(org, rng, used) if org else None
        if member is None:
            continue
        used.add(member.pk)
        _record(demo, member, kind, today - relativedelta(months=months), root)
        made += 1
    return made
