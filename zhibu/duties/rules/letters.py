"""Rulebook entries for responsibility letters and tasks (docs/rules.md, RESP-02 family).

RESP-02 is one row of the regulations (责任书逐级签订, 分级、分项、分口); it is checked by
four rules that share the row's code with a letter after the number, as a row with more
than one check does: RESP-02 the letter signed by its deadline, RESP-02b each received item
kept or passed down (分级), RESP-02c evidence for an item past its deadline, RESP-02d a task
not overdue. All are local practice (L): their limits are parameters a local supplement
may tighten.

Snapshot rules judged from the records' present state (``live_only``), each with a fixed
number of queries over the whole subtree; a problem is reported per letter, item or task,
and an org that has such records and no problem gets one "ok" outcome (an org with none
gets nothing: no letter is not a finding of these rules).
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef
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
from zhibu.core.rules.registry import in_force
from zhibu.duties.models import Letter, LetterItem, Task, TaskProgress
from zhibu.orgs.models import Org

CITATION = Citation(
    "地方", "", Confidence.LOCAL, note="责任书逐级签订（分级、分项、分口），每年一次"
)
RECIPIENTS = frozenset(Org.COMMITTEE_KINDS | Org.BRANCH_KINDS)


def default_sign_deadline(year: int, params: dict[str, int]) -> date:
    """The local deadline for signing a year's letters (default 31 March); a day past the
    month's end is the month's last day."""
    month = min(max(params.get("sign_month", 3), 1), 12)
    first = date(year, month, 1)
    last = first + relativedelta(months=1) - timedelta(days=1)
    return first.replace(day=min(max(params.get("sign_day", 31), 1), last.day))


def sign_deadline_of(letter: Letter, on: date | None = None) -> date:
    """The letter's own deadline, else the recipient's local rule (RESP-02's parameters)."""
    if letter.sign_deadline:
        return letter.sign_deadline
    rule = in_force(LetterSigned.code, on or letter.issued_on)
    org = letter.recipient or letter.issuer
    params = params_for(rule, org, on or letter.issued_on) if rule else {}
    return default_sign_deadline(letter.year, params)


def _with_ok_orgs(ctx: Context, outcomes: list[Outcome], having: set[int], text) -> list:
    flagged = {o.org_id for o in outcomes if o.status != Status.OK}
    for org_id in sorted(having - flagged):
        outcomes.append(Outcome(org_id, Status.OK, text, {}))
    return outcomes


class LetterRule(Rule):
    citation = CITATION
    period_kind = "snapshot"
    reads = ("duties.Letter", "duties.LetterItem", "duties.Task", "duties.TaskProgress")
    live_only = True
    module = "duties"


@register
class LetterSigned(LetterRule):
    code = "RESP-02"
    title = "责任书逐级签订：下达的责任书应在签订期限内由签订组织主要负责人签订"
    kinds = RECIPIENTS
    params = (
        Param("sign_month", "签订期限（月）", 3, "月", stricter="lower"),
        Param("sign_day", "签订期限（日）", 31, "日", stricter="lower"),
    )
    action = Action(gettext_lazy("签订责任书"), "duties:letter_detail", "letter")

    def evaluate(self, ctx: Context):
        letters = Letter.objects.filter(
            recipient__in=ctx.org_in,
            year=ctx.on.year,
            issued_on__lte=ctx.on,
            status__in=(Letter.Status.ISSUED, Letter.Status.SIGNED),
        ).values_list("pk", "public_id", "recipient", "title", "status", "sign_deadline", "year")
        outcomes, having = [], set()
        for pk, public_id, org_id, title, status, own, year in letters:
            having.add(org_id)
            if status == Letter.Status.SIGNED:
                continue
            deadline = own or default_sign_deadline(year, ctx.params)
            values = {"title": title, "deadline": deadline}
            if ctx.on > deadline:
                late, text = Status.LATE, _("《%(title)s》已过签订期限（%(deadline)s），尚未签订。")
            else:
                late, text = Status.DUE, _("《%(title)s》待签订，签订期限 %(deadline)s。")
            outcomes.append(
                Outcome(
                    org_id,
                    late,
                    text % values,
                    {"deadline": deadline.isoformat()},
                    subject_type="letter",
                    subject_id=pk,
                    refs=[f"letter:{public_id}"],
                )
            )
        return _with_ok_orgs(ctx, outcomes, having, _("本年度责任书均已按期签订。"))


@register
class ItemCascaded(LetterRule):
    code = "RESP-02b"
    title = "责任分级落实：党委、党总支收到的责任分项应本级承担或分解下传到下级组织"
    kinds = frozenset(Org.COMMITTEE_KINDS)
    params = (Param("grace_days", "签订后分解期限（天）", 30, "天", stricter="lower"),)
    action = Action(gettext_lazy("分解责任分项"), "duties:letter_detail", "letter")

    def evaluate(self, ctx: Context):
        rows = LetterItem.objects.filter(
            letter__recipient__in=ctx.org_in,
            letter__year=ctx.on.year,
            letter__status=Letter.Status.SIGNED,
            letter__signed_on__lte=ctx.on,
        ).values_list(
            "pk",
            "category",
            "content",
            "disposition",
            "letter__recipient",
            "letter__public_id",
            "letter__signed_on",
        )
        grace = ctx.params["grace_days"]
        outcomes, having = [], set()
        for pk, category, content, disposition, org_id, letter_id, signed_on in rows:
            having.add(org_id)
            if disposition != LetterItem.Disposition.PENDING or signed_on is None:
                continue
            due = signed_on + timedelta(days=grace)
            values = {"item": f"{category}：{content[:30]}", "due": due}
            if ctx.on > due:
                status = Status.LATE
                text = _("收到的分项“%(item)s”既未本级承担也未分解下传（应于 %(due)s 前）。")
            else:
                status = Status.DUE
                text = _("收到的分项“%(item)s”待分解：本级承担或下传，期限 %(due)s。")
            outcomes.append(
                Outcome(
                    org_id,
                    status,
                    text % values,
                    {"due": due.isoformat()},
                    subject_type="letter_item",
                    subject_id=pk,
                    refs=[f"letter:{letter_id}"],
                )
            )
        return _with_ok_orgs(ctx, outcomes, having, _("收到的责任分项均已分解落实。"))


@register
class ItemEvidenced(LetterRule):
    code = "RESP-02c"
    title = "责任分项到期应有佐证材料"
    kinds = RECIPIENTS
    params = (Param("grace_days", "到期后补交佐证期限（天）", 0, "天", stricter="lower"),)
    action = Action(gettext_lazy("报告进展"), "duties:task_detail", "task")

    def evaluate(self, ctx: Context):
        cutoff = ctx.on - timedelta(days=ctx.params["grace_days"])
        with_files = TaskProgress.objects.filter(task=OuterRef("pk"), files__gt=0)
        rows = (
            Task.objects.filter(
                org__in=ctx.org_in,
                item__isnull=False,
                item__letter__year=ctx.on.year,
            )
            .annotate(proved=Exists(with_files))
            .values_list("pk", "public_id", "org", "title", "due", "proved")
        )
        outcomes, having = [], set()
        for pk, public_id, org_id, title, due, proved in rows:
            having.add(org_id)
            if proved or due >= cutoff:
                continue
            outcomes.append(
                Outcome(
                    org_id,
                    Status.MISSING,
                    _("分项“%(title)s”已过完成时限（%(due)s），没有佐证材料。")
                    % {"title": title[:40], "due": due},
                    {"due": due.isoformat()},
                    subject_type="task",
                    subject_id=pk,
                    refs=[f"task:{public_id}"],
                )
            )
        return _with_ok_orgs(ctx, outcomes, having, _("到期的责任分项均有佐证材料。"))


@register
class TaskOnTime(LetterRule):
    code = "RESP-02d"
    title = "任务应在完成时限内完成并经交办组织确认"
    params = (Param("grace_days", "逾期宽限（天）", 0, "天", stricter="lower"),)
    action = Action(gettext_lazy("办理任务"), "duties:task_detail", "task")

    def evaluate(self, ctx: Context):
        cutoff = ctx.on - timedelta(days=ctx.params["grace_days"])
        rows = (
            Task.objects.filter(org__in=ctx.org_in)
            .exclude(status=Task.Status.DONE, confirmed_on__lt=ctx.on - timedelta(days=366))
            .values_list("pk", "public_id", "org", "title", "due", "status")
        )
        outcomes, having = [], set()
        for pk, public_id, org_id, title, due, status in rows:
            having.add(org_id)
            if status == Task.Status.DONE or due >= cutoff:
                continue
            outcomes.append(
                Outcome(
                    org_id,
                    Status.LATE,
                    _("任务“%(title)s”已逾期（完成时限 %(due)s），尚未完成。")
                    % {"title": title[:40], "due": due},
                    {"due": due.isoformat(), "days": (ctx.on - due).days},
                    subject_type="task",
                    subject_id=pk,
                    refs=[f"task:{public_id}"],
                )
            )
        return _with_ok_orgs(ctx, outcomes, having, _("任务均在时限内推进。"))
