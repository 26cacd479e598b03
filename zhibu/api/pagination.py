"""Cursor pagination: stable under inserts, cheap at any depth (keyset on the primary key).

The cursor is signed, so a client cannot forge one; a malformed cursor answers 400.
"""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext_lazy as _

from zhibu.api.errors import ApiError

SALT = "zhibu.api.cursor"
MAX_LIMIT = 200
BAD_CURSOR = _("分页游标无效。")


def page(qs, *, cursor: str | None, limit: int, key: str = "pk"):
    """(items, next cursor or None) for ``qs`` ordered by ``key`` ascending."""
    if limit < 1 or limit > MAX_LIMIT:
        raise ApiError(400, details=[{"field": "limit", "rule": None, "message": f"1–{MAX_LIMIT}"}])
    if cursor:
        try:
            after = signing.loads(cursor, salt=SALT)["after"]
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise ApiError(
                400,
                str(BAD_CURSOR),
                [{"field": "cursor", "rule": None, "message": str(BAD_CURSOR)}],
            ) from None
        qs = qs.filter(**{f"{key}__gt": after})
    items = list(qs.order_by(key)[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = signing.dumps(
            {"after": getattr(items[-1], "pk" if key == "pk" else key)}, salt=SALT
        )
    return items, next_cursor
