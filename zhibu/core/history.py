"""Readable change history (修改记录) from django-simple-history records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from zhibu.core.crypto import mask_id_number, mask_phone

# Fields whose values are personal data: shown masked in the history, never in full.
MASKED_FIELDS = {"id_number": mask_id_number, "phone": mask_phone}
HIDDEN_FIELDS = {"text"}  # e.g. discipline texts: only "changed" is shown


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: object
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[Change] = field(default_factory=list)

    @property
    def labels(self) -> str:
        """The changed fields in one line: 状态、通知时间、会议通知."""
        return "、".join(change.label for change in self.changes)


def _display(record, name: str) -> str:
    value = getattr(record, name, None)
    if name in MASKED_FIELDS:
        return MASKED_FIELDS[name](value)
    if name in HIDDEN_FIELDS:
        return "（已记录）" if value else ""
    model_field = record._meta.get_field(name)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value or ""))
    if model_field.is_relation:
        related = getattr(record, name, None)
        return str(related) if related is not None else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        # Stored in UTC; people read Beijing time (TIME_ZONE), to the minute.
        shown = timezone.localtime(value) if timezone.is_aware(value) else value
        return shown.strftime("%Y-%m-%d %H:%M")
    return str(value)


def changes_between(old, new) -> list[Change]:
    """The fields that differ between two history records of one object, as shown."""
    changes = []
    for change in new.diff_against(old).changes:
        name = change.field
        label = str(new._meta.get_field(name).verbose_name)
        changes.append(Change(name, label, _display(old, name), _display(new, name)))
    return changes


def history_of(obj, limit: int = 50) -> list[Entry]:
    """The newest ``limit`` changes of ``obj``: who, when, which fields, old → new."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        user = record.history_user
        entry = Entry(
            when=record.history_date, who=str(user) if user else "系统", kind=record.history_type
        )
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                name = change.field
                label = str(record._meta.get_field(name).verbose_name)
                entry.changes.append(
                    Change(name, label, _display(previous, name), _display(record, name))
                )
            if not entry.changes:
                continue
        entries.append(entry)
    return entries
