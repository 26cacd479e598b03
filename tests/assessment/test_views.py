"""The pages: each role's access (assessor, the assessed branch, another branch, a member,
an outsider), out-of-scope 404, bad input on the forms, exports audited, the cockpit panel."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.assessment.conftest import TODAY, line_of, sheet_of
from zhibu.assessment import services
from zhibu.assessment.models import Scheme, Sheet
from zhibu.core.models import AuditEvent
from zhibu.core.versioning import version_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(computed, cast):
    sheet = sheet_of(computed, cast.branch1)
    return services.sheet_issue(sheet=sheet, on=TODAY)


def test_assessor_sees_the_scheme_and_a_sortable_table(login, cast, computed):
    client = login(cast.party_secretary)
    page = client.get(f"/assessment/schemes/{computed.public_id}/?sort=-total")
    assert page.status_code == 200
    names = [s.org.name for s in page.context["sheets"]]
    assert names == ["第二党支部", "第一党支部"]  # 第一 lost more points
    assert "仅考核组织可见" in page.content.decode()


@pytest.mark.parametrize("who", ["branch_secretary", "ordinary"])
def test_only_assessors_open_scheme_pages(login, cast, computed, who):
    client = login(getattr(cast, who))
    assert client.get(f"/assessment/schemes/{computed.public_id}/").status_code == 403
    assert client.get("/assessment/schemes/new/").status_code == 403


def test_an_assessor_elsewhere_gets_404(login, cast, computed, general_secretary):
    for user in (cast.outsider, general_secretary):
        client = login(user)
        assert client.get(f"/assessment/schemes/{computed.public_id}/").status_code == 404
        sheet = sheet_of(computed, cast.branch1)
        assert client.get(f"/assessment/sheets/{sheet.public_id}/").status_code == 404


def test_the_branch_sees_its_own_issued_sheet_only(login, cast, computed, issued):
    client = login(cast.branch_secretary)
    page = client.get(f"/assessment/sheets/{issued.public_id}/")
    assert page.status_code == 200 and page.context["can_appeal"]
    assert not page.context["assessor"]
    other = sheet_of(computed, cast.branch2)
    services.sheet_issue(sheet=other, on=TODAY)
    assert client.get(f"/assessment/sheets/{other.public_id}/").status_code == 404
    index = client.get("/assessment/?year=2025")
    assert [s.org.name for s in index.context["own"]] == ["第一党支部"]


def test_a_draft_is_hidden_from_the_branch(login, cast, computed):
    sheet = sheet_of(computed, cast.branch1)
    client = login(cast.branch_secretary)
    assert client.get(f"/assessment/sheets/{sheet.public_id}/").status_code == 404


def test_members_never_see_sheets(login, cast, issued):
    client = login(cast.ordinary)
    assert client.get(f"/assessment/sheets/{issued.public_id}/").status_code == 404
    assert client.get("/assessment/?year=2025").context["own"] == []
    assert client.get(f"/assessment/sheets/{issued.public_id}/appeal/").status_code == 404


def test_the_assessor_cannot_appeal_and_the_branch_cannot_adjust(login, cast, issued):
    line = line_of(issued, "支部委员会会议每月召开")
    client = login(cast.party_secretary)
    assert client.get(f"/assessment/sheets/{issued.public_id}/appeal/").status_code == 403
    client = login(cast.branch_secretary)
    response = client.post(
        f"/assessment/lines/{line.public_id}/adjust/", {"score": "10", "reason": "x"}
    )
    assert response.status_code == 403
    response = client.post(f"/assessment/sheets/{issued.public_id}/confirm/")
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.score == 4


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [
        ("12", "理由", "得分应在 0 到 10.0 分之间。"),
        ("-1", "理由", "得分应在 0 到 10.0 分之间。"),
        ("6", "", "调整得分须写明理由。"),
        ("六", "理由", "请填写有效的分数。"),
    ],
)
def test_adjust_form_bad_input(login, cast, computed, score, reason, message):
    line = line_of(sheet_of(computed, cast.branch1), "支部委员会会议每月召开")
    client = login(cast.party_secretary)
    page = client.post(
        f"/assessment/lines/{line.public_id}/adjust/",
        {"score": score, "reason": reason, "version": version_of(line)},
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    line.refresh_from_db()
    assert line.score == 4 and not line.adjusted
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.OVERRIDE).exists()


def test_adjust_form_stale_version(login, cast, computed, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    line = line_of(sheet_of(computed, cast.branch1), "支部委员会会议每月召开")
    stale = version_of(line)
    time_machine.move_to(datetime(2026, 1, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    services.line_adjust(line=line, score="5", reason="先改", by=cast.party_secretary)
    client = login(cast.party_secretary)
    page = client.post(
        f"/assessment/lines/{line.public_id}/adjust/",
        {"score": "9", "reason": "后改", "version": stale},
    )
    assert "您打开此页后" in page.content.decode()
    line.refresh_from_db()
    assert line.score == 5


def test_adjust_form_saves_and_audits(login, cast, computed):
    line = line_of(sheet_of(computed, cast.branch1), "支部委员会会议每月召开")
    client = login(cast.party_secretary)
    response = client.post(
        f"/assessment/lines/{line.public_id}/adjust/",
        {"score": "6", "reason": "补录 4 月会议", "version": version_of(line)},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.score == 6 and line.reason == "补录 4 月会议"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.OVERRIDE)
    assert event.details["before"] == "4.0" and event.details["score"] == "6.0"


def test_appeal_form_after_the_window(login, cast, computed):
    sheet = services.sheet_issue(sheet=sheet_of(computed, cast.branch1), on=date(2026, 1, 2))
    client = login(cast.branch_secretary)
    page = client.post(f"/assessment/sheets/{sheet.public_id}/appeal/", {"text": "不服"})
    assert "申诉期限已过（2026-01-09 截止）" in page.content.decode()
    assert not sheet.appeals.exists()


def test_appeal_answer_confirm_by_pages(login, cast, issued):
    for line in issued.lines.filter(computed__isnull=True):
        services.line_adjust(line=line, score="5", reason="查阅台账", by=cast.party_secretary)
    client = login(cast.branch_secretary)
    response = client.post(f"/assessment/sheets/{issued.public_id}/appeal/", {"text": "有记录"})
    assert response.status_code == 302
    appeal = issued.appeals.get()
    client = login(cast.party_secretary)
    client.post(f"/assessment/appeals/{appeal.public_id}/answer/", {"answer": "维持"})
    issued.refresh_from_db()
    client.post(f"/assessment/sheets/{issued.public_id}/confirm/", {"version": version_of(issued)})
    issued.refresh_from_db()
    assert issued.status == Sheet.Status.CONFIRMED and issued.grade


def test_confirm_with_a_stale_version_changes_nothing(login, cast, issued):
    client = login(cast.party_secretary)
    client.post(
        f"/assessment/sheets/{issued.public_id}/confirm/",
        {"version": "2020-01-01T00:00:00+00:00"},
    )
    issued.refresh_from_db()
    assert issued.status == Sheet.Status.ISSUED


def test_scheme_form_bad_input(login, cast, scheme):
    client = login(cast.party_secretary)
    page = client.post(
        "/assessment/schemes/new/",
        {
            "org": str(cast.committee.public_id),
            "year": "2025",
            "title": "重复",
            "appeal_days": "7",
            "good_min": "90",
            "fairly_good_min": "80",
            "average_min": "60",
            "standard_min": "80",
        },
    )
    assert "该组织本年度已有考核方案。" in page.content.decode()
    page = client.post(
        "/assessment/schemes/new/",
        {
            "org": str(cast.committee.public_id),
            "year": "2026",
            "title": "新方案",
            "appeal_days": "7",
            "good_min": "70",
            "fairly_good_min": "80",
            "average_min": "60",
            "standard_min": "80",
        },
    )
    assert "等次分数线应满足" in page.content.decode()
    assert Scheme.objects.count() == 1


def test_scheme_form_creates_with_the_standard(login, cast):
    client = login(cast.party_secretary)
    response = client.post(
        "/assessment/schemes/new/",
        {
            "org": str(cast.committee.public_id),
            "year": "2026",
            "title": "2026 考核",
            "appeal_days": "10",
            "good_min": "90",
            "fairly_good_min": "80",
            "average_min": "60",
            "standard_min": "80",
            "standard": "on",
        },
    )
    assert response.status_code == 302
    scheme = Scheme.objects.get(year=2026)
    assert scheme.indicators.count() == len(services.STANDARD_INDICATORS)
    assert scheme.appeal_days == 10


def test_indicator_form_bad_input(login, cast, scheme):
    client = login(cast.party_secretary)
    page = client.post(
        f"/assessment/schemes/{scheme.public_id}/indicators/new/",
        {"category": "operation", "title": "党员大会", "max_points": "0", "source": "manual"},
    )
    assert "分值应大于 0 且不超过 100。" in page.content.decode()
    page = client.post(
        f"/assessment/schemes/{scheme.public_id}/indicators/new/",
        {"category": "operation", "title": "党员大会", "max_points": "5", "source": "finding"},
    )
    assert "请填写规则编号。" in page.content.decode()
    assert not scheme.indicators.filter(title="党员大会").exists()


def test_deduction_opens_its_finding_and_becomes_an_item(login, cast, computed, evidence):
    sheet = sheet_of(computed, cast.branch1)
    client = login(cast.party_secretary)
    page = client.get(f"/assessment/sheets/{sheet.public_id}/").content.decode()
    for found in evidence["mtg02"]:
        assert f'href="/duties/findings/{found.pk}/"' in page
    assert client.get(f"/duties/findings/{evidence['mtg02'][0].pk}/").status_code == 200
    deduction = line_of(sheet, "支部委员会会议每月召开").deductions.first()
    response = client.post(
        f"/assessment/deductions/{deduction.public_id}/rectify/",
        {"measure": "每月召开支委会", "deadline": "2026-03-31"},
    )
    assert response.status_code == 302
    page = client.get(f"/assessment/sheets/{sheet.public_id}/").content.decode()
    assert "整改中" in page


def test_exports_are_audited(login, cast, computed):
    client = login(cast.party_secretary)
    sheet = sheet_of(computed, cast.branch1)
    pdf = client.get(f"/assessment/sheets/{sheet.public_id}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/assessment/schemes/{computed.public_id}/export/")
    book = load_workbook(BytesIO(xlsx.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("组织", "状态", "总分", "等次")
    assert {r[0] for r in rows[1:]} == {"第一党支部", "第二党支部"}
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == 2


def test_cockpit_shows_the_grade_distribution(login, cast, computed):
    client = login(cast.party_secretary)
    page = client.get(f"/cockpit/?org={cast.committee.public_id}&period=2025")
    assert page.status_code == 200
    summary = page.context["assessment_summary"]
    assert summary.sheets == 2 and summary.confirmed == 0
    assert 'id="assessment-panel"' in page.content.decode()


def test_the_scheme_and_sheet_pages_do_not_grow_with_the_sheets(login, cast, computed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.assessment.conftest import finding
    from tests.factories import make_org
    from zhibu.orgs.models import Org

    client = login(cast.party_secretary)
    sheet = sheet_of(computed, cast.branch1)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    scheme_url = f"/assessment/schemes/{computed.public_id}/"
    sheet_url = f"/assessment/sheets/{sheet.public_id}/"
    count(scheme_url)
    before = count(scheme_url), count(sheet_url)
    for n in range(4):
        branch = make_org(cast.general_branch, Org.Kind.BRANCH, f"加测党支部{n}", code=f"JC{n}")
        finding(branch, "MTG-02", "2025-06")
    finding(cast.branch1, "MTG-02", "2025-08")
    services.sheets_compute(scheme=computed, today=TODAY)
    assert (count(scheme_url), count(sheet_url)) == before
