"""The built-in signal sources (registered in ``AccountabilityConfig.ready``).

Each is set-based over the viewer's subtree: a fixed number of queries whatever its size.

- ``rule_repeated``: the same rule failing in an organisation for N consecutive periods
  (N = ``settings.ZHIBU_ACCOUNTABILITY_CONSECUTIVE``, 3 by default). "Failing" is a stored
  finding with a problem status (逾期, 缺失, 存疑, 待办 left at the period's end) for a
  period that has ended; "consecutive" means each period starts where the previous one
  ended (months, quarters or years of the rule's own period). Findings of the last two
  years are read. One query.
- ``supervision_unanswered``: a 督办单 still 待回复 after its reply limit. One query.
- ``rectification_overdue_twice``: a rectification item that missed its deadline, was
  then extended or reopened, and is overdue again. Precisely, from the item's history
  (django-simple-history): it is open now past its deadline (the second miss), and
  earlier an open episode ended *after* the deadline then in force — by a 销号 dated
  after that deadline (then reopened at 复查 or by re-evaluation), or by the deadline
  being moved later once it had passed (an extension after the miss). A 销号 on time
  that was reopened, or an extension granted before the deadline, is not a miss. Two
  queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from zhibu.core.rules.base import PROBLEM_STATUSES
from zhibu.core.rules.models import Finding
from zhibu.core.scope import subtree_q
from zhibu.duties.models import Rectification, Supervision

from .sources import Signal

RULE_REPEATED = "rule_repeated"
SUPERVISION_UNANSWERED = "supervision_unanswered"
RECTIFICATION_TWICE = "rectification_overdue_twice"
DEFAULT_CONSECUTIVE = 3
WINDOW_DAYS = 731  # the findings read: periods ended within the last two years


def consecutive_periods() -> int:
    """N, the local parameter (a deployment setting), never less than 2."""
    return max(2, int(getattr(settings, "ZHIBU_ACCOUNTABILITY_CONSECUTIVE", DEFAULT_CONSECUTIVE)))


def rule_repeated(paths: list[str], day: date) -> list[Signal]:
    n = consecutive_periods()
    rows = (
        Finding.objects.filter(
            subtree_q(paths, field="org_path"),
            status__in=PROBLEM_STATUSES,
            period_end__lte=day,
            period_end__gt=day - timedelta(days=WINDOW_DAYS),
        )
        .values(
            "org_id", "org__public_id", "rule_code", "period_code", "period_start", "period_end"
        )
        .annotate(last=Max("id"))
        .order_by("org_id", "rule_code", "period_start", "period_code")
    )
    # One chain per org, rule and kind of period (a code's length tells it: 2026, 2026Q1,
    # 2026-01), so a year followed by a quarter is never "consecutive".
    runs: dict[tuple[int, str, int], list[list[dict]]] = defaultdict(list)
    for row in rows:
        chains = runs[(row["org_id"], row["rule_code"], len(row["period_code"]))]
        if chains and chains[-1][-1]["period_end"] == row["period_start"]:
            chains[-1].append(row)
        else:
            chains.append([row])
    found = []
    for (org_id, code, _kind), chains in runs.items():
        for chain in chains:
            if len(chain) < n:
                continue
            first, last = chain[0], chain[-1]
            found.append(
                Signal(
                    kind=RULE_REPEATED,
                    key=f"{first['org__public_id']}:{code}:{first['period_code']}",
                    org_id=org_id,
                    title=_("%(rule)s 连续 %(n)s 个期间未通过（%(first)s 至 %(last)s）")
                    % {
                        "rule": code,
                        "n": len(chain),
                        "first": first["period_code"],
                        "last": last["period_code"],
                    },
                    evidence_url=reverse("duties:finding", args=[last["last"]]),
                    since=chain[n - 1]["period_end"],
                )
            )
    return found


def supervision_unanswered(paths: list[str], day: date) -> list[Signal]:
    rows = Supervision.objects.filter(
        subtree_q(paths, field="org__path"),
        status=Supervision.Status.OPEN,
        reply_due__lt=day,
    ).only("public_id", "org_id", "target_label", "reply_due", "level")
    return [
        Signal(
            kind=SUPERVISION_UNANSWERED,
            key=str(item.public_id),
            org_id=item.org_id,
            title=_("%(level)s“%(target)s”逾期未回复（回复期限 %(due)s）")
            % {
                "level": item.get_level_display(),
                "target": item.target_label[:60],
                "due": item.reply_due,
            },
            evidence_url=reverse("duties:supervision", args=[item.public_id]),
            since=item.reply_due + timedelta(days=1),
        )
        for item in rows
    ]


def missed_before(history: list[dict]) -> bool:
    """Whether an earlier open episode of the item ended after its deadline then (see the
    module's note); ``history`` is the item's rows, oldest first."""
    previous = None
    for row in history:
        if previous is not None and previous["status"] == Rectification.Status.OPEN:
            closed = row["status"] != Rectification.Status.OPEN
            if closed or row["deadline"] != previous["deadline"]:
                ended = (
                    row["closed_on"] if closed and row["closed_on"] else row["history_date"].date()
                )
                if ended > previous["deadline"]:
                    return True
        previous = row
    return False


def rectification_overdue_twice(paths: list[str], day: date) -> list[Signal]:
    candidates = Rectification.objects.filter(
        subtree_q(paths, field="org__path"),
        status=Rectification.Status.OPEN,
        deadline__lt=day,
    )
    overdue = list(candidates.only("id", "public_id", "org_id", "problem", "deadline"))
    if not overdue:
        return []
    history: dict[int, list[dict]] = defaultdict(list)
    rows = (
        Rectification.history.filter(id__in=candidates.values("id"))
        .order_by("id", "history_date", "history_id")
        .values("id", "status", "deadline", "closed_on", "history_date")
    )
    for row in rows:
        history[row["id"]].append(row)
    return [
        Signal(
            kind=RECTIFICATION_TWICE,
            key=str(item.public_id),
            org_id=item.org_id,
            title=_("整改事项“%(problem)s”再次逾期（整改期限 %(deadline)s）")
            % {"problem": item.problem[:60], "deadline": item.deadline},
            evidence_url=reverse("duties:detail", args=[item.public_id]),
            since=item.deadline + timedelta(days=1),
        )
        for item in overdue
        if missed_before(history[item.id])
    ]
