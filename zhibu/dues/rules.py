"""The 党费 rulebook entry: DUES-11 (six consecutive months unpaid without reason → the
自行脱党 procedure, the dues part of MBR-06).

Judged as of a day (snapshot) over the months before it, set-based: the arrears selector's
four queries plus one for the cases the branch already settled. Five months unpaid is a
reminder on the branch's sheet and the member's page (DUES-10), never a finding.

MBR-06 (zhibu/meetings/rules.py) checks only the organisational-life part: meetings sit
below dues in the layers and cannot read payments, so the dues part is this rule, filed
under its own code with both citations. The cockpit shows both findings side by side.
"""

from __future__ import annotations

from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db.models import Min, Q
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
from zhibu.dues.models import LapseCase, Payment
from zhibu.dues.selectors import arrears
from zhibu.orgs.models import Org


@register
class DuesUnpaid(Rule):
    """Members on the roll whose last ``months`` complete months are all unpaid, with no
    exemption (DUES-06), no deferral with a recorded reason, and no branch decision that
    they had a good reason. "Suspect", not a verdict: the branch decides (LapseCase)."""

    code = "DUES-11"
    reads = (
        "dues.LapseCase",
        "dues.Payment",
        "dues.Relief",
        "dues.DuesBase",
        "dues.DuesPolicy",
        "members.Member",
        "members.MemberSpan",
    )
    title = "连续 6 个月不交纳党费，应核实是否无正当理由并启动自行脱党处置程序"
    citation = Citation("党费规定", "第十三条", Confidence.CONFIRMED, note="党章 第九条")
    kinds = frozenset(Org.BRANCH_KINDS)
    params = (Param("months", "连续月数", 6, "个月", stricter="lower"),)
    module = "dues"
    action = Action(gettext_lazy("登记支部处置"), "dues:lapse_new", target="member")

    def evaluate(self, ctx: Context):
        months = ctx.params["months"]
        seen: set[int] = set()
        # A branch's ledger in Zhibu starts with the first month it recorded: months before
        # that are not known to be unpaid, and a branch that records no dues here is not
        # judged at all (its ledger is kept elsewhere).
        kept_since = dict(
            Payment.objects.filter(org__in=ctx.org_in)
            .values("org")
            .annotate(first=Min("month"))
            .values_list("org", "first")
        )
        current = ctx.on.year * 12 + ctx.on.month
        # Only the branches keeping their ledger here are judged, so only their members'
        # arrears are read (none at all in a tree that keeps dues elsewhere).
        kept = Q(org__in=sorted(kept_since))
        found = [
            a
            for a in arrears(kept, ctx.on, window=months + 1, orgs_seen=seen)
            if a.org_id in kept_since
            and current - _month_index(max(a.since, kept_since[a.org_id])) >= months
        ]
        seen &= set(kept_since)
        settled = set(
            LapseCase.objects.filter(
                member__in=[a.member_id for a in found],
                decision=LapseCase.Decision.REASON,
                decided_on__gte=ctx.on - relativedelta(months=months),
            ).values_list("member", flat=True)
        )
        flagged = defaultdict(list)
        for item in found:
            if item.member_id not in settled:
                flagged[item.org_id].append(item)
        outcomes = []
        for org in ctx.orgs:
            for item in flagged.get(org.pk, ()):
                values = {
                    "name": item.name,
                    "since": item.since.strftime("%Y-%m"),
                    "n": item.months,
                }
                text = (
                    _(
                        "%(name)s自 %(since)s 起连续 %(n)s 个月未交纳党费，且无减免、缓交记录。"
                        "请支部核实有无正当理由；无正当理由的，按自行脱党启动除名程序（党费规定第十三条、党章第九条）。"
                    )
                    % values
                )
                outcomes.append(
                    Outcome(
                        org.pk,
                        Status.SUSPECT,
                        text,
                        {"months": item.months, "since": item.since.isoformat()},
                        subject_type="member",
                        subject_id=item.member_id,
                        refs=[f"member:{item.public_id}"],
                    )
                )
            if org.pk in seen and not flagged.get(org.pk):
                text = _("党员均未连续 %(n)s 个月不交纳党费。") % {"n": months}
                outcomes.append(Outcome(org.pk, Status.OK, text, {"months": months}))
        return outcomes


def _month_index(day) -> int:
    return day.year * 12 + day.month
