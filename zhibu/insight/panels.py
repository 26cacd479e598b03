from __future__ import annotations

from django.utils import timezone

from zhibu.accounts import permissions
from zhibu.core.rules.models import Exemption
from zhibu.development.models import Override
from zhibu.rulebook.reminders import open_problems

TODO_LIMIT = 15


def todo_panel(request) -> dict | None:
    """The to-do list: open problem findings in the user's scope, most urgent first."""
    if not permissions.holds_anywhere(request.user, "finding.view"):
        return None
    problems = list(open_problems(request.user, timezone.localdate())[: TODO_LIMIT + 1])
    more = 0
    if len(problems) > TODO_LIMIT:
        more = open_problems(request.user, timezone.localdate()).count() - TODO_LIMIT
    return {"items": problems[:TODO_LIMIT], "more": more}


APPROVALS_LIMIT = 10


def approvals_panel(request) -> dict | None:
    """Requests waiting for this user's decision: exemptions from a rule for an org or
    member, and special approvals (特批) for a development step. None: nothing waits."""
    user = request.user
    exemptions = list(
        Exemption.objects.filter(state=Exemption.State.REQUESTED)
        .filter(permissions.scope_q(user, "exemption.approve", field="org__path"))
        .select_related("org", "member", "requested_by")
        .order_by("requested_at")[:APPROVALS_LIMIT]
    )
    overrides = list(
        Override.objects.filter(state=Override.State.REQUESTED)
        .filter(permissions.scope_q(user, "development.approve", field="case__org__path"))
        .select_related("case", "case__org", "requested_by")
        .order_by("requested_at")[:APPROVALS_LIMIT]
    )
    if not exemptions and not overrides:
        return None
    return {"exemptions": exemptions, "overrides": overrides}
