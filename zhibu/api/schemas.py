"""Shared pieces of the API's schemas."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import ConfigDict, create_model, field_validator

NUL = "\x00"

# A day in an input: 1900-01-01 … 2999-12-31, far enough from the calendar's ends that the
# services' date arithmetic (a year's probation, 18th birthdays, letters valid for three
# months) never leaves it. Earlier or later is malformed (400).
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]


def refuse_nul(value: Any) -> Any:
    """A NUL character in any text (PostgreSQL cannot store or compare it) is malformed."""
    if isinstance(value, str):
        if NUL in value:
            raise ValueError(gettext("文本中不能含有空字符（\\u0000）。"))
    elif isinstance(value, list | tuple | set):
        for item in value:
            refuse_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    return value


class Record(Schema):
    """An output schema whose ``id`` is the record's public id (never the database id)."""

    @staticmethod
    def resolve_id(obj):
        return obj.public_id


class OrgRecord(Record):
    """A record that belongs to an org: ``org_id`` (public) and ``org_name`` beside its id."""

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id if obj.org_id else None

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name if obj.org_id else None


class Filters(Schema):
    """Query-string schemas of list endpoints: text without NUL (400)."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        return refuse_nul(value)


class In(Filters):
    """Input schemas refuse unknown fields (400), so a typo never silently does nothing,
    and text with NUL characters (400)."""

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
