"""督办 (supervision sheets): opened by the level above on any registered target, replied
by the responsible org with evidence files, accepted or asked again, escalated when
unanswered (提醒 → 督办 → 约谈建议) and judged by RESP-01; who may do what, bad input."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.core.rules.models import Finding
from zhibu.core.rules.periods import Period
from zhibu.duties.models import Evidence, Rectification, Supervision, SupervisionEntry
from zhibu.duties.selectors import supervision as selectors
from zhibu.duties.services import rectification as rect_services
from zhibu.duties.services import supervision as services
from zhibu.duties.targets import register_target, target_for
from zhibu.rulebook.run import rules_run

pytestmark = pytest.mark.django_db
TODAY = date(2025, 9, 30)  # a Tuesday; 1–8 October is the National Day holiday
PDF = b"%PDF-1.4\n% reply\n"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2025, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def item(cast):
    return rect_services.rectification_create(
        org=cast.branch1,
        problem="三会一课记录不规范",
        measure="按模板补齐记录",
        deadline=date(2025, 12, 31),
        today=TODAY,
    )


@pytest.fixture
def inspector(cast):
    user = UserFactory(username="jijian-sup")
    grant(user, Role.DISCIPLINE, cast.committee)
    return user


def ref(item):
    return f"rectification:{item.public_id}"


def opened(cast, item, **kwargs):
    target = target_for(cast.party_secretary, ref(item))
    return services.supervision_open(
        target=target, request="请说明整改进度", by=cast.party_secretary, today=TODAY, **kwargs
    )


def test_the_reply_deadline_counts_working_days_across_the_national_day_holiday(cast, item):
    sup = opened(cast, item, working_days=3)
    # 10-01..10-08 are holidays (10-11 is a make-up working Saturday): 9, 10, 11 October.
    assert sup.reply_due == date(2025, 10, 11)
    assert sup.org == cast.branch1 and sup.by_org == cast.committee
    assert sup.target_label == "三会一课记录不规范"


def test_open_reply_with_a_file_accept(cast, item, private_media, login):
    sup = opened(cast, item)
    services.supervision_reply(
        supervision=sup,
        text="已补齐 9 月记录",
        files=[SimpleUploadedFile("说明.pdf", PDF)],
        by=cast.branch_secretary,
    )
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.REPLIED
    assert Evidence.objects.get(ref=f"supervision:{sup.public_id}").original_name == "说明.pdf"
    services.supervision_decide(supervision=sup, accept=True, by=cast.party_secretary)
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.CLOSED and sup.closed_on == TODAY
    kinds = list(sup.entries.values_list("kind", flat=True))
    assert kinds == [SupervisionEntry.Kind.REPLY, SupervisionEntry.Kind.ACCEPT]
    body = login(cast.branch_secretary).get(reverse("duties:detail", args=[item.public_id]))
    assert "督办" in body.content.decode()


def test_asking_again_reopens_with_a_new_deadline_and_needs_a_reason(cast, item):
    sup = opened(cast, item)
    services.supervision_reply(supervision=sup, text="已整改", by=cast.branch_secretary)
    with pytest.raises(ValidationError, match="重新回复的原因"):
        services.supervision_decide(supervision=sup, accept=False, by=cast.party_secretary)
    services.supervision_decide(
        supervision=sup, accept=False, note="请附佐证", working_days=2, by=cast.party_secretary
    )
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.OPEN and sup.reply_due == date(2025, 10, 10)


def test_who_may_open_reply_and_decide(cast, item, inspector):
    target = target_for(cast.branch_secretary, ref(item))
    assert not selectors.can_open(cast.branch_secretary, target)  # not above its own branch
    with pytest.raises(PermissionDenied):
        services.supervision_open(target=target, request="x", by=cast.branch_secretary)
    assert selectors.can_open(inspector, target_for(inspector, ref(item)))
    sup = opened(cast, item)
    assert selectors.can_reply(cast.branch_secretary, sup)
    assert not selectors.can_reply(cast.party_secretary, sup)  # the opener does not answer
    assert selectors.can_decide(inspector, sup) and not selectors.can_decide(
        cast.branch_secretary, sup
    )
    with pytest.raises(Http404):
        target_for(cast.outsider, ref(item))


def test_a_registered_kind_is_a_target_with_its_own_openers(cast, item):
    register_target(
        "probe",
        label="探针",
        find=lambda user, ident: item if ident == "1" else None,
        describe=lambda record: "探针对象",
        url=lambda record: "/probe/",
        org=lambda record: record.org,
        ident=lambda record: "1",
        can_open=lambda user, record: user == cast.branch_secretary,
        opener_org=lambda user, record: record.org,
    )
    target = target_for(cast.branch_secretary, "probe:1")
    sup = services.supervision_open(target=target, request="请回复", by=cast.branch_secretary)
    assert sup.target_ref == "probe:1" and sup.by_org == cast.branch1
    with pytest.raises(Http404):
        target_for(cast.branch_secretary, "probe:2")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"request": " "}, "请填写督办要求"),
        ({"reply_due": date(2025, 9, 29)}, "回复期限不能早于今天"),
        ({"working_days": 0}, "1 至 30 个工作日"),
    ],
)
def test_bad_openings_are_refused_and_nothing_written(cast, item, kwargs, message):
    target = target_for(cast.party_secretary, ref(item))
    args = {"request": "请说明", **kwargs}
    with pytest.raises(ValidationError, match=message):
        services.supervision_open(target=target, by=cast.party_secretary, today=TODAY, **args)
    assert not Supervision.objects.exists()


def test_a_second_open_supervision_on_the_same_target_is_refused(cast, item):
    opened(cast, item)
    with pytest.raises(ValidationError, match="已有未办结的督办单"):
        opened(cast, item)


def test_replying_to_a_supervision_not_addressed_to_your_org_is_refused(cast, item, login):
    sup = opened(cast, item)
    other = UserFactory(username="zhibu2-sup")
    grant(other, Role.SECRETARY, cast.branch2)
    with pytest.raises(ValidationError, match="不是发给本组织的"):
        services.supervision_reply(supervision=sup, text="回复", by=cast.party_secretary)
    # Another branch does not even see it.
    assert login(other).get(reverse("duties:supervision", args=[sup.public_id])).status_code == 404
    assert not SupervisionEntry.objects.exists()


def test_a_bad_file_refuses_the_whole_reply(cast, item, private_media):
    sup = opened(cast, item)
    with pytest.raises(ValidationError, match="只能上传 PDF、PNG 或 JPG"):
        services.supervision_reply(
            supervision=sup,
            text="回复",
            files=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.exe", b"MZ\x90")],
            by=cast.branch_secretary,
        )
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.OPEN
    assert not Evidence.objects.exists() and not SupervisionEntry.objects.exists()


def test_a_stale_version_is_refused(cast, item):
    sup = opened(cast, item)
    old = sup.updated_at - timedelta(seconds=5)  # the version read before someone else saved
    with pytest.raises(ValidationError):
        services.supervision_reply(
            supervision=sup, text="回复", version=old, by=cast.branch_secretary
        )


def test_unanswered_supervisions_escalate_set_based_and_become_findings(
    cast, item, django_assert_max_num_queries, time_machine
):
    sup = opened(cast, item, working_days=1)  # due 9 October
    late = date(2025, 10, 20)
    with django_assert_max_num_queries(8):
        assert services.supervisions_escalate(today=late) == 1
    sup.refresh_from_db()
    assert sup.level == Supervision.Level.SUPERVISE and sup.reply_due > late
    assert services.supervisions_escalate(today=late) == 0  # idempotent the same day
    services.supervisions_escalate(today=date(2025, 11, 20))
    services.supervisions_escalate(today=date(2025, 12, 20))
    sup.refresh_from_db()
    assert sup.level == Supervision.Level.INTERVIEW  # the last step
    time_machine.move_to(datetime(2025, 12, 22, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    rules_run(root=cast.committee, period=Period.parse("2025Q4"), codes=["RESP-01"])
    finding = Finding.objects.get(rule_code="RESP-01", org=cast.branch1, period_code="2025Q4")
    assert finding.status == "late" and "约谈建议" in finding.text
    assert finding.refs == [f"supervision:{sup.public_id}"]


def test_the_discipline_view_lists_interview_suggestions(cast, item, inspector, login):
    sup = opened(cast, item, level=Supervision.Level.INTERVIEW)
    body = login(inspector).get(reverse("duties:supervisions") + "?view=discipline")
    assert sup.target_label in body.content.decode()


def test_pages_open_reply_with_a_file_and_accept(cast, item, login, private_media):
    committee = login(cast.party_secretary)
    url = reverse("duties:supervision_open") + f"?target={ref(item)}"
    assert committee.get(url).status_code == 200
    response = committee.post(
        url, {"level": 1, "request": "请说明进度", "working_days": 5, "reply_due": ""}
    )
    sup = Supervision.objects.get()
    assert response.status_code == 302
    branch = login(cast.branch_secretary)
    reply_url = reverse("duties:supervision_reply", args=[sup.public_id])
    response = branch.post(
        reply_url,
        {"text": "已整改", "evidence_files": [SimpleUploadedFile("r.pdf", PDF)], "version": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    decide = reverse("duties:supervision_decide", args=[sup.public_id])
    assert branch.get(decide).status_code == 403
    committee = login(cast.party_secretary)
    assert committee.post(decide, {"accept": "1", "note": ""}).status_code == 302
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.CLOSED
    page = committee.get(reverse("duties:supervision", args=[sup.public_id])).content.decode()
    assert "r.pdf" in page and "审核通过" in page


def test_a_past_deadline_on_the_page_is_refused_in_chinese(cast, item, login):
    response = login(cast.party_secretary).post(
        reverse("duties:supervision_open") + f"?target={ref(item)}",
        {"level": 1, "request": "请说明", "working_days": 5, "reply_due": "2025-09-01"},
    )
    assert response.status_code == 200 and "回复期限不能早于今天" in response.content.decode()
    assert not Supervision.objects.exists()


def test_out_of_scope_targets_are_404(cast, item, login):
    url = reverse("duties:supervision_open")
    client = login(cast.outsider)
    assert client.get(url + f"?target={ref(item)}").status_code == 404
    assert client.get(url + "?target=nosuch:1").status_code == 404
    assert client.get(url + "?target=finding:abc").status_code == 404


def test_a_rectification_is_listed_with_its_supervisions(cast, item, login):
    sup = opened(cast, item)
    page = login(cast.branch_secretary).get(reverse("duties:detail", args=[item.public_id]))
    assert reverse("duties:supervision", args=[sup.public_id]) in page.content.decode()
    assert Rectification.objects.count() == 1


def test_the_nightly_run_escalates_but_a_page_run_does_not(cast, item, time_machine):
    sup = opened(cast, item, working_days=1)  # due 9 October
    time_machine.move_to(datetime(2025, 10, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    rules_run(root=cast.committee, period=Period.parse("2025Q4"), codes=["RESP-01"], trigger="page")
    sup.refresh_from_db()
    assert sup.level == Supervision.Level.REMIND
    rules_run(root=cast.committee, period=Period.parse("2025Q4"), codes=["RESP-01"], trigger="tick")
    sup.refresh_from_db()
    assert sup.level == Supervision.Level.SUPERVISE and sup.escalated_on == date(2025, 10, 20)


def test_the_supervision_sheet_prints_as_a_pdf(cast, item, login):
    from tests.pdfs import pdf_text

    sup = opened(cast, item)
    services.supervision_reply(supervision=sup, text="已补齐记录", by=cast.branch_secretary)
    response = login(cast.party_secretary).get(
        reverse("duties:supervision", args=[sup.public_id]) + "?export=pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    _reader, text = pdf_text(response.content)
    assert "督办单" in text and "请说明整改进度" in text and "已补齐记录" in text


def test_an_oversized_reply_file_is_refused_and_nothing_written(
    cast, item, private_media, monkeypatch
):
    from zhibu.duties.services import evidence

    monkeypatch.setattr(evidence, "MAX_MB", 0)
    sup = opened(cast, item)
    with pytest.raises(ValidationError, match="文件过大"):
        services.supervision_reply(
            supervision=sup,
            text="回复",
            files=[SimpleUploadedFile("a.pdf", PDF)],
            by=cast.branch_secretary,
        )
    assert not Evidence.objects.exists() and not SupervisionEntry.objects.exists()
