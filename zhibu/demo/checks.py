"""The rulebook run over the finished demo, and one approved exemption.

The cockpit reads stored findings, so the demo runs the rulebook for the periods it opens
on (this quarter, this year) and for last year, as the nightly ``tick`` would have. Then
the 党委书记 approves one exemption, the way the cockpit's 申请豁免 page does: the member
of 调度中心党支部 who was in hospital from March to September last year is excused
last year's 32 学时 (EDU-01), and the run is repeated for the periods it touches.
"""

from __future__ import annotations

from datetime import date

from zhibu.accounts.models import User
from zhibu.core.rules import Period
from zhibu.core.rules.models import Finding
from zhibu.core.scope import subtree_q
from zhibu.demo.state import Demo
from zhibu.meetings.models import Attendance
from zhibu.members.models import Member
from zhibu.orgs.models import Org
from zhibu.rulebook.reminders import send_digests
from zhibu.rulebook.run import rerun_for_exemption, rules_run
from zhibu.rulebook.services import exemption_request

SICK_LEAVE = "病休（住院治疗）"  # the leave reason of the member the exemption is for
EXEMPTION_RULE = "EDU-01"
EXEMPTION_REASON = (
    "该同志{year}年3月至9月因病住院治疗、居家康复，无法参加集中学习；"
    "依据《中国共产党党员教育管理工作条例》第二十三条，经党委研究，免除其{year}年度集中学习学时要求。"
)


def periods(today: date) -> list[Period]:
    """This quarter, this year and last year: what the cockpit shows first."""
    return [
        Period.containing("quarter", today),
        Period.year(today.year),
        Period.year(today.year - 1),
    ]


def exempted_member(root: Org, year: int) -> Member | None:
    row = (
        Attendance.objects.filter(
            reason=SICK_LEAVE,
            meeting__on__year=year,
            meeting__org__path__startswith=root.path,
        )
        .values_list("member", flat=True)
        .first()
    )
    return Member.objects.filter(pk=row).select_related("org").first() if row else None


def run(demo: Demo, root: Org) -> None:
    secretary = User.objects.filter(username="dangwei").first()
    in_demo = subtree_q([root.path], field="org_path")
    before = Finding.objects.filter(in_demo).count()
    for period in periods(demo.today):
        rules_run(root=root, period=period, today=demo.today, by=secretary, trigger="demo")
    last_year = demo.today.year - 1
    member = exempted_member(root, last_year)
    if member is not None and secretary is not None:
        exemption = exemption_request(
            rule_code=EXEMPTION_RULE,
            org=member.org,
            member=member,
            start=date(last_year, 1, 1),
            end=date(last_year, 12, 31),
            reason=EXEMPTION_REASON.format(year=last_year),
            by=secretary,
        )
        rerun_for_exemption(exemption, by=secretary)
        demo.counts["exemptions"] += 1
    demo.counts["findings"] += Finding.objects.filter(in_demo).count() - before
    # Today's digests, as the nightly tick would have sent them: the inbox is not empty.
    demo.counts["notifications"] += send_digests(demo.today)
