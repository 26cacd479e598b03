"""Rulebook entries for developing members (docs/rules.md, DEV rows).

Each rule does up to two jobs with one set of parameters:

- ``check(sc)`` — called when a step is recorded: returns a ``Violation`` that blocks the
  step, with the rule code, the article and the earliest allowed date. A confirmed rule
  (C, C?) blocks outright; a local-practice (L) limit — and DEV-12's own special case —
  can be passed only with an approved ``Override``.
- ``evaluate(ctx)`` — the deadlines as findings over all open cases of a subtree (talk
  overdue, review overdue, approval beyond 3 months, 转正 discussion overdue ...), set-based.

Month and year arithmetic is calendar-correct (relativedelta: 29 Feb + 1 year = 28 Feb).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q
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
from zhibu.core.rules.params import params_for
from zhibu.core.rules.registry import catalogue
from zhibu.development.models import OPEN_STATUSES, Case, Step
from zhibu.development.steps import PUBLICITY_LABELS, STEPS
from zhibu.discipline.models import DisciplineRecord
from zhibu.discipline.restrictions import introducer_barred
from zhibu.discipline.rules import EXPULSION_CITATION
from zhibu.meetings.models import Decision
from zhibu.members.models import Member
from zhibu.members.selectors import spans_on
from zhibu.orgs.models import Org

BRANCHES = frozenset(Org.BRANCH_KINDS)


@dataclass
class Violation:
    code: str
    message: str
    citation: str
    earliest: date | None = None
    overridable: bool = False

    def as_text(self) -> str:
        text = f"{self.code}：{self.message}（{self.citation}）"
        if self.earliest:
            text += str(_("最早可于 %(day)s 办理。") % {"day": self.earliest.isoformat()})
        return text


@dataclass
class Window:
    """When a step may and should be recorded, and why: the hint beside the next step.

    ``earliest`` is the first day the rules' ``check`` accepts (a rule that refuses an
    earlier day gives this same date); ``latest`` is the deadline its findings use.
    """

    earliest: date | None = None
    latest: date | None = None
    reasons: list[str] = field(default_factory=list)

    def not_before(self, day: date | None, why: str = "") -> None:
        if day is not None and (self.earliest is None or day > self.earliest):
            self.earliest = day
        if day is not None and why:
            self.reasons.append(why)

    def due_by(self, day: date | None, why: str) -> None:
        if day is not None and (self.latest is None or day < self.latest):
            self.latest = day
        if day is not None:
            self.reasons.append(why)


@dataclass
class StepContext:
    """What a step check sees: the case, the step being recorded and its data."""

    case: Case
    number: int
    on: date
    steps: list[Step]  # recorded steps of the case, in order
    people: dict[str, list] = field(default_factory=dict)  # role → Members
    conclusion: str = ""
    training_days: float | None = None
    training_hours: float | None = None
    decision: object | None = None
    outcome: str = ""
    extend_months: int | None = None
    publicities: list = field(default_factory=list)
    params: dict[str, int] = field(default_factory=dict)

    def first(self, number: int) -> Step | None:
        return next((s for s in self.steps if s.number == number), None)

    def latest(self, *numbers: int) -> Step | None:
        found = [s for s in self.steps if s.number in numbers]
        return max(found, key=lambda s: (s.on, s.pk or 0)) if found else None


class DevRule(Rule):
    """A DEV rule: judged per case, attributed to the case's branch."""

    kinds = BRANCHES
    period_kind = "snapshot"
    reads = ("development.Case", "development.Step", "meetings.Decision", "meetings.Meeting")
    live_only = True  # judged from each case's current step (see Rule.live_only)
    module = "development"
    action = Action(gettext_lazy("办理下一步"), "development:case", "case")
    checks_steps: tuple[int, ...] = ()
    blocking = True
    # A local-practice limit, or a confirmed rule's own special case, may be passed with
    # an approved override; a confirmed requirement never.
    special_case = False
    # The steps whose window (earliest day, deadline) this rule sets; see ``window``.
    window_steps: tuple[int, ...] = ()
    # Where the rule's reason stands among the window's reasons (lower first).
    window_order = 0

    @property
    def can_override(self) -> bool:
        return self.special_case or self.citation.confidence == Confidence.LOCAL

    def check(self, sc: StepContext) -> Violation | None:
        return None

    def window(self, sc: StepContext, window: Window) -> None:
        """Narrow ``window`` for step ``sc.number`` with ``sc.params``: the same dates
        ``check`` refuses before and ``evaluate`` reports as due."""

    def evaluate(self, ctx: Context):
        """Rules that only guard steps have no findings of their own: a refused step is
        never written, so there is nothing afterwards to judge."""
        return []

    def violation(
        self, message: str, earliest: date | None = None, overridable: bool | None = None
    ) -> Violation:
        if overridable is None:
            overridable = self.citation.confidence == Confidence.LOCAL
        # A refusal is shown at once: its text in the active language, not a message.
        return Violation(self.code, str(message), str(self.citation), earliest, overridable)

    # --- findings over cases (set-based) ---------------------------------------------
    def cases(self, ctx: Context, **filters):
        return Case.objects.filter(org__in=ctx.org_in, status__in=OPEN_STATUSES, **filters)

    @staticmethod
    def steps_by_case(case_ids) -> dict[int, dict[int, list[date]]]:
        """{case id: {step number: [dates]}} in one query."""
        table: dict[int, dict[int, list[date]]] = defaultdict(lambda: defaultdict(list))
        for case_id, number, on in Step.objects.filter(case__in=case_ids).values_list(
            "case", "number", "on"
        ):
            table[case_id][number].append(on)
        return table

    def deadline(
        self, ctx, case, start: date, due_by: date, done: bool, text_due: str, text_late: str
    ):
        if done:
            return None
        ref = [f"case:{case.public_id}"]
        numbers = {"since": start.isoformat(), "deadline": due_by.isoformat()}
        values = {"name": case.name, "since": start, "deadline": due_by}
        if ctx.on > due_by:
            return Outcome(
                case.org_id, Status.LATE, text_late % values, numbers, "case", case.pk, ref
            )
        return Outcome(case.org_id, Status.DUE, text_due % values, numbers, "case", case.pk, ref)


