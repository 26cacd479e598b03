"""PDF documents for the 台账 and archives: fpdf2 (pure Python) with Noto Sans SC from the
pinned ``pylopdf-fonts-zh-cn`` package, so Chinese renders on a machine without CJK system
fonts; fpdf2 embeds only the glyphs used. A character the font lacks (an emoji typed into a
record) is replaced by "?" rather than drawn as an empty box.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from zhibu.core.text import normal_newlines

FONT_FAMILY = "NotoSansSC"
RED = (179, 18, 27)
HEADINGS = FontFace(emphasis="", color=RED, fill_color=(250, 240, 240))


def font_path() -> Path:
    """Noto Sans SC (SIL OFL 1.1) as installed by the pinned font package."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


@cache
def font_codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path()), lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text) -> str:
    """``text`` with every character the font cannot draw replaced, and no control codes.
    Line breaks typed in a browser (CRLF) or an old Mac file (CR) become one newline."""
    covered = font_codepoints()
    out = []
    for ch in normal_newlines(str(text or "")):
        if ch in "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif ord(ch) < 32 or ord(ch) not in covered:
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class DocumentPDF(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title = title
        self.add_font(FONT_FAMILY, "", str(font_path()))
        self.set_font(FONT_FAMILY, size=10)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title(printable(title))
        self.set_creator("Zhibu")

    def header(self):
        if self.page_no() > 1:
            self.set_font(FONT_FAMILY, size=8)
            self.set_text_color(120, 120, 120)
            self.cell(
                0, 6, printable(self.doc_title), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            self.set_text_color(0, 0, 0)
            self.set_font(FONT_FAMILY, size=10)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT_FAMILY, size=8)
        self.cell(0, 6, f"— {self.page_no()} —", align="C")

    # small helpers that always go through ``printable``
    def heading(self, text: str, size: int = 14):
        self.set_x(self.l_margin)
        self.set_font(FONT_FAMILY, size=size)
        self.set_text_color(*RED)
        self.multi_cell(
            0,
            size * 0.55,
            printable(text),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=WrapMode.CHAR,
        )
        self.set_text_color(0, 0, 0)
        self.set_font(FONT_FAMILY, size=10)
        self.ln(1)

    def label(self, label: str):
        self.set_x(self.l_margin)
        self.set_font(FONT_FAMILY, size=10)
        self.set_text_color(*RED)
        self.cell(0, 6, printable(label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)

    def para(self, label: str, text: str):
        if not str(text or "").strip():
            return
        if label:
            self.label(label)
        self.set_x(self.l_margin)
        self.multi_cell(
            0, 5.5, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR
        )
        self.ln(1)

    def grid(self, headers: list[str] | None, rows: list[list], widths: tuple | None = None):
        self.set_font(FONT_FAMILY, size=9)
        with self.table(
            col_widths=widths,
            line_height=5.5,
            text_align="LEFT",
            wrapmode=WrapMode.CHAR,
            headings_style=HEADINGS,
            first_row_as_headings=headers is not None,
        ) as table:
            if headers is not None:
                head = table.row()
                for h in headers:
                    head.cell(printable(h))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(printable(value))
        self.set_font(FONT_FAMILY, size=10)
        self.ln(2)
