"""Streaming the cell values of one worksheet with expat, for the roster import.

openpyxl's read-only mode builds an element and a cell object for every cell (about two
thirds of an import's check). Here openpyxl still opens the workbook (sheets, shared
strings, date styles, epoch: small and read once) and the sheet's XML is then streamed
through ``xml.parsers.expat`` in 1 MB pieces, keeping only the values: memory stays flat.

Values are what openpyxl gives with ``data_only=False``: a formula cell is ``"="`` and its
formula text (array formulas too), a number an int or float, a number in a date style a
datetime (out of range: ``"#VALUE!"``), a boolean a bool, text a str (shared, inline or a
formula's cached string), an error its code ("#N/A"). A document type declaration is
refused (no entities: the upload is untrusted).

``open_workbook`` is openpyxl's ``load_workbook(read_only=True)`` without its first pass
over every sheet for the sheet's size: a sheet without a ``<dimension>`` element (files
written by openpyxl's write-only mode and other generators) was parsed whole just for
that, a third of the check. ``SheetRows`` reports the size itself (``sized``) from the
``<dimension>`` element, or estimates it from the first megabyte when there is none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import SHEET_MAIN_NS

PIECE = 1024 * 1024
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$"

_ROW, _C, _V, _F, _IS, _T, _RPH, _DIMENSION = (
    f"{SHEET_MAIN_NS}}}{name}" for name in ("row", "c", "v", "f", "is", "t", "rPh", "dimension")
)


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that does not parse itself to learn its size when opened."""

    def _get_size(self) -> None:
        pass


class _Reader(ExcelReader):
    def read_worksheets(self) -> None:
        # openpyxl's read-only branch of ``read_worksheets``, with unsized sheets.
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            ws = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def open_workbook(path):
    """``load_workbook(path, read_only=True, data_only=False)`` with unsized sheets."""
    reader = _Reader(path, read_only=True, data_only=False)
    reader.read()
    return reader.wb


class UnsafeXml(ValueError):
    """The sheet declares a document type (entities): refused."""


def _column(reference: str, cache: dict[str, int]) -> int:
    """1-based column of a cell reference: "C7" → 3, "AB12" → 28."""
    letters = reference.rstrip("0123456789")
    index = cache.get(letters)
    if index is None:
        index = 0
        for letter in letters.upper():
            index = index * 26 + ord(letter) - 64
        cache[letters] = index
    return index


def _cast_number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class SheetRows:
    """Rows of one sheet of an openpyxl read-only workbook: (row number, {column: value})."""

    def __init__(self, workbook, worksheet, sized=None) -> None:
        self.sized = sized  # called once with the number of data rows, declared or estimated
        self.archive = workbook._archive
        self.path = worksheet._worksheet_path
        self.strings = worksheet._shared_strings  # the reader's table, not workbook.shared_strings
        self.date_styles = workbook._date_formats
        self.timedelta_styles = workbook._timedelta_formats
        self.epoch = workbook.epoch

    def __iter__(self) -> Iterator[tuple[int, dict[int, object]]]:
        done: list[tuple[int, dict[int, object]]] = []
        columns: dict[str, int] = {}
        state: dict[str, Any] = {"row": 0, "col": 0, "type": "n", "style": 0, "formula": False}
        cells: dict[int, object] = {}
        text: list[str] = []
        value: list[str | None] = [None, None]  # <v> text, <f> text
        inline: list[str] = []
        where = {"capture": False, "is": False, "rph": False}

        def start(name, attrs) -> None:
            nonlocal cells
            if name == _C:
                reference = attrs.get("r")
                state["col"] = _column(reference, columns) if reference else state["col"] + 1
                state["type"] = attrs.get("t", "n")
                style = attrs.get("s")
                state["style"] = int(style) if style else 0
                state["formula"] = False
                value[0] = value[1] = None
                inline.clear()
            elif name in (_V, _F):
                if name == _F:
                    state["formula"] = True
                text.clear()
                where["capture"] = True
            elif name == _ROW:
                number = attrs.get("r")
                state["row"] = int(number) if number else state["row"] + 1
                state["col"] = 0
                cells = {}
            elif name == _IS:
                where["is"] = True
            elif name == _T and where["is"] and not where["rph"]:
                text.clear()
                where["capture"] = True
            elif name == _RPH:
                where["rph"] = True
            elif name == _DIMENSION and sized is not None:
                bottom = (attrs.get("ref") or "").rpartition(":")[2].lstrip(_LETTERS)
                sized(max(int(bottom) - 1, 0) if bottom.isdigit() else 0)
                state["sized"] = True

        def end(name) -> None:
            if name == _C:
                result = self._value(state, value, inline)
                if result is not None:
                    cells[state["col"]] = result
            elif name == _V:
                value[0] = "".join(text) or None
                where["capture"] = False
            elif name == _F:
                value[1] = "".join(text)
                where["capture"] = False
            elif name == _ROW:
                done.append((state["row"], cells))
            elif name == _T:
                if where["capture"]:
                    inline.append("".join(text))
                where["capture"] = False
            elif name == _IS:
                where["is"] = False
            elif name == _RPH:
                where["rph"] = False

        def data(chunk: str) -> None:
            if where["capture"]:
                text.append(chunk)

        def refuse(*_args) -> None:
            raise UnsafeXml

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = data
        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        sized = self.sized
        state["sized"] = sized is None
        with self.archive.open(self.path) as source:
            while piece := source.read(PIECE):
                parser.Parse(piece, False)
                if not state["sized"]:  # no <dimension>: rows in this piece × pieces in all
                    state["sized"] = True
                    whole = self.archive.getinfo(self.path).file_size
                    sized(len(done) * whole // max(parser.CurrentByteIndex, 1))
                yield from done
                done.clear()
            parser.Parse(b"", True)
        yield from done

    def _value(self, state: dict, value: list, inline: list):
        kind = state["type"]
        if state["formula"]:
            return "=" + (value[1] or "")
        text = value[0]
        if text is not None:
            if kind == "n":
                number = _cast_number(text)
                if state["style"] in self.date_styles:
                    try:
                        return from_excel(
                            number, self.epoch, timedelta=state["style"] in self.timedelta_styles
                        )
                    except (OverflowError, ValueError):
                        return "#VALUE!"
                return number
            if kind == "s":
                return self.strings[int(text)]
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                return from_ISO8601(text)
            if kind == "inlineStr":
                return "".join(inline)
            return text  # "str" (a formula's cached text), "e" (an error code)
        if kind == "inlineStr" and inline:
            return "".join(inline)
        return None