# --- the order of the procedure --------------------------------------------------------


@register
class StepOrder(DevRule):
    code = "DEV-00"
    title = "发展党员须按程序逐步进行，步骤日期不得早于前一步骤"
    citation = Citation(
        "细则", "≈第二至第六章", Confidence.CONFIRMED, note="按 25 个步骤的先后顺序办理"
    )
    window_steps = tuple(STEPS)

    def window(self, sc, window):
        recorded = {s.number for s in sc.steps}
        last = sc.latest(*recorded) if recorded else None
        window.not_before(last.on if last else None)

    def check(self, sc):
        definition = STEPS[sc.number]
        recorded = {s.number for s in sc.steps}
        if sc.case.status in (Case.Status.STOPPED, Case.Status.ARCHIVED):
            return self.violation(
                _("该发展对象的程序已%(s)s，不能再登记步骤。") % {"s": sc.case.get_status_display()}
            )
        times = sum(1 for s in sc.steps if s.number == sc.number)
        again_after_extension = sc.case.extended and sc.number in (22, 23, 24) and times < 2
        if times and not definition.repeatable and not again_after_extension:
            return self.violation(_("步骤“%(step)s”已登记过。") % {"step": definition.label})
        missing = [n for n in range(1, sc.number) if n not in recorded and not STEPS[n].repeatable]
        if sc.number == 7 and 6 not in recorded:
            missing.append(6)  # at least one review of the activist before 发展对象
        if sc.number in (22, 23) and 21 not in recorded:
            missing.append(21)
        if missing:
            names = "、".join(str(STEPS[n].label) for n in sorted(missing)[:3])
            return self.violation(_("须先完成前面的步骤：%(steps)s。") % {"steps": names})
        last = sc.latest(*recorded) if recorded else None
        if last is not None and sc.on < last.on:
            return self.violation(
                _("日期早于上一步骤“%(step)s”（%(day)s）。")
                % {"step": STEPS[last.number].label, "day": last.on},
                last.on,
            )
        return None


@register
class ApplicantAge(DevRule):
    code = "DEV-01"
    title = "申请入党须年满 18 岁"
    citation = Citation("细则", "第五条", Confidence.CONFIRMED)
    checks_steps = (1,)
    params = (Param("min_age", "年龄（岁）", 18, "岁", stricter="higher"),)

    def check(self, sc):
        earliest = sc.case.birth_date + relativedelta(years=sc.params["min_age"])
        if sc.on < earliest:
            return self.violation(
                _("申请入党时未满 %(n)s 周岁（%(day)s 年满）。")
                % {"n": sc.params["min_age"], "day": earliest},
                earliest,
            )
        return None


