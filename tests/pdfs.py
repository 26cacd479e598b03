"""Reading the PDFs Zhibu draws: their text and the fonts they embed."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    # pypdf puts NULs between the two-byte codes of fpdf2's CID fonts: not glyphs.
    return reader, "".join(text.replace("\x00", "").split())


def embedded_fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile3" in descriptor or "/FontFile2" in descriptor, (
                "the font must be embedded"
            )
            names.add(str(font["/BaseFont"]))
    return names
