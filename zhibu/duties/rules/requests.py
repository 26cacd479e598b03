"""Rulebook entries for 请示 and 报告 (docs/rules.md, REQ rows;
《中国共产党重大事项请示报告条例》, 2019).

One registered rule per code; a code whose row holds several requirements judges them
together (REQ-01: one level at a time, and the yearly reports owed to the level above).
Each rule reads the documents of a whole subtree and year with one or two queries:

- REQ-01 — documents sent over the direct parent's head (越级, allowed with a reason but
  flagged ``suspect``) and the yearly reports a committee's ``ReportSchedule`` asks of the orgs below it, not yet filed (``due``
  before the due day, ``missing`` after it);
- REQ-03 — a 请示 sent without the meeting that studied it collectively (``suspect``);
- REQ-05 — a 报告 sent although it asks for approval (请示夹在报告中, ``suspect``);
- REQ-06 — the receiver's answer to a 请示: ``due`` while within the time limit of its
  urgency (working days, local parameters), ``late`` past it, also when answered late.

REQ-02 (copy the second leading organisation) and REQ-04 (request before acting) are
checked where a document is written (the copy-to org) or left to people: no record says
whether an organisation is under dual leadership or acted before asking.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import ClassVar

from django.utils.translation import gettext_lazy

from zhibu.core.rules import (
    Action,
    Citation,
    Confidence,
    Context,
    Outcome,
    Param,
    Period,
    Rule,
    Status,
    register,
)
from zhibu.core.rules.messages import msg as _
from zhibu.duties.models import ReportSchedule, Request
from zhibu.orgs.models import Org

# Senders and receivers that are judged: committees and branches (a 党小组 rarely writes).
JUDGED = frozenset(Org.COMMITTEE_KINDS | Org.BRANCH_KINDS)
SENT = (Request.Status.SENT, Request.Status.ANSWERED, Request.Status.RETURNED)

# Phrases that ask for approval: a 报告 containing one carries a hidden 请示 (REQ-05).
# Matched after removing spaces and punctuation, so "妥否，请批复" matches "妥否请批复".
REQUEST_PHRASES: tuple[str, ...] = (
    "妥否请批复",
    "请批准",
    "请予批准",
    "请批示",
    "请审批",
    "请批复",
    "请核准",
    "请予审定",
    "请指示",
)
_NOISE = re.compile(r"[\s，,。．.、；;：:！!？?“”\"'（）()]+")

# The REQ-06 parameter holding each urgency's time limit.
URGENCY_PARAMS: dict[str, str] = {
    Request.Urgency.VERY_URGENT: "very_urgent_days",
    Request.Urgency.URGENT: "urgent_days",
    Request.Urgency.NORMAL: "normal_days",
}


def asks_for_approval(text: str, phrases: tuple[str, ...] | None = None) -> str | None:
    """The first phrase of ``phrases`` (default ``REQUEST_PHRASES``) found in ``text``."""
    plain = _NOISE.sub("", text)
    for phrase in phrases if phrases is not None else REQUEST_PHRASES:
        if _NOISE.sub("", phrase) in plain:
            return phrase
    return None


def _period(rule: Rule, ctx: Context) -> Period:
    return ctx.period or Period.containing(rule.period_kind, ctx.on)


def _ref(public_id) -> list[str]:
    return [f"request:{public_id}"]


class RequestRule(Rule):
    kinds = JUDGED
    period_kind = "year"
    reads = ("duties.Request", "duties.ReportSchedule")
    module = "duties"
    action = Action(gettext_lazy("请示报告"), "duties:requests_org")

    def sent(self, ctx: Context, **filters):
        """Documents the orgs sent in the period (one query)."""
        period = _period(self, ctx)
        return Request.objects.filter(
            sender__in=ctx.org_in,
            status__in=SENT,
            sent_on__gte=period.start,
            sent_on__lt=period.end,
            **filters,
        )

    def flagged(self, ctx: Context, text, **filters) -> list[Outcome]:
        """One ``suspect`` per flagged document, one ``ok`` per org without any."""
        rows = self.sent(ctx, **filters).values_list(
            "pk", "public_id", "sender_id", "subject", "sent_on", "receiver__name"
        )
        outcomes, flagged = [], set()
        for pk, public_id, sender_id, subject, sent_on, receiver in rows:
            flagged.add(sender_id)
            values = {"subject": subject, "on": sent_on, "receiver": receiver}
            outcomes.append(
                Outcome(
                    sender_id,
                    Status.SUSPECT,
                    text % values,
                    {"sent_on": sent_on.isoformat()},
                    "request",
                    pk,
                    _ref(public_id),
                )
            )
        ok = _("本年度报送的请示报告未发现此类问题。")
        outcomes += [Outcome(org.pk, Status.OK, ok) for org in ctx.orgs if org.pk not in flagged]
        return outcomes


@register
class OneLevelAtATime(RequestRule):
    code = "REQ-01"
    title = "请示报告以组织名义向上级党组织报送，一般不越级；年度报告按时报送"
    citation = Citation("请示报告", "第三条、第六条", Confidence.CONFIRMED)

    def evaluate(self, ctx: Context):
        text = _("%(on)s 越级向%(receiver)s报送“%(subject)s”（已写明理由，请上级核实）。")
        outcomes = [o for o in self.flagged(ctx, text, skips_level=True) if o.status != Status.OK]
        period = _period(self, ctx)
        schedules = ctx.memo(
            "req-schedules",
            lambda: list(ReportSchedule.objects.filter(active=True).select_related("committee")),
            per_orgs=False,
        )
        filed = set(
            self.sent(ctx, kind=Request.Kind.REPORT)
            .exclude(schedule_key="")
            .values_list("sender_id", "schedule_key")
            .distinct()
        )
        for org in ctx.orgs:
            owed = [s for s in schedules if s.covers(org)]
            missing = [s for s in owed if (org.pk, s.key) not in filed]
            if not missing:
                outcomes.append(Outcome(org.pk, Status.OK, _("本年度应报送的年度报告均已报送。")))
                continue
            late = [s for s in missing if s.due_in(period.start.year) < ctx.on]
            status = Status.MISSING if late else Status.DUE
            names = "、".join(s.name for s in missing)
            due = min(s.due_in(period.start.year) for s in missing)
            text = _("尚未向上级党组织报送：%(names)s（最迟 %(due)s）。") % {
                "names": names,
                "due": due,
            }
            numbers = {"missing": [s.key for s in missing], "due": due.isoformat()}
            outcomes.append(Outcome(org.pk, status, text, numbers))
        return outcomes


@register
class StudiedAndSigned(RequestRule):
    code = "REQ-03"
    title = "请示报告经集体研究后由主要负责人签发"
    citation = Citation("请示报告", "第十八条", Confidence.CONFIRMED)

    def evaluate(self, ctx: Context):
        text = _("%(on)s 向%(receiver)s报送的请示“%(subject)s”未关联集体研究的会议记录。")
        return self.flagged(ctx, text, kind=Request.Kind.REQUEST, meeting__isnull=True)


@register
class OneMatterNoHiddenRequest(RequestRule):
    code = "REQ-05"
    title = "请示一文一事，不在报告中夹带请示事项"
    citation = Citation("请示报告", "第二十条", Confidence.CONFIRMED)
    # The phrases that make a 报告 a hidden 请示; a deployment may replace the tuple.
    phrases: ClassVar[tuple[str, ...]] = REQUEST_PHRASES

    def evaluate(self, ctx: Context):
        text = _(
            "%(on)s 向%(receiver)s报送的报告“%(subject)s”含有请求批准的内容（请示夹在报告中）。"
        )
        return self.flagged(ctx, text, kind=Request.Kind.REPORT, hidden_request=True)


@register
class ReceiverAnswers(Rule):
    code = "REQ-06"
    reads = ("duties.Request",)
    title = "上级党组织及时答复请示，紧急事项及时处理，超时向请示组织说明"
    citation = Citation("请示报告", "第二十二条、第二十三条", Confidence.CONFIRMED)
    kinds = JUDGED
    period_kind = "year"
    module = "duties"
    action = Action(gettext_lazy("答复请示"), "duties:request_detail", "request")
    params = (
        Param("very_urgent_days", "特急答复时限（工作日，地方/单位规定）", 2, "个工作日"),
        Param("urgent_days", "紧急答复时限（工作日，地方/单位规定）", 5, "个工作日"),
        Param("normal_days", "一般答复时限（工作日，地方/单位规定）", 15, "个工作日"),
    )

    def evaluate(self, ctx: Context):
        period = _period(self, ctx)
        rows = Request.objects.filter(
            receiver__in=ctx.org_in,
            kind=Request.Kind.REQUEST,
            status__in=SENT,
            due_on__isnull=False,
            sent_on__gte=period.start,
            sent_on__lt=period.end,
        ).values_list(
            "pk",
            "public_id",
            "receiver_id",
            "sender__name",
            "subject",
            "due_on",
            "status",
            "answered_on",
        )
        open_text = _("%(sender)s的请示“%(subject)s”待答复，时限 %(due)s。")
        late_text = _("%(sender)s的请示“%(subject)s”超过答复时限（%(due)s）仍未答复。")
        answered_late = _("%(sender)s的请示“%(subject)s”于 %(on)s 答复，超过时限（%(due)s）。")
        outcomes: list[Outcome] = []
        problems: dict[int, int] = defaultdict(int)
        for pk, public_id, receiver_id, sender, subject, due, status, answered_on in rows:
            assert due is not None  # filtered on due_on__isnull=False
            values = {"sender": sender, "subject": subject, "due": due, "on": answered_on}
            if status == Request.Status.SENT:
                late = due < ctx.on
                state, text = (Status.LATE, late_text) if late else (Status.DUE, open_text)
            elif answered_on and answered_on > due:
                state, text = Status.LATE, answered_late
            else:
                continue
            problems[receiver_id] += 1
            numbers = {"due": due.isoformat()}
            outcomes.append(
                Outcome(receiver_id, state, text % values, numbers, "request", pk, _ref(public_id))
            )
        ok = _("本年度收到的请示均已在时限内答复或退回。")
        outcomes += [Outcome(org.pk, Status.OK, ok) for org in ctx.orgs if org.pk not in problems]
        return outcomes