@register
class TalkWithinAMonth(DevRule):
    code = "DEV-02"
    title = "收到入党申请书后一个月内派人谈话"
    citation = Citation("细则", "第七条", Confidence.ARTICLE_UNCERTAIN)
    params = (Param("months", "期限（月）", 1, "个月", stricter="lower"),)
    blocking = False
    window_steps = (2,)

    def window(self, sc, window):
        applied = sc.first(1)
        if applied is not None:
            window.due_by(
                applied.on + relativedelta(months=sc.params["months"]),
                _("DEV-02：递交申请书后一个月内谈话"),
            )

    def evaluate(self, ctx):
        cases = list(self.cases(ctx, last_step__lte=1))
        steps = self.steps_by_case([c.pk for c in cases])
        out = []
        for case in cases:
            applied = min(steps[case.pk].get(1) or [case.created_at.date()])
            found = self.deadline(
                ctx,
                case,
                applied,
                applied + relativedelta(months=ctx.params["months"]),
                bool(steps[case.pk].get(2)),
                _("%(name)s %(since)s 递交入党申请书，应于 %(deadline)s 前派人谈话。"),
                _("%(name)s %(since)s 递交入党申请书，超过一个月（%(deadline)s）仍未派人谈话。"),
            )
            if found:
                out.append(found)
        return out


@register
class ContactsAreFullMembers(DevRule):
    code = "DEV-03"
    title = "每名入党积极分子指定 1 至 2 名正式党员作培养联系人"
    citation = Citation("细则", "第九条", Confidence.ARTICLE_UNCERTAIN)
    checks_steps = (5,)

    def check(self, sc):
        contacts = sc.people.get("contacts", [])
        if not 1 <= len(contacts) <= 2:
            return self.violation(
                _("培养联系人应为 1 至 2 名，现为 %(n)s 名。") % {"n": len(contacts)}
            )
        not_full = [m.name for m in contacts if not full_member_on(m, sc.on)]
        if not_full:
            return self.violation(
                _("培养联系人须为正式党员：%(names)s 不是。") % {"names": "、".join(not_full)}
            )
        return None


@register
class HalfYearlyReview(DevRule):
    code = "DEV-04"
    title = "党支部每半年对入党积极分子进行一次考察"
    citation = Citation("细则", "第十一条", Confidence.CONFIRMED)
    params = (Param("months", "间隔（月）", 6, "个月", stricter="lower"),)
    blocking = False
    window_steps = (6,)

    def window(self, sc, window):
        review = sc.latest(3, 6)
        if review is not None:
            window.due_by(
                review.on + relativedelta(months=sc.params["months"]),
                _("DEV-04：每半年考察一次"),
            )

    def evaluate(self, ctx):
        cases = list(self.cases(ctx, last_step__gte=3, last_step__lte=6))
        steps = self.steps_by_case([c.pk for c in cases])
        out = []
        for case in cases:
            dates = steps[case.pk].get(6, []) + steps[case.pk].get(3, [])
            if not dates:
                continue
            last = max(dates)
            due = last + relativedelta(months=ctx.params["months"])
            values = {"name": case.name, "since": last, "deadline": due}
            ref = [f"case:{case.public_id}"]
            if ctx.on > due:
                out.append(
                    Outcome(
                        case.org_id,
                        Status.LATE,
                        _(
                            "入党积极分子%(name)s自 %(since)s 以来超过半年未考察（应于 %(deadline)s 前）。"
                        )
                        % values,
                        {"last_review": last.isoformat()},
                        "case",
                        case.pk,
                        ref,
                    )
                )
            else:
                out.append(
                    Outcome(
                        case.org_id,
                        Status.OK,
                        _("入党积极分子%(name)s最近一次考察 %(since)s，下次应于 %(deadline)s 前。")
                        % values,
                        {"last_review": last.isoformat()},
                        "case",
                        case.pk,
                        ref,
                    )
                )
        return out


@register
class OneYearAsActivist(DevRule):
    code = "DEV-05"
    title = "经过一年以上培养教育和考察，方可列为发展对象"
    citation = Citation("细则", "第十三条", Confidence.ARTICLE_UNCERTAIN)
    checks_steps = (7,)
    window_steps = (7,)
    params = (Param("months", "培养期（月）", 12, "个月", stricter="higher"),)

    def earliest(self, sc: StepContext) -> date | None:
        activist = sc.first(3)
        return activist.on + relativedelta(months=sc.params["months"]) if activist else None

    def window(self, sc, window):
        window.not_before(self.earliest(sc), _("DEV-05：确定为入党积极分子满一年"))

    def check(self, sc):
        activist = sc.first(3)
        earliest = self.earliest(sc)
        if activist is None or earliest is None:
            return None
        if sc.on < earliest:
            return self.violation(
                _("确定为入党积极分子（%(since)s）未满一年，不能列为发展对象。")
                % {"since": activist.on},
                earliest,
            )
        return None


