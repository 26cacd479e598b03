"""The REQ rules over a subtree: skipped levels and missing yearly reports (REQ-01), a
请示 without its meeting (REQ-03), a hidden 请示 (REQ-05), answers due and late (REQ-06);
set-based, with pinned query counts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import UserFactory, grant, make_org
from zhibu.accounts.models import Role
from zhibu.core.rules import Period, Status, in_force
from zhibu.core.rules.engine import evaluate
from zhibu.core.rules.models import Finding
from zhibu.duties.models import ReportSchedule, Request
from zhibu.duties.services import requests as services
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run

pytestmark = pytest.mark.django_db
YEAR = Period.year(2025)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2025, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def send(cast, *, sender=None, receiver=None, **over):
    data = {
        "sender": sender or cast.branch1,
        "receiver": receiver or cast.general_branch,
        "kind": Request.Kind.REQUEST,
        "subject": "关于调整党小组设置的请示",
        "body": "妥否，请批示。",
        "signer": "书记",
        **over,
    }
    acknowledge = data["kind"] == Request.Kind.REPORT
    return services.request_send(record=services.request_save(**data), acknowledge=acknowledge)


def outcomes(code, orgs, today=date(2025, 12, 31)):
    return evaluate(in_force(code, today), orgs, period=YEAR, today=today)


def by_status(items):
    return sorted((o.status, o.subject_type) for o in items)


def test_req01_flags_a_skipped_level_and_missing_yearly_reports(cast):
    ReportSchedule.objects.create(
        committee=cast.committee,
        key="annual",
        name="年度工作报告",
        org_kinds=["branch"],
        due_month=11,
        due_day=30,
    )
    send(cast, receiver=cast.committee, skip_reason="紧急情况")
    send(
        cast,
        sender=cast.branch2,
        kind=Request.Kind.REPORT,
        subject="第二党支部年度工作报告",
        body="今年完成了以下工作。",
        schedule_key="annual",
    )
    found = outcomes("REQ-01", [cast.branch1, cast.branch2])
    b1 = [o for o in found if o.org_id == cast.branch1.pk]
    assert by_status(b1) == [("missing", "org"), ("suspect", "request")]
    assert "年度工作报告" in str(next(o for o in b1 if o.status == "missing").explanation)
    assert by_status(o for o in found if o.org_id == cast.branch2.pk) == [("ok", "org")]
    # before the due day it is still due
    early = outcomes("REQ-01", [cast.branch1], today=date(2025, 9, 30))
    assert Status.DUE in {o.status for o in early}


def test_req03_and_req05_flag_the_documents_that_break_them(cast):
    send(cast)  # a 请示 without its meeting
    send(cast, kind=Request.Kind.REPORT, subject="关于工作情况的报告", body="请批准。")
    req03 = outcomes("REQ-03", [cast.branch1, cast.branch2])
    assert by_status(req03) == [("ok", "org"), ("suspect", "request")]
    req05 = outcomes("REQ-05", [cast.branch1])
    assert [o.status for o in req05] == [Status.SUSPECT]
    assert "请示夹在报告中" in str(req05[0].explanation)


def test_req06_is_the_receivers_finding_due_then_late(cast):
    item = send(cast)
    assert item.due_on == date(2025, 10, 28)
    due = outcomes("REQ-06", [cast.general_branch], today=date(2025, 10, 28))
    assert [o.status for o in due] == [Status.DUE]
    late = outcomes("REQ-06", [cast.general_branch])
    assert [o.status for o in late] == [Status.LATE]
    assert late[0].org_id == cast.general_branch.pk and "仍未答复" in str(late[0].explanation)
    assert late[0].refs == [f"request:{item.public_id}"]


def test_the_rules_read_a_subtree_with_a_fixed_number_of_queries(
    cast, django_assert_max_num_queries
):
    ReportSchedule.objects.create(
        committee=cast.committee,
        key="annual",
        name="年度工作报告",
        org_kinds=["branch"],
        due_month=11,
        due_day=30,
    )
    branches = [
        make_org(cast.general_branch, Org.Kind.BRANCH, f"支部{i}", code=f"Q{i}") for i in range(30)
    ]
    for org in branches[:10]:
        send(cast, sender=org)
        send(cast, sender=org, receiver=cast.committee, skip_reason="理由")
    orgs = [*branches, cast.general_branch]
    for code in ("REQ-01", "REQ-03", "REQ-05", "REQ-06"):
        with django_assert_max_num_queries(3):
            outcomes(code, orgs)


def test_a_run_stores_the_findings_and_the_receiver_sees_them(cast):
    user = UserFactory(username="zz-rules")
    grant(user, Role.SECRETARY, cast.general_branch)
    send(cast)
    rules_run(root=cast.committee, period=YEAR, today=date(2025, 12, 31))
    late = Finding.objects.get(rule_code="REQ-06", status=Status.LATE)
    assert late.org_id == cast.general_branch.pk and late.subject_type == "request"
