"""URLs reversed once per view name (and script prefix and URLconf), not once per use.

Django's ``reverse`` walks the resolver's patterns on every call: some 20 µs. A page's
navigation reverses the same dozen names on every request, and a list of fifty rows
reverses one name fifty times; these helpers keep the result (a URL does not change while
the process runs) and put a row's public id into it.
"""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = "00000000-0000-4000-8000-000000000000"


@functools.cache
def _reversed(viewname: str, prefix: str, urlconf) -> str:
    return reverse(viewname, urlconf=urlconf)


@functools.cache
def _around(viewname: str, prefix: str, urlconf) -> tuple[str, str]:
    head, _marker, tail = reverse(viewname, args=[_MARKER], urlconf=urlconf).partition(_MARKER)
    return head, tail


def reverse_once(viewname: str) -> str:
    """``reverse(viewname)`` for a view without arguments (raises ``NoReverseMatch`` as
    ``reverse`` does; a failure is not kept)."""
    return _reversed(viewname, get_script_prefix(), get_urlconf())


def url_of(public_id, viewname: str) -> str:
    """``reverse(viewname, args=[public_id])`` for a view that takes one public id."""
    head, tail = _around(viewname, get_script_prefix(), get_urlconf())
    return f"{head}{public_id}{tail}"
