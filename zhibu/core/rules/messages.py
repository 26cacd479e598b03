"""Structured explanations: what a rule says about a finding, as message ids and values.

A rule states its explanation with ``msg`` (imported as ``_`` in rule modules, so the
message ids are extracted like any gettext call): ``_("%(period)s召开 %(n)s 次。") % values``
gives a :class:`Message`, not a translated string. Messages concatenate with ``+`` (the
base sentence and a DUE/MISSING suffix), join with ``Message.join`` and nest as values.
The finding stores ``Message.parts`` (plain JSON) and :func:`render` turns them into text
in the *active* language when the finding is shown — never while it is computed.

Parts: a string is literal text (a name, a separator); ``[msgid]`` or ``[msgid, values]``
is translated then formatted. A value is a JSON scalar or ``{"$": parts}`` (a nested
message, e.g. a period's label).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext

_SCALARS = (str, int, float, bool, type(None))


def _value(value: Any) -> Any:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Message):
        return {"$": value.parts}
    if isinstance(value, Promise):
        return {"$": _lazy_parts(value)}
    if isinstance(value, date | Decimal):
        return str(value)  # what "%s" shows
    return str(value)


def _lazy_parts(value: Promise) -> list:
    args = getattr(value, "_args", None)
    if args and isinstance(args[0], str) and len(args) == 1:
        return [[args[0]]]  # gettext_lazy("…"): translated when shown
    return [str(value)]


def _parts(value: Any) -> list:
    if isinstance(value, Message):
        return value.parts
    if isinstance(value, Promise):
        return _lazy_parts(value)
    return [str(value)]


class Message:
    """Message ids with their values, rendered by :func:`render` when shown."""

    __slots__ = ("parts",)

    def __init__(self, parts: list) -> None:
        self.parts = parts

    def __mod__(self, values: dict) -> Message:
        (part,) = self.parts
        return Message([[part[0], {k: _value(v) for k, v in values.items()}]])

    def fill(self, values: dict) -> Message:
        """``% values`` for values already plain (numbers, strings, ``Message.value``):
        the hot loops of count rules skip the per-value conversion."""
        return Message([[self.parts[0][0], values]])

    @property
    def value(self) -> dict:
        """This message as a value of another (``{"$": parts}``)."""
        return {"$": self.parts}

    def __add__(self, other: Any) -> Message:
        return Message(self.parts + _parts(other))

    def __radd__(self, other: Any) -> Message:
        return Message(_parts(other) + self.parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(repr(self.parts))

    def __str__(self) -> str:
        return render(self.parts)

    def __contains__(self, text: str) -> bool:
        return text in str(self)

    def __repr__(self) -> str:
        return f"Message({self.parts!r})"

    @staticmethod
    def join(separator: str, items) -> Message:
        parts: list = []
        for i, item in enumerate(items):
            if i:
                parts.append(separator)
            parts.extend(_parts(item))
        return Message(parts)


def msg(msgid: str) -> Message:
    """A message id, translated when shown; ``% values`` fills it in."""
    return Message([[msgid]])


def as_parts(explanation: Any) -> list:
    """What a finding stores for an outcome's explanation (a Message or plain text)."""
    return _parts(explanation)


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and "$" in value:
        return render(value["$"])
    return value


def render(parts: list | None) -> str:
    """The text of stored message parts in the active language."""
    out = []
    for part in parts or ():
        if isinstance(part, str):
            out.append(part)
        elif len(part) == 1:
            out.append(gettext(part[0]))
        else:
            out.append(gettext(part[0]) % {k: _shown(v) for k, v in part[1].items()})
    return "".join(out)


def finding_text(finding: Any) -> str:
    """A stored finding's explanation as shown, in the active language: the one function
    every page, export, API answer and reminder goes through."""
    if finding.message:
        return render(finding.message)
    return finding.explanation
