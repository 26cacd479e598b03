"""Small template helpers used across the pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ mapping|get_item:key }}`` for dict lookups by a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)
