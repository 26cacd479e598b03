"""Excel export of the roster: masked, IDs as text, no formulas, audited, scoped."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_member
from zhibu.core.models import AuditEvent
from zhibu.members import excel

pytestmark = pytest.mark.django_db


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))[excel.SHEET_TITLE]


def test_export_is_masked_text_without_formulas(cast, login):
    make_member(
        cast.branch1,
        '=HYPERLINK("http://x")',
        birth_date=date(1990, 3, 7),
        address="+86 长春",
        occupation="@SUM(A1)",
        degree="-1+1",
        former_name="\tx",
    )
    response = login(cast.branch_secretary).get(reverse("members:export"))
    ws = sheet(response)
    rows = list(ws.iter_rows())
    assert [c.value for c in rows[0]] == list(excel.EXPORT_HEADERS)
    id_col, _phone_col = excel.ID_COLUMN, excel.PHONE_COLUMN
    names = {}
    for row in rows[1:]:
        assert all(cell.data_type != "f" for cell in row)
        names[row[0].value] = row
        assert row[id_col].data_type == "s" and "*" in row[id_col].value
        assert row[id_col].number_format == "@"
    assert set(names) == {"李书记", "王党员", '\'=HYPERLINK("http://x")'}
    tricky = names['\'=HYPERLINK("http://x")']
    values = {ws.cell(row=1, column=i + 1).value: cell.value for i, cell in enumerate(tricky)}
    assert (
        values["家庭住址"] == "'+86 长春"
        and values["岗位/职务"] == "'@SUM(A1)"
        and values["学位"] == "'-1+1"
    )
    wang = names["王党员"]
    assert wang[id_col].value == cast.ordinary_member.masked_id_number
    assert cast.ordinary_member.id_number not in response.content.decode("latin-1")


def test_export_is_audited_with_filter_and_count(cast, login):
    login(cast.party_secretary).get(reverse("members:export"), {"org": str(cast.branch2.public_id)})
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.actor == cast.party_secretary
    assert event.details["rows"] == 1 and event.details["filters"] == {"org": "第二党支部"}
    assert event.details["masked"] is True


def test_export_follows_the_filters_and_selection(cast, login):
    client = login(cast.party_secretary)
    ws = sheet(client.get(reverse("members:export"), {"q": "zdy"}))
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["赵党员"]
    ws = sheet(client.post(reverse("members:export"), {"m": [str(cast.ordinary_member.public_id)]}))
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["王党员"]


def test_export_never_includes_members_outside_scope(cast, login):
    client = login(cast.branch_secretary)
    ws = sheet(client.post(reverse("members:export"), {"m": [str(cast.branch2_member.public_id)]}))
    assert list(ws.iter_rows(min_row=2, values_only=True)) == []
    ws = sheet(client.get(reverse("members:export")))
    assert "赵党员" not in [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]


def test_export_needs_member_export(cast, login, inspector):
    assert login(inspector).get(reverse("members:export")).status_code == 403
    assert login(cast.ordinary).get(reverse("members:export")).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_export_query_count_is_pinned(cast, login, django_assert_max_num_queries):
    for i in range(60):
        make_member(cast.branch2, f"导出{i}", birth_date=date(1980, 1, 1 + i % 27))
    client = login(cast.party_secretary)
    client.get(reverse("members:list"))
    with django_assert_max_num_queries(14):
        ws = sheet(client.get(reverse("members:export")))
    assert ws.max_row == 1 + 63
