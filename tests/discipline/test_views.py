"""The 纪检 pages: recording (bad input refused in Chinese, nothing written), editing
with the version (a stale save refused), appeals, the audited Excel and the PDF."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.core.models import AuditEvent
from zhibu.core.versioning import version_of
from zhibu.discipline.models import Appeal, DisciplineRecord

K = DisciplineRecord.Kind
pytestmark = pytest.mark.django_db


def form_data(cast, **over):
    data = {
        "kind": "probation",
        "form": "",
        "deciding_org": str(cast.committee.public_id),
        "decided_on": "2026-03-01",
        "document_no": "纪〔2026〕1号",
        "facts": "收受礼金。",
        "probation_years": "1",
        "extended_on": "",
        "outcome": "",
        "outcome_on": "",
        "ref_post": "",
        "ref_org": "",
    }
    return {**data, **over}


def test_inspector_records_a_probation(cast, disc, login):
    client = login(disc.inspector)
    listing = client.get(reverse("discipline:index"), {"q": "王"})
    assert (
        reverse("discipline:new", args=[cast.ordinary_member.public_id]) in listing.content.decode()
    )
    response = client.post(
        reverse("discipline:new", args=[cast.ordinary_member.public_id]), form_data(cast)
    )
    record = DisciplineRecord.objects.get()
    assert response.status_code == 302
    assert record.effect_until == date(2027, 3, 1) and record.form == 3
    assert record.created_by == disc.inspector and record.history.count() == 1
    detail = client.get(reverse("discipline:detail", args=[record.public_id])).content.decode()
    assert "受限至 2027-03-01（纪律处分）" in detail


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"probation_years": ""}, "留党察看的期限为一年或二年"),
        ({"decided_on": "2099-01-01"}, "决定日期不能晚于今天"),
        ({"kind": "warning"}, "只有留党察看有察看期"),
        (
            {"kind": "warning", "probation_years": "", "extended_on": "2026-04-01"},
            "只有留党察看可以延长察看期",
        ),
        (
            {"probation_years": "2", "extended_on": "2026-05-01"},
            "只有察看期为一年的留党察看可以延长一年",
        ),
        ({"facts": ""}, "这个字段是必填项"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_written(cast, disc, login, over, message):
    client = login(disc.inspector)
    response = client.post(
        reverse("discipline:new", args=[cast.ordinary_member.public_id]), form_data(cast, **over)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DisciplineRecord.objects.exists()


def test_read_only_inspector_cannot_record(cast, disc, login):
    client = login(disc.branch2_inspector)  # discipline.view only
    url = reverse("discipline:new", args=[cast.branch2_member.public_id])
    assert client.post(url, form_data(cast)).status_code == 403
    assert not DisciplineRecord.objects.exists()


def test_member_outside_scope_answers_404(cast, disc, login):
    client = login(disc.inspector)
    url = reverse("discipline:new", args=[cast.other_member.public_id])
    assert client.get(url).status_code == 404


def test_stale_edit_is_refused(cast, disc, make_record, login):
    record = make_record(cast.ordinary_member, K.WARNING)
    old_version = version_of(record)
    client = login(disc.inspector)
    url = reverse("discipline:edit", args=[record.public_id])
    data = form_data(
        cast, kind="warning", probation_years="", version=old_version, facts="第一次修改"
    )
    assert client.post(url, data).status_code == 302
    data["facts"] = "第二次修改（基于旧版本）"
    response = client.post(url, data)
    assert response.status_code == 200 and "您打开此页后" in response.content.decode()
    record.refresh_from_db()
    assert record.facts == "第一次修改"


def test_appeal_revokes_and_a_second_appeal_is_refused(cast, disc, make_record, login):
    record = make_record(cast.ordinary_member, K.PROBATION)
    client = login(disc.inspector)
    url = reverse("discipline:appeal", args=[record.public_id])
    data = {
        "version": version_of(record),
        "filed_on": "2026-03-10",
        "decided_on": "2026-04-01",
        "outcome": "revoked",
        "changed_to": "",
        "note": "事实不清",
    }
    assert client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert record.status == DisciplineRecord.Status.REVOKED
    data["version"] = version_of(record)
    response = client.post(url, data)
    assert "该记录已被撤销，不能再申诉" in response.content.decode()
    assert Appeal.objects.count() == 1


def test_appeal_dates_are_checked(cast, disc, make_record, login):
    record = make_record(cast.ordinary_member, K.WARNING)
    client = login(disc.inspector)
    response = client.post(
        reverse("discipline:appeal", args=[record.public_id]),
        {
            "version": version_of(record),
            "filed_on": "2026-02-01",
            "decided_on": "2026-01-01",
            "outcome": "upheld",
            "changed_to": "",
            "note": "",
        },
    )
    body = response.content.decode()
    assert "申诉日期不能早于决定日期" in body and "复查决定日期不能早于申诉日期" in body
    assert not Appeal.objects.exists()


def test_export_is_audited_and_holds_only_records_in_scope(cast, disc, make_record, login):
    make_record(cast.ordinary_member, K.WARNING)
    make_record(cast.other_member, K.WARNING, org=cast.other_committee)
    client = login(disc.inspector)
    response = client.get(reverse("discipline:export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and [r[0] for r in rows[1:]] == ["王党员"]
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).latest("seq")
    assert event.details["rows"] == 1


def test_export_needs_a_discipline_role(cast, disc, make_record, login):
    make_record(cast.ordinary_member, K.WARNING)
    assert login(disc.organizer).get(reverse("discipline:export")).status_code == 403


def test_pdf_of_the_decision_record(cast, disc, make_record, login):
    record = make_record(cast.ordinary_member, K.PROBATION)
    response = login(disc.inspector).get(reverse("discipline:pdf", args=[record.public_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_list_filters_by_kind_and_year_with_pinned_queries(
    cast, disc, make_record, login, django_assert_max_num_queries
):
    for i in range(6):
        make_record(
            cast.ordinary_member,
            K.REMINDER,
            decided_on=date(2025, 1, 1 + i),
            today=date(2025, 2, 1),
        )
    make_record(cast.ordinary_member, K.WARNING)
    client = login(disc.inspector)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("discipline:index"), {"kind": "reminder", "year": "2025"})
    assert len(page.context["page_obj"].object_list) == 6


def test_secretary_role_grant_changes_visibility_immediately(cast, make_record, client):
    record = make_record(cast.ordinary_member, K.WARNING, org=cast.general_branch)
    user = UserFactory(username="zz-sec")
    client.force_login(user)
    assert client.get(reverse("discipline:detail", args=[record.public_id])).status_code == 404
    grant(user, Role.SECRETARY, cast.general_branch)
    assert client.get(reverse("discipline:detail", args=[record.public_id])).status_code == 200
