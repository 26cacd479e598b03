"""Rulebook entries about setting up and running organisations (docs/rules.md, ORG rows).

They count members and committees, so they live here, above the roll (see the package).

Each rule is computed for all orgs of the context at once: a few aggregate queries,
then pure Python over the results. They are "snapshot" rules, judged as of a day.
"""

from __future__ import annotations

from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, Q
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
from zhibu.members.models import Member
from zhibu.members.selectors import counts_on, spans_on
from zhibu.orgs.models import Committee, CommitteePost, Org, Unit

BRANCHES = frozenset(Org.BRANCH_KINDS)
WITH_COMMITTEE = frozenset(Org.BRANCH_KINDS | Org.COMMITTEE_KINDS)
FULL = (Member.Status.FULL,)
ON_ROLL = (Member.Status.FULL, Member.Status.PROBATIONARY)


def committees_on(ctx: Context) -> dict[int, Committee]:
    """The committee in office on ``ctx.on`` for each org of the context."""
    rows = Committee.objects.filter(org__in=ctx.org_in, elected_on__lte=ctx.on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=ctx.on)
    )
    current: dict[int, Committee] = {}
    for committee in rows.order_by("elected_on"):
        current[committee.org_id] = committee
    return current


def committees_in_office(ctx: Context) -> set[int]:
    """Ids of the orgs of the context with a committee in office on ``ctx.on``.

    The run's committees are read once (as plain values) and judged per day in Python:
    a year's twelve monthly evaluations share one query and build no model objects."""
    terms = ctx.shared.setdefault("committee-terms", [])  # [(org id, elected, ended)]
    loaded = ctx.shared.setdefault("committee-terms-loaded", set())
    ids = {org.id for org in ctx.orgs}
    missing = ids - loaded
    if missing:
        rows = Committee.objects.filter(org__in=ctx.org_in if not loaded else sorted(missing))
        terms += [
            row for row in rows.values_list("org", "elected_on", "ended_on") if row[0] in missing
        ]
        loaded |= missing
    on = ctx.on
    return {
        org_id
        for org_id, elected, ended in terms
        if elected <= on and (ended is None or ended > on) and org_id in ids
    }


def secretaries_on(ctx: Context) -> dict[int, CommitteePost]:
    """The secretary in office on ``ctx.on`` for each org of the context, with the holder's
    name, public id and party dates only: the holder's encrypted fields (ID number, phone)
    are not read, and so not decrypted once per branch."""
    rows = (
        CommitteePost.objects.filter(
            org__in=ctx.org_in, post=CommitteePost.Post.SECRETARY, start__lte=ctx.on
        )
        .filter(Q(end__isnull=True) | Q(end__gt=ctx.on))
        .select_related("holder")
        .only(
            "org_id",
            "holder_id",
            "start",
            "end",
            "holder__name",
            "holder__public_id",
            "holder__admitted_on",
            "holder__full_on",
        )
    )
    return {post.org_id: post for post in rows}


@register
class UnitWithoutOwnBranch(Rule):
    code = "ORG-01"
    dated = ("members.MemberSpan.start", "members.MemberSpan.end")
    reads = ("members.Member", "members.MemberSpan", "orgs.Org_units", "orgs.Unit")
    title = "有正式党员 3 人以上的单位应单独成立党支部"
    citation = Citation("条例", "第四条", Confidence.CONFIRMED)
    kinds = BRANCHES
    params = (Param("min_full", "正式党员人数", 3, "人", stricter="lower"),)
    module = "orgs"

    def evaluate(self, ctx: Context):
        minimum = ctx.params["min_full"]
        per_unit_org: dict[int, dict[int, int]] = defaultdict(dict)
        rows = (
            spans_on(ctx.on, org_ids=ctx.org_in, statuses=FULL)
            .filter(member__work_unit__isnull=False)
            .values_list("member__work_unit", "org")
            .annotate(n=Count("member", distinct=True))
        )
        for unit_id, org_id, n in rows:
            per_unit_org[unit_id][org_id] = n
        candidates = [u for u, orgs in per_unit_org.items() if sum(orgs.values()) >= minimum]
        if not candidates:
            return []
        # A unit "has its own branch" when an existing branch serves that unit alone.
        served = (
            Org.objects.filter(kind__in=BRANCHES, established_on__lte=ctx.on)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=ctx.on))
            .annotate(n_units=Count("units"))
            .filter(n_units=1, units__in=candidates)
            .values_list("units", flat=True)
        )
        own = set(served)
        names = dict(Unit.objects.filter(pk__in=candidates).values_list("pk", "name"))
        outcomes = []
        for unit_id in candidates:
            orgs = per_unit_org[unit_id]
            total = sum(orgs.values())
            home = max(orgs, key=orgs.get)
            if unit_id in own:
                status, text = Status.OK, _("单位“%(unit)s”有正式党员 %(n)s 名，已单独成立党支部。")
            else:
                status, text = (
                    Status.MISSING,
                    _(
                        "单位“%(unit)s”有正式党员 %(n)s 名（不少于 %(min)s 名），尚未单独成立党支部。"
                    ),
                )
            outcomes.append(
                Outcome(
                    org_id=home,
                    status=status,
                    explanation=text % {"unit": names.get(unit_id, ""), "n": total, "min": minimum},
                    numbers={"full_members": total, "minimum": minimum},
                    subject_type="unit",
                    subject_id=unit_id,
                )
            )
        return outcomes


