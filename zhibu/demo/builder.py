"""Builds the demo enterprise (see the package docstring): ``build`` and its counts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from django.db import transaction
from django.utils import timezone

from zhibu.accountability.models import Decision as AccountabilityDecision
from zhibu.assessment.models import Scheme
from zhibu.census.models import Report
from zhibu.core.rules.models import RuleRun
from zhibu.core.scope import subtree_q
from zhibu.demo import (
    accountability,
    assessment,
    census,
    checks,
    committees,
    development,
    discipline,
    dues,
    duties,
    integrity,
    letters,
    meetings,
    notices,
    org,
    requests,
    reviews,
    roster,
    study,
    users,
)
from zhibu.demo.logins import DEMO_LOGINS, ROOT_CODE, DemoLogin
from zhibu.demo.state import Demo
from zhibu.dues.models import Payment
from zhibu.duties.models import Letter
from zhibu.meetings.models import Meeting
from zhibu.orgs.models import Org
from zhibu.rulebook.run import refresh_paused

__all__ = ["COUNTS", "DEMO_LOGINS", "DemoLogin", "build"]

# What ``build`` reports, in this order.
COUNTS = (
    "units",
    "orgs",
    "members",
    "member_events",
    "committees",
    "posts",
    "linkages",
    "users",
    "member_accounts",
    "assignments",
    "meetings",
    "attendance",
    "talks",
    "reviews",
    "cases",
    "steps",
    "requests",
    "findings",
    "exemptions",
    "notifications",
    "letters",
    "tasks",
    "secretary_reviews",
    "promises",
    "dues_payments",
    "census_reports",
)


@contextmanager
def _step(log: Callable[[str], None], what: str) -> Iterator[None]:
    """Say what the build is doing, then how long it took (the whole build takes minutes)."""
    log(f"{what}…")
    started = time.monotonic()
    yield
    log(f"  {what}：{time.monotonic() - started:.1f} s")


@transaction.atomic
def build(
    *, seed: int = 2026, today: date | None = None, log: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    """Create the demo if absent; return counts of what was created (all zero when present).
    ``log`` hears each step as it starts and ends."""
    demo = Demo(seed=seed, today=today or timezone.localdate())
    if not Org.objects.filter(code=ROOT_CODE).exists():
        with _step(log, "组织、党员和班子 / orgs, members and committees"):
            org.create_tree(demo)
            roster.plan_roster(demo)
            plan = committees.plan_committees(demo)  # also gives secretaries their job titles
            roster.write_members(demo)
            committees.write_committees(demo, plan)
            roster.record_departures(demo)
    with _step(log, "演示账号 / demo logins"):
        demo.counts.update(users.ensure_users(demo.today))
    root = Org.objects.get(code=ROOT_CODE)
    if not Meeting.objects.filter(subtree_q([root.path], field="org__path")).exists():
        # The rulebook runs once over everything below, not after each record.
        with (
            _step(
                log, "组织生活和发展党员（自去年 1 月 1 日起）/ organisational life and development"
            ),
            refresh_paused(),
        ):
            life = meetings.Life(demo, root)
            development.plan(demo, life)
            life.schedule()
            life.run()
    with _step(log, "请示报告 / requests and reports"), refresh_paused():
        demo.counts["requests"] = requests.build(demo, root)
    if not Letter.objects.filter(issuer=root).exists():
        with _step(log, "责任书和任务 / responsibility letters and tasks"), refresh_paused():
            letters.build(demo, root)
    with _step(log, "纪律处分 / discipline records"), refresh_paused():
        discipline.build(demo)  # a 留党察看 beside a pending vote, a 警告 in effect
    with (
        _step(log, "述职评议和三诺一评 / secretaries' reviews and members' promises"),
        refresh_paused(),
    ):
        reviews.build(demo, root)
    if not Payment.objects.filter(subtree_q([root.path], field="org__path")).exists():
        # Before the rulebook runs, so DUES-11's seeded six-month case is among its findings.
        with _step(log, "党费 / a year of dues"):
            demo.counts.update(dues.build(demo, root))
    with _step(log, "学习教育 / courses, self-study and the library"), refresh_paused():
        study.build(demo, root)
    with _step(log, "真实性核查样例 / integrity cases (a copy, a late entry, present abroad)"):
        integrity.build(demo, root)  # before the rulebook runs, so its findings include them
    if not RuleRun.objects.filter(org=root).exists():
        with _step(log, "合规检查和今日提醒 / the rulebook's findings and today's digests"):
            checks.run(demo, root)
            duties.build(demo, root)  # a finding turned into 整改, an overdue 督办, a 检查
    if not Scheme.objects.filter(org=root).exists():
        with _step(log, "党建考核 / assessment (last year confirmed, this year drafts)"):
            assessment.build(demo, root)
    if not AccountabilityDecision.objects.filter(org__path__startswith=root.path).exists():
        with _step(log, "问责线索和问责决定 / accountability signals and a decision"):
            accountability.build(demo, root)  # a rectification overdue twice, one 通报
    if not Report.objects.filter(org__path__startswith=root.path).exists():
        with _step(log, "党内统计年报 / last year's statistics report"):
            demo.counts["census_reports"] = census.build(demo, root)
    with _step(log, "通知公告和提醒渠道 / announcements and a reminder channel"):
        notices.build(demo, root)  # a 企业微信 robot on a local receiver, read receipts
    with _step(log, "党员账号 / members' own accounts"):
        demo.counts["member_accounts"] = users.ensure_member_accounts()
    return {name: demo.counts[name] for name in COUNTS}
