"""Rulebook entries about members (docs/rules.md, MBR and DQ rows).

Snapshot rules judged as of a day. Each reads all orgs of the context with a fixed number
of queries (never one per org or per member); problems are reported per member
(``subject_type="member"``) and every org without a problem gets one "ok" outcome.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy

from zhibu.core.dbfunctions import AddYears
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
from zhibu.core.rules.params import param_groups
from zhibu.core.rules.registry import in_force
from zhibu.members import idnumber
from zhibu.members.models import Member, MemberEvent, MemberSpan, Mobility, Transfer
from zhibu.members.selectors import spans_on
from zhibu.members.services import probation_end
from zhibu.orgs.models import Org

BRANCHES = frozenset(Org.BRANCH_KINDS)
ON_ROSTER = tuple(Member.ON_ROSTER)
# Transfers that count as "the affiliation is being (or was) moved" for MBR-03.
LIVE_TRANSFER = (
    Transfer.Status.REQUESTED,
    Transfer.Status.SENT,
    Transfer.Status.ISSUED,
    Transfer.Status.RECEIVED,
)


# --- mobility flags (MBR-03, MBR-05): shared by the rules and the 流动党员 page --------------


@dataclass
class Flag:
    code: str
    status: str
    text: str
    numbers: dict = field(default_factory=dict)


def mobility_flags(
    mobilities, on: date, *, away_months: int = 6, suspend_months: int = 6, remove_years: int = 2
) -> dict[int, list[Flag]]:
    """{mobility id: flags} for open mobility records, in two queries whatever their number.

    MBR-03: away (out) at least ``away_months`` with no transfer asked for since leaving.
    MBR-05: out of contact ``suspend_months`` → 停止党籍 due; still out of contact
    ``remove_years`` after the suspension → 除名 (自行脱党) due.
    """
    rows = [m for m in mobilities if m.member_id and (m.ended_on is None or m.ended_on > on)]
    member_ids = {m.member_id for m in rows}
    transfers: dict[int, list[date]] = defaultdict(list)
    suspended: dict[int, date] = {}
    if member_ids:
        for member_id, day in Transfer.objects.filter(
            member__in=member_ids, status__in=LIVE_TRANSFER
        ).values_list("member", "requested_on"):
            transfers[member_id].append(day)
        if any(m.lost_contact_since for m in rows):
            suspended = dict(
                MemberEvent.objects.filter(
                    member__in=member_ids, kind=MemberEvent.Kind.SUSPENDED, on__lte=on
                )
                .values_list("member")
                .annotate(last=Max("on"))
            )
    flags: dict[int, list[Flag]] = {}
    for mobility in rows:
        found = []
        if mobility.direction == Mobility.Direction.OUT and mobility.started_on <= on:
            found += _away(mobility, on, away_months, transfers.get(mobility.member_id, []))
        if mobility.lost_contact_since and mobility.lost_contact_since <= on:
            found += _lost(
                mobility, on, suspend_months, remove_years, suspended.get(mobility.member_id)
            )
        if found:
            flags[mobility.pk] = found
    return flags


def mobility_flags_in_force(mobilities, on: date) -> dict[int, list[Flag]]:
    """``mobility_flags`` with each org's parameters as the rulebook applies them (defaults,
    or the nearest local supplement; a rule switched off there flags nothing), so the
    mobility page never disagrees with the cockpit. A few queries whatever the rows."""
    orgs = list({m.org_id: m.org for m in mobilities}.values())
    flags: dict[int, list[Flag]] = defaultdict(list)
    for code, arguments in (
        ("MBR-03", lambda p: {"away_months": p["months"]}),
        (
            "MBR-05",
            lambda p: {"suspend_months": p["suspend_months"], "remove_years": p["remove_years"]},
        ),
    ):
        rule = in_force(code, on)
        if rule is None:
            continue
        for group in param_groups(rule, orgs, on):
            ids = {org.pk for org in group.orgs}
            rows = [m for m in mobilities if m.org_id in ids]
            if not group.enabled or not rows:
                continue
            for pk, found in mobility_flags(rows, on, **arguments(group.params)).items():
                flags[pk] += [flag for flag in found if flag.code == code]
    return {pk: found for pk, found in flags.items() if found}


def _away(mobility: Mobility, on: date, months: int, transfer_days: list[date]) -> list[Flag]:
    due = mobility.started_on + relativedelta(months=months)
    if due > on or any(day >= mobility.started_on for day in transfer_days):
        return []
    values = {"since": mobility.started_on, "months": months, "place": mobility.place}
    return [
        Flag(
            "MBR-03",
            Status.DUE,
            _("自 %(since)s 起在%(place)s，已满 %(months)s 个月，应转接组织关系。") % values,
            {"away_since": mobility.started_on.isoformat(), "months": months},
        )
    ]


def _lost(
    mobility: Mobility, on: date, months: int, years: int, suspended_on: date | None
) -> list[Flag]:
    since = mobility.lost_contact_since
    status = mobility.member.status
    numbers = {"lost_since": since.isoformat(), "suspend_months": months, "remove_years": years}
    if status in (Member.Status.FULL, Member.Status.PROBATIONARY):
        due = since + relativedelta(months=months)
        values = {"since": since, "months": months, "due": due}
        if due <= on:
            text = _("自 %(since)s 失去联系已满 %(months)s 个月，应停止其党籍。") % values
            return [
                Flag(
                    "MBR-05",
                    Status.DUE,
                    text,
                    {**numbers, "due": due.isoformat(), "step": "suspend"},
                )
            ]
        text = _("自 %(since)s 失去联系；至 %(due)s 仍无联系应停止党籍。") % values
        return [
            Flag("MBR-05", Status.OK, text, {**numbers, "due": due.isoformat(), "step": "suspend"})
        ]
    if status == Member.Status.SUSPENDED:
        start = suspended_on or since + relativedelta(months=months)
        due = start + relativedelta(years=years)
        values = {"start": start, "years": years, "due": due}
        if due <= on:
            text = (
                _("停止党籍（%(start)s）已满 %(years)s 年仍无法取得联系，应按自行脱党予以除名。")
                % values
            )
            return [
                Flag(
                    "MBR-05",
                    Status.DUE,
                    text,
                    {**numbers, "due": due.isoformat(), "step": "remove"},
                )
            ]
        text = _("已停止党籍（%(start)s）；至 %(due)s 仍无联系应予除名。") % values
        return [
            Flag("MBR-05", Status.OK, text, {**numbers, "due": due.isoformat(), "step": "remove"})
        ]
    return []


def _with_ok_orgs(ctx: Context, outcomes: list[Outcome], ok_text: str) -> list[Outcome]:
    """One ``ok`` finding for each org none of whose members has an outcome."""
    flagged = {o.org_id for o in outcomes}
    for org in ctx.orgs:
        if org.pk not in flagged:
            outcomes.append(Outcome(org.pk, Status.OK, ok_text, {"members": 0}))
    return outcomes


def _member_outcome(org_id: int, member, status: str, text: str, numbers=None) -> Outcome:
    return Outcome(
        org_id,
        status,
        member.name + "：" + text,
        numbers or {},
        subject_type="member",
        subject_id=member.pk,
        refs=[f"member:{member.public_id}"],
    )


@dataclass(frozen=True)
class RosterRow:
    """The few member fields the DQ rules report (no full rows: phone numbers stay encrypted)."""

    org_id: int
    pk: int
    public_id: object
    name: str
    birth_date: date
    gender: str
    admitted_on: date | None
    full_on: date | None


ROW_FIELDS = (
    "org",
    "member",
    "member__public_id",
    "member__name",
    "member__birth_date",
    "member__gender",
    "member__admitted_on",
    "member__full_on",
)


def _roster(ctx: Context, condition: Q | None = None):
    """Spans on the roll of the context's orgs on ``ctx.on`` — narrowed in the database by
    ``condition`` so only the suspicious few rows come back."""
    qs = spans_on(ctx.on, org_ids=ctx.org_in, statuses=ON_ROSTER)
    return qs.filter(condition) if condition is not None else qs


def _rows(qs, *extra: str):
    for row in qs.values_list(*ROW_FIELDS, *extra):
        yield RosterRow(*row[: len(ROW_FIELDS)]), row[len(ROW_FIELDS) :]


def _open_mobility(ctx: Context, **filters):
    return (
        Mobility.objects.filter(
            org__in=ctx.org_in, member__isnull=False, started_on__lte=ctx.on, **filters
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=ctx.on))
        .select_related("member")
    )


@register
class AwayWithoutTransfer(Rule):
    code = "MBR-03"
    reads = ("members.Member", "members.Mobility", "members.Transfer", "members.MemberEvent")
    action = Action(gettext_lazy("办理转接"), "members:transfer_start", "member")
    title = "外出地点相对固定满 6 个月的，应转接组织关系"
    citation = Citation("教育管理", "第二十五条", Confidence.CONFIRMED)
    kinds = BRANCHES
    live_only = True  # reads the present state of mobility records and status
    params = (Param("months", "外出时长（月）", 6, "个月", stricter="lower"),)
    module = "members"

    def evaluate(self, ctx: Context):
        months = ctx.params["months"]
        rows = list(
            _open_mobility(ctx, direction=Mobility.Direction.OUT, member__status__in=ON_ROSTER)
        )
        flags = mobility_flags(rows, ctx.on, away_months=months)
        outcomes = []
        for mobility in rows:
            for flag in flags.get(mobility.pk, []):
                if flag.code == self.code:
                    outcomes.append(
                        _member_outcome(
                            mobility.org_id, mobility.member, flag.status, flag.text, flag.numbers
                        )
                    )
        return _with_ok_orgs(
            ctx, outcomes, _("没有外出满 %(n)s 个月仍未转接组织关系的党员。") % {"n": months}
        )


@register
class LostContact(Rule):
    code = "MBR-05"
    reads = ("members.Member", "members.Mobility", "members.Transfer", "members.MemberEvent")
    action = Action(gettext_lazy("记录党籍变动"), "members:event", "member")
    title = "失去联系满 6 个月停止党籍，停止党籍后 2 年仍无联系予以除名"
    citation = Citation("教育管理", "第二十四条", Confidence.CONFIRMED)
    kinds = BRANCHES
    live_only = True  # reads the present state of mobility records and status
    params = (
        Param("suspend_months", "失联后停止党籍（月）", 6, "个月", stricter="lower"),
        Param("remove_years", "停止党籍后除名（年）", 2, "年", stricter="lower"),
    )
    module = "members"

    def evaluate(self, ctx: Context):
        rows = list(_open_mobility(ctx, lost_contact_since__isnull=False))
        flags = mobility_flags(
            rows,
            ctx.on,
            suspend_months=ctx.params["suspend_months"],
            remove_years=ctx.params["remove_years"],
        )
        outcomes = []
        for mobility in rows:
            for flag in flags.get(mobility.pk, []):
                if flag.code == self.code:
                    outcomes.append(
                        _member_outcome(
                            mobility.org_id, mobility.member, flag.status, flag.text, flag.numbers
                        )
                    )
        return _with_ok_orgs(ctx, outcomes, _("没有失去联系的党员。"))


# --- data quality ------------------------------------------------------------------------------


@register
class IdNumberValid(Rule):
    code = "DQ-01"
    dated = ("members.MemberSpan.start", "members.MemberSpan.end")
    reads = ("members.Member", "members.MemberSpan")
    action = Action(gettext_lazy("更正信息"), "members:edit", "member")
    title = "公民身份号码校验位正确，出生日期、性别与身份证号一致"
    citation = Citation("国标身份证", "", Confidence.CONFIRMED, note="GB 11643-1999 校验码")
    kinds = BRANCHES
    module = "members"

    def evaluate(self, ctx: Context):
        # The ID's own facts were derived when it was stored; only mismatches come back,
        # and only those few numbers are decrypted to say exactly what is wrong.
        suspicious = (
            Q(member__id_number="") | Q(member__id_format_ok=False) | Q(member__id_matches=False)
        )
        outcomes = []
        for member, (number,) in _rows(_roster(ctx, suspicious), "member__id_number"):
            problem = self.problem(member, number or "")
            if problem:
                outcomes.append(_member_outcome(member.org_id, member, Status.SUSPECT, problem))
        return _with_ok_orgs(ctx, outcomes, _("在册党员的公民身份号码均通过校验。"))

    @staticmethod
    def problem(member, number: str) -> str:
        if not number:
            return _("未登记公民身份号码，无法核验身份和查重。")
        try:
            info = idnumber.parse(number)
        except idnumber.InvalidIdNumber as exc:
            return str(exc.message)
        if info.birth_date != member.birth_date:
            return str(idnumber.ID_BIRTH_MISMATCH % {"day": info.birth_date})
        if info.gender != member.gender:
            return str(idnumber.ID_SEX_MISMATCH % {"sex": Member.Gender(info.gender).label})
        return ""


@register
class AdmittedAdult(Rule):
    code = "DQ-02"
    dated = ("members.MemberSpan.start", "members.MemberSpan.end")
    reads = ("members.Member", "members.MemberSpan")
    action = Action(gettext_lazy("更正信息"), "members:edit", "member")
    title = "入党日期不早于年满 18 周岁之日"
    citation = Citation("细则", "第五条", Confidence.CONFIRMED, note="DEV-01；党章第一条")
    kinds = BRANCHES
    module = "members"

    def evaluate(self, ctx: Context):
        # Candidates in SQL (admitted in or before the 18th year), the exact date in Python.
        young = Q(
            member__admitted_on__isnull=False,
            member__admitted_on__lt=AddYears("member__birth_date", 18),
        )
        outcomes = []
        for member, _extra in _rows(_roster(ctx, young)):
            adult = member.birth_date + relativedelta(years=18)
            if member.admitted_on < adult:
                text = _("入党日期 %(day)s 早于年满 18 周岁之日（%(adult)s）。") % {
                    "day": member.admitted_on,
                    "adult": adult,
                }
                numbers = {
                    "admitted_on": member.admitted_on.isoformat(),
                    "adult_on": adult.isoformat(),
                }
                outcomes.append(
                    _member_outcome(member.org_id, member, Status.SUSPECT, text, numbers)
                )
        return _with_ok_orgs(ctx, outcomes, _("在册党员的入党日期均在年满 18 周岁之后。"))


@register
class ConfirmedAfterProbation(Rule):
    code = "DQ-03"
    dated = ("members.MemberSpan.start", "members.MemberSpan.end")
    reads = ("members.Member", "members.MemberSpan")
    action = Action(gettext_lazy("更正信息"), "members:edit", "member")
    title = "转正日期不早于预备期满之日"
    citation = Citation("细则", "第三十二条", Confidence.CONFIRMED, note="DEV-14；党章第七条")
    kinds = BRANCHES
    module = "members"

    def evaluate(self, ctx: Context):
        # Candidates in SQL (转正 within a year after admission, or without admission).
        # Candidates in SQL (转正 before admission + 1 year); 29 February settled in Python.
        early = Q(member__full_on__isnull=False) & (
            Q(member__admitted_on__isnull=True)
            | Q(member__full_on__lt=AddYears("member__admitted_on", 1))
        )
        outcomes = []
        for member, _extra in _rows(_roster(ctx, early)):
            if member.admitted_on is None:
                text = _("有转正日期（%(day)s）但没有入党日期，无法计算预备期和党龄。") % {
                    "day": member.full_on
                }
            elif member.full_on < probation_end(member.admitted_on):
                ends = probation_end(member.admitted_on)
                text = _("转正日期 %(day)s 早于预备期满之日（%(ends)s）。") % {
                    "day": member.full_on,
                    "ends": ends,
                }
            else:
                continue
            outcomes.append(_member_outcome(member.org_id, member, Status.SUSPECT, text))
        return _with_ok_orgs(ctx, outcomes, _("在册党员的转正日期均不早于预备期满。"))


@register
class OnePersonOneBranch(Rule):
    code = "DQ-04"
    dated = ("members.MemberSpan.start", "members.MemberSpan.end")
    reads = ("members.Member", "members.MemberSpan")
    title = "每名党员编入一个党支部，同一人不重复登记"
    citation = Citation("教育管理", "第二十五条", Confidence.CONFIRMED, note="MBR-02")
    kinds = BRANCHES
    module = "members"

    def evaluate(self, ctx: Context):
        # Correlated subqueries over this subtree's roster only: the member's rosters on the
        # day (spans by member) and another on-roll member with the same name and birth date
        # anywhere, since a duplicate may sit in another subtree (members by name and birth
        # date). Both are index lookups, so the cost follows the subtree, not the whole table.
        rosters = (
            MemberSpan.objects.filter(
                Q(end__isnull=True) | Q(end__gt=ctx.on),
                member=OuterRef("member"),
                start__lte=ctx.on,
                status__in=ON_ROSTER,
            )
            .order_by()
            .values("member")
            .annotate(n=Count("id"))
            .values("n")
        )
        twin = Member.objects.filter(
            status__in=ON_ROSTER,
            name=OuterRef("member__name"),
            birth_date=OuterRef("member__birth_date"),
        ).exclude(pk=OuterRef("member"))
        suspicious = (
            _roster(ctx)
            .annotate(rosters=Subquery(rosters), twin=Exists(twin))
            .filter(Q(rosters__gt=1) | Q(twin=True))
        )
        outcomes = []
        for member, (n, _twin) in _rows(suspicious, "rosters", "twin"):
            if n > 1:
                text = _("同一日期在 %(n)s 个党组织在册。") % {"n": n}
            else:
                text = _("另有同名且出生日期相同的在册党员，可能重复登记。")
            outcomes.append(_member_outcome(member.org_id, member, Status.SUSPECT, text))
        return _with_ok_orgs(ctx, outcomes, _("未发现重复登记或多头编入的党员。"))
