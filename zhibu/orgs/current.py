"""The org a user is working in (shown in the top bar; pages default to it).

It is one of the orgs where the user holds an active role, chosen in the top-bar
switcher and remembered in the session; by default the highest one.
"""

from __future__ import annotations

from zhibu.accounts.permissions import granted_orgs
from zhibu.orgs.models import Org

SESSION_KEY = "zhibu_current_org"


def switchable_orgs(request) -> list[Org]:
    cached = getattr(request, "_zhibu_switchable", None)
    if cached is not None:
        return cached
    orgs = sorted(granted_orgs(request.user), key=lambda o: (o.depth, o.path))
    request._zhibu_switchable = orgs
    return orgs


def current_org(request) -> Org | None:
    orgs = switchable_orgs(request)
    if not orgs:
        return None
    wanted = request.session.get(SESSION_KEY)
    for org in orgs:
        if str(org.public_id) == wanted:
            return org
    return orgs[0]


def set_current_org(request, org: Org) -> bool:
    if any(o.pk == org.pk for o in switchable_orgs(request)):
        request.session[SESSION_KEY] = str(org.public_id)
        return True
    return False
