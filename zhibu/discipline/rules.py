"""Rulebook entries for discipline records (DISC-02..05), set-based over the subtree.

The periods of effect are national rows (纪律 arts. 10–13); their lengths are parameters a
local supplement may only lengthen (``stricter="higher"``). The records are stored with
their periods computed (``zhibu.discipline.periods``), so each rule below is one or two
queries over all the orgs of a run.

The findings sit at the *deciding* organisation and carry counts only — never a name, a
kind of record or a reference to it: a finding is read by everyone holding
``finding.view`` there, a wider circle than the records' strict scope (DISC).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import ClassVar

from django.db.models import Q

from zhibu.core.rules import Citation, Confidence, Context, Outcome, Param, Rule, Status, register
from zhibu.core.rules.messages import Message
from zhibu.core.rules.messages import msg as _
from zhibu.discipline import ranks
from zhibu.discipline.models import DisciplineRecord
from zhibu.orgs.models import CommitteePost, Org

K = DisciplineRecord.Kind
DECIDERS = frozenset(Org.COMMITTEE_KINDS | Org.BRANCH_KINDS)

WARNING_CITATION = Citation("纪律", "第十条", Confidence.CONFIRMED)
REMOVAL_CITATION = Citation("纪律", "第十一条", Confidence.CONFIRMED)
PROBATION_CITATION = Citation("纪律", "≈第十二条", Confidence.ARTICLE_UNCERTAIN)
EXPULSION_CITATION = Citation("纪律", "≈第十三条", Confidence.ARTICLE_UNCERTAIN)
INTRODUCER_CITATION = Citation("细则", "第十四条", Confidence.CONFIRMED)
FORMS_CITATION = Citation("监督", "第七条", Confidence.CONFIRMED)


class DisciplineRule(Rule):
    kinds = DECIDERS
    period_kind = "snapshot"
    reads = ("discipline.DisciplineRecord", "orgs.CommitteePost", "members.Member")
    live_only = True
    module = "discipline"


def _records(ctx: Context):
    return DisciplineRecord.objects.filter(
        deciding_org__in=ctx.org_in,
        status=DisciplineRecord.Status.IN_EFFECT,
        decided_on__lte=ctx.on,
    )


def _post_rows(member_ids, on: date):
    """{member: [(post, org level, start)]} for posts held on ``on`` or started later."""
    out: dict[int, list] = defaultdict(list)
    for holder, post, kind, start, end in (
        CommitteePost.objects.filter(holder__in=member_ids)
        .filter(Q(end__isnull=True) | Q(end__gt=on))
        .values_list("holder", "post", "org__kind", "start", "end")
    ):
        out[holder].append((post, kind, start, end))
    return out


@register
class PromotionWithinWarning(DisciplineRule):
    code = "DISC-02"
    title = "警告一年内、严重警告一年半内，不得在党内提升职务"
    citation = WARNING_CITATION
    params: ClassVar[tuple[Param, ...]] = (
        Param("warning_months", "警告影响期（月）", 12, "个月", stricter="higher"),
        Param("serious_months", "严重警告影响期（月）", 18, "个月", stricter="higher"),
    )
    kinds_checked: ClassVar[tuple[str, ...]] = (K.WARNING, K.SERIOUS_WARNING)
    strict = True  # only a *higher* post is barred

    def evaluate(self, ctx: Context):
        rows = list(
            _records(ctx)
            .filter(kind__in=self.kinds_checked, effect_until__gt=ctx.on)
            .values_list("deciding_org", "member", "decided_on", "ref_post", "ref_org__kind")
        )
        posts = _post_rows({r[1] for r in rows}, ctx.on)
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for org_id, member, decided_on, ref_post, ref_kind in rows:
            ref = ranks.rank(ref_post, ref_kind)
            counts[org_id][0] += 1
            if any(
                start >= decided_on and ranks.barred(ranks.rank(post, kind), ref, self.strict)
                for post, kind, start, _end in posts.get(member, ())
            ):
                counts[org_id][1] += 1
        return [self._outcome(org_id, n, bad) for org_id, (n, bad) in counts.items()]

    def _outcome(self, org_id: int, n: int, bad: int) -> Outcome:
        numbers = {"in_effect": n, "violations": bad}
        if bad:
            text = _(
                "本组织作出、尚在影响期内的处分中，有 %(bad)s 人在影响期内担任了受限制的党内职务，"
                "请纪检部门核查（名单仅纪检角色可见）。"
            ) % {"bad": bad}
            return Outcome(org_id, Status.SUSPECT, text, numbers)
        text = _("影响期内的处分 %(n)s 件，未发现违规任职。") % {"n": n}
        return Outcome(org_id, Status.OK, text, numbers)


@register
class PostWithinRemoval(PromotionWithinWarning):
    code = "DISC-03"
    title = "撤销党内职务处分二年内，不得在党内担任和向党外组织推荐担任与其原任职务相当或者高于其原任职务的职务"
    citation = REMOVAL_CITATION
    params = (Param("months", "撤销党内职务影响期（月）", 24, "个月", stricter="higher"),)
    kinds_checked = (K.REMOVAL,)
    strict = False  # an equal post is barred too


@register
class ProbationTerm(DisciplineRule):
    code = "DISC-04"
    title = "留党察看期间没有表决权、选举权和被选举权，党内职务应当撤销；期满应作出恢复党员权利或开除党籍的决定"
    citation = PROBATION_CITATION
    params = (
        Param(
            "after_months",
            "恢复党员权利后不得担任相当或更高职务（月）",
            24,
            "个月",
            stricter="higher",
        ),
    )

    def evaluate(self, ctx: Context):
        rows = list(
            _records(ctx)
            .filter(kind=K.PROBATION)
            .filter(Q(outcome="") | Q(outcome_on__gt=ctx.on))
            .values_list("deciding_org", "member", "effect_until")
        )
        posts = _post_rows({r[1] for r in rows}, ctx.on)
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for org_id, member, term_end in rows:
            counts[org_id][0] += 1
            if term_end is not None and term_end <= ctx.on:
                counts[org_id][1] += 1
            if any(start <= ctx.on for _p, _k, start, _e in posts.get(member, ())):
                counts[org_id][2] += 1
        outcomes = []
        for org_id, (n, ended, holding) in counts.items():
            numbers = {"on_probation": n, "term_ended": ended, "holding_post": holding}
            problems = []
            if ended:
                problems.append(
                    _("%(n)s 人察看期已满，尚未作出恢复党员权利或开除党籍的决定") % {"n": ended}
                )
            if holding:
                problems.append(
                    _("%(n)s 人在留党察看期间仍担任党内职务，应予撤销") % {"n": holding}
                )
            if problems:
                text = _("本组织决定的留党察看中，%(list)s（名单仅纪检角色可见）。") % {
                    "list": Message.join("；", problems)
                }
                status = Status.LATE if ended else Status.SUSPECT
                outcomes.append(Outcome(org_id, status, text, numbers))
            else:
                text = _("留党察看 %(n)s 人，均在察看期内且未担任党内职务。") % {"n": n}
                outcomes.append(Outcome(org_id, Status.OK, text, numbers))
        return outcomes
