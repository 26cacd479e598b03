"""Tasks: from signed letter items or a 党委 meeting's decision; progress with evidence
files; the issuer confirms or returns; the ledger exports; overdue and missing evidence are
findings (RESP-02c, RESP-02d); scope, roles and bad input."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory, grant, record_meeting
from zhibu.accounts.models import Role
from zhibu.core.rules import in_force
from zhibu.core.rules.engine import evaluate
from zhibu.duties.models import Evidence, Letter, Task, TaskProgress
from zhibu.duties.selectors.tasks import task_for_user
from zhibu.duties.services import evidence as evidence_services
from zhibu.duties.services import letters as letter_services
from zhibu.duties.services import tasks as services

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% progress\n"


def url(name, obj):
    return reverse(f"duties:{name}", args=[obj.public_id])


@pytest.fixture
def task(cast, frozen):
    return services.task_create(
        issuer=cast.committee,
        org=cast.branch1,
        title="完成支部标准化建设自查",
        due=date(2026, 4, 30),
        by=cast.party_secretary,
    )


def report(task, user, **kw):
    return services.task_report(
        task=task,
        on=kw.pop("on", date(2026, 3, 9)),
        percent=kw.pop("percent", 100),
        note=kw.pop("note", "自查完成"),
        completed=kw.pop("completed", True),
        by=user,
        **kw,
    )


def test_progress_with_a_file_then_the_issuer_confirms(cast, task, private_media):
    progress = report(task, cast.branch_secretary, files=[SimpleUploadedFile("自查报告.pdf", PDF)])
    assert progress.files == 1
    assert Evidence.objects.get().ref == f"progress:{progress.public_id}"
    task.refresh_from_db()
    assert task.status == Task.Status.SUBMITTED and task.percent == 100
    services.task_confirm(task=task, on=date(2026, 3, 10), by=cast.party_secretary)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.confirmed_by == cast.party_secretary


def test_the_issuer_returns_with_a_reason(cast, task):
    report(task, cast.branch_secretary)
    with pytest.raises(ValidationError, match="退回时请写明理由"):
        services.task_return(task=task, reason=" ", by=cast.party_secretary)
    services.task_return(task=task, reason="缺少自查表", by=cast.party_secretary)
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS and task.returned == 1


def test_confirming_a_task_that_is_not_yours_is_refused(cast, task):
    report(task, cast.branch_secretary)
    with pytest.raises(ValidationError, match="只有交办组织（集团党委）可以确认或退回该任务"):
        services.task_confirm(task=task, on=date(2026, 3, 10), by=cast.branch_secretary)
    task.refresh_from_db()
    assert task.status == Task.Status.SUBMITTED and task.confirmed_on is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.exe", b"MZ\x90\x00", "只能上传 PDF、PNG 或 JPG 文件"),
        ("报告.pdf", b"<html>", "文件内容与扩展名不符"),
    ],
)
def test_a_refused_file_refuses_the_report_and_nothing_is_written(
    cast, task, private_media, name, content, message
):
    with pytest.raises(ValidationError, match=message):
        report(
            task,
            cast.branch_secretary,
            files=[SimpleUploadedFile("好.pdf", PDF), SimpleUploadedFile(name, content)],
        )
    task.refresh_from_db()
    assert task.status == Task.Status.NOT_STARTED
    assert not TaskProgress.objects.exists() and not Evidence.objects.exists()
    assert (
        not list((private_media / "duties").rglob("*.pdf"))
        if (private_media / "duties").exists()
        else True
    )


def test_an_oversized_file_is_refused(cast, task, private_media, monkeypatch):
    monkeypatch.setattr(evidence_services, "MAX_MB", 0)
    with pytest.raises(ValidationError, match="文件过大"):
        report(task, cast.branch_secretary, files=[SimpleUploadedFile("a.pdf", PDF)])
    assert not TaskProgress.objects.exists()


def test_bad_dates_and_percentages_are_refused(cast, task, frozen):
    with pytest.raises(ValidationError, match="完成时限不能早于交办日期"):
        services.task_create(
            issuer=cast.committee, org=cast.branch1, title="x", due=date(2026, 3, 1)
        )
    with pytest.raises(ValidationError, match="申请确认完成时，完成进度应为 100%"):
        report(task, cast.branch_secretary, percent=80)
    with pytest.raises(ValidationError, match="报告日期不能晚于今天"):
        report(task, cast.branch_secretary, on=date(2026, 3, 11))
    with pytest.raises(ValidationError, match="责任组织应是交办组织本身或其下级组织"):
        services.task_create(
            issuer=cast.general_branch, org=cast.other_branch, title="x", due=date(2026, 5, 1)
        )
    assert Task.objects.count() == 1


def test_a_task_from_a_committee_meeting_decision(cast, frozen, login):
    meeting = record_meeting(cast.committee, date(2026, 3, 2), kinds=["other"])
    task = services.task_create(
        issuer=cast.committee,
        org=cast.general_branch,
        title="落实党委会决定",
        due=date(2026, 6, 30),
        meeting=meeting,
    )
    assert task.meeting == meeting
    body = login(cast.party_secretary).get(reverse("meetings:detail", args=[meeting.public_id]))
    text = body.content.decode()
    assert "交办的任务" in text and "落实党委会决定" in text
    assert f"?meeting={meeting.public_id}" in text
    form = login(cast.party_secretary).get(
        reverse("duties:task_new", args=[cast.committee.public_id]), {"meeting": meeting.public_id}
    )
    assert form.status_code == 200
    other = record_meeting(cast.branch1, date(2026, 3, 2))
    with pytest.raises(ValidationError, match="只能依据交办组织自己召开的会议决定交办任务"):
        services.task_create(
            issuer=cast.committee, org=cast.branch1, title="y", due=date(2026, 6, 30), meeting=other
        )


def test_task_for_user_is_the_scoped_door(cast, task):
    assert task_for_user(cast.branch_secretary, task.public_id) == task
    assert task_for_user(cast.party_secretary, task.public_id) == task
    with pytest.raises(Http404):
        task_for_user(cast.outsider, task.public_id)
    with pytest.raises(Http404):
        task_for_user(cast.branch_secretary, "not-a-uuid")


def test_pages_report_with_a_file_and_confirm(cast, task, login, private_media):
    client = login(cast.branch_secretary)
    response = client.post(
        url("task_report", task),
        {
            "on": "2026-03-09",
            "percent": "100",
            "note": "已完成",
            "completed": "on",
            "evidence": [SimpleUploadedFile("报告.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    assert client.get(url("task_confirm", task)).status_code == 403
    body = client.get(url("task_detail", task)).content.decode()
    assert "报告.pdf" in body and "待确认" in body
    client = login(cast.party_secretary)
    client.post(url("task_confirm", task), {"decision": "confirm", "on": "2026-03-10"})
    task.refresh_from_db()
    assert task.status == Task.Status.DONE


def test_outsiders_and_members_cannot_reach_a_task(cast, task, login):
    assert login(cast.outsider).get(url("task_detail", task)).status_code == 404
    assert login(cast.ordinary).get(url("task_detail", task)).status_code == 403
    inspector = UserFactory(username="jijian-t")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    client = login(inspector)
    assert client.get(url("task_detail", task)).status_code == 200
    assert client.get(url("task_report", task)).status_code == 403


def test_the_ledger_exports_with_the_shown_status(cast, task, login, time_machine):
    services.task_create(
        issuer=cast.committee, org=cast.branch2, title="二支部任务", due=date(2026, 3, 10)
    )
    time_machine.move_to(date(2026, 3, 20))
    response = login(cast.party_secretary).get(reverse("duties:task_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "任务" and len(rows) == 3
    statuses = {row[0]: row[6] for row in rows[1:]}
    assert statuses == {"完成支部标准化建设自查": "未开始", "二支部任务": "逾期"}
    branch = load_workbook(
        io.BytesIO(login(cast.branch_secretary).get(reverse("duties:task_export")).content)
    ).active
    assert len(list(branch.values)) == 2


def test_the_ledger_list_pins_its_queries(cast, task, login, django_assert_max_num_queries):
    for i in range(8):
        services.task_create(
            issuer=cast.committee, org=cast.branch1, title=f"任务{i}", due=date(2026, 5, 1)
        )
    client = login(cast.party_secretary)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("duties:task_list")).content.decode()
    assert "任务7" in body


# --- findings -------------------------------------------------------------------------------


def judge(code, orgs, today):
    rule = in_force(code, today)
    return evaluate(rule, orgs, today=today)


def test_resp02d_an_overdue_task_is_late_and_a_confirmed_one_is_not(cast, task):
    outcomes = judge("RESP-02d", [cast.branch1], date(2026, 5, 2))
    (late,) = [o for o in outcomes if o.status == "late"]
    assert late.refs == [f"task:{task.public_id}"] and "已逾期" in late.text
    report(task, cast.branch_secretary)
    services.task_confirm(task=task, on=date(2026, 3, 10), by=cast.party_secretary)
    outcomes = judge("RESP-02d", [cast.branch1], date(2026, 5, 2))
    assert [o.status for o in outcomes] == ["ok"]


def test_the_rules_read_a_subtree_in_a_fixed_number_of_queries(
    cast, task, django_assert_max_num_queries
):
    for i in range(5):
        services.task_create(
            issuer=cast.committee, org=cast.branch2, title=f"t{i}", due=date(2026, 4, 1)
        )
    orgs = [cast.committee, cast.general_branch, cast.branch1, cast.branch2]
    for code in ("RESP-02", "RESP-02b", "RESP-02c", "RESP-02d"):
        with django_assert_max_num_queries(2):
            judge(code, orgs, date(2026, 5, 2))


def test_resp02_an_unsigned_letter_past_its_deadline_and_resp02b_an_undecided_item(
    cast, received, general_secretary
):
    outcomes = judge("RESP-02", [cast.general_branch], date(2026, 3, 20))
    assert [o.status for o in outcomes] == ["due"]
    outcomes = judge("RESP-02", [cast.general_branch], date(2026, 4, 1))
    assert [o.status for o in outcomes] == ["late"]
    assert outcomes[0].refs == [f"letter:{received.public_id}"]
    letter_services.letter_sign(
        letter=received, by=general_secretary, signed_on=date(2026, 3, 5), place="会议室"
    )
    assert [o.status for o in judge("RESP-02", [cast.general_branch], date(2026, 4, 1))] == ["ok"]
    statuses = [o.status for o in judge("RESP-02b", [cast.general_branch], date(2026, 4, 10))]
    assert statuses == ["late", "late"]
    first, second = received.items.all()
    letter_services.item_keep(item=first)
    letter_services.item_pass_down(item=second, to=[cast.branch1])
    assert [o.status for o in judge("RESP-02b", [cast.general_branch], date(2026, 4, 10))] == ["ok"]


def test_resp02_the_default_deadline_is_a_local_parameter(cast, template, frozen):
    template.sign_deadline = None
    template.save()
    (letter,) = letter_services.letter_issue(letter=template, recipients=[cast.general_branch])
    assert letter.sign_deadline is None
    rule = in_force("RESP-02", date(2026, 4, 1))
    assert [o.status for o in evaluate(rule, [cast.general_branch], today=date(2026, 4, 1))] == [
        "late"
    ]
    tighter = evaluate(
        rule,
        [cast.general_branch],
        today=date(2026, 3, 1),
        params={"sign_month": 2, "sign_day": 31},
    )
    assert [o.status for o in tighter] == ["late"]  # 31 Feb is the month's last day


def test_resp02c_an_item_past_its_deadline_without_evidence(
    cast, received, general_secretary, private_media
):
    letter_services.letter_sign(
        letter=received, by=general_secretary, signed_on=date(2026, 3, 5), place="会议室"
    )
    outcomes = judge("RESP-02c", [cast.general_branch], date(2026, 7, 1))
    assert sorted(o.status for o in outcomes) == ["missing", "ok"] or [
        o.status for o in outcomes
    ] == ["missing"]
    task = Task.objects.get(item__category="组织建设")
    report(
        task,
        general_secretary,
        completed=False,
        percent=50,
        files=[SimpleUploadedFile("a.pdf", PDF)],
    )
    outcomes = judge("RESP-02c", [cast.general_branch], date(2026, 7, 1))
    assert [o.status for o in outcomes] == ["ok"]
    assert Letter.objects.get(pk=received.pk).status == Letter.Status.SIGNED


def test_the_issuer_supervises_a_task_from_its_page_and_the_owner_sees_the_sheet(cast, task, login):
    """督办 on a task: the issuer's side sees the button and opens a sheet in the issuer's
    name; the owner branch sees it on the task page; the branch cannot open one on itself."""
    from zhibu.duties.models import Supervision
    from zhibu.duties.services.supervision import supervision_open
    from zhibu.duties.targets import target_for

    issuer_page = login(cast.party_secretary).get(url("task_detail", task)).content.decode()
    assert "supervisions/new/?target=task" in issuer_page
    branch_page = login(cast.branch_secretary).get(url("task_detail", task)).content.decode()
    assert "supervisions/new/?target=task" not in branch_page
    sheet = supervision_open(
        target=target_for(cast.party_secretary, f"task:{task.public_id}"),
        request="请报告进展",
        working_days=3,
        by=cast.party_secretary,
    )
    assert sheet.org == cast.branch1 and sheet.by_org == cast.committee
    assert Supervision.objects.filter(target_ref=f"task:{task.public_id}").count() == 1
    body = login(cast.branch_secretary).get(url("task_detail", task)).content.decode()
    assert reverse("duties:supervision", args=[sheet.public_id]) in body
