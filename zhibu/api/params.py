"""Parsing of shared query parameters (periods) into the error shape."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from zhibu.api.errors import ApiError
from zhibu.core.rules import Period


def parse_period(text: str, field: str = "period") -> Period:
    """``2025``, ``2025Q3`` or ``2025-07`` (a year in 1900–2999, as ``Period.parse`` takes
    it); anything else answers 400 with the Chinese message."""
    try:
        return Period.parse(text)
    except ValidationError as exc:
        message = exc.messages[0]
    raise ApiError(400, message, [{"field": field, "rule": None, "message": message}])
