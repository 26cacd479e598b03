"""Small template helpers used across the pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from zhibu.core.rules.base import Status

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ mapping|get_item:key }}`` for dict lookups by a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


PERIOD_KIND_LABELS = {
    "month": _("每月"),
    "quarter": _("每季度"),
    "year": _("每年"),
    "snapshot": _("随时"),
}


@register.filter
def period_kind_label(kind: str) -> str:
    return str(PERIOD_KIND_LABELS.get(kind, kind))


@register.filter
def status_label(status: str) -> str:
    """A finding status in words (``late`` → 逾期), for tooltips and plain text."""
    try:
        return str(Status(status).label)
    except ValueError:
        return ""
