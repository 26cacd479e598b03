"""Line breaks typed in a browser (CRLF) print as line breaks in every PDF and Excel
export, not as "?" or ``_x000D_`` (regression)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.pdfs import pdf_text
from zhibu.core.excel import build_workbook, safe_cell
from zhibu.core.pdf import DocumentPDF, printable

TYPED = "第一项：学习条例\r\n第二项：重温誓词\r第三项：交流"


def test_printable_turns_crlf_and_cr_into_newlines():
    assert printable(TYPED) == "第一项：学习条例\n第二项：重温誓词\n第三项：交流"


def test_a_pdf_paragraph_with_crlf_draws_no_question_marks():
    pdf = DocumentPDF("测试")
    pdf.add_page()
    pdf.para("会议内容", TYPED)
    _, text = pdf_text(bytes(pdf.output()))
    assert "第二项：重温誓词" in text and "?" not in text


def test_an_excel_cell_with_crlf_reopens_with_plain_newlines():
    content = build_workbook([("台账", ["内容"], [[TYPED]])])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "第一项：学习条例\n第二项：重温誓词\n第三项：交流"


def test_text_starting_with_a_line_break_is_still_neutralised():
    assert safe_cell("\r\n=1+1") == "'\n=1+1"
