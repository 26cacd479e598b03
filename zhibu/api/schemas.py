"""Shared pieces of the API's schemas."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict, create_model


class In(Schema):
    """Input schemas refuse unknown fields (400), so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    field: str | None = None
    rule: str | None = None
    message: str
    citation: str | None = None
    earliest: str | None = None


class Error(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error, 429: Error}


def page_of(item_schema):
    """A cursor page of ``item_schema``: {"items": [...], "next_cursor": "..." | null}."""
    return create_model(
        f"{item_schema.__name__}Page",
        __base__=Schema,
        items=(list[item_schema], ...),
        next_cursor=(str | None, None),
    )
