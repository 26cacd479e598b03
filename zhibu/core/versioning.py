"""Page edits carry the record's version (issue 14, item 5).

An edit form holds the record's ``updated_at`` as it was read (a hidden ``version``
field, the same version the API uses); saving over a newer change is refused with who
changed the record and what, instead of silently wiping their change. One mechanism for
every edit page: ``VersionField`` on the form, ``version_initial`` for its initial data,
and ``save_versioned`` around the service call in the view. The member edit page and the
member API use ``check_version`` inside their service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import apply_errors
from zhibu.core.history import changes_between

T = TypeVar("T")

STALE = "stale"  # the error code of STALE_EDIT
STALE_EDIT = _(
    "您打开此页后，%(who)s 已修改了该%(noun)s，您的修改未保存。对方的改动：%(changes)s。"
    "请在最新内容的基础上重新修改。"
)


class VersionField(forms.DateTimeField):
    """The record's version when the form was read (hidden)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


def version_of(obj) -> str:
    return obj.updated_at.isoformat()


def version_initial(obj) -> dict[str, str]:
    return {"version": version_of(obj)}


def changed_since(obj, version: datetime) -> tuple[str, str]:
    """Who changed ``obj`` after ``version`` (its ``updated_at`` as read), and what: the net
    change from the save that produced ``version`` to the newest one (from its history)."""
    history = getattr(obj, "history", None)
    if history is None:
        return "", ""
    records = list(
        history.filter(history_date__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if len(records) < 2:
        return "", ""
    base, newer = records[0], records[1:]
    who = list(dict.fromkeys(str(r.history_user or _("系统")) for r in newer))
    changes = [
        f"{c.label}：{c.old or _('（空）')} → {c.new or _('（空）')}"
        for c in changes_between(base, newer[-1])
    ]
    return "、".join(who), "；".join(changes)


def check_version(obj, version: datetime | None, *, noun: Any) -> None:
    """Refuse (``ValidationError`` coded ``STALE``) when ``obj`` changed since ``version``.
    Call it on the row locked for the save. ``None``: no version sent, nothing to check."""
    if version is None or obj.updated_at == version:
        return
    who, what = changed_since(obj, version)
    message = STALE_EDIT % {
        "who": who or _("他人"),
        "noun": noun,
        "changes": what or _("（无法列出）"),
    }
    raise ValidationError({NON_FIELD_ERRORS: ValidationError(message, code=STALE)})


def is_stale(exc: ValidationError) -> bool:
    return STALE in {e.code for e in getattr(exc, "error_dict", {}).get(NON_FIELD_ERRORS, [])}


def without_version(cleaned_data: dict) -> dict:
    """The form's data for the service (which takes no ``version``)."""
    return {k: v for k, v in cleaned_data.items() if k != "version"}


def save_versioned(form, obj, save: Callable[[], T], *, noun: Any) -> T | None:
    """Lock ``obj``'s row, compare the form's ``version``, then ``save()`` — all in one
    transaction (``obj`` None: a new record, nothing to compare). On a refusal the errors
    go onto the form and ``None`` is returned; after a stale version the form carries the
    current one, so the next save builds on it."""
    try:
        with transaction.atomic():
            if obj is not None:
                locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
                check_version(locked, form.cleaned_data.get("version"), noun=noun)
            return save()
    except ValidationError as exc:
        apply_errors(form, exc)
        if is_stale(exc):
            form.data = form.data.copy()
            form.data["version"] = version_of(type(obj)._default_manager.get(pk=obj.pk))
        return None
