"""Parsing of shared query parameters (periods) into the error shape."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from zhibu.api.errors import ApiError
from zhibu.core.rules import Period
from zhibu.core.rules.periods import PERIOD_MALFORMED

# Years a period may fall in: generous, but far enough from the calendar's ends (year 1,
# year 9999) that the rulebook's period arithmetic never leaves it.
YEARS = range(1900, 3000)


def parse_period(text: str, field: str = "period") -> Period:
    """``2025``, ``2025Q3`` or ``2025-07``; anything else, or a year outside ``YEARS``,
    answers 400 with the Chinese message."""
    try:
        period = Period.parse(text)
    except ValidationError as exc:
        message = exc.messages[0]
    except (ValueError, OverflowError):  # year 0: no such date
        message = str(PERIOD_MALFORMED)
    else:
        if period.start.year in YEARS:
            return period
        message = str(PERIOD_MALFORMED)
    raise ApiError(400, message, [{"field": field, "rule": None, "message": message}])
