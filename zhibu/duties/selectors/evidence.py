"""Reads of evidence files, scoped like the records they prove."""

from __future__ import annotations

from django.http import Http404

from zhibu.accounts import permissions
from zhibu.duties.models import Evidence

VIEW = "finding.view"


def evidence_for(ref: str) -> list[Evidence]:
    """The files of one record, for its page (the page has checked access to the record)."""
    return list(Evidence.objects.filter(ref=ref))


def evidence_for_user(user, public_id) -> Evidence:
    """One file if ``user`` may see its organisation's duties records; else 404."""
    try:
        return Evidence.objects.filter(permissions.scope_q(user, VIEW, field="org__path")).get(
            public_id=public_id
        )
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
