"""One rectification loop (RESP-05): a finding becomes an item that keeps its source and
is verified only by re-evaluation (reopened when the finding returns); inspections'
problems become items; overdue items are findings; closing needs evidence."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zhibu.core.rules.models import Finding
from zhibu.core.rules.periods import Period
from zhibu.duties.models import Evidence, Inspection, Rectification
from zhibu.duties.services import rectification as services
from zhibu.rulebook.run import rules_run

pytestmark = pytest.mark.django_db
TODAY = date(2025, 9, 30)
PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2025, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def make_finding(org, status="late", code="ORG-08", period="2025Q3"):
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
        citation="地方/单位规定",
        message=[
            [
                "书记职务自 %(day)s 起空缺，已超过 %(limit)s 个月。",
                {"day": "2025-01-01", "limit": 6},
            ]
        ],
        computed_at=timezone.now(),
    )


def from_finding(finding, **kwargs):
    args = {"measure": "配备书记", "deadline": date(2025, 12, 31), "today": TODAY, **kwargs}
    return services.rectification_from_finding(finding=finding, **args)


def test_a_finding_becomes_an_item_that_keeps_its_source(cast):
    finding = make_finding(cast.branch1)
    item = from_finding(finding)
    assert (
        item.source == Rectification.Source.FINDING and item.source_ref == f"finding:{finding.pk}"
    )
    assert (item.finding_rule, item.finding_period) == ("ORG-08", "2025Q3")
    assert "ORG-08" in item.problem and item.org == cast.branch1
    with pytest.raises(ValidationError, match="已转为整改事项"):
        from_finding(finding)
    with pytest.raises(ValidationError, match="不是问题"):
        from_finding(make_finding(cast.branch2, status="ok"))


def test_verified_only_by_re_evaluation_and_reopened_when_the_finding_returns(cast):
    # branch1 has a secretary in post: ORG-08 no longer finds the stored problem.
    finding = make_finding(cast.branch1)
    item = from_finding(finding)
    with pytest.raises(ValidationError, match="须有整改成效说明或佐证材料"):
        services.rectification_close(item=item, evidence=" ", on=TODAY)
    services.rectification_close(item=item, evidence="已任命书记", on=TODAY)
    item.refresh_from_db()
    with pytest.raises(ValidationError, match="重新检查不再发现该问题"):
        services.rectification_recheck(item=item, passed=True, on=TODAY)
    services.rectification_recheck_finding(item=item)
    item.refresh_from_db()
    assert item.status == Rectification.Status.VERIFIED and item.rechecked_on == TODAY
    assert "自动复查通过" in item.recheck_note
    # The finding returns (say a later run finds the post vacant again).
    Finding.objects.filter(pk=finding.pk).update(status="late")
    services.reevaluate_after_run(
        None, root=cast.committee, period=Period.parse("2025"), codes=None, today=TODAY
    )
    item.refresh_from_db()
    assert item.status == Rectification.Status.OPEN and item.reopened == 1


def test_an_open_item_whose_problem_remains_is_not_verified(cast):
    item = from_finding(make_finding(cast.branch2))  # branch2 has no secretary
    services.rectification_close(item=item, evidence="已物色人选", on=TODAY)
    rules_run(root=cast.branch2, period=Period.parse("2025Q3"), codes=["ORG-08"])
    item.refresh_from_db()
    assert item.status == Rectification.Status.CLOSED


def test_the_hook_is_set_based(cast, django_assert_max_num_queries):
    for org in (cast.branch1, cast.branch2, cast.general_branch):
        item = from_finding(make_finding(org))
        services.rectification_close(item=item, evidence="已整改", on=TODAY)
    Finding.objects.update(status="ok")
    with django_assert_max_num_queries(6):
        services.reevaluate_after_run(
            None, root=cast.committee, period=Period.parse("2025Q3"), codes=None, today=TODAY
        )
    assert set(Rectification.objects.values_list("status", flat=True)) == {"verified"}


def test_closing_with_files_only_is_evidence_enough(cast, private_media):
    item = from_finding(make_finding(cast.branch1))
    services.rectification_close(
        item=item, evidence="", on=TODAY, files=[SimpleUploadedFile("任命文件.pdf", PDF)]
    )
    assert (
        Evidence.objects.get(ref=f"rectification:{item.public_id}").original_name == "任命文件.pdf"
    )


def test_overdue_items_are_resp05_findings(cast):
    services.rectification_create(
        org=cast.branch1,
        problem="问题",
        measure="措施",
        deadline=date(2025, 9, 1),
        today=date(2025, 8, 1),
    )
    rules_run(root=cast.committee, period=Period.parse("2025Q3"), codes=["RESP-05"])
    late = Finding.objects.get(rule_code="RESP-05", org=cast.branch1)
    assert late.status == "late" and late.numbers["overdue"] == 1
    assert Finding.objects.get(rule_code="RESP-05", org=cast.branch2).status == "ok"


def test_findings_page_offers_rectify_and_the_page_converts(cast, login):
    finding = make_finding(cast.branch1)
    client = login(cast.party_secretary)
    url = reverse("insight:findings") + f"?org={cast.committee.public_id}&period=2025Q3"
    body = client.get(url).content.decode()
    assert reverse("duties:from_finding", args=[finding.pk]) in body
    page = client.get(reverse("duties:finding", args=[finding.pk])).content.decode()
    assert "转为整改" in page and "督办" in page
    response = client.post(
        reverse("duties:from_finding", args=[finding.pk]),
        {"problem": "", "measure": "配备书记", "owner": "", "deadline": "2025-12-31"},
    )
    assert response.status_code == 302
    assert Rectification.objects.get().source_ref == f"finding:{finding.pk}"


def test_rectify_out_of_scope_is_404_and_bad_deadline_refused(cast, login):
    finding = make_finding(cast.branch1)
    url = reverse("duties:from_finding", args=[finding.pk])
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.outsider).get(reverse("duties:finding", args=[finding.pk])).status_code == 404
    response = login(cast.branch_secretary).post(
        url, {"measure": "配备书记", "deadline": "2025-09-01"}
    )
    assert "整改期限不能早于今天" in response.content.decode()
    assert not Rectification.objects.exists()


def test_an_inspection_with_two_problems(cast, login):
    client = login(cast.party_secretary)
    response = client.post(
        reverse("duties:inspection_new", args=[cast.branch1.public_id]),
        {"kind": "check", "title": "2025 年党建工作检查", "on": "2025-09-20"},
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    for problem in ("台账不全", "党费收缴不及时"):
        client.post(
            reverse("duties:inspection_problem_new", args=[inspection.public_id]),
            {"problem": problem, "measure": "整改", "deadline": "2025-11-30"},
        )
    items = Rectification.objects.filter(source=Rectification.Source.INSPECTION)
    assert items.count() == 2 and {i.source_label for i in items} == {"2025 年党建工作检查"}
    page = client.get(reverse("duties:inspection", args=[inspection.public_id])).content.decode()
    assert "台账不全" in page and "党费收缴不及时" in page
    assert (
        login(cast.outsider)
        .get(reverse("duties:inspection", args=[inspection.public_id]))
        .status_code
        == 404
    )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.inspection_create(org=cast.branch1, title="x", on=date(2025, 10, 9), today=TODAY)


def test_the_rectification_ledger_exports_to_excel_and_is_audited(cast, login):
    from zhibu.core.models import AuditEvent

    services.rectification_create(
        org=cast.branch1,
        problem="台账不全",
        measure="补齐",
        deadline=date(2025, 12, 31),
        today=TODAY,
    )
    response = login(cast.party_secretary).get(reverse("duties:list") + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, summary="导出整改台账").exists()


# --- manual 复查 once the finding's period has ended (RESP-05) ------------------------


def test_manual_recheck_is_refused_while_the_period_is_open(cast):
    item = from_finding(make_finding(cast.branch1, period="2025Q3"))  # ends 2025-10-01
    services.rectification_close(item=item, evidence="已任命书记", on=TODAY)
    assert not services.finding_period_ended(item, TODAY)
    with pytest.raises(ValidationError, match=r"2025Q3.*尚未结束.*RESP-05"):
        services.rectification_recheck(item=item, passed=True, on=TODAY, note="已核实")
    item.refresh_from_db()
    assert item.status == Rectification.Status.CLOSED and item.rechecked_on is None


def test_manual_recheck_is_allowed_with_a_note_once_the_period_has_ended(cast):
    # A meeting missing in July stays missing: re-evaluation can never pass.
    item = from_finding(make_finding(cast.branch1, code="MTG-01", period="2025-07"))
    services.rectification_close(item=item, evidence="8 月起按月召开", on=TODAY)
    assert services.finding_period_ended(item, TODAY)
    with pytest.raises(ValidationError, match="须写明复查意见"):
        services.rectification_recheck(item=item, passed=True, on=TODAY, note=" ")
    services.rectification_recheck(
        item=item, passed=True, on=TODAY, note="8、9 月已按期召开", by=cast.party_secretary
    )
    item.refresh_from_db()
    assert item.status == Rectification.Status.VERIFIED
    assert (item.recheck_note, item.rechecked_by) == ("8、9 月已按期召开", cast.party_secretary)
    # A later run does not reopen an item the level above verified by hand.
    services.reevaluate_after_run(
        None, root=cast.committee, period=Period.parse("2025"), codes=None, today=TODAY
    )
    item.refresh_from_db()
    assert item.status == Rectification.Status.VERIFIED


def test_the_page_explains_which_recheck_applies(cast, login):
    open_item = from_finding(make_finding(cast.branch1, period="2025Q3"))
    ended = from_finding(make_finding(cast.branch1, code="MTG-01", period="2025-07"))
    for item in (open_item, ended):
        services.rectification_close(item=item, evidence="已整改", on=TODAY)
    client = login(cast.party_secretary)
    recheck = lambda item: reverse("duties:recheck", args=[item.public_id])  # noqa: E731
    page = client.get(reverse("duties:detail", args=[open_item.public_id])).content.decode()
    assert "（2025Q3）结束前" in page and "不能人工复查" in page
    assert recheck(open_item) not in page
    refused = client.post(recheck(open_item), {"passed": "1", "on": "2025-09-30", "note": "x"})
    assert "尚未结束" in refused.content.decode()
    page = client.get(reverse("duties:detail", args=[ended.public_id])).content.decode()
    assert "（2025-07）已结束" in page and recheck(ended) in page
    response = client.post(recheck(ended), {"passed": "1", "on": "2025-09-30", "note": "已核实"})
    assert response.status_code == 302
    ended.refresh_from_db()
    open_item.refresh_from_db()
    assert (ended.status, open_item.status) == ("verified", "closed")
