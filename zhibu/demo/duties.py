"""Rectification and 督办 in the demo (RESP-01, RESP-05), after the rulebook has run.

- One compliance finding of the 热源厂党支部 is turned into a rectification item
  (转为整改) by the 党委组织部, twelve days ago;
- the 党委组织部 opened a 督办 on that item ten days ago with a reply deadline of five
  working days: it is past due and unanswered (a seeded gap: RESP-01 finds it);
- the 党委 inspected the 热源厂党支部 three weeks ago and found two problems; the first
  one's deadline has passed without 销号 (a seeded gap: RESP-05 finds it).

Each entry runs at the moment it would have been made (``clock.at``). The RESP rules are
then judged again for the periods the cockpit opens on.
"""

from __future__ import annotations

from datetime import timedelta

from zhibu.accounts.models import User
from zhibu.core.rules.base import PROBLEM_STATUSES
from zhibu.core.rules.models import Finding
from zhibu.core.scope import subtree_q
from zhibu.demo.checks import periods
from zhibu.demo.clock import at, moment
from zhibu.demo.letters import OVERDUE_TASK
from zhibu.demo.state import Demo
from zhibu.duties.models import Inspection, Supervision, Task
from zhibu.duties.services.rectification import (
    inspection_create,
    inspection_problem_add,
    rectification_from_finding,
)
from zhibu.duties.services.supervision import supervision_open
from zhibu.duties.targets import target_for
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run

BRANCH = "RLJT-RY"  # 热源厂党支部, the demo login "zhibu"
INSPECTION = "2026 年度基层党建工作专项检查"
PROBLEMS = (
    (
        "“三会一课”记录要素不全，部分支委会未记录议题和决定事项",
        "按记录模板逐次补齐议题、决定事项和参会人员",
        14,
    ),
    ("党员发展档案材料未按时归档", "对照细则清单补齐材料，一周内归档", 45),
)
SUPERVISION_REQUEST = "请于期限内报告该问题的整改措施、进度和佐证材料；逾期未报将升级督办。"


def _problem_finding(root: Org, branch: Org) -> Finding | None:
    problems = Finding.objects.filter(status__in=PROBLEM_STATUSES).order_by(
        "-period_end", "rule_code", "subject_type", "subject_id"
    )
    return (
        problems.filter(org=branch).first()
        or problems.filter(subtree_q([root.path], field="org_path")).exclude(org=root).first()
    )


def build(demo: Demo, root: Org) -> None:
    branch = Org.objects.filter(code=BRANCH).first() or root
    staff = User.objects.filter(username="zuzhibu").first()
    today = demo.today
    if staff is None or Supervision.objects.filter(org__path__startswith=root.path).exists():
        return
    finding = _problem_finding(root, branch)
    if finding is not None:
        with at(moment(today - timedelta(days=12), 10)):
            item = rectification_from_finding(
                finding=finding,
                measure="支部委员会研究整改方案，明确责任人，逐项落实并留存佐证材料",
                deadline=today + timedelta(days=30),
                by=staff,
            )
        with at(moment(today - timedelta(days=10), 9)):
            supervision_open(
                target=target_for(staff, f"rectification:{item.public_id}"),
                request=SUPERVISION_REQUEST,
                working_days=5,
                by=staff,
            )
    task = Task.objects.filter(title=OVERDUE_TASK).first()
    if task is not None:  # the letters' overdue task gets an open 督办 past its reply limit
        with at(moment(today - timedelta(days=9), 9)):
            supervision_open(
                target=target_for(staff, f"task:{task.public_id}"),
                request=SUPERVISION_REQUEST,
                working_days=3,
                by=staff,
            )
    on = today - timedelta(days=21)
    with at(moment(on, 17)):
        inspection = inspection_create(
            org=branch,
            kind=Inspection.Kind.CHECK,
            title=INSPECTION,
            on=on,
            inspectors="党委组织部、纪检委员",
            summary="查阅支部台账和发展党员档案，听取支部书记汇报，个别访谈党员 5 名。",
            by=staff,
        )
        for problem, measure, days in PROBLEMS:
            inspection_problem_add(
                inspection=inspection,
                problem=problem,
                measure=measure,
                deadline=on + timedelta(days=days),
                by=staff,
            )
    before = Finding.objects.filter(subtree_q([root.path], field="org_path")).count()
    for period in periods(today)[:2]:
        rules_run(
            root=root, period=period, today=today, codes=["RESP-01", "RESP-05"], trigger="demo"
        )
    demo.counts["findings"] += (
        Finding.objects.filter(subtree_q([root.path], field="org_path")).count() - before
    )
