"""Panels of the home page (工作台). Each app registers what a user should see first —
the to-do list from the rulebook, upcoming meetings, pending approvals — so the home
page grows with the product without one view knowing every module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest], dict | None]  # None: nothing to show for this user
    order: int = 50


_PANELS: list[Panel] = []


def register_panel(
    template: str, context: Callable[[HttpRequest], dict | None], order: int = 50
) -> None:
    if any(p.template == template for p in _PANELS):
        return
    _PANELS.append(Panel(template, context, order))
    _PANELS.sort(key=lambda p: p.order)


def panels_for(request: HttpRequest) -> list[tuple[str, dict]]:
    shown = []
    for panel in _PANELS:
        context = panel.context(request)
        if context is not None:
            shown.append((panel.template, context))
    return shown
