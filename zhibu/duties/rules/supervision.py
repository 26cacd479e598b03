"""Rulebook entries for rectification and 督办 (docs/rules.md, RESP rows).

RESP-05: a rectification item still open after its deadline is overdue (整改逾期未销号).
RESP-01: a 督办 left unanswered past its reply deadline (or already escalated for that)
— the 党委's principal responsibility and the 纪委's supervisory responsibility are
exercised through 督办; the reply deadline itself is local practice (L).

Both are judged per responsible org with one aggregate query each, over the present
state of the records (``live_only``: a closed period keeps what was stored then).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy

from zhibu.core.rules import (
    Action,
    Citation,
    Confidence,
    Context,
    Outcome,
    Param,
    Rule,
    Status,
    register,
)
from zhibu.core.rules.messages import msg as _
from zhibu.duties.models import Rectification, Supervision

REFS_SHOWN = 20


@register
class RectificationOverdue(Rule):
    code = "RESP-05"
    reads = ("duties.Rectification",)
    title = "整改事项按期销号，逾期未销号的列为问题"
    citation = Citation(
        "地方",
        "",
        Confidence.LOCAL,
        note="整改闭环：问题→措施→责任人→期限→佐证→销号→复查（组织生活会问题见支部工作条例第十七条）",
    )
    params = (Param("grace_days", "逾期宽限（天）", 0, "天", stricter="lower"),)
    live_only = True
    module = "duties"
    action = Action(gettext_lazy("查看整改事项"), "duties:detail", "rectification")

    def evaluate(self, ctx: Context):
        cutoff = ctx.on - timedelta(days=ctx.params["grace_days"])
        late: dict[int, list[tuple]] = defaultdict(list)
        rows = (
            Rectification.objects.filter(
                org__in=ctx.org_in, status=Rectification.Status.OPEN, deadline__lt=cutoff
            )
            .order_by("deadline", "id")
            .values_list("org_id", "public_id", "deadline")
        )
        for org_id, public_id, deadline in rows:
            late[org_id].append((public_id, deadline))
        outcomes = []
        for org in ctx.orgs:
            items = late.get(org.pk)
            if not items:
                outcomes.append(
                    Outcome(org.pk, Status.OK, _("没有逾期未销号的整改事项。"), {"overdue": 0})
                )
                continue
            numbers = {"overdue": len(items), "earliest": items[0][1].isoformat()}
            text = _("%(n)s 项整改事项逾期未销号，最早的期限为 %(day)s。") % {
                "n": len(items),
                "day": items[0][1],
            }
            refs = [f"rectification:{public_id}" for public_id, _day in items[:REFS_SHOWN]]
            outcomes.append(Outcome(org.pk, Status.LATE, text, numbers, refs=refs))
        return outcomes


@register
class SupervisionUnanswered(Rule):
    code = "RESP-01"
    reads = ("duties.Supervision",)
    title = "督办事项按期回复，逾期未回复的逐级升级（提醒→督办→约谈建议）"
    citation = Citation(
        "地方",
        "",
        Confidence.LOCAL,
        note="党委主体责任、纪委监督责任的督办落实；回复时限按工作日计算",
    )
    params = (Param("reply_days", "督办回复时限（工作日）", 5, "个工作日", stricter="lower"),)
    live_only = True
    module = "duties"
    action = Action(gettext_lazy("查看督办"), "duties:supervision", "supervision")

    def evaluate(self, ctx: Context):
        rows = (
            Supervision.objects.filter(org__in=ctx.org_in, status=Supervision.Status.OPEN)
            .filter(Q(reply_due__lt=ctx.on) | Q(escalated_on__isnull=False))
            .order_by("reply_due", "id")
            .values_list("org_id", "public_id", "reply_due", "level")
        )
        late: dict[int, list[tuple]] = defaultdict(list)
        for org_id, public_id, due, level in rows:
            late[org_id].append((public_id, due, level))
        outcomes = []
        for org in ctx.orgs:
            items = late.get(org.pk)
            if not items:
                outcomes.append(
                    Outcome(org.pk, Status.OK, _("没有逾期未回复的督办。"), {"unanswered": 0})
                )
                continue
            top = max(level for _id, _due, level in items)
            numbers = {"unanswered": len(items), "level": top}
            if top >= Supervision.Level.INTERVIEW:
                text = _("%(n)s 项督办逾期未回复，已升级至约谈建议。") % {"n": len(items)}
            else:
                text = _("%(n)s 项督办逾期未回复，已逐级升级。") % {"n": len(items)}
            refs = [f"supervision:{public_id}" for public_id, _due, _lvl in items[:REFS_SHOWN]]
            outcomes.append(Outcome(org.pk, Status.LATE, text, numbers, refs=refs))
        return outcomes
