"""What apps above add to a lower app's page, without the lower app importing them.

A page names itself (``"meetings.detail"``, ``"members.detail"``). An app higher in the
layers registers, in its ``AppConfig.ready()``, either a context provider (``provider(obj)
-> dict``, merged into the page's context) or a whole tab (key, label, template and its
context). The home page's panels (``zhibu.core.home``) follow the same idea.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_context: dict[str, list[Callable[..., dict]]] = defaultdict(list)
_tabs: dict[str, list[Tab]] = defaultdict(list)


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any  # a lazy translation
    template: str
    context: Callable[..., dict]  # context(obj, request) -> dict for the template
    order: int = 50


def register_context(page: str, provider: Callable[..., dict]) -> None:
    if provider not in _context[page]:
        _context[page].append(provider)


def extra_context(page: str, *args: Any) -> dict:
    merged: dict = {}
    for provider in _context.get(page, []):
        merged.update(provider(*args))
    return merged


def register_tab(page: str, tab: Tab) -> None:
    if all(existing.key != tab.key for existing in _tabs[page]):
        _tabs[page].append(tab)
        _tabs[page].sort(key=lambda t: t.order)


def tabs_for(page: str) -> list[Tab]:
    return list(_tabs.get(page, []))
