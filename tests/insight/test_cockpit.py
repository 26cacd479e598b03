"""The cockpit and its drill-down, export, exemptions, supplements and the to-do list."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.factories import UserFactory, grant, make_member, make_org, record_meeting
from zhibu.accounts.models import Role
from zhibu.committees import services as committee_services
from zhibu.core.models import AuditEvent, Exemption, Finding, Supplement
from zhibu.core.rules import Citation, Period
from zhibu.core.rules.messages import render
from zhibu.insight.selectors import finding_refs
from zhibu.orgs.models import Org
from zhibu.rulebook.run import EXEMPTED, rules_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return Period.containing("quarter", timezone.localdate())


@pytest.fixture
def vacant(cast, period):
    """第一党支部's secretary left a year ago: ORG-08 is late."""
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(
        record=post, on=timezone.localdate().replace(year=timezone.localdate().year - 1)
    )
    rules_run(root=cast.committee, period=period)
    return cast


def test_cockpit_shows_the_matrix_with_drill_down_links(vacant, login, period):
    body = (
        login(vacant.party_secretary)
        .get(reverse("insight:cockpit"), {"org": vacant.committee.public_id})
        .content.decode()
    )
    assert "ORG-08" in body and "第一党总支" in body
    assert "zb-cell-late" in body
    assert "rule=ORG-08" in body


def test_matrix_cells_explain_themselves_in_words(vacant, login, period):
    """Regression: tooltips showed raw codes (late) and the columns bare rule codes."""
    body = (
        login(vacant.party_secretary)
        .get(reverse("insight:cockpit"), {"org": vacant.committee.public_id})
        .content.decode()
    )
    assert "最严重：逾期" in body and 'title="late"' not in body
    assert 'class="zb-matrix-rule-title">书记' in body  # ORG-08's title under its code


def test_drill_down_shows_explanation_citation_and_only_the_subtree(vacant, login, period):
    client = login(vacant.party_secretary)
    body = client.get(
        reverse("insight:findings"),
        {"org": vacant.branch1.public_id, "period": period.code, "rule": "ORG-08"},
    ).content.decode()
    assert "书记职务自" in body and "地方/单位规定" in body
    assert "第二党支部" not in body


def test_each_problem_offers_its_natural_action_and_names_its_records(vacant, login, period):
    body = (
        login(vacant.party_secretary)
        .get(
            reverse("insight:findings"),
            {"org": vacant.branch1.public_id, "period": period.code, "rule": "ORG-08"},
        )
        .content.decode()
    )
    assert reverse("orgs:post_add", args=[vacant.branch1.public_id]) in body and "任免职务" in body
    assert "申请豁免" in body


def test_a_member_finding_is_exempted_for_that_member(vacant, login, period):
    member = vacant.ordinary_member
    Finding.objects.create(
        rule_code="DQ-01",
        rule_version=1,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        org=vacant.branch1,
        org_path=vacant.branch1.path,
        subject_type="member",
        subject_id=member.pk,
        status="suspect",
        refs=[f"member:{member.public_id}"],
        computed_at=timezone.now(),
        digest="x",
    )
    body = (
        login(vacant.party_secretary)
        .get(
            reverse("insight:findings"),
            {"org": vacant.branch1.public_id, "period": period.code, "rule": "DQ-01"},
        )
        .content.decode()
    )
    assert f"member={member.public_id}" in body and "为该党员申请豁免" in body
    assert reverse("members:edit", args=[member.public_id]) in body
    assert ">党员</a>" in body  # the related record says what it is


def test_branch_secretary_sees_only_their_branch(vacant, login):
    client = login(vacant.branch_secretary)
    assert (
        client.get(reverse("insight:cockpit"), {"org": vacant.branch2.public_id}).status_code == 404
    )
    assert (
        client.get(reverse("insight:cockpit"), {"org": vacant.other_branch.public_id}).status_code
        == 404
    )
    assert (
        client.get(reverse("insight:findings"), {"org": vacant.committee.public_id}).status_code
        == 404
    )
    body = client.get(reverse("insight:cockpit")).content.decode()
    assert "第一党支部" in body


def test_members_without_the_action_get_403(vacant, login):
    assert login(vacant.ordinary).get(reverse("insight:cockpit")).status_code == 403


def test_a_malformed_period_falls_back_with_a_chinese_message(vacant, login):
    response = login(vacant.party_secretary).get(reverse("insight:cockpit"), {"period": "2025Q9"})
    assert response.status_code == 200
    assert "期间格式不正确" in response.content.decode()


def test_export_is_an_xlsx_without_formulas_and_is_audited(vacant, login, period):
    response = login(vacant.party_secretary).get(
        reverse("insight:findings"),
        {"org": vacant.committee.public_id, "period": period.code, "export": "xlsx"},
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["规则", "期间", "党组织", "状态", "说明", "依据", "数据"]
    assert sheet.max_row > 1
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.EXPORT, actor=vacant.party_secretary
    ).exists()


