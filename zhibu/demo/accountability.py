"""Accountability in the demo (问责), after the duties step: the 纪检 view has its seeded
signals and one recorded decision.

- 管网工程党支部 held no 支委会 for three months running (``meetings.gap_periods``): MTG-02
  fails three consecutive months, the rule signal; nothing is added for it here.
- The 督办 the 党委组织部 opened on the letters' overdue task is past its reply limit and
  unanswered (``zhibu.demo.duties``).
- A rectification item of the 第一供热分公司党支部 is overdue twice: set 75 days ago with
  a deadline 45 days ago, 销号 late (40 days ago), the 党委组织部's 复查 failed it 30 days
  ago, so it is open again past its deadline.
- The 党委's 纪检委员 recorded one decision two days ago: a 通报 of the organisation
  whose 督办 on the overdue task went unanswered, closing that signal.

Each entry runs at the moment it would have been made (``clock.at``).
"""

from __future__ import annotations

from datetime import timedelta

from zhibu.accountability import builtin, selectors, services
from zhibu.accountability.models import Decision
from zhibu.accounts.models import User
from zhibu.core.rules.models import Finding
from zhibu.core.scope import subtree_q
from zhibu.demo.checks import periods
from zhibu.demo.clock import at, moment
from zhibu.demo.letters import OVERDUE_TASK
from zhibu.demo.state import Demo
from zhibu.duties.models import Supervision, Task
from zhibu.duties.services.rectification import (
    rectification_close,
    rectification_create,
    rectification_recheck,
)
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run

BRANCH = "RLJT-FG1"  # 第一供热分公司党支部
PROBLEM = "换热站安全生产责任制未在党员责任区中落实，党员先锋岗未覆盖夜班"
MEASURE = "支部委员会逐站明确党员责任区和先锋岗，夜班设党员安全监督岗，形成台账"
RECHECK_NOTE = "抽查城东、城南两站，夜班党员安全监督岗仍未设立，台账缺失，复查不通过。"
REASON = (
    "生产运行党总支对党委组织部督办的年度任务逾期未回复，经督办仍未整改到位，"
    "依据《中国共产党问责条例》第八条，予以通报。"
)
DOCUMENT_NO = "热力集团纪〔{year}〕2 号"


def _overdue_twice(branch: Org, staff: User, today) -> None:
    with at(moment(today - timedelta(days=75), 10)):
        item = rectification_create(
            org=branch,
            problem=PROBLEM,
            measure=MEASURE,
            deadline=today - timedelta(days=45),
            by=staff,
        )
    with at(moment(today - timedelta(days=40), 16)):
        item = rectification_close(
            item=item,
            evidence="已在各站张贴党员责任区公示牌。",
            on=today - timedelta(days=40),
            by=staff,
        )
    with at(moment(today - timedelta(days=30), 15)):
        rectification_recheck(
            item=item, passed=False, on=today - timedelta(days=30), note=RECHECK_NOTE, by=staff
        )


def _notice(root: Org, inspector: User, today) -> None:
    task = Task.objects.filter(title=OVERDUE_TASK).first()
    if task is None:
        return
    supervision = Supervision.objects.filter(target_ref=f"task:{task.public_id}").first()
    if supervision is None:
        return
    wanted = (builtin.SUPERVISION_UNANSWERED, str(supervision.public_id))
    signals = [
        row.signal
        for row in selectors.signals_for(inspector, today)
        if (row.signal.kind, row.signal.key) == wanted
    ]
    if not signals:
        return
    day = today - timedelta(days=2)
    with at(moment(day, 15)):
        services.decision_create(
            org=supervision.org,
            kind=Decision.Kind.NOTICE,
            decided_on=day,
            deciding_org=root,
            reason=REASON,
            signals=signals,
            document_no=DOCUMENT_NO.format(year=day.year),
            by=inspector,
            today=today,
        )


def build(demo: Demo, root: Org) -> None:
    staff = User.objects.filter(username="zuzhibu").first()
    inspector = User.objects.filter(username="jijian").first()
    branch = Org.objects.filter(code=BRANCH).first()
    if staff is None or inspector is None or branch is None:
        return
    today = demo.today
    _overdue_twice(branch, staff, today)
    _notice(root, inspector, today)
    in_demo = subtree_q([root.path], field="org_path")
    before = Finding.objects.filter(in_demo).count()
    for period in periods(today)[:2]:  # RESP-05 sees the reopened item (quarter, year)
        rules_run(root=root, period=period, today=today, codes=["RESP-05"], trigger="demo")
    demo.counts["findings"] += Finding.objects.filter(in_demo).count() - before
