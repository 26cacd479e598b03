"""RESP-03: every year the committee directly above an organisation reviews its secretary's
抓基层党建 work (述职评议考核, 《党委（党组）书记抓基层党建工作述职评议考核办法（试行）》
art. 3). The annual review is confirmed (C); its deadline and the grades' thresholds are
local (L) parameters a local supplement may tighten.

The finding is filed at the organising committee (the one that owes the review), one per
secretary whose review for last year is missing after the deadline (default 31 March).
The secretary is the holder of the subordinate's 书记 post on the last day of the year
reviewed; a subordinate without a secretary then has nobody to review.

Set-based: the subordinates of all orgs in one query, their secretaries in one, the
reviews in one — three queries whatever the size of the tree.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils.translation import gettext_lazy

from zhibu.core.rules import Action, Citation, Confidence, Context, Outcome, Param, Rule, register
from zhibu.core.rules import Status as S
from zhibu.core.rules.messages import msg as _
from zhibu.core.scope import parent_path, subtree_q
from zhibu.orgs.models import CommitteePost, Org
from zhibu.reviews.models import SecretaryReview

CODE = "RESP-03"
REVIEWED_KINDS = frozenset(Org.COMMITTEE_KINDS | Org.BRANCH_KINDS)


def review_deadline(year: int, params: dict[str, int]) -> date:
    """The day by which ``year - 1``'s reviews are due (default 31 March of ``year``); a
    day past the month's end is the month's last day."""
    month = min(max(params.get("due_month", 3), 1), 12)
    first = date(year, month, 1)
    last = first + relativedelta(months=1) - timedelta(days=1)
    return first.replace(day=min(max(params.get("due_day", 31), 1), last.day))


@register
class SecretaryReviewed(Rule):
    code = CODE
    reads = ("reviews.SecretaryReview", "orgs.CommitteePost", "members.Member")
    title = "书记抓基层党建述职评议考核：上级党组织每年组织直接下级党组织书记述职评议"
    citation = Citation(
        "述职办法", "第三条", Confidence.CONFIRMED, note="等次和完成期限为地方/单位规定"
    )
    kinds = frozenset(Org.COMMITTEE_KINDS)
    period_kind = "snapshot"
    live_only = True
    module = "reviews"
    params = (
        Param("due_month", "上年度述职评议完成期限（月）", 3, "月", stricter="lower"),
        Param("due_day", "上年度述职评议完成期限（日）", 31, "日", stricter="lower"),
        Param("majority_percent", "评定等次所需票数比例（超过）", 50, "%", stricter="higher"),
    )
    action = Action(gettext_lazy("组织述职评议"), "reviews:organise")

    def evaluate(self, ctx: Context):
        year = ctx.on.year - 1
        year_end = date(year, 12, 31)
        organisers = {org.path: org for org in ctx.orgs}
        depths = {org.depth + 1 for org in ctx.orgs}
        # Every org one level below some organiser (its parent's path is an organiser's).
        subordinates = [
            (pk, public_id, path, name)
            for pk, public_id, path, name in Org.objects.filter(
                depth__in=depths,
                kind__in=REVIEWED_KINDS,
                established_on__lte=year_end,
            )
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=year_end))
            .filter(subtree_q(organisers))
            .values_list("pk", "public_id", "path", "name")
            if parent_path(path) in organisers
        ]
        ids = [row[0] for row in subordinates]
        secretaries = dict(
            CommitteePost.objects.filter(
                org__in=ids, post=CommitteePost.Post.SECRETARY, start__lte=year_end
            )
            .filter(Q(end__isnull=True) | Q(end__gt=year_end))
            .values_list("org", "holder__name")
        )
        reviewed = set(
            SecretaryReview.objects.filter(org__in=ids, year=year).values_list("org", flat=True)
        )
        deadline = review_deadline(ctx.on.year, ctx.params)
        outcomes, having, flagged = [], set(), set()
        for pk, public_id, path, name in subordinates:
            if pk not in secretaries:
                continue
            organiser = organisers[parent_path(path)]
            having.add(organiser.pk)
            if pk in reviewed:
                continue
            flagged.add(organiser.pk)
            values = {"org": name, "who": secretaries[pk], "year": year, "deadline": deadline}
            if ctx.on > deadline:
                status = S.MISSING
                text = _(
                    "%(org)s书记%(who)s的%(year)s年度述职评议已过完成期限（%(deadline)s），尚未组织。"
                )
            else:
                status = S.DUE
                text = _("%(org)s书记%(who)s的%(year)s年度述职评议待组织，完成期限 %(deadline)s。")
            outcomes.append(
                Outcome(
                    organiser.pk,
                    status,
                    text % values,
                    {"year": year, "deadline": deadline.isoformat()},
                    subject_type="org",
                    subject_id=pk,
                    refs=[f"org:{public_id}"],
                )
            )
        for org_id in sorted(having - flagged):
            outcomes.append(
                Outcome(
                    org_id, S.OK, _("%(year)s年度直接下级书记述职评议均已组织。") % {"year": year}
                )
            )
        return outcomes