@register
class BranchTooLarge(Rule):
    code = "ORG-02"
    dated = ("members.MemberSpan.start", "members.MemberSpan.end")
    reads = ("members.MemberSpan",)
    title = "党支部党员人数一般不超过 50 人"
    citation = Citation("条例", "第四条", Confidence.CONFIRMED)
    kinds = BRANCHES
    params = (Param("max_members", "党员人数上限", 50, "人", stricter="lower"),)
    module = "orgs"

    def evaluate(self, ctx: Context):
        limit = ctx.params["max_members"]
        counts = counts_on(ctx.on, ctx.org_in, ON_ROLL)
        outcomes = []
        for org in ctx.orgs:
            n = counts.get(org.pk, 0)
            if n > limit:
                status = Status.DUE
                text = _("党员 %(n)s 名，超过 %(limit)s 名，宜成立党总支或分设党支部。")
            else:
                status = Status.OK
                text = _("党员 %(n)s 名，未超过 %(limit)s 名。")
            outcomes.append(
                Outcome(
                    org.pk, status, text % {"n": n, "limit": limit}, {"members": n, "limit": limit}
                )
            )
        return outcomes


@register
class CommitteeRequired(Rule):
    code = "ORG-04"
    dated = (
        "members.MemberSpan.start",
        "members.MemberSpan.end",
        "orgs.Committee.elected_on",
        "orgs.Committee.ended_on",
    )
    reads = ("members.MemberSpan", "orgs.Committee")
    action = Action(gettext_lazy("换届选举"), "orgs:elect")
    title = "正式党员 7 人以上的党支部应设立支部委员会"
    citation = Citation("条例", "第二十条", Confidence.ARTICLE_UNCERTAIN)
    kinds = BRANCHES
    params = (Param("min_full", "正式党员人数", 7, "人", stricter="lower"),)
    module = "orgs"

    def evaluate(self, ctx: Context):
        minimum = ctx.params["min_full"]
        counts = counts_on(ctx.on, ctx.org_in, FULL)
        committees = committees_on(ctx)
        outcomes = []
        for org in ctx.orgs:
            n = counts.get(org.pk, 0)
            numbers = {"full_members": n, "minimum": minimum}
            if n < minimum:
                text = _("正式党员 %(n)s 名，不足 %(min)s 名，设书记（可设副书记）即可。")
                outcomes.append(
                    Outcome(org.pk, Status.OK, text % {"n": n, "min": minimum}, numbers)
                )
            elif org.pk in committees:
                text = _("正式党员 %(n)s 名，已设立支部委员会。")
                outcomes.append(
                    Outcome(org.pk, Status.OK, text % {"n": n, "min": minimum}, numbers)
                )
            else:
                text = _("正式党员 %(n)s 名（不少于 %(min)s 名），尚未设立支部委员会。")
                outcomes.append(
                    Outcome(org.pk, Status.MISSING, text % {"n": n, "min": minimum}, numbers)
                )
        return outcomes


