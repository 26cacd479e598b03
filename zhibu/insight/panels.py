from __future__ import annotations

from django.utils import timezone

from zhibu.accounts import permissions
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
