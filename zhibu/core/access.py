"""Explicit access decisions on every view (deny by default).

Every view in the URLconf is wrapped by exactly one of these decorators, which records
the decision on the view function. ``AccessDecisionMiddleware`` refuses any view that
carries no decision, and a test walks the URLconf to prove none is missing.

- ``public``: reachable without login (login page, health check, language switch).
- ``login_only``: any signed-in user; the view shows only the user's own things.
- ``requires(action)``: the user must hold ``action`` at some org; which org and record
  is then the access helper's job (``org_for_user``, ``member_for_user`` ...), which
  answers 404 outside the user's scope.

Core knows no roles: the question "does this user hold the action anywhere?" is answered
by the check the accounts app installs at start-up (``set_action_check``). Until one is
installed every ``requires`` view is refused: deny by default.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied

ACCESS_ATTR = "zhibu_access"
PUBLIC = "public"
LOGIN = "login"

View = TypeVar("View", bound=Callable[..., Any])
ActionCheck = Callable[[Any, str], bool]

_action_check: ActionCheck | None = None


def set_action_check(check: ActionCheck) -> None:
    """Install the answer to "does ``user`` hold ``action`` at some org?" (accounts app)."""
    global _action_check  # one process-wide seam, set once in AppConfig.ready
    _action_check = check


def _mark(view: View, decision: str) -> View:
    setattr(view, ACCESS_ATTR, decision)
    return view


def public(view: View) -> View:
    """Anyone may call the view, signed in or not."""
    return _mark(login_not_required(view), PUBLIC)


def login_only(view: View) -> View:
    """Any signed-in user may call the view; it must show only the user's own data."""
    return _mark(view, LOGIN)


def requires(action: str) -> Callable[[View], View]:
    """The user must hold ``action`` somewhere, else 403 (which reveals no org or record)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if _action_check is None or not _action_check(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(wrapper, f"action:{action}")  # type: ignore[arg-type,return-value]

    return decorator


def decision_of(view: Callable[..., Any]) -> str | None:
    """The access decision recorded on a view (``functools.wraps`` carries it outward)."""
    return getattr(view, ACCESS_ATTR, None)