@register
class TwoFullIntroducers(DevRule):
    code = "DEV-06"
    title = "入党介绍人为两名正式党员（非预备党员、非留党察看）"
    citation = Citation("细则", "第十四条", Confidence.CONFIRMED)
    checks_steps = (9,)

    def check(self, sc):
        introducers = sc.people.get("introducers", [])
        if len(introducers) != 2:
            return self.violation(
                _("入党介绍人应为 2 名，现为 %(n)s 名。") % {"n": len(introducers)}
            )
        for member in introducers:
            if not full_member_on(member, sc.on):
                return self.violation(
                    _("入党介绍人%(name)s不是正式党员（预备党员不能作入党介绍人）。")
                    % {"name": member.name}
                )
        # Discipline records (DISC-04): only the restriction is shown, never the record.
        barred = introducer_barred([m.pk for m in introducers], sc.on)
        for member in introducers:
            if member.pk in barred:
                return self.violation(
                    _("入党介绍人%(name)s%(restriction)s，不能作入党介绍人。")
                    % {"name": member.name, "restriction": barred[member.pk].text}
                )
        return None


@register
class PoliticalReview(DevRule):
    code = "DEV-07"
    title = "未经政治审查或政治审查不合格的，不能发展入党"
    citation = Citation(
        "细则", "第十六条", Confidence.CONFIRMED, note="结论有效期 1 年为地方/单位规定"
    )
    checks_steps = (10, 15)
    special_case = True  # only the 1-year validity (L) may be passed, never a missing review
    params = (Param("valid_months", "政审结论有效期（月）", 12, "个月", stricter="lower"),)

    def check(self, sc):
        if sc.number == 10:
            if not sc.conclusion.strip():
                return self.violation(_("政治审查须形成书面结论。"))
            return None
        review = sc.latest(10)
        if review is None or not review.conclusion.strip():
            return self.violation(_("尚无有书面结论的政治审查。"))
        expires = review.on + relativedelta(months=sc.params["valid_months"])
        if sc.on > expires:
            return Violation(
                self.code,
                _("政治审查结论（%(day)s）已超过 %(n)s 个月有效期，应重新审查。")
                % {"day": review.on, "n": sc.params["valid_months"]},
                str(self.citation) + _("；有效期为地方/单位规定"),
                None,
                overridable=True,
            )
        return None


@register
class Training(DevRule):
    code = "DEV-08"
    title = "发展对象须经集中培训，时间不少于 3 天或不少于 24 学时"
    citation = Citation("细则", "第十七条", Confidence.CONFIRMED)
    checks_steps = (11,)
    params = (
        Param("days", "培训天数", 3, "天", stricter="higher"),
        Param("hours", "培训学时", 24, "学时", stricter="higher"),
    )

    def check(self, sc):
        days = float(sc.training_days or 0)
        hours = float(sc.training_hours or 0)
        if days >= sc.params["days"] or hours >= sc.params["hours"]:
            return None
        return self.violation(
            _("集中培训 %(d)s 天、%(h)s 学时，未达到 %(nd)s 天或 %(nh)s 学时。")
            % {"d": days, "h": hours, "nd": sc.params["days"], "nh": sc.params["hours"]}
        )


@register
class LeavingSoon(DevRule):
    code = "DEV-09"
    title = "预计三个月内离开工作、学习单位的发展对象，一般不办理接收"
    citation = Citation("细则", "第十九条", Confidence.CONFIRMED)
    checks_steps = (15,)
    params = (Param("months", "期限（月）", 3, "个月", stricter="higher"),)

    def check(self, sc):
        leaving = sc.case.expected_departure
        if leaving and leaving < sc.on + relativedelta(months=sc.params["months"]):
            return self.violation(
                _("预计于 %(day)s 离开本单位，不足三个月，一般不办理接收。") % {"day": leaving}
            )
        return None


