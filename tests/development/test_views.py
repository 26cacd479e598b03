"""Development pages: scope, refusals shown with their article, overrides and the plan."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from fontTools.ttLib import TTFont

from tests.factories import UserFactory, grant
from tests.pdfs import embedded_fonts, pdf_text
from zhibu.accounts.models import Role
from zhibu.core.models import AuditEvent
from zhibu.core.pdf import font_path
from zhibu.development import services
from zhibu.development.models import Case, DevPlan, Override

pytestmark = pytest.mark.django_db


def url(name, case=None, *args):
    return reverse(f"development:{name}", args=[case.public_id, *args] if case else args)


@pytest.fixture
def case(cast):
    return services.case_open(
        org=cast.branch1,
        name="申请人甲",
        gender="M",
        birth_date=date(1999, 5, 5),
        applied_on=date(2025, 3, 1),
    )


def test_board_shows_cases_in_scope_only(cast, case, login):
    other = services.case_open(
        org=cast.branch2,
        name="申请人乙",
        gender="F",
        birth_date=date(1998, 5, 5),
        applied_on=date(2025, 3, 1),
    )
    body = login(cast.branch_secretary).get(url("board")).content.decode()
    assert "申请人甲" in body and "申请人乙" not in body
    body = (
        login(cast.party_secretary)
        .get(url("board"), {"org": cast.committee.public_id})
        .content.decode()
    )
    assert "申请人甲" in body and "申请人乙" in body
    assert login(cast.branch_secretary).get(url("case", other)).status_code == 404
    assert login(cast.outsider).get(url("case", case)).status_code == 404
    assert login(cast.ordinary).get(url("board")).status_code == 403


def test_case_page_shows_the_next_step_and_its_deadline(cast, case, login):
    body = login(cast.branch_secretary).get(url("case", case)).content.decode()
    assert "党组织派人谈话" in body and "2025-04-01" in body and "DEV-02" in body


def test_opening_a_case_with_a_bad_id_number_writes_nothing(cast, login):
    response = login(cast.branch_secretary).post(
        url("new"),
        {
            "org": str(cast.branch1.public_id),
            "name": "错号",
            "gender": "M",
            "ethnicity": "汉族",
            "birth_date": "1999-01-01",
            "id_number": "110105199901011234",
            "applied_on": "2025-01-01",
        },
    )
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert not Case.objects.exists()


def test_opening_a_case_under_18_shows_the_article(cast, login):
    response = login(cast.branch_secretary).post(
        url("new"),
        {
            "org": str(cast.branch1.public_id),
            "name": "少年",
            "gender": "M",
            "ethnicity": "汉族",
            "birth_date": "2010-01-01",
            "applied_on": "2025-01-01",
        },
    )
    assert "DEV-01" in response.content.decode() and "第五条" in response.content.decode()
    assert not Case.objects.exists()


def test_recording_a_step_and_a_refusal_on_the_page(cast, case, login):
    client = login(cast.branch_secretary)
    response = client.post(
        url("record_step", case, 2),
        {"on": "2025-03-10", "people": str(cast.secretary_member.public_id)},
        follow=True,
    )
    assert "已登记" in response.content.decode()
    refused = client.post(
        url("record_step", case, 4), {"on": "2025-03-20"}, follow=True
    ).content.decode()
    assert "DEV-00" in refused and "须先完成前面的步骤" in refused
    assert case.steps.count() == 2


def test_read_only_and_outside_users_cannot_record(cast, case, login):
    inspector = UserFactory(username="jj")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    assert login(inspector).get(url("case", case)).status_code == 200
    assert (
        login(inspector).post(url("record_step", case, 2), {"on": "2025-03-10"}).status_code == 403
    )
    assert (
        login(cast.outsider).post(url("record_step", case, 2), {"on": "2025-03-10"}).status_code
        == 404
    )
    assert case.steps.count() == 1


def test_override_requested_below_and_approved_above(cast, case, login):
    login(cast.branch_secretary).post(
        url("override", case),
        {"ovr-step_number": "3", "ovr-rule_code": "DEV-10", "ovr-reason": "补办"},
    )
    row = Override.objects.get()
    assert row.state == "requested"
    # It waits on the approver's home page, not on the requester's.
    assert "待我审批" in login(cast.party_secretary).get(reverse("home")).content.decode()
    assert "待我审批" not in login(cast.branch_secretary).get(reverse("home")).content.decode()
    assert (
        login(cast.branch_secretary)
        .post(url("override_decide", case, row.public_id), {"approve": "1"})
        .status_code
        == 403
    )
    login(cast.party_secretary).post(url("override_decide", case, row.public_id), {"approve": "1"})
    row.refresh_from_db()
    assert row.state == "approved" and row.approver == cast.party_secretary


def test_plan_quotas_may_not_exceed_the_total(cast, login):
    client = login(cast.party_secretary)
    data = {
        "quota": "2",
        "target_young_pct": "60",
        "target_women_pct": "30",
        "target_front_line_pct": "50",
        "target_college_pct": "40",
        f"quota_{cast.branch1.public_id}": "2",
        f"quota_{cast.branch2.public_id}": "1",
    }
    response = client.post(url("plan") + f"?org={cast.committee.public_id}&year=2025", data)
    assert "超过年度发展总数" in response.content.decode()
    assert not DevPlan.objects.exists()
    data["quota"] = "3"
    assert (
        client.post(url("plan") + f"?org={cast.committee.public_id}&year=2025", data).status_code
        == 302
    )
    assert DevPlan.objects.get().quotas.count() == 2
    assert login(cast.branch_secretary).post(
        url("plan") + f"?org={cast.committee.public_id}&year=2025", data
    ).status_code in (403, 404)


def test_branch_secretary_reads_the_plan_of_the_committee_above(cast, login):
    """Regression: 年度发展计划 was a 404 for branch users."""
    DevPlan.objects.create(committee=cast.committee, year=2025, quota=3)
    response = login(cast.branch_secretary).get(url("plan") + "?year=2025")
    assert response.status_code == 200
    body = response.content.decode()
    assert "集团党委" in body and "第一党支部" in body
    assert "第二党支部" not in body  # other branches' rows stay outside the scope
    assert "<form" not in body or 'name="quota"' not in body  # reads, may not plan


def test_publicity_and_stop_through_the_page(cast, case, login):
    client = login(cast.branch_secretary)
    client.post(url("publicity", case), {"pub-key": "activist", "pub-start": "2025-09-30"})
    assert case.publicities.get().ends_on == date(2025, 10, 13)
    response = client.post(
        url("stop", case), {"stop-on": "2025-10-20", "stop-reason": ""}, follow=True
    )
    assert "请填写终止原因" in response.content.decode()
    client.post(url("stop", case), {"stop-on": "2025-10-20", "stop-reason": "本人撤回申请"})
    case.refresh_from_db()
    assert case.status == Case.Status.STOPPED


def test_the_case_page_has_no_duplicate_element_ids(cast, case, login):
    import re
    from collections import Counter

    body = login(cast.branch_secretary).get(url("case", case)).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', body))
    assert [i for i, n in ids.items() if n > 1] == []


def test_the_case_file_pdf_lists_steps_materials_and_is_audited(cast, driver, login):
    case = driver().run(upto=26).case
    target = url("case_pdf", case)
    assert target in login(cast.branch_secretary).get(url("case", case)).content.decode()
    assert login(cast.outsider).get(target).status_code == 404
    response = login(cast.ordinary).get(target)
    assert response.status_code == 403  # a member does not read development files
    response = login(cast.branch_secretary).get(target)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    reader, text = pdf_text(response.content)
    assert {name.split("+")[-1] for name in embedded_fonts(reader)} == {"NotoSansSC"}
    cmap = TTFont(str(font_path()), lazy=True).getBestCmap()
    assert not {ch for ch in text if ord(ch) not in cmap}
    for expected in (
        "刘新同志入党材料汇编",
        "材料归档清单",
        "入党申请书",
        "政治审查合格",
        "入党介绍人李书记",
        "拟转正公示",
        "25.材料归档",
        "已归档",
    ):
        assert expected in text, expected
    assert "未登记" not in text  # every material of a finished case is on file
    assert AuditEvent.objects.filter(kind="export", summary__contains="刘新同志").count() == 1


def test_the_case_file_of_a_fresh_case_marks_what_is_missing(cast, case, login):
    _reader, text = pdf_text(login(cast.branch_secretary).get(url("case_pdf", case)).content)
    assert "申请人甲" in text and "未登记" in text and "未归档" in text


def test_a_step_recorded_on_a_stale_case_page_is_refused_with_what_changed(cast, case, login):
    """Two secretaries open the case page; the second save is refused (issue 14, item 5)."""
    mine, theirs = login(cast.branch_secretary), login(cast.branch_secretary)
    version = mine.get(url("case", case)).context["step_form"]["version"].value()
    assert version == case.updated_at.isoformat()
    talker = str(cast.secretary_member.public_id)
    theirs.post(
        url("record_step", case, 2), {"on": "2025-03-10", "people": talker, "version": version}
    )
    assert case.steps.count() == 2
    refused = mine.post(
        url("record_step", case, 3),
        {"on": "2025-03-12", "version": version},
        follow=True,
    ).content.decode()
    assert "已修改了该发展对象的档案，您的修改未保存" in refused
    assert case.steps.count() == 2
