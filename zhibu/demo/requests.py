"""The demo's 请示 and 报告 of this year (REQ-01..06), entered as if at the time.

The 党委 schedules two yearly reports for the orgs below it (each 党总支's 党建工作报告
on last year's work, due by 31 January, and a second-level 党委's 主体责任 report, of
which the demo has none).
Seeded gaps, found by the rulebook run that follows:

- 工程建设党总支 has not filed its yearly report (REQ-01, missing);
- 管网运维党支部's 请示 on a 主题党日 venue has waited past its 15 working days at
  工程建设党总支 (REQ-06, late);
- 调度中心党支部's quarterly 报告 ends with 妥否，请批复 — a 请示 hidden in a 报告, sent
  after the warning was acknowledged (REQ-05).

The rest are in order: the 热源厂党支部's 请示 answered by 生产运行党总支 within its
limit, a 报告 read and answered, and the 机关党总支's request returned for more detail
and not yet sent again.
"""

from __future__ import annotations

from datetime import date, timedelta

from zhibu.accounts.models import User
from zhibu.core.scope import parent_path
from zhibu.demo.clock import at, moment
from zhibu.demo.state import Demo
from zhibu.duties.models import ReportSchedule, Request
from zhibu.duties.services import requests as services
from zhibu.meetings.models import Meeting
from zhibu.orgs.models import Org

SCHEDULES = (
    ("annual_work", "年度党建工作报告（上一年度）", ["general_branch"], 1, 31, 1),
    ("main_responsibility", "落实全面从严治党主体责任情况报告", ["committee"], 1, 31, 2),
)
MISSING_YEARLY = "RLJT-GC"  # 工程建设党总支: its yearly report is the seeded gap


def ensure_schedules(root: Org) -> int:
    created = 0
    for key, name, kinds, month, day, order in SCHEDULES:
        _row, new = ReportSchedule.objects.get_or_create(
            committee=root,
            key=key,
            defaults={
                "name": name,
                "org_kinds": kinds,
                "due_month": month,
                "due_day": day,
                "sort_order": order,
            },
        )
        created += new
    return created


def _meeting(org: Org, before: date) -> Meeting | None:
    return (
        Meeting.objects.filter(org=org, on__lte=before, status__in=Meeting.HELD_STATUSES)
        .order_by("-on")
        .first()
    )


def _send(
    demo: Demo, sender: Org, on: date, *, kind, subject, body, studied=True, ack=False, **extra
):
    if on >= demo.today or on.year != demo.today.year:
        return None
    with at(moment(on, 10)):
        item = services.request_save(
            sender=sender,
            receiver=Org.objects.get(path=parent_path(sender.path)),
            kind=kind,
            subject=subject,
            body=body,
            meeting=_meeting(sender, on) if studied else None,
            signer="书记",
            **extra,
        )
        return services.request_send(record=item, acknowledge=ack)


def _answer(item: Request | None, on: date, text: str, by: User | None, today: date) -> None:
    if item is None or on >= today:
        return
    with at(moment(on, 16)):
        services.request_answer(record=item, answer=text, on=on, by=by)


def build(demo: Demo, root: Org) -> int:
    """Create the documents once (none exist below ``root``); return how many."""
    ensure_schedules(root)
    if Request.objects.filter(sender__path__startswith=root.path).exists():
        return 0
    orgs = {o.code: o for o in Org.objects.filter(path__startswith=root.path)}
    users = {u.username: u for u in User.objects.filter(username__in=["zongzhi", "dangwei"])}
    today, year = demo.today, demo.today.year
    made = []
    for code in ("RLJT-JG", "RLJT-SC"):
        made.append(
            _send(
                demo,
                orgs[code],
                date(year, 1, 20),
                kind=Request.Kind.REPORT,
                subject=f"{orgs[code].name}{year - 1}年度党建工作报告",
                body=f"现将{year - 1}年度党建工作情况报告如下：一、落实三会一课情况；"
                "二、发展党员情况；三、存在的问题和下一步打算。",
                schedule_key="annual_work",
            )
        )
    heat = _send(
        demo,
        orgs["RLJT-RY"],
        today - timedelta(days=40),
        kind=Request.Kind.REQUEST,
        subject="关于调整运行值党小组设置的请示",
        body="因运行值班制度调整，拟将运行一值、运行二值党小组合并调整为三个党小组。妥否，请批示。",
        urgency=Request.Urgency.URGENT,
    )
    _answer(
        heat,
        today - timedelta(days=36),
        "同意调整，请按程序选举党小组长。",
        users.get("zongzhi"),
        today,
    )
    overdue = _send(
        demo,
        orgs["RLJT-GW"],
        today - timedelta(days=45),
        kind=Request.Kind.REQUEST,
        subject="关于借用工程建设公司会议室开展主题党日的请示",
        body="为开展“安全生产月”主题党日活动，拟借用公司三楼会议室半天。妥否，请批示。",
    )
    hidden = _send(
        demo,
        orgs["RLJT-DD"],
        today - timedelta(days=20),
        kind=Request.Kind.REPORT,
        subject="调度中心党支部第三季度工作情况报告",
        body="本季度召开支部党员大会1次、支委会3次。为加强学习，拟购置学习书籍一批，"
        "费用从党组织工作经费列支。妥否，请批复。",
        ack=True,
    )
    report = _send(
        demo,
        orgs["RLJT-FG1"],
        today - timedelta(days=30),
        kind=Request.Kind.REPORT,
        subject="一分公司党支部供暖季前党员先锋岗设岗情况报告",
        body="现将供暖季前在各供热站设立党员先锋岗的情况报告如下。",
        studied=False,
    )
    _answer(report, today - timedelta(days=25), "已阅，望抓好落实。", users.get("zongzhi"), today)
    returned = _send(
        demo,
        orgs["RLJT-JG01"],
        today - timedelta(days=15),
        kind=Request.Kind.REQUEST,
        subject="关于推荐优秀共产党员人选的请示",
        body="经支部委员会研究，拟推荐两名同志为集团优秀共产党员人选。妥否，请批示。",
    )
    if returned is not None and today - timedelta(days=12) < today:
        with at(moment(today - timedelta(days=12), 15)):
            services.request_return(
                record=returned,
                reason="请补充两名同志的主要事迹材料后再报。",
                on=today - timedelta(days=12),
            )
    made += [heat, overdue, hidden, report, returned]
    return sum(1 for item in made if item is not None)