@register
class Publicity(DevRule):
    code = "DEV-10"
    title = "关键步骤前公示，公示期按工作日计算"
    citation = Citation("地方", "", Confidence.LOCAL, note="公示 5 个工作日")
    checks_steps = (3, 7, 15, 23)
    window_steps = checks_steps
    window_order = 1  # after the deadlines: the hint has always ended with the 公示
    params = (Param("working_days", "公示工作日", 5, "个工作日", stricter="higher"),)

    def done(self, sc: StepContext) -> list:
        """The step's 公示 long enough to count under the parameters in force."""
        key = STEPS[sc.number].publicity
        return [
            p
            for p in sc.publicities
            if p.key == key and p.working_days >= sc.params["working_days"]
        ]

    def window(self, sc, window):
        label = PUBLICITY_LABELS[STEPS[sc.number].publicity]
        done = self.done(sc)
        if done:
            window.not_before(
                max(p.ends_on for p in done) + timedelta(days=1),
                _("DEV-10：%(p)s期满后") % {"p": label},
            )
        else:
            window.reasons.append(_("DEV-10：须先%(p)s") % {"p": label})

    def check(self, sc):
        label = PUBLICITY_LABELS[STEPS[sc.number].publicity]
        done = self.done(sc)
        if not done:
            return self.violation(
                _("尚未完成%(label)s（不少于 %(n)s 个工作日）。")
                % {"label": label, "n": sc.params["working_days"]}
            )
        latest = max(done, key=lambda p: p.ends_on)
        if sc.on <= latest.ends_on:
            return self.violation(
                _("%(label)s至 %(day)s 结束，公示期满后方可办理。")
                % {"label": label, "day": latest.ends_on},
                latest.ends_on + timedelta(days=1),
            )
        return None


@register
class AssemblyVote(DevRule):
    code = "DEV-11"
    title = "支部大会讨论接收和转正，表决按到会人数和赞成票数的规定进行"
    citation = Citation("细则", "≈第二十五条", Confidence.CONFIRMED, note="VOTE-01/02/04")
    checks_steps = (15, 23)

    def check(self, sc):
        decision = sc.decision
        kind = STEPS[sc.number].decision
        if decision is None:
            return self.violation(
                _("请关联支部党员大会对%(name)s的表决。") % {"name": sc.case.name}
            )
        meeting = decision.meeting
        if decision.kind != kind or meeting.org_id != sc.case.org_id or decision.body != "assembly":
            return self.violation(_("所选表决不是本支部党员大会关于此事项的表决。"))
        if decision.candidate and decision.candidate != sc.case.name:
            return self.violation(
                _("所选表决的对象是%(other)s，不是%(name)s（应逐个表决，VOTE-04）。")
                % {"other": decision.candidate, "name": sc.case.name}
            )
        if meeting.on != sc.on:
            return self.violation(
                _("步骤日期应为支部大会召开日期（%(day)s）。") % {"day": meeting.on}
            )
        if not decision.quorum_met:
            return self.violation(
                _("支部大会到会有表决权党员未超过应到人数的一半，表决无效（VOTE-01）。")
            )
        if not decision.passed:
            return self.violation(
                _("赞成票未超过应到会有表决权党员的半数，未通过（VOTE-02）；可登记“程序终止”。")
            )
        return None


@register
class ApprovalWithinThreeMonths(DevRule):
    code = "DEV-12"
    title = "上级党委在支部大会通过后三个月内审批，特殊情况可延长至六个月"
    citation = Citation("细则", "≈第二十八条", Confidence.ARTICLE_UNCERTAIN)
    checks_steps = (17,)
    special_case = True  # 3–6 months "in special cases"; beyond 6 never
    window_steps = (17,)
    params = (
        Param("months", "审批期限（月）", 3, "个月", stricter="lower"),
        Param("max_months", "特殊情况上限（月）", 6, "个月", stricter="lower"),
    )

    def window(self, sc, window):
        assembly = sc.first(15)
        if assembly is not None:
            window.due_by(
                assembly.on + relativedelta(months=sc.params["months"]),
                _("DEV-12：支部大会后三个月内审批（特殊情况六个月）"),
            )

    def check(self, sc):
        assembly = sc.first(15)
        if assembly is None:
            return None
        normal = assembly.on + relativedelta(months=sc.params["months"])
        limit = assembly.on + relativedelta(months=sc.params["max_months"])
        if sc.on > limit:
            return self.violation(
                _("距支部大会（%(day)s）已超过 %(n)s 个月，不能再审批。")
                % {"day": assembly.on, "n": sc.params["max_months"]}
            )
        if sc.on > normal:
            return self.violation(
                _("距支部大会（%(day)s）已超过 %(n)s 个月，属特殊情况，须经批准。")
                % {"day": assembly.on, "n": sc.params["months"]},
                overridable=True,
            )
        return None

    def evaluate(self, ctx):
        cases = list(self.cases(ctx, last_step__gte=15, last_step__lt=17))
        steps = self.steps_by_case([c.pk for c in cases])
        out = []
        for case in cases:
            assembly = min(steps[case.pk].get(15, [None]) or [None])
            if assembly is None:
                continue
            found = self.deadline(
                ctx,
                case,
                assembly,
                assembly + relativedelta(months=ctx.params["months"]),
                False,
                _("%(name)s 经支部大会（%(since)s）通过，上级党委应于 %(deadline)s 前审批。"),
                _(
                    "%(name)s 经支部大会（%(since)s）通过，超过三个月（%(deadline)s）上级党委仍未审批。"
                ),
            )
            out.append(found)
        return out


