"""The 台账: the PDF embeds its own Chinese font and every character is in it; the Excel
summary re-opens with the right headers and values."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from fontTools.ttLib import TTFont
from openpyxl import load_workbook

from tests.factories import record_meeting
from tests.meetings.conftest import TODAY, url
from tests.pdfs import embedded_fonts, pdf_text
from zhibu.core.models import AuditEvent
from zhibu.core.pdf import font_path
from zhibu.meetings import exports
from zhibu.meetings.services.decisions import decision_record
from zhibu.meetings.services.scheduling import meeting_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of_meetings(cast):
    first = record_meeting(
        cast.branch1,
        date(2025, 3, 10),
        ["theme_day", "branch_assembly", "party_lecture"],
        title="第一季度党员大会暨主题党日",
        study_hours=Decimal("3"),
        lecturer=cast.secretary_member,
        minutes="学习《中国共产党支部工作条例（试行）》，重温入党誓词。😀",
        tags=["重温入党誓词"],
        absent=[cast.ordinary_member],
        today=TODAY,
    )
    decision_record(meeting=first, title="推选优秀党员", yes=1, no=0, abstain=0, today=TODAY)
    record_meeting(
        cast.group1, date(2025, 4, 20), ["group_meeting"], title="四月党小组会", today=TODAY
    )
    second = record_meeting(
        cast.branch1,
        date(2025, 6, 12),
        ["branch_assembly"],
        title="第二季度支部党员大会",
        today=TODAY,
    )
    decision_record(
        meeting=second,
        title="接收张三为预备党员",
        candidate="张三",
        yes=2,
        no=0,
        abstain=0,
        passed=True,
        today=TODAY,
    )
    record_meeting(cast.branch2, date(2025, 6, 1), ["theme_day"], title="别的支部的会", today=TODAY)
    meeting_plan(org=cast.branch1, title="还没开的会", on=date(2025, 12, 1), kinds=["theme_day"])
    return first, second


def test_the_ledger_pdf_embeds_noto_sans_sc_and_every_character_is_covered(
    cast, year_of_meetings, caplog
):
    content = exports.ledger_pdf(cast.branch1, 2025)
    assert content.startswith(b"%PDF-")
    reader, text = pdf_text(content)
    fonts = embedded_fonts(reader)
    assert fonts and all(name.split("+")[-1] == "NotoSansSC" for name in fonts), fonts
    cmap = TTFont(str(font_path()), lazy=True).getBestCmap()
    missing = {ch for ch in text if ord(ch) not in cmap}
    assert not missing, missing
    assert "missing" not in caplog.text.lower()
    # Every meeting of the branch and its 党小组, in date order; not the other branch's, not planned ones.
    titles = ["第一季度党员大会暨主题党日", "四月党小组会", "第二季度支部党员大会"]
    positions = [text.rindex(t) for t in titles]
    assert positions == sorted(positions)
    assert "别的支部的会" not in text and "还没开的会" not in text
    for expected in (
        "组织生活台账",
        "目录",
        "表决汇总",
        "出席汇总",
        "接收张三为预备党员",
        "应到2人，实到1人",
        "缺席：王党员",
    ):
        assert expected in text, expected
    assert "?" in text  # the emoji the font cannot draw became "?", not an empty box


def test_the_ledger_pdf_of_an_empty_year_renders(cast):
    _reader, text = pdf_text(exports.ledger_pdf(cast.branch2, 2030))
    assert "本年度尚无会议记录" in text


def test_the_ledger_pdf_with_many_meetings_keeps_its_index_in_place(cast):
    for month in range(1, 13):
        for day in (3, 10, 17, 24):
            record_meeting(
                cast.branch1,
                date(2025, month, day),
                ["theme_day"],
                title=f"{month}月{day}日学习",
            )
    reader, text = pdf_text(exports.ledger_pdf(cast.branch1, 2025))
    assert "12月24日学习" in text and len(reader.pages) > 10


def test_the_excel_summary_reopens_with_headers_and_values(cast, year_of_meetings):
    book = load_workbook(io.BytesIO(exports.ledger_xlsx(cast.branch1, 2025)))
    assert book.sheetnames == ["会议", "出席", "表决", "党员出席和学时"]
    meetings = list(book["会议"].iter_rows(values_only=True))
    assert meetings[0][:6] == ("日期", "开始", "结束", "组织", "会议名称", "会议类型")
    assert [row[4] for row in meetings[1:]] == [
        "第一季度党员大会暨主题党日",
        "四月党小组会",
        "第二季度支部党员大会",
    ]
    assert meetings[1][8:12] == (2, 1, 0, 1)
    votes = list(book["表决"].iter_rows(values_only=True))
    assert votes[2][2:4] == ("接收张三为预备党员", "张三") and votes[2][-1] == "通过"
    hours = {
        row[0]: row[5] for row in book["党员出席和学时"].iter_rows(min_row=2, values_only=True)
    }
    assert hours["李书记"] == 3.0


def test_exports_need_the_view_action_and_are_audited(
    cast, login, inspector_user, year_of_meetings
):
    assert login(cast.outsider).get(url("ledger_pdf", cast.branch1, 2025)).status_code == 404
    assert login(cast.ordinary).get(url("ledger_xlsx", cast.branch1, 2025)).status_code == 403
    response = login(inspector_user).get(url("ledger_pdf", cast.branch1, 2025))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    response = login(inspector_user).get(url("ledger_xlsx", cast.branch1, 2025))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == 2


@pytest.fixture
def inspector_user(cast):
    from tests.factories import UserFactory, grant
    from zhibu.accounts.models import Role

    user = UserFactory(username="jijian2")
    grant(user, Role.DISCIPLINE, cast.committee)
    return user
