"""The rulebook engine: stored findings, idempotent runs, versions, supplements, exemptions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory, grant, make_member, make_org
from zhibu.accounts.models import Role
from zhibu.committees import services as committee_services
from zhibu.core.models import AuditEvent, Exemption, Finding
from zhibu.core.rules import Citation, Outcome, Period, Rule, Status, registry
from zhibu.orgs.models import Org
from zhibu.rulebook.run import periods_for, rules_run
from zhibu.rulebook.services import exemption_decide, exemption_request, supplement_create

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 30)


@pytest.fixture
def test_rules():
    """Two versions of a monthly test rule, registered for one test only."""

    class V1(Rule):
        code = "TST-01"
        version = 1
        title = "测试规则"
        citation = Citation("条例", "第一条")
        period_kind = "month"
        effective_to = date(2026, 1, 1)

        def evaluate(self, ctx):
            return [Outcome(o.pk, Status.OK, f"v1 {ctx.period.code}") for o in ctx.orgs]

    class V2(V1):
        version = 2
        effective_from = date(2026, 1, 1)
        effective_to = None

        def evaluate(self, ctx):
            return [Outcome(o.pk, Status.MISSING, f"v2 {ctx.period.code}") for o in ctx.orgs]

    registry.register(V1)
    registry.register(V2)
    yield
    registry._RULES.pop("TST-01")


def test_a_year_run_judges_each_month_with_the_version_then_in_force(cast, test_rules):
    rules_run(root=cast.committee, period=Period.parse("2026"), today=TODAY, codes=["TST-01"])
    months = Finding.objects.filter(rule_code="TST-01", org=cast.branch1).order_by("period_start")
    assert [f.period_code for f in months] == [
        f"2026-{m:02d}" for m in range(1, 7)
    ]  # not yet begun: not judged
    assert {f.rule_version for f in months} == {2}
    rules_run(root=cast.committee, period=Period.parse("2025Q4"), today=TODAY, codes=["TST-01"])
    old = Finding.objects.get(rule_code="TST-01", org=cast.branch1, period_code="2025-12")
    assert (old.rule_version, old.status, old.text) == (1, "ok", "v1 2025-12")


def test_periods_of_a_rule_inside_a_run():
    class Yearly(Rule):
        period_kind = "year"

    class Monthly(Rule):
        period_kind = "month"

    assert [p.code for p in periods_for(Yearly(), Period.parse("2025-07"))] == ["2025"]
    assert [p.code for p in periods_for(Monthly(), Period.parse("2025Q3"))] == [
        "2025-07",
        "2025-08",
        "2025-09",
    ]


def test_a_second_run_changes_nothing(cast):
    first = rules_run(root=cast.committee, period=Period.parse("2026Q2"), today=TODAY)
    assert first.created > 0
    before = list(Finding.objects.order_by("pk").values_list("pk", "status", "computed_at"))
    second = rules_run(root=cast.committee, period=Period.parse("2026Q2"), today=TODAY)
    assert (second.created, second.updated, second.deleted) == (0, 0, 0)
    # The closed months' periodic rules are kept unjudged (nothing they read changed);
    # a forced full run judges everything again, with the same result.
    assert second.skipped > 0 and second.evaluated < first.evaluated
    full = rules_run(root=cast.committee, period=Period.parse("2026Q2"), today=TODAY, full=True)
    assert (full.created, full.updated, full.deleted, full.skipped) == (0, 0, 0, 0)
    assert full.evaluated == first.evaluated
    assert list(Finding.objects.order_by("pk").values_list("pk", "status", "computed_at")) == before


def test_findings_follow_the_records_and_cite_the_regulation(cast):
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(record=post, on=date(2025, 10, 1))
    rules_run(root=cast.committee, period=Period.parse("2026Q2"), today=TODAY)
    finding = Finding.objects.get(rule_code="ORG-08", org=cast.branch1, period_code="2026Q2")
    assert finding.status == "late"
    assert finding.citation == "地方/单位规定：基层党组织标准化考核评分表"
    committee_services.post_assign(
        org=cast.branch1, post="secretary", holder=cast.ordinary_member, start=date(2026, 6, 1)
    )
    run = rules_run(root=cast.committee, period=Period.parse("2026Q2"), today=TODAY)
    assert run.updated >= 1
    assert (
        Finding.objects.get(rule_code="ORG-08", org=cast.branch1, period_code="2026Q2").status
        == "ok"
    )


def test_a_run_only_touches_its_own_subtree(cast):
    rules_run(root=cast.committee, period=Period.parse("2026Q2"), today=TODAY)
    rules_run(root=cast.other_committee, period=Period.parse("2026Q2"), today=TODAY)
    mine = Finding.objects.filter(org=cast.branch1).count()
    rules_run(root=cast.other_committee, period=Period.parse("2026Q2"), today=TODAY)
    assert Finding.objects.filter(org=cast.branch1).count() == mine
    assert Finding.objects.filter(org=cast.other_branch).exists()


def test_an_approved_exemption_turns_a_finding_exempt_and_is_audited(cast):
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(record=post, on=date(2025, 10, 1))
    exemption = exemption_request(
        rule_code="ORG-08",
        org=cast.branch1,
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        reason="书记病休，上级同意暂缓配备",
        by=cast.party_secretary,
    )
    assert (
        exemption.state == Exemption.State.APPROVED and exemption.approver == cast.party_secretary
    )
    rules_run(root=cast.committee, period=Period.parse("2026Q2"), today=TODAY)
    finding = Finding.objects.get(rule_code="ORG-08", org=cast.branch1, period_code="2026Q2")
    assert (finding.status, finding.original_status) == ("exempt", "late")
    assert "书记病休" in finding.text
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.EXEMPTION, actor=cast.party_secretary
    ).exists()


def test_an_exemption_needs_a_reason_and_an_approver(cast):
    with pytest.raises(ValidationError) as exc:
        exemption_request(
            rule_code="ORG-08",
            org=cast.branch1,
            start=date(2026, 4, 1),
            end=date(2026, 6, 30),
            reason=" ",
            by=cast.branch_secretary,
        )
    assert exc.value.message_dict["reason"] == ["请填写豁免理由。"]
    requested = exemption_request(
        rule_code="ORG-08",
        org=cast.branch1,
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        reason="新建支部",
        by=cast.branch_secretary,
    )
    assert requested.state == Exemption.State.REQUESTED  # a branch secretary cannot approve
    with pytest.raises(ValidationError):
        exemption_decide(exemption=requested, approve=True, by=cast.branch_secretary)
    with pytest.raises(ValidationError):
        exemption_decide(exemption=requested, approve=True, by=cast.outsider)
    exemption_decide(exemption=requested, approve=True, by=cast.party_secretary)
    requested.refresh_from_db()
    assert requested.state == Exemption.State.APPROVED


def test_a_supplement_may_tighten_but_never_loosen_a_confirmed_rule(cast):
    with pytest.raises(ValidationError) as exc:
        supplement_create(
            committee=cast.committee,
            rule_code="ORG-02",
            params={"max_members": 60},
            effective_from=date(2026, 1, 1),
        )
    assert "只能从严" in exc.value.message_dict["max_members"][0]
    with pytest.raises(ValidationError):
        supplement_create(
            committee=cast.committee,
            rule_code="ORG-02",
            params={},
            enabled=False,
            effective_from=date(2026, 1, 1),
        )
    supplement_create(
        committee=cast.committee,
        rule_code="ORG-02",
        params={"max_members": 1},
        effective_from=date(2026, 1, 1),
    )
    rules_run(root=cast.committee, period=Period.parse("2026Q2"), today=TODAY, codes=["ORG-02"])
    finding = Finding.objects.get(rule_code="ORG-02", org=cast.branch1, period_code="2026Q2")
    assert finding.status == "due"
    assert finding.numbers["limit"] == 1
    # The other committee keeps the national parameter.
    rules_run(
        root=cast.other_committee, period=Period.parse("2026Q2"), today=TODAY, codes=["ORG-02"]
    )
    assert Finding.objects.get(rule_code="ORG-02", org=cast.other_branch).numbers["limit"] == 50


def test_a_local_rule_may_be_loosened_or_switched_off(cast):
    supplement_create(
        committee=cast.committee,
        rule_code="ORG-08",
        params={"max_months": 9},
        effective_from=date(2026, 1, 1),
    )
    supplement_create(
        committee=cast.other_committee,
        rule_code="ORG-08",
        params={},
        enabled=False,
        effective_from=date(2026, 1, 1),
    )
    rules_run(
        root=cast.other_committee, period=Period.parse("2026Q2"), today=TODAY, codes=["ORG-08"]
    )
    assert not Finding.objects.filter(
        rule_code="ORG-08", org__path__startswith=cast.other_committee.path
    ).exists()


def test_unknown_rule_and_malformed_period_are_refused_in_chinese(cast):
    with pytest.raises(ValidationError) as exc:
        supplement_create(
            committee=cast.committee, rule_code="XXX-9", params={}, effective_from=date(2026, 1, 1)
        )
    assert "没有编号为“XXX-9”的规则" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        Period.parse("2025Q5")
    assert "期间格式不正确" in exc.value.messages[0]
    with pytest.raises(CommandError, match="期间格式不正确"):
        call_command("rules_run", "--org", "JT", "--period", "2025-13")
    with pytest.raises(CommandError, match="没有组织代码"):
        call_command("rules_run", "--org", "NOPE", "--period", "2025")


def test_rules_run_command_is_idempotent(cast, capsys):
    call_command("rules_run", "--org", "JT", "--period", "2026Q2")
    call_command("rules_run", "--org", "JT", "--period", "2026Q2")
    assert "+0 new, 0 changed, -0 removed" in capsys.readouterr().out


def _tree(n):
    root = make_org(None, Org.Kind.COMMITTEE, f"党委{n}")
    for i in range(n):
        branch = make_org(root, Org.Kind.BRANCH, f"支部{n}-{i}")
        member = make_member(branch, f"书记{i}", birth_date=date(1980, 2, 1 + i % 27))
        committee_services.post_assign(
            org=branch, post="secretary", holder=member, start=date(2020, 1, 1)
        )
    return root


def test_a_run_costs_a_bounded_number_of_queries_whatever_the_tree(db):
    counts = []
    for n in (3, 30):
        root = _tree(n)
        with CaptureQueriesContext(connection) as queries:
            rules_run(root=root, period=Period.parse("2026Q2"), today=TODAY)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_tick_evaluates_open_periods_and_sends_one_digest(cast, mailoutbox):
    from zhibu.core.models import Notification

    cast.party_secretary.email = "dangwei@example.cn"
    cast.party_secretary.save()
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(record=post, on=date(2025, 10, 1))
    call_command("tick", "--date", "2026-06-30")
    call_command("tick", "--date", "2026-06-30")
    digests = Notification.objects.filter(user=cast.party_secretary)
    assert digests.count() == 1
    assert "ORG-08" in str(digests.get().items)
    assert len([m for m in mailoutbox if "dangwei@example.cn" in m.to]) == 1


def test_branch_secretary_and_inspector_scopes_for_exemption_approval(cast):
    inspector = UserFactory(username="jj")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    requested = exemption_request(
        rule_code="ORG-02",
        org=cast.branch1,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        reason="试点",
        by=inspector,
    )
    assert requested.state == Exemption.State.REQUESTED