@register
class TermExpiry(Rule):
    code = "ORG-05"
    reads = ("orgs.Committee",)
    action = Action(gettext_lazy("换届选举"), "orgs:elect")
    title = "按期换届：村、社区党组织任期 5 年，其他基层党组织 3 年"
    citation = Citation(
        "条例", "第二十一条", Confidence.CONFIRMED, note="任期 C；提前提醒为地方/单位规定"
    )
    kinds = WITH_COMMITTEE
    params = (Param("remind_months", "届满前提醒（月）", 6, "个月", stricter="higher"),)
    module = "orgs"

    def evaluate(self, ctx: Context):
        remind = ctx.params["remind_months"]
        outcomes = []
        for org_id, committee in committees_on(ctx).items():
            ends = committee.term_ends_on
            numbers = {"term_ends_on": ends.isoformat(), "term_years": committee.term_years}
            values = {"n": committee.term_number, "day": ends, "years": committee.term_years}
            if ends <= ctx.on:
                status, text = (
                    Status.LATE,
                    _("第%(n)s届委员会任期（%(years)s年）已于 %(day)s 届满，应按期换届。"),
                )
            elif ends <= ctx.on + relativedelta(months=remind):
                status, text = (
                    Status.DUE,
                    _("第%(n)s届委员会任期将于 %(day)s 届满，请做好换届准备。"),
                )
            else:
                status, text = Status.OK, _("第%(n)s届委员会任期至 %(day)s。")
            outcomes.append(
                Outcome(
                    org_id,
                    status,
                    text % values,
                    numbers,
                    refs=[f"committee:{committee.public_id}"],
                )
            )
        return outcomes


@register
class SecretaryPartyAge(Rule):
    code = "ORG-07"
    reads = ("members.Member", "orgs.CommitteePost")
    action = Action(gettext_lazy("任免职务"), "orgs:post_add")
    title = "党支部书记一般应具有 1 年以上党龄"
    citation = Citation("条例", "第二十三条", Confidence.CONFIRMED)
    kinds = BRANCHES
    params = (Param("min_years", "党龄（年）", 1, "年", stricter="higher"),)
    module = "orgs"

    def evaluate(self, ctx: Context):
        minimum = ctx.params["min_years"]
        outcomes = []
        for org_id, post in secretaries_on(ctx).items():
            holder = post.holder
            age = holder.party_age_on(ctx.on)
            numbers = {"party_age": age, "minimum": minimum}
            if holder.full_on is None or holder.full_on > ctx.on:
                status, text = Status.SUSPECT, _("书记%(name)s尚未转正，不具备党龄。")
            elif age < minimum:
                status, text = Status.SUSPECT, _("书记%(name)s党龄 %(age)s 年，不足 %(min)s 年。")
            else:
                status, text = Status.OK, _("书记%(name)s党龄 %(age)s 年。")
            values = {"name": holder.name, "age": age, "min": minimum}
            outcomes.append(
                Outcome(org_id, status, text % values, numbers, refs=[f"member:{holder.public_id}"])
            )
        return outcomes


@register
class SecretaryVacant(Rule):
    code = "ORG-08"
    reads = ("members.Member", "orgs.CommitteePost")
    action = Action(gettext_lazy("任免职务"), "orgs:post_add")
    title = "书记空缺超过 6 个月"
    citation = Citation("地方", "", Confidence.LOCAL, note="基层党组织标准化考核评分表")
    kinds = WITH_COMMITTEE
    params = (Param("max_months", "空缺上限（月）", 6, "个月", stricter="lower"),)
    module = "orgs"

    def evaluate(self, ctx: Context):
        limit = ctx.params["max_months"]
        held = secretaries_on(ctx)
        vacant = [org for org in ctx.orgs if org.pk not in held]
        last_end = dict(
            CommitteePost.objects.filter(
                org__in=[o.pk for o in vacant], post=CommitteePost.Post.SECRETARY, end__lte=ctx.on
            )
            .values_list("org")
            .annotate(last=Max("end"))
        )
        outcomes = []
        for org in ctx.orgs:
            if org.pk in held:
                text = _("书记在任（%(name)s）。") % {"name": held[org.pk].holder.name}
                outcomes.append(Outcome(org.pk, Status.OK, text, {"vacant_days": 0}))
                continue
            since = max(filter(None, [last_end.get(org.pk), org.established_on]))
            days = (ctx.on - since).days
            numbers = {
                "vacant_since": since.isoformat(),
                "vacant_days": days,
                "limit_months": limit,
            }
            if since + relativedelta(months=limit) <= ctx.on:
                status, text = Status.LATE, _("书记职务自 %(day)s 起空缺，已超过 %(limit)s 个月。")
            else:
                status, text = Status.DUE, _("书记职务自 %(day)s 起空缺，请尽快配备。")
            outcomes.append(Outcome(org.pk, status, text % {"day": since, "limit": limit}, numbers))
        return outcomes


