"""An assessment cast on the shared tree: the 集团党委's 2025 scheme (the standard one)
over 第一党支部 and 第二党支部, with evidence: three MTG-02 months missing in 第一党支部
(one more exempted, one from 2024), an EDU-01 finding on its 党小组, a late task and an
overdue rectification item in 第二党支部. Time stands at 2026-01-20."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.assessment import services
from zhibu.core.rules.models import Finding
from zhibu.core.rules.periods import Period
from zhibu.duties.models import Rectification, Task

TODAY = date(2026, 1, 20)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 1, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def finding(org, rule, period, status="missing", subject=None):
    p = Period.parse(period)
    return Finding.objects.create(
        rule_code=rule,
        period_code=p.code,
        period_start=p.start,
        period_end=p.end,
        org=org,
        org_path=org.path,
        subject_type="member" if subject else "org",
        subject_id=subject.pk if subject else org.pk,
        status=status,
        citation="条例第十二条",
        computed_at=timezone.now(),
    )


@pytest.fixture
def evidence(cast):
    return make_evidence(cast)


def make_evidence(cast):
    found = [finding(cast.branch1, "MTG-02", f"2025-{m:02d}") for m in (3, 4, 9)]
    finding(cast.branch1, "MTG-02", "2025-10", status="exempt")
    finding(cast.branch1, "MTG-02", "2025-05", status="ok")
    finding(cast.branch1, "MTG-02", "2024-11")
    finding(cast.other_branch, "MTG-02", "2025-03")
    edu = finding(cast.group1, "EDU-01", "2025", subject=cast.ordinary_member)
    task = Task.objects.create(
        org=cast.branch2, issuer=cast.committee, title="完成支部阵地建设", due=date(2025, 10, 31)
    )
    item = Rectification.objects.create(
        org=cast.branch2,
        source=Rectification.Source.OTHER,
        problem="党员档案不全",
        measure="补齐",
        deadline=date(2025, 11, 30),
    )
    return {"mtg02": found, "edu": edu, "task": task, "item": item}


@pytest.fixture
def scheme(cast):
    return make_scheme(cast)


def make_scheme(cast):
    return services.scheme_create(
        org=cast.committee,
        year=2025,
        title="2025 年度党支部规范化建设考核",
        appeal_days=7,
        standard=True,
        by=cast.party_secretary,
    )


@pytest.fixture
def computed(scheme, evidence):
    services.sheets_compute(scheme=scheme, today=TODAY)
    return scheme


@pytest.fixture
def general_secretary(cast):
    user = UserFactory(username="zongzhi", full_name="赵总支")
    grant(user, Role.SECRETARY, cast.general_branch)
    return user


def sheet_of(scheme, org):
    return scheme.sheets.get(org=org)


def line_of(sheet, title):
    return sheet.lines.select_related("indicator").get(indicator__title=title)
