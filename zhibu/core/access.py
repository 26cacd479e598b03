"""Explicit access decisions on every view (deny by default).

Every view in the URLconf is wrapped by exactly one of these decorators, which records
the decision on the view function. ``AccessDecisionMiddleware`` refuses any view that
carries no decision, and a test walks the URLconf to prove none is missing.

- ``public``: reachable without login (login page, health check, language switch).
- ``login_only``: any signed-in user; the view shows only the user's own things.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required

ACCESS_ATTR = "zhibu_access"
PUBLIC = "public"
LOGIN = "login"

View = TypeVar("View", bound=Callable[..., Any])


def _mark(view: View, decision: str) -> View:
    setattr(view, ACCESS_ATTR, decision)
    return view


def public(view: View) -> View:
    """Anyone may call the view, signed in or not."""
    return _mark(login_not_required(view), PUBLIC)


def login_only(view: View) -> View:
    """Any signed-in user may call the view; it must show only the user's own data."""
    return _mark(view, LOGIN)


def decision_of(view: Callable[..., Any]) -> str | None:
    """The access decision recorded on a view (``functools.wraps`` carries it outward)."""
    return getattr(view, ACCESS_ATTR, None)
