"""The ORG rules on their edges, and their cost: a fixed number of queries per rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UnitFactory, make_member, make_org
from zhibu.committees import services as committee_services
from zhibu.core.rules import in_force
from zhibu.core.rules.engine import evaluate, evaluate_codes
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 30)


def outcome(code, org, on=TODAY):
    results = [o for o in evaluate_codes([code], [org], on=on)[code] if o.org_id == org.pk]
    assert len(results) == 1, results
    return results[0]


def fill(branch, full: int, probationary: int = 0, unit=None):
    for i in range(full):
        make_member(branch, f"正式{i}", birth_date=date(1980, 1, 1 + i % 28), work_unit=unit)
    for i in range(probationary):
        make_member(
            branch,
            f"预备{i}",
            birth_date=date(1995, 1, 1 + i % 28),
            admitted_on=date(2026, 1, 5),
            full_on=None,
        )


def test_org02_a_branch_of_fifty_is_fine_and_fifty_one_is_flagged(cast):
    branch = make_org(cast.general_branch, Org.Kind.BRANCH, "大支部")
    fill(branch, 48, probationary=2)
    assert outcome("ORG-02", branch).status == "ok"
    fill(branch, 1)
    result = outcome("ORG-02", branch)
    assert result.status == "due"
    assert result.numbers == {"members": 51, "limit": 50}
    assert "宜成立党总支或分设党支部" in result.text


def test_org04_seven_full_members_need_a_committee_probationers_do_not_count(cast):
    branch = make_org(cast.general_branch, Org.Kind.BRANCH, "七人支部")
    fill(branch, 6, probationary=3)
    assert outcome("ORG-04", branch).status == "ok"
    fill(branch, 1)
    assert outcome("ORG-04", branch).status == "missing"
    committee_services.committee_elect(org=branch, elected_on=date(2026, 3, 1))
    assert outcome("ORG-04", branch).status == "ok"


def test_org05_expired_ending_soon_and_fine(cast):
    committee_services.committee_elect(
        org=cast.branch1, elected_on=date(2023, 6, 30)
    )  # ends 2026-06-30
    assert outcome("ORG-05", cast.branch1).status == "late"
    assert outcome("ORG-05", cast.branch1, on=date(2026, 6, 29)).status == "due"
    assert (
        outcome("ORG-05", cast.branch1, on=date(2025, 12, 29)).status == "ok"
    )  # 6 months + 1 day ahead
    assert outcome("ORG-05", cast.branch1, on=date(2025, 12, 30)).status == "due"


def test_org07_secretary_party_age(cast):
    assert outcome("ORG-07", cast.branch1).status == "ok"
    young = make_member(
        cast.branch2,
        "新书记",
        birth_date=date(1996, 2, 2),
        admitted_on=date(2025, 1, 10),
        full_on=date(2026, 1, 10),
    )
    committee_services.post_assign(
        org=cast.branch2, post="secretary", holder=young, start=date(2026, 2, 1)
    )
    result = outcome("ORG-07", cast.branch2)
    assert result.status == "suspect"
    assert "不足 1 年" in result.text
    assert outcome("ORG-07", cast.branch2, on=date(2027, 1, 10)).status == "ok"


def test_org08_vacancy_is_due_then_late_after_six_months(cast):
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(record=post, on=date(2026, 1, 1))
    assert outcome("ORG-08", cast.branch1, on=date(2026, 6, 30)).status == "due"
    result = outcome("ORG-08", cast.branch1, on=date(2026, 7, 1))
    assert result.status == "late"
    assert result.numbers["vacant_since"] == "2026-01-01"


def test_org01_a_unit_with_three_full_members_needs_its_own_branch(cast):
    shop, design = UnitFactory(name="物业公司"), UnitFactory(name="设计院")
    joint = make_org(cast.committee, Org.Kind.JOINT_BRANCH, "联合党支部", units=[shop, design])
    fill(joint, 2, unit=shop)
    assert evaluate_codes(["ORG-01"], [joint], on=TODAY)["ORG-01"] == []
    fill(joint, 1, unit=shop)
    result = outcome("ORG-01", joint)
    assert result.status == "missing"
    assert result.subject_type == "unit"
    assert "物业公司" in result.text
    make_org(cast.committee, Org.Kind.BRANCH, "物业公司党支部", units=[shop])
    assert outcome("ORG-01", joint).status == "ok"


def test_org03_a_joint_branch_over_the_unit_limit(cast):
    units = [UnitFactory(name=f"单位{i}") for i in range(4)]
    joint = make_org(cast.committee, Org.Kind.JOINT_BRANCH, "联合党支部", units=units)
    assert outcome("ORG-03", joint).numbers == {"units": 4, "limit": 5}
    assert outcome("ORG-03", joint).status == "ok"
    [result] = evaluate(in_force("ORG-03", TODAY), [joint], today=TODAY, params={"max_units": 3})
    assert result.status == "due" and "超过 3 个" in result.text
    assert evaluate_codes(["ORG-03"], [cast.branch1], on=TODAY)["ORG-03"] == []  # joint only


def test_org06_committee_filing_and_secretary_approval(cast):
    def by_subject(on=TODAY):
        return {
            (o.subject_type, o.subject_id): o
            for o in evaluate_codes(["ORG-06"], [cast.branch1], on=on)["ORG-06"]
        }

    post = cast.branch1.posts.get(post="secretary")
    committee = committee_services.committee_elect(org=cast.branch1, elected_on=date(2026, 6, 10))
    results = by_subject()
    assert results[("committee", committee.pk)].status == "due"  # 20 days after the election
    assert results[("post", post.pk)].status == "late"  # secretary since 2021, never approved
    assert "李书记" in results[("post", post.pk)].text
    assert by_subject(date(2026, 7, 10))[("committee", committee.pk)].status == "late"
    committee_services.committee_file(committee=committee, filing="filed", on=date(2026, 6, 20))
    results = by_subject()
    assert results[("committee", committee.pk)].status == "ok"
    assert ("post", post.pk) in results  # filing does not approve the secretary
    committee_services.post_approve(record=post, on=date(2021, 3, 20), document="热党〔2021〕9号")
    assert set(by_subject()) == {("committee", committee.pk)}
    committee_services.committee_file(committee=committee, filing="rejected", on=date(2026, 6, 25))
    assert by_subject()[("committee", committee.pk)].status == "late"


def test_org06_approving_the_committee_approves_its_secretary(cast):
    committee = committee_services.committee_elect(org=cast.branch2, elected_on=date(2026, 6, 1))
    committee_services.post_assign(
        org=cast.branch2,
        post="secretary",
        holder=cast.branch2_member,
        start=date(2026, 6, 1),
        committee=committee,
    )
    statuses = [o.status for o in evaluate_codes(["ORG-06"], [cast.branch2], on=TODAY)["ORG-06"]]
    assert sorted(statuses) == ["due", "due"]
    committee_services.committee_file(
        committee=committee, filing="approved", on=date(2026, 6, 20), document="热党〔2026〕3号"
    )
    statuses = [o.status for o in evaluate_codes(["ORG-06"], [cast.branch2], on=TODAY)["ORG-06"]]
    assert statuses == ["ok"]


def test_post_approval_is_for_secretaries_only_and_not_before_the_post(cast):
    from django.core.exceptions import ValidationError

    post = cast.branch1.posts.get(post="secretary")
    with pytest.raises(ValidationError, match="不能早于任职日期"):
        committee_services.post_approve(record=post, on=date(2021, 2, 1), document="x")
    member = committee_services.post_assign(
        org=cast.branch1, post="publicity", holder=cast.ordinary_member, start=date(2024, 1, 1)
    )
    with pytest.raises(ValidationError, match="无须上级批准"):
        committee_services.post_approve(record=member, on=date(2024, 2, 1), document="x")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        committee_services.post_approve(
            record=post, on=timezone.localdate() + timedelta(days=1), document="x"
        )
    post.end = date(2022, 3, 1)
    post.save(update_fields=["end"])
    with pytest.raises(ValidationError, match="不能晚于离任日期"):
        committee_services.post_approve(record=post, on=date(2022, 3, 2), document="x")
    post.refresh_from_db()
    assert not post.approved


def test_rules_cite_their_regulation(cast):
    assert str(in_force("ORG-04", TODAY).citation) == "《中国共产党支部工作条例（试行）》第二十条"
    assert str(in_force("ORG-08", TODAY).citation) == "地方/单位规定：基层党组织标准化考核评分表"


@pytest.mark.parametrize(
    "code", ["ORG-01", "ORG-02", "ORG-03", "ORG-04", "ORG-05", "ORG-06", "ORG-07", "ORG-08"]
)
def test_evaluation_costs_the_same_queries_for_3_or_30_branches(db, code):
    root = make_org(None, Org.Kind.COMMITTEE, "党委")
    unit = UnitFactory()
    branches = []
    for i in range(30):
        branch = make_org(root, Org.Kind.BRANCH, f"支部{i}")
        member = make_member(
            branch, f"书记{i}", birth_date=date(1980, 1, 1 + i % 28), work_unit=unit
        )
        committee_services.post_assign(
            org=branch, post="secretary", holder=member, start=date(2020, 1, 1)
        )
        committee_services.committee_elect(org=branch, elected_on=date(2024, 1, 1))
        branches.append(branch)
    rule = in_force(code, TODAY)
    counts = []
    for subset in (branches[:3], branches):
        orgs = list(Org.objects.filter(pk__in=[b.pk for b in subset]))
        with CaptureQueriesContext(connection) as queries:
            evaluate(rule, orgs, today=TODAY)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3