@register
class JointBranchUnits(Rule):
    code = "ORG-03"
    reads = ("orgs.Org_units", "orgs.Unit")
    title = "联合党支部覆盖单位一般不超过 5 个"
    citation = Citation("条例", "第五条", Confidence.ARTICLE_UNCERTAIN)
    kinds = frozenset({Org.Kind.JOINT_BRANCH})
    params = (Param("max_units", "覆盖单位上限", 5, "个", stricter="lower"),)
    module = "orgs"

    def evaluate(self, ctx: Context):
        limit = ctx.params["max_units"]
        counts = dict(
            Org.units.through.objects.filter(org__in=ctx.org_in)
            .values_list("org")
            .annotate(n=Count("unit"))
        )
        outcomes = []
        for org in ctx.orgs:
            n = counts.get(org.pk, 0)
            if n > limit:
                status = Status.DUE
                text = _("联合党支部覆盖 %(n)s 个单位，超过 %(limit)s 个，宜调整组织设置。")
            else:
                status, text = Status.OK, _("联合党支部覆盖 %(n)s 个单位。")
            values = {"n": n, "limit": limit}
            outcomes.append(Outcome(org.pk, status, text % values, {"units": n, "limit": limit}))
        return outcomes


@register
class CommitteeFiling(Rule):
    """The higher committee hears of every election, and approves every 书记 and 副书记.

    One outcome per committee in office (its filing) and one per serving secretary or
    deputy not yet approved: "filed" (备案) is enough for the committee, the two posts need
    "approved" (批准), which an approval of the whole committee also gives.
    """

    code = "ORG-06"
    reads = ("members.Member", "orgs.Committee", "orgs.CommitteePost")
    title = "委员会报上级党委备案，书记、副书记报上级党委批准"
    citation = Citation("条例", "第二十一条", Confidence.CONFIRMED, note="报送期限为地方/单位规定")
    kinds = WITH_COMMITTEE
    params = (Param("report_days", "报送期限（天）", 30, "天", stricter="lower"),)
    module = "orgs"

    def evaluate(self, ctx: Context):
        days = ctx.params["report_days"]
        # The filing's labels once (get_filing_display translates every label per call).
        how = {value: str(label) for value, label in Committee.Filing.choices}
        outcomes = []
        for org_id, committee in committees_on(ctx).items():
            deadline = committee.elected_on + relativedelta(days=days)
            numbers = {"filing": committee.filing, "elected_on": committee.elected_on.isoformat()}
            values = {"n": committee.term_number, "day": committee.elected_on, "days": days}
            if committee.filing == Committee.Filing.PENDING:
                numbers["deadline"] = deadline.isoformat()
                if deadline <= ctx.on:
                    status = Status.LATE
                    text = _(
                        "第%(n)s届委员会于 %(day)s 选举产生，超过 %(days)s 天仍未报上级党委备案或审批。"
                    )
                else:
                    status = Status.DUE
                    text = _(
                        "第%(n)s届委员会于 %(day)s 选举产生，请在 %(days)s 天内报上级党委备案或审批。"
                    )
            elif committee.filing == Committee.Filing.REJECTED:
                status = Status.LATE
                text = _("上级党委未批准第%(n)s届委员会的选举结果，请按批复要求处理后重新报批。")
            else:
                status = Status.OK
                text = _("第%(n)s届委员会：上级党委%(how)s。")
                values["how"] = how.get(committee.filing, committee.filing)
            outcomes.append(
                Outcome(
                    org_id,
                    status,
                    text % values,
                    numbers,
                    subject_type="committee",
                    subject_id=committee.pk,
                    refs=[f"committee:{committee.public_id}"],
                )
            )
        waiting = (
            CommitteePost.objects.filter(
                org__in=ctx.org_in,
                post__in=(CommitteePost.Post.SECRETARY, CommitteePost.Post.DEPUTY_SECRETARY),
                approved=False,
                start__lte=ctx.on,
            )
            .filter(Q(end__isnull=True) | Q(end__gt=ctx.on))
            .select_related("holder")
        )
        for post in waiting:
            values = {"post": post.get_post_display(), "name": post.holder.name, "day": post.start}
            values["days"] = days
            if post.start + relativedelta(days=days) <= ctx.on:
                status = Status.LATE
                text = _("%(post)s%(name)s自 %(day)s 任职，超过 %(days)s 天仍未经上级党委批准。")
            else:
                status = Status.DUE
                text = _("%(post)s%(name)s自 %(day)s 任职，须报上级党委批准。")
            outcomes.append(
                Outcome(
                    post.org_id,
                    status,
                    text % values,
                    {"post": post.post, "start": post.start.isoformat()},
                    subject_type="post",
                    subject_id=post.pk,
                    refs=[f"member:{post.holder.public_id}"],
                )
            )
        return outcomes
