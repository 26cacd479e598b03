"""Accountability signals on the shared tree (today 2026-03-10):

- 第一党支部 fails MTG-02 four months running (2025-11 … 2026-02): one rule signal;
  第二党支部 fails it only two months (no signal); 兄弟党支部 three months (outside scope);
- a 督办 on 第二党支部 unanswered since its reply limit (2026-03-02);
- a rectification item of 第一党支部 closed late, reopened, overdue again (a signal), and
  one closed on time then reopened (overdue once only: no signal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.core.rules.models import Finding
from zhibu.core.rules.periods import Period
from zhibu.duties.models import Rectification, Supervision
from zhibu.duties.services import rectification as rect_services

TODAY = date(2026, 3, 10)
TZ = ZoneInfo("Asia/Shanghai")


def make_finding(org, period: str, status="missing", code="MTG-02"):
    p = Period.parse(period)
    return Finding.objects.create(
        rule_code=code,
        period_code=p.code,
        period_start=p.start,
        period_end=p.end,
        org=org,
        org_path=org.path,
        subject_type="org",
        subject_id=org.pk,
        status=status,
        citation="《中国共产党支部工作条例（试行）》第十九条",
        computed_at=timezone.now(),
    )


def move(time_machine, day: date) -> None:
    time_machine.move_to(datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


@dataclass
class World:
    twice: Rectification
    once: Rectification
    supervision: Supervision


@pytest.fixture
def inspector(cast):
    """The 集团党委's 纪检委员: discipline.view and discipline.manage over the tree."""
    user = UserFactory(username="jijian", full_name="陈纪检")
    grant(user, Role.DISCIPLINE, cast.committee)
    return user


@pytest.fixture
def branch_inspector(cast):
    """第一党支部's 纪检委员: discipline.view over the branch only, no manage."""
    user = UserFactory(username="jijian-zb1", full_name="支部纪检")
    grant(user, Role.DISCIPLINE, cast.branch1)
    return user


@pytest.fixture
def other_inspector(cast):
    user = UserFactory(username="jijian-xd", full_name="兄弟纪检")
    grant(user, Role.DISCIPLINE, cast.other_committee)
    return user


@pytest.fixture
def world(cast, time_machine) -> World:
    for period in ("2025-11", "2025-12", "2026-01", "2026-02"):
        make_finding(cast.branch1, period)
    make_finding(cast.branch1, "2026-03", status="due")  # the running month: not counted
    for period in ("2026-01", "2026-02"):
        make_finding(cast.branch2, period)
    for period in ("2025-12", "2026-01", "2026-02"):
        make_finding(cast.other_branch, period)
    make_finding(cast.branch1, "2025-10", status="ok")

    move(time_machine, date(2025, 12, 1))
    twice = rect_services.rectification_create(
        org=cast.branch1, problem="支委会记录不全", measure="补齐记录", deadline=date(2025, 12, 31)
    )
    once = rect_services.rectification_create(
        org=cast.branch1, problem="党员档案未归档", measure="补齐归档", deadline=date(2025, 12, 31)
    )
    move(time_machine, date(2025, 12, 20))
    once = rect_services.rectification_close(item=once, evidence="已归档", on=date(2025, 12, 20))
    move(time_machine, date(2026, 1, 10))
    twice = rect_services.rectification_close(item=twice, evidence="已补齐", on=date(2026, 1, 10))
    move(time_machine, date(2026, 1, 15))
    twice = rect_services.rectification_recheck(
        item=twice, passed=False, on=date(2026, 1, 15), note="仍缺 11 月记录"
    )
    once = rect_services.rectification_recheck(
        item=once, passed=False, on=date(2026, 1, 15), note="缺发展材料"
    )
    supervision = Supervision.objects.create(
        org=cast.branch2,
        by_org=cast.committee,
        target_ref="task:x",
        target_label="报送年度工作总结",
        level=Supervision.Level.SUPERVISE,
        request="请报告进度",
        opened_on=date(2026, 2, 20),
        working_days=5,
        reply_due=date(2026, 3, 2),
    )
    move(time_machine, TODAY)
    return World(twice=twice, once=once, supervision=supervision)
