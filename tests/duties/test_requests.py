"""请示报告 (REQ-01..06): drafting, sending one level up, the hidden-request warning,
answering within the time limit of working days, who may do what, and bad input."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.core.models import AuditEvent
from zhibu.duties.models import Evidence, Request
from zhibu.duties.rules.requests import asks_for_approval
from zhibu.duties.services import requests as services

pytestmark = pytest.mark.django_db
TODAY = date(2025, 9, 30)  # the day before the National Day holiday (10-01 … 10-08)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2025, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def zongzhi(cast):
    user = UserFactory(username="zongzhi-req", full_name="总支书记")
    grant(user, Role.SECRETARY, cast.general_branch)
    return user


def draft(cast, **over):
    data = {
        "sender": cast.branch1,
        "receiver": cast.general_branch,
        "kind": Request.Kind.REQUEST,
        "subject": "关于调整党小组设置的请示",
        "body": "因生产班组调整，拟将第一党小组分设为两个党小组。妥否，请批示。",
        "signer": "李书记",
        "by": cast.branch_secretary,
    }
    return services.request_save(**{**data, **over})


def url(name, obj):
    return reverse(f"duties:{name}", args=[obj.public_id])


# --- services ---------------------------------------------------------------------------


def test_a_request_sent_to_the_direct_parent_gets_a_limit_in_working_days(cast):
    item = services.request_send(record=draft(cast), by=cast.branch_secretary)
    assert item.status == Request.Status.SENT and item.sent_on == TODAY
    assert not item.skips_level
    # 15 working days from 10-09 (after the holiday; 10-11 is a 调休 working Saturday)
    assert item.due_on == date(2025, 10, 28)
    assert item.history.count() == 2


def test_urgency_shortens_the_limit(cast):
    item = services.request_send(
        record=draft(cast, urgency=Request.Urgency.VERY_URGENT), by=cast.branch_secretary
    )
    assert item.due_on == date(2025, 10, 10)  # 10-09, 10-10


def test_a_report_asking_for_approval_needs_an_acknowledgement_and_is_flagged(cast):
    report = draft(cast, kind=Request.Kind.REPORT, subject="关于第三季度工作情况的报告")
    with pytest.raises(ValidationError) as exc:
        services.request_send(record=report, by=cast.branch_secretary)
    assert "请示夹在报告中" in str(exc.value) and "REQ-05" in str(exc.value)
    report.refresh_from_db()
    assert report.status == Request.Status.DRAFT
    sent = services.request_send(record=report, by=cast.branch_secretary, acknowledge=True)
    assert sent.hidden_request and sent.due_on is None
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.OVERRIDE).exists()


def test_the_phrase_list_is_a_parameter():
    assert asks_for_approval("妥否，请 批复。") == "妥否请批复"
    assert asks_for_approval("现将有关情况报告如下。") is None
    assert asks_for_approval("请研究决定", phrases=("请研究决定",)) == "请研究决定"


def test_skipping_a_level_needs_a_reason_and_is_flagged(cast):
    with pytest.raises(ValidationError) as exc:
        draft(cast, receiver=cast.committee)
    assert "越级报送须写明理由" in str(exc.value)
    item = draft(cast, receiver=cast.committee, skip_reason="事关全局，党总支书记出差")
    sent = services.request_send(record=item, by=cast.branch_secretary)
    assert sent.skips_level


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"subject": " "}, "请填写标题"),
        ({"body": ""}, "请填写正文"),
        ({"receiver": "branch2"}, "只能向本组织的上级党组织报送"),
        ({"receiver": "branch1"}, "只能向本组织的上级党组织报送"),
        ({"copy_to": "general_branch"}, "抄送组织不能是本组织或主送组织"),
    ],
)
def test_bad_drafts_are_refused_and_nothing_is_written(cast, over, message):
    over = {k: getattr(cast, v) if k in ("receiver", "copy_to") else v for k, v in over.items()}
    with pytest.raises(ValidationError) as exc:
        draft(cast, **over)
    assert message in str(exc.value)
    assert not Request.objects.exists()


def test_sending_without_a_signer_is_refused(cast):
    item = draft(cast, signer="")
    with pytest.raises(ValidationError, match="签发人"):
        services.request_send(record=item, by=cast.branch_secretary)
    item.refresh_from_db()
    assert item.status == Request.Status.DRAFT


def test_an_answer_is_given_once_and_a_late_one_is_explained(cast, zongzhi, time_machine):
    item = services.request_send(record=draft(cast), by=cast.branch_secretary)
    time_machine.move_to(datetime(2025, 11, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    with pytest.raises(ValidationError, match="超时原因"):
        services.request_answer(record=item, answer="同意。", by=zongzhi)
    done = services.request_answer(
        record=item, answer="同意。", late_reason="等待上级党委意见", by=zongzhi
    )
    assert done.status == Request.Status.ANSWERED and done.answered_on == date(2025, 11, 3)
    with pytest.raises(ValidationError, match="不能重复办理"):
        services.request_answer(record=done, answer="再次同意", by=zongzhi)
    with pytest.raises(ValidationError, match="不能重复办理"):
        services.request_return(record=done, reason="x", by=zongzhi)


def test_a_returned_request_can_be_revised_and_sent_again(cast, zongzhi):
    item = services.request_send(record=draft(cast), by=cast.branch_secretary)
    with pytest.raises(ValidationError, match="退回须写明理由"):
        services.request_return(record=item, reason=" ", by=zongzhi)
    returned = services.request_return(record=item, reason="请补充班组调整文件", by=zongzhi)
    revised = draft(cast, record=returned, body="补充了班组调整文件。妥否，请批示。")
    again = services.request_send(record=revised, by=cast.branch_secretary)
    assert again.status == Request.Status.SENT and again.return_reason == ""


def test_attachments_are_checked_by_size_and_type(cast, private_media, settings):
    item = draft(cast)
    fake = SimpleUploadedFile("材料.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.request_attach(record=item, upload=fake)
    monkey = SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    with pytest.raises(ValidationError, match="文件过大"):
        services.request_attach(record=item, upload=monkey)
    assert not Evidence.objects.exists()
    services.request_attach(record=item, upload=SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n%%EOF"))
    assert Evidence.objects.get().ref == f"request:{item.public_id}"


# --- pages ------------------------------------------------------------------------------


def test_branch_composes_and_sends_then_parent_answers_on_the_pages(cast, login, zongzhi):
    client = login(cast.branch_secretary)
    response = client.post(
        reverse("duties:request_new", args=[cast.branch1.public_id]),
        {
            "kind": "request",
            "receiver": str(cast.general_branch.public_id),
            "subject": "关于调整党小组设置的请示",
            "body": "拟分设党小组。妥否，请批示。",
            "urgency": "urgent",
            "signer": "李书记",
        },
    )
    item = Request.objects.get()
    assert response.status_code == 302 and item.status == Request.Status.DRAFT
    detail = client.get(url("request_detail", item))
    assert "报送" in detail.content.decode()
    version = item.updated_at.isoformat()
    client.post(url("request_send", item), {"version": version})
    item.refresh_from_db()
    assert item.status == Request.Status.SENT
    # the sender cannot answer its own request
    assert client.post(url("request_answer", item), {"answer": "x"}).status_code == 403
    other = login(zongzhi)
    inbox = other.get(reverse("duties:requests_org", args=[cast.general_branch.public_id]))
    assert "关于调整党小组设置的请示" in inbox.content.decode()
    other.post(
        url("request_answer", item),
        {"answer": "同意分设。", "on": "2025-09-30", "version": item.updated_at.isoformat()},
    )
    item.refresh_from_db()
    assert item.status == Request.Status.ANSWERED and item.answered_by == zongzhi
    assert (
        "同意分设" in login(cast.branch_secretary).get(url("request_detail", item)).content.decode()
    )


def test_a_higher_committee_cannot_answer_in_the_addressed_orgs_name(cast, login):
    item = services.request_send(record=draft(cast), by=cast.branch_secretary)
    client = login(cast.party_secretary)
    assert client.get(url("request_detail", item)).status_code == 200
    assert client.post(url("request_answer", item), {"answer": "同意"}).status_code == 403


def test_outsiders_get_404_and_members_403(cast, login):
    item = services.request_send(record=draft(cast), by=cast.branch_secretary)
    outsider = login(cast.outsider)
    for name in ("request_detail", "request_answer", "request_pdf", "request_edit"):
        assert outsider.get(url(name, item)).status_code == 404
    assert login(cast.ordinary).get(url("request_detail", item)).status_code == 403


def test_an_answer_to_a_version_since_revised_is_refused(cast, login, zongzhi, time_machine):
    item = services.request_send(record=draft(cast), by=cast.branch_secretary)
    old = item.updated_at.isoformat()  # the receiver opens the answer form now
    time_machine.shift(300)
    services.request_return(record=item, reason="请补充", by=zongzhi)
    time_machine.shift(300)
    revised = draft(cast, record=Request.objects.get(pk=item.pk), body="新的正文。妥否，请批示。")
    services.request_send(record=revised, by=cast.branch_secretary)
    response = login(zongzhi).post(
        url("request_answer", item), {"answer": "同意", "on": "2025-09-30", "version": old}
    )
    assert response.status_code == 200 and "已修改" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Request.Status.SENT and item.answer == ""


def test_the_pdf_holds_the_document_as_filed(cast, zongzhi, login):
    item = services.request_send(record=draft(cast), by=cast.branch_secretary)
    services.request_answer(record=item, answer="同意分设。", by=zongzhi)
    response = login(cast.branch_secretary).get(url("request_pdf", item))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_boxes_are_scoped_and_their_queries_pinned(
    cast, login, zongzhi, django_assert_max_num_queries
):
    for i in range(8):
        services.request_send(record=draft(cast, subject=f"请示{i}"), by=cast.branch_secretary)
    client = login(zongzhi)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("duties:requests_org", args=[cast.general_branch.public_id]))
    assert page.content.decode().count("请示7") == 1
    out = login(cast.branch_secretary).get(
        reverse("duties:requests_org", args=[cast.branch1.public_id]) + "?box=out"
    )
    assert "请示3" in out.content.decode()
    assert (
        login(cast.outsider)
        .get(reverse("duties:requests_org", args=[cast.general_branch.public_id]))
        .status_code
        == 404
    )


def test_composing_a_report_that_asks_for_approval_warns_at_once(cast, login):
    client = login(cast.branch_secretary)
    response = client.post(
        reverse("duties:request_new", args=[cast.branch1.public_id]),
        {
            "kind": "report",
            "receiver": str(cast.general_branch.public_id),
            "subject": "第三季度工作情况报告",
            "body": "拟购置学习书籍。妥否，请批复。",
            "urgency": "normal",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "请示夹在报告中" in page and "我已知悉上述提示" in page
    assert Request.objects.get().status == Request.Status.DRAFT


def test_the_pages_have_unique_ids_and_labelled_controls(cast, login, zongzhi):
    import re
    from collections import Counter

    from tests.test_accessibility import CONTROL, ID, LABEL_FOR

    item = services.request_send(record=draft(cast), by=cast.branch_secretary)
    report = draft(cast, kind=Request.Kind.REPORT, subject="工作报告")
    pages = [
        (zongzhi, url("request_detail", item)),  # the answer and return forms together
        (zongzhi, reverse("duties:requests_org", args=[cast.general_branch.public_id])),
        (cast.branch_secretary, url("request_detail", report)),  # send with acknowledgement
        (cast.branch_secretary, reverse("duties:request_new", args=[cast.branch1.public_id])),
        (cast.branch_secretary, url("request_attach", report)),
    ]
    for user, address in pages:
        html = login(user).get(address).content.decode()
        assert [i for i, n in Counter(ID.findall(html)).items() if n > 1] == [], address
        labelled = set(LABEL_FOR.findall(html))
        for _tag, attrs in CONTROL.findall(html):
            if re.search(r'type="(hidden|submit|button)"', attrs):
                continue
            found = re.search(r'\sid="([^"]+)"', attrs)
            assert (found and found.group(1) in labelled) or "aria-label" in attrs, (
                address,
                attrs[:100],
            )


@pytest.mark.refresh_on_save
def test_sending_and_answering_refresh_the_findings_at_once(cast, zongzhi):
    from zhibu.core.rules.models import Finding

    item = services.request_send(
        record=draft(cast, kind=Request.Kind.REPORT, subject="工作报告"),
        by=cast.branch_secretary,
        acknowledge=True,
    )
    assert Finding.objects.filter(rule_code="REQ-05", status="suspect", org=cast.branch1).exists()
    asked = services.request_send(record=draft(cast), by=cast.branch_secretary)
    due = Finding.objects.get(rule_code="REQ-06", status="due")
    assert due.org_id == cast.general_branch.pk
    services.request_answer(record=asked, answer="同意。", by=zongzhi)
    assert not Finding.objects.filter(rule_code="REQ-06", status="due").exists()
    assert item.status == Request.Status.SENT


def test_the_compose_page_refuses_a_skipped_level_without_reason(cast, login):
    response = login(cast.branch_secretary).post(
        reverse("duties:request_new", args=[cast.branch1.public_id]),
        {
            "kind": "request",
            "receiver": str(cast.committee.public_id),
            "subject": "关于调整党小组设置的请示",
            "body": "妥否，请批示。",
            "urgency": "normal",
        },
    )
    assert response.status_code == 200
    assert "越级报送须写明理由" in response.content.decode()
    assert not Request.objects.exists()
    # a member without the role may not even open the page
    assert (
        login(cast.ordinary)
        .get(reverse("duties:request_new", args=[cast.branch1.public_id]))
        .status_code
        == 403
    )


def test_a_committee_schedules_yearly_reports_for_the_orgs_below(cast, login):
    from zhibu.duties.models import ReportSchedule

    page = reverse("duties:request_schedules", args=[cast.committee.public_id])
    client = login(cast.party_secretary)
    bad = client.post(
        page, {"name": "年度工作报告", "org_kinds": ["branch"], "due_month": 2, "due_day": 30}
    )
    assert "截止日期不存在" in bad.content.decode() and not ReportSchedule.objects.exists()
    client.post(
        page, {"name": "年度工作报告", "org_kinds": ["branch"], "due_month": 1, "due_day": 31}
    )
    schedule = ReportSchedule.objects.get()
    assert schedule.committee == cast.committee and schedule.covers(cast.branch1)
    assert not schedule.covers(cast.general_branch)
    # the branch sees what it owes, may not change the committee's schedule
    branch = login(cast.branch_secretary)
    own = branch.get(reverse("duties:request_schedules", args=[cast.branch1.public_id]))
    assert "年度工作报告" in own.content.decode()
    assert (
        branch.post(
            reverse("duties:request_schedules", args=[cast.branch1.public_id]), {"switch": "1"}
        ).status_code
        == 403
    )
    assert login(cast.outsider).get(page).status_code == 404
    login(cast.party_secretary).post(page, {"switch": str(schedule.pk)})
    schedule.refresh_from_db()
    assert not schedule.active
