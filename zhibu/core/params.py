"""Query and path parameters that pages read: a bad one is a 400 or 404 with a Chinese
message, never a 500 (issue 14, item 8)."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Years a page may show: the party's records start in the 20th century, and nothing is
# planned past 2999 (date arithmetic on year 9999 overflows).
MIN_YEAR, MAX_YEAR = 1900, 2999
BAD_YEAR = _("年份应为 %(min)s 至 %(max)s 之间的四位数字。")


class BadParameter(BadRequest):
    """A bad query parameter; its (Chinese) message is shown on the 400 page."""


def year_param(request, default: int | None = None, name: str = "year") -> int:
    """The ``year`` query parameter (or ``default``, or this year), checked."""
    raw = request.GET.get(name) or default or timezone.localdate().year
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadParameter(BAD_YEAR % {"min": MIN_YEAR, "max": MAX_YEAR})
    return year


class YearConverter:
    """``<year:year>`` in a URL: four digits within the years a page may show, else 404."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(value)  # the URL does not match: 404
        return year

    def to_url(self, value) -> str:
        return f"{int(value):04d}"
