"""What the duties list pages share: the organisation a list is narrowed to (``?org=``, the
cockpit's drill-down into one sub-organisation's subtree) and the chip that shows it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_for_user

VIEW = "finding.view"


def list_org(request: HttpRequest) -> Org | None:
    """The organisation named by ``?org=`` if the user may see its duties records (else
    404); None when the list is not narrowed. The list shows the organisation's subtree,
    or with ``&own=1`` (``own_only``) the organisation's own records (本级)."""
    wanted = request.GET.get("org", "")
    return org_for_user(request.user, wanted, action=VIEW) if wanted else None


def own_only(request: HttpRequest, org: Org | None) -> bool:
    return org is not None and request.GET.get("own") == "1"


def narrowed(request: HttpRequest, qs: QuerySet, field: str) -> tuple[QuerySet, dict]:
    """``qs`` narrowed to ``?org=`` (the selector did the subtree) and, with ``own=1``, to
    the records whose ``field`` is that organisation; and the context the chip needs."""
    org = list_org(request)
    own = own_only(request, org)
    if own:
        qs = qs.filter(**{field: org})
    return qs, {"list_org": org, "list_own": own, "org_query": org_query(org, own)}


def org_query(org: Org | None, own: bool = False) -> str:
    """``&org=<id>`` for links that keep the narrowing (pagination, export), or ""."""
    if org is None:
        return ""
    return f"&org={org.public_id}" + ("&own=1" if own else "")