def test_rerun_needs_the_action(vacant, login, period):
    inspector = UserFactory(username="jj")
    grant(inspector, Role.DISCIPLINE, vacant.committee)
    assert (
        login(inspector)
        .post(reverse("insight:run"), {"org": vacant.committee.public_id})
        .status_code
        == 403
    )
    response = login(vacant.party_secretary).post(
        reverse("insight:run"), {"org": vacant.committee.public_id, "period": period.code}
    )
    assert response.status_code == 302


def test_exemption_requested_by_the_branch_and_approved_above(vacant, login, period):
    client = login(vacant.branch_secretary)
    url = (
        reverse("insight:exemption_new")
        + f"?org={vacant.branch1.public_id}&rule=ORG-08&period={period.code}"
    )
    response = client.post(
        url,
        {
            "start": period.start.isoformat(),
            "end": period.last_day.isoformat(),
            "reason": "书记重病住院",
        },
    )
    assert response.status_code == 302
    exemption = Exemption.objects.get()
    assert exemption.state == "requested"
    decide = reverse("insight:exemption_decide", args=[exemption.public_id])
    assert client.post(decide, {"approve": "1"}).status_code == 403
    assert (
        login(vacant.party_secretary).post(decide, {"approve": "1", "note": "同意"}).status_code
        == 302
    )
    finding = Finding.objects.get(rule_code="ORG-08", org=vacant.branch1, period_code=period.code)
    assert finding.status == "exempt" and finding.original_status == "late"


def test_a_pending_exemption_waits_on_the_approvers_home_only(vacant, login, period):
    from zhibu.rulebook.services import exemption_request

    exemption_request(
        rule_code="ORG-08",
        org=vacant.branch1,
        start=period.start,
        end=period.last_day,
        reason="书记重病住院",
        by=vacant.branch_secretary,
    )  # the branch may not approve it: it waits for the committee above
    approver_home = login(vacant.party_secretary).get(reverse("home")).content.decode()
    assert "待我审批" in approver_home and "书记重病住院" in approver_home
    assert "待我审批" not in login(vacant.branch_secretary).get(reverse("home")).content.decode()
    assert "待我审批" not in login(vacant.outsider).get(reverse("home")).content.decode()


def test_exemption_without_a_reason_is_refused_and_writes_nothing(vacant, login, period):
    url = (
        reverse("insight:exemption_new")
        + f"?org={vacant.branch1.public_id}&rule=ORG-08&period={period.code}"
    )
    response = login(vacant.party_secretary).post(
        url, {"start": period.start.isoformat(), "end": period.last_day.isoformat(), "reason": ""}
    )
    assert response.status_code == 200
    assert "请填写豁免理由" in response.content.decode()
    assert not Exemption.objects.exists()


def test_exemption_for_an_org_outside_scope_is_404(vacant, login, period):
    url = (
        reverse("insight:exemption_new")
        + f"?org={vacant.branch2.public_id}&rule=ORG-08&period={period.code}"
    )
    assert login(vacant.branch_secretary).get(url).status_code == 404


def test_supplement_pages_refuse_loosening_and_need_the_action(vacant, login):
    client = login(vacant.party_secretary)
    url = reverse("insight:supplement_new", args=["ORG-02"])
    response = client.post(
        url, {"effective_from": "2026-01-01", "enabled": "on", "param_max_members": "80"}
    )
    assert response.status_code == 200
    assert "只能从严" in response.content.decode()
    assert not Supplement.objects.exists()
    assert (
        client.post(
            url, {"effective_from": "2026-01-01", "enabled": "on", "param_max_members": "40"}
        ).status_code
        == 302
    )
    assert Supplement.objects.get().params == {"max_members": 40}
    assert login(vacant.branch_secretary).get(url).status_code == 403


def test_catalogue_lists_rules_with_citations(vacant, login):
    body = login(vacant.branch_secretary).get(reverse("insight:rules")).content.decode()
    assert "ORG-04" in body and "《中国共产党支部工作条例（试行）》第二十条" in body
    assert "地方/单位规定" in body


def test_confidence_is_explained_where_it_is_shown(vacant, login, period):
    client = login(vacant.branch_secretary)
    catalogue = client.get(reverse("insight:rules")).content.decode()
    assert "可信度说明" in catalogue and "条款序号尚待与原文核对" in catalogue
    findings = client.get(
        reverse("insight:findings"),
        {"org": vacant.branch1.public_id, "period": period.code, "rule": "ORG-08"},
    ).content.decode()
    assert 'title="不是全国统一条款' in findings  # ORG-08 is local practice (L)


def test_home_shows_the_branch_secretary_their_to_do(vacant, login):
    body = login(vacant.branch_secretary).get(reverse("home")).content.decode()
    assert "我的待办" in body and "ORG-08" in body
    assert "第二党支部" not in body


def test_inbox_shows_the_daily_digest(vacant, login):
    from zhibu.rulebook.reminders import digest_for

    digest_for(vacant.branch_secretary, timezone.localdate())
    body = login(vacant.branch_secretary).get(reverse("insight:inbox")).content.decode()
    assert "支部每日提醒" in body and "ORG-08" in body