@register
class ProbationStartsAtAssembly(DevRule):
    code = "DEV-13"
    title = "预备期一年，从支部大会通过之日算起"
    citation = Citation("党章", "第七条", Confidence.CONFIRMED)
    blocking = False


@register
class ConfirmationNotBeforeProbationEnds(DevRule):
    code = "DEV-14"
    title = "预备期满及时讨论转正，不得提前"
    citation = Citation("党章", "第七条", Confidence.CONFIRMED)
    checks_steps = (23,)
    window_steps = (22, 23)
    params = (Param("prompt_months", "期满后讨论期限（月）", 1, "个月", stricter="lower"),)

    def window(self, sc, window):
        end = sc.case.probation_end
        if end is None:
            return
        if sc.number == 23:
            window.not_before(end, _("DEV-14：预备期满方可讨论转正"))
        window.due_by(
            end + relativedelta(months=sc.params["prompt_months"]),
            _("DEV-14：预备期满后及时讨论转正"),
        )

    def check(self, sc):
        end = sc.case.probation_end
        if end and sc.on < end:
            return self.violation(
                _("预备期至 %(day)s 期满，不得提前讨论转正。") % {"day": end}, end
            )
        return None

    def evaluate(self, ctx):
        cases = [
            c
            for c in self.cases(ctx, status=Case.Status.PROBATION, last_step__lt=23)
            if c.probation_end and c.probation_end <= ctx.on + relativedelta(months=1)
        ]
        out = []
        for case in cases:
            end = case.probation_end
            found = self.deadline(
                ctx,
                case,
                end,
                end + relativedelta(months=ctx.params["prompt_months"]),
                False,
                _("%(name)s 预备期于 %(since)s 期满，应于 %(deadline)s 前由支部大会讨论转正。"),
                _("%(name)s 预备期已于 %(since)s 期满，超过 %(deadline)s 仍未讨论转正。"),
            )
            out.append(found)
        return out


@register
class OneExtension(DevRule):
    code = "DEV-15"
    title = "预备期可延长一次，时间不少于半年、最长不超过一年"
    citation = Citation("党章", "第七条", Confidence.CONFIRMED)
    checks_steps = (23,)

    def check(self, sc):
        if sc.outcome != Step.Outcome.EXTEND:
            return None
        if sc.case.extended:
            return self.violation(_("预备期只能延长一次，已延长过。"))
        months = sc.extend_months or 0
        if not 6 <= months <= 12:
            return self.violation(
                _("延长预备期应为 6 至 12 个月，现为 %(n)s 个月。") % {"n": months}
            )
        return None


@register
class ConfirmationApproval(DevRule):
    code = "DEV-16"
    title = "上级党委在三个月内审批转正、延长或取消"
    citation = Citation("细则", "≈第三十三条", Confidence.ARTICLE_UNCERTAIN)
    params = (Param("months", "审批期限（月）", 3, "个月", stricter="lower"),)
    blocking = False

    def evaluate(self, ctx):
        cases = list(self.cases(ctx, last_step=23))
        steps = self.steps_by_case([c.pk for c in cases])
        out = []
        for case in cases:
            meeting = max(steps[case.pk].get(23, []), default=None)
            if meeting is None:
                continue
            out.append(
                self.deadline(
                    ctx,
                    case,
                    meeting,
                    meeting + relativedelta(months=ctx.params["months"]),
                    False,
                    _(
                        "%(name)s 转正经支部大会（%(since)s）讨论，上级党委应于 %(deadline)s 前审批。"
                    ),
                    _(
                        "%(name)s 转正经支部大会（%(since)s）讨论，超过三个月（%(deadline)s）上级党委仍未审批。"
                    ),
                )
            )
        return out


