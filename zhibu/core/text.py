"""Small text normalisations shared by the exports."""

from __future__ import annotations


def normal_newlines(text: str) -> str:
    """Every line break as one newline: browsers submit CRLF, old files carry CR."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