def _big_tree(n: int, period):
    root = make_org(None, Org.Kind.COMMITTEE, f"党委{n}")
    for i in range(n):
        general = make_org(root, Org.Kind.GENERAL_BRANCH, f"总支{n}-{i}")
        branch = make_org(general, Org.Kind.BRANCH, f"支部{n}-{i}")
        make_member(branch, f"党员{i}", birth_date=date(1981, 3, 1 + i % 27))
    user = UserFactory()
    grant(user, Role.SECRETARY, root)
    rules_run(root=root, period=period)
    # The dues summary is kept by the writes like the findings' by the run: bring this
    # month's up to date, so both trees' first views read it the same way.
    from django.utils import timezone

    from zhibu.dues import summary as dues_summary

    dues_summary.ensure([timezone.localdate().replace(day=1)])
    return user, root


def test_cockpit_query_count_does_not_grow_with_the_tree(client, db, period):
    counts = []
    for n in (2, 12):
        user, root = _big_tree(n, period)
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("insight:cockpit"), {"org": root.public_id}).status_code == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_findings_follow_the_interface_language_english_included(vacant, login, period):
    """Explanations and citations are rendered when shown, in the active language."""
    client = login(vacant.party_secretary)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(
        reverse("insight:findings"),
        {"org": vacant.branch1.public_id, "period": period.code, "rule": "ORG-08"},
    ).content.decode()
    assert "The secretary post has been vacant since" in body and "书记职务自" not in body
    assert "Local/unit regulation" in body
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    body = client.get(
        reverse("insight:findings"),
        {"org": vacant.branch1.public_id, "period": period.code, "rule": "ORG-08"},
    ).content.decode()
    assert "书记职务自" in body


def test_citations_and_exemptions_render_in_the_active_language(vacant):
    cited = Citation("条例", "第十一条")
    parts = [["%(y)s年", {"y": 2026}], [EXEMPTED, {"reason": "病休"}]]
    with translation.override("en"):
        assert str(cited) == "Regulations on the Work of CPC Branches (Trial) Art. 11"
        assert render(parts).endswith("(exempted: 病休)")
    with translation.override("zh-hans"):
        assert str(cited) == "《中国共产党支部工作条例（试行）》第十一条"
        assert render(parts) == "2026年（已豁免：病休）"


def test_count_findings_list_the_meetings_counted_resolved_when_shown(cast, login):
    """MTG-01 stores a query reference, not the meetings; the page and the API list them."""
    quarter = Period.parse("2025Q3")
    first = record_meeting(cast.branch1, date(2025, 8, 20), ["branch_assembly"])
    second = record_meeting(cast.branch1, date(2025, 9, 3), ["branch_assembly"])
    rules_run(root=cast.committee, period=quarter, today=date(2025, 10, 10), codes=["MTG-01"])
    finding = Finding.objects.get(rule_code="MTG-01", org=cast.branch1)
    assert finding.refs == ["held:branch_assembly:2025-07-01:2025-10-01"]
    body = (
        login(cast.party_secretary)
        .get(
            reverse("insight:findings"),
            {"org": cast.branch1.public_id, "period": quarter.code, "rule": "MTG-01"},
        )
        .content.decode()
    )
    for meeting in (first, second):
        assert reverse("meetings:detail", args=[meeting.public_id]) in body
    assert finding_refs(finding) == [
        f"meeting:{first.public_id}",
        f"meeting:{second.public_id}",
    ]


def test_a_panel_is_rendered_once_per_figures_and_language(monkeypatch):
    """The cockpit's panels are cached as HTML under a digest of their template, figures
    and language: the same figures render once; changed figures or another language
    render afresh, so a cached panel never shows old figures."""
    from django.core.cache import cache

    from zhibu.insight import views

    cache.clear()
    calls = []
    real = views.render_to_string

    def counting(template, context):
        calls.append(template)
        return real(template, context)

    monkeypatch.setattr(views, "render_to_string", counting)
    template = "assessment/_cockpit_panel.html"
    figures = {"assessment_summary": None, "duty_year": 2026}
    first = views.rendered(template, figures)
    assert views.rendered(template, dict(figures)) == first
    assert len(calls) == 1
    views.rendered(template, {**figures, "duty_year": 2025})
    assert len(calls) == 2
    with translation.override("en"):
        views.rendered(template, figures)
    assert len(calls) == 3


def test_choice_labels_follow_the_language():
    from zhibu.core.templatetags.zhibu import choice
    from zhibu.members.models import Member

    member = Member(status=Member.Status.FULL, gender="F", category=Member.Category.IN_SERVICE)
    assert choice(member, "status") == member.get_status_display()
    assert choice(member, "gender") == member.get_gender_display()
    chinese = choice(member, "status")
    with translation.override("en"):
        assert choice(member, "status") == member.get_status_display() != chinese
        assert choice(member, "category") == member.get_category_display()
    assert choice(Member(status="gone"), "status") == "gone"  # an unknown value as stored