@register
class OathPromptly(DevRule):
    code = "DEV-18"
    title = "预备党员经上级党委批准后及时入党宣誓"
    citation = Citation("党章", "第六条", Confidence.LOCAL, note="一个月内为地方/单位规定")
    params = (Param("months", "期限（月）", 1, "个月", stricter="lower"),)
    blocking = False
    window_steps = (20,)

    def window(self, sc, window):
        approved = sc.first(17)
        if approved is not None:
            window.due_by(
                approved.on + relativedelta(months=sc.params["months"]),
                _("DEV-18：批准后一个月内入党宣誓"),
            )

    def evaluate(self, ctx):
        cases = list(
            self.cases(ctx, last_step__gte=17, last_step__lt=20, status=Case.Status.PROBATION)
        )
        steps = self.steps_by_case([c.pk for c in cases])
        out = []
        for case in cases:
            approved = min(steps[case.pk].get(17, []), default=None)
            if approved is None or steps[case.pk].get(20):
                continue
            out.append(
                self.deadline(
                    ctx,
                    case,
                    approved,
                    approved + relativedelta(months=ctx.params["months"]),
                    False,
                    _("%(name)s 已于 %(since)s 批准为预备党员，应于 %(deadline)s 前入党宣誓。"),
                    _("%(name)s 已于 %(since)s 批准为预备党员，超过 %(deadline)s 仍未入党宣誓。"),
                )
            )
        return out


@register
class RushedBatches(DevRule):
    code = "DEV-20"
    title = "按年度计划发展党员，防止突击发展"
    citation = Citation(
        "细则", "第三条", Confidence.LOCAL, note="一次支部大会接收人数和年末集中发展为地方/单位规定"
    )
    period_kind = "year"
    live_only = False  # counts dated admissions, so a past year can be judged
    params = (Param("max_per_meeting", "一次大会接收人数上限", 5, "人", stricter="lower"),)
    blocking = False

    def evaluate(self, ctx):
        rows = (
            Decision.objects.filter(
                kind="admission",
                passed=True,
                meeting__org__in=ctx.org_in,
                meeting__on__gte=ctx.period.start,
                meeting__on__lt=ctx.period.end,
            )
            .values_list("meeting__org", "meeting__public_id", "meeting__on")
            .annotate(n=Count("id"))
        )
        per_org: dict[int, list] = defaultdict(list)
        for org_id, meeting_id, held_on, n in rows:
            per_org[org_id].append((meeting_id, held_on, n))
        out = []
        limit = ctx.params["max_per_meeting"]
        for org_id, meetings in per_org.items():
            rushed = [
                (m, d, n)
                for m, d, n in meetings
                if n > limit or (d.month == 12 and n >= max(2, limit - 2))
            ]
            if rushed:
                meeting_id, day, n = max(rushed, key=lambda r: r[2])
                text = _("%(day)s 一次支部大会接收 %(n)s 名预备党员，存在突击发展的迹象。") % {
                    "day": day,
                    "n": n,
                }
                out.append(
                    Outcome(
                        org_id,
                        Status.SUSPECT,
                        text,
                        {"admitted_in_one_meeting": n, "limit": limit},
                        refs=[f"meeting:{meeting_id}"],
                    )
                )
            else:
                total = sum(n for _, _, n in meetings)
                out.append(
                    Outcome(
                        org_id,
                        Status.OK,
                        _("本年度接收预备党员 %(n)s 名，未见突击发展。") % {"n": total},
                        {"admitted": total},
                    )
                )
        return out


@register
class Archive(DevRule):
    code = "DEV-21"
    title = "转正后及时将入党材料归档"
    citation = Citation("细则", "第三十七条", Confidence.CONFIRMED, note="一周内为地方/单位规定")
    params = (Param("days", "期限（天）", 7, "天", stricter="lower"),)
    blocking = False
    window_steps = (25,)

    def window(self, sc, window):
        approved = sc.first(24)
        if approved is not None:
            window.due_by(
                approved.on + timedelta(days=sc.params["days"]),
                _("DEV-21：转正后一周内归档"),
            )

    def evaluate(self, ctx):
        cases = list(
            Case.objects.filter(org__in=ctx.org_in, status=Case.Status.CONFIRMED, last_step=24)
        )
        steps = self.steps_by_case([c.pk for c in cases])
        out = []
        for case in cases:
            approved = min(steps[case.pk].get(24, []), default=None)
            if approved is None:
                continue
            out.append(
                self.deadline(
                    ctx,
                    case,
                    approved,
                    approved + timedelta(days=ctx.params["days"]),
                    False,
                    _("%(name)s 已于 %(since)s 批准转正，入党材料应于 %(deadline)s 前归档。"),
                    _("%(name)s 已于 %(since)s 批准转正，超过 %(deadline)s 材料仍未归档。"),
                )
            )
        return out


# --- roster facts the checks need -------------------------------------------------------


def full_member_on(member, day: date) -> bool:
    return spans_on(day, statuses=(Member.Status.FULL,)).filter(member=member).exists()


def step_window(sc: StepContext, params=params_for) -> Window:
    """When step ``sc.number`` of ``sc.case`` may and should be recorded, by the rules in
    force on ``sc.on`` with the case's parameters (``params_for``, or a memo of it)."""
    chosen = [r for r in catalogue(sc.on) if isinstance(r, DevRule) and sc.number in r.window_steps]
    window = Window()
    for rule in sorted(chosen, key=lambda r: (r.window_order, r.code)):
        sc.params = params(rule, sc.case.org, sc.on)
        rule.window(sc, window)
    return window


def blocking_rules_for(number: int, day: date) -> list[DevRule]:
    """The rules that check step ``number`` (versions in force on ``day``), order first."""
    rules = [r for r in catalogue(day) if isinstance(r, DevRule) and r.blocking]
    chosen = [r for r in rules if r.code == "DEV-00" or number in r.checks_steps]
    return sorted(chosen, key=lambda r: (r.code != "DEV-00", r.code))


# --- DISC-05: no re-admission within five years of 开除党籍 -------------------------------
# Here, not in discipline: it reads development's cases, and discipline sits below
# development. The findings sit at the deciding org with counts only (see
# zhibu.discipline.rules); case_open refuses such an application outright.


@register
class NoReadmission(Rule):
    code = "DISC-05"
    reads = (
        "discipline.DisciplineRecord",
        "development.Case",
        "development.Step",
        "members.Member",
    )
    title = "开除党籍的，五年内不得重新入党"
    citation = EXPULSION_CITATION
    params = (Param("months", "不得重新入党期限（月）", 60, "个月", stricter="higher"),)
    kinds = frozenset(Org.COMMITTEE_KINDS | Org.BRANCH_KINDS)
    period_kind = "snapshot"
    live_only = True
    module = "discipline"

    def evaluate(self, ctx: Context):
        rows = list(
            DisciplineRecord.objects.filter(
                deciding_org__in=ctx.org_in,
                status=DisciplineRecord.Status.IN_EFFECT,
                decided_on__lte=ctx.on,
            )
            .filter(
                Q(kind=DisciplineRecord.Kind.EXPULSION)
                | Q(kind=DisciplineRecord.Kind.PROBATION, outcome=DisciplineRecord.Outcome.EXPELLED)
            )
            .exclude(id_index="")
            .values_list(
                "deciding_org", "id_index", "kind", "decided_on", "effect_until", "outcome_on"
            )
        )
        if not rows:
            return []
        by_index: dict[str, list] = defaultdict(list)
        for org_id, index, kind, decided_on, until, outcome_on in rows:
            start = decided_on if kind == DisciplineRecord.Kind.EXPULSION else outcome_on
            if start is None:
                continue
            end = (
                until
                if kind == DisciplineRecord.Kind.EXPULSION
                else start + relativedelta(months=ctx.params["months"])
            )
            by_index[index].append((org_id, start, end))
        # Applications (step 1) by the same person within the period.
        applied = Step.objects.filter(number=1, case__id_index__in=list(by_index)).values_list(
            "case__id_index", "on"
        )
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for entries in by_index.values():
            for org_id, _start, _end in entries:
                counts[org_id][0] += 1
        for applicant, on in applied:
            for org_id, start, end in by_index.get(applicant or "", ()):
                if start <= on and (end is None or on < end):
                    counts[org_id][1] += 1
        outcomes = []
        for org_id, (n, bad) in counts.items():
            numbers = {"expelled": n, "applications": bad}
            if bad:
                text = _(
                    "本组织开除党籍的人员中，有 %(bad)s 人在五年内又递交入党申请并被登记，请核查。"
                ) % {"bad": bad}
                outcomes.append(Outcome(org_id, Status.SUSPECT, text, numbers))
            else:
                text = _("开除党籍 %(n)s 人，未发现五年内重新申请入党的登记。") % {"n": n}
                outcomes.append(Outcome(org_id, Status.OK, text, numbers))
        return outcomes
