"""The demo's responsibility letters (责任书) and tasks for this year (RESP-01, RESP-02).

The 党委 issues its 全面从严治党主体责任书 on 20 February to its three 党总支 and the
离退休党支部; they sign at the 党建工作会议 on 6 March (the 生产运行党总支's secretary online,
the others on paper, recorded by the 党委组织部). Each 党总支 passes the items down to its
branches (the 机关党总支 keeps 党风廉政 itself) and issues its own letters on 12 March; the
branches sign by 27 March. Every item became a task: the 组织建设 ones (due 30 June) were
reported with a file and confirmed in July; the rest run to the year end.

Seeded gaps (``SEEDED_GAPS``), left on purpose:
- 三分公司党支部 has not signed its letter (its secretary left in the spring): RESP-02 late.
- The 工程建设党总支 has neither kept nor passed down its 作风建设 item: RESP-02b late.
- The task ``OVERDUE_TASK`` (热源厂党支部, from a 党委 meeting's decision) is past its due
  date unfinished: RESP-02d late. 督办 targets it as ``task:<its public id>``.

Every step runs at the moment it would have been taken (``clock.at``); a step whose day
has not come yet in the demo's year is left out.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhibu.accounts.models import User
from zhibu.demo.clock import at, moment
from zhibu.demo.state import Demo
from zhibu.duties.models import Letter, Task
from zhibu.duties.services import letters as services
from zhibu.duties.services import tasks as task_services
from zhibu.duties.services.letters import ItemSpec
from zhibu.meetings.models import Meeting
from zhibu.orgs.models import Org

TITLE = "%s年度全面从严治党主体责任书"
PREAMBLE = (
    "为深入推进全面从严治党，落实党委主体责任、书记第一责任人责任和班子成员“一岗双责”，"
    "经党委研究，制定本责任书。"
)
ITEMS: tuple[tuple[str, str, int, str, tuple[int, int]], ...] = (
    (
        "政治建设",
        "认真学习贯彻党的创新理论，严格执行重大事项请示报告制度",
        15,
        "学习记录、请示报告台账",
        (12, 31),
    ),
    (
        "思想建设",
        "落实“三会一课”、主题党日制度，党员年度集中学习不少于 32 学时",
        15,
        "会议记录、学时统计",
        (12, 31),
    ),
    (
        "组织建设",
        "完成支部标准化建设自查，按期换届，规范发展党员和党费收缴",
        20,
        "自查报告",
        (6, 30),
    ),
    ("作风建设", "开展调查研究，为供热用户办实事不少于 2 件", 15, "调研报告、服务台账", (12, 31)),
    ("纪律建设", "开展警示教育，运用监督执纪“四种形态”", 15, "警示教育记录", (12, 31)),
    ("党风廉政", "排查岗位廉洁风险并制定防控措施", 20, "廉洁风险清单", (12, 31)),
)
UNSIGNED = "RLJT-FG3"  # the branch that has not signed (RESP-02)
UNDECIDED = ("RLJT-GC", "作风建设")  # the 党总支 item neither kept nor passed down
KEPT = ("RLJT-JG", "党风廉政")  # kept at the 党总支 itself
OVERDUE_ORG = "RLJT-RY"
OVERDUE_TASK = "热源厂党支部：完成党员活动室标准化改造"
ONLINE = {"RLJT-SC": "zongzhi", "RLJT-RY": "zhibu"}  # who signs online; the rest on paper
SEEDED_GAPS: tuple[tuple[str, str, str], ...] = (
    ("RESP-02", "late", UNSIGNED),
    ("RESP-02b", "late", UNDECIDED[0]),
    ("RESP-02d", "late", OVERDUE_ORG),
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def build(demo: Demo, root: Org) -> None:
    year = demo.today.year
    if Letter.objects.filter(issuer=root, year=year).exists():
        return
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["dangwei", "zuzhibu", *ONLINE.values()])
    }
    orgs = {o.code: o for o in Org.objects.filter(path__startswith=root.path)}
    staff, secretary = users.get("zuzhibu"), users.get("dangwei")

    def when(month: int, day: int, hour: int = 10):
        return moment(date(year, month, day), hour)

    def due(month: int, day: int) -> bool:
        return date(year, month, day) < demo.today

    if not due(2, 20):
        return
    with at(when(2, 20)):
        template = services.letter_draft(
            issuer=root,
            kind=Letter.Kind.PRINCIPAL,
            year=year,
            title=TITLE % year,
            preamble=PREAMBLE,
            issued_on=date(year, 2, 20),
            sign_deadline=date(year, 3, 31),
            issuer_signer="王振华",
            by=secretary,
        )
        for category, content, weight, evidence, (m, d) in ITEMS:
            services.item_add(
                letter=template,
                spec=ItemSpec(category, content, date(year, m, d), weight, evidence),
            )
        children = [o for o in Org.objects.get_children(root).order_by("path") if o.is_active]
        letters = services.letter_issue(letter=template, recipients=children, by=secretary)
    demo.counts["letters"] += len(letters)
    if not due(3, 6):
        return
    signed = _sign_all(
        letters, when(3, 6, 15), date(year, 3, 6), "集团党建工作会议会场", users, staff
    )
    if not due(3, 12):
        return
    branch_letters = []
    for letter in signed:
        if letter.recipient.kind != Org.Kind.GENERAL_BRANCH:
            continue
        code = letter.recipient.code
        issuer_user = users.get(ONLINE.get(code, ""), staff)
        with at(when(3, 10)):
            branches = [
                o
                for o in Org.objects.get_children(letter.recipient)
                .exclude(kind=Org.Kind.GROUP)
                .order_by("path")
                if o.is_active
            ]
            for item in letter.items.all():
                if (code, item.category) == UNDECIDED:
                    continue
                if (code, item.category) == KEPT:
                    services.item_keep(item=item, note="由党总支班子直接承担")
                else:
                    services.item_pass_down(item=item, to=branches, by=issuer_user)
        with at(when(3, 12)):
            drafts = Letter.objects.filter(
                issuer=letter.recipient, year=year, status=Letter.Status.DRAFT
            ).order_by("recipient__path")
            for draft in drafts:
                draft.sign_deadline = date(year, 3, 31)
                draft.issuer_signer = letter.signer_name
                draft.save()
                branch_letters += services.letter_issue(letter=draft, by=issuer_user)
    demo.counts["letters"] += len(branch_letters)
    if due(3, 27):
        to_sign = [letter for letter in branch_letters if letter.recipient.code != UNSIGNED]
        _sign_all(to_sign, when(3, 27, 15), date(year, 3, 27), "党支部活动室", users, None)
    if due(7, 15):
        _report_mid_year(year, root, users, when)
    _overdue_task(demo, root, orgs, users)
    demo.counts["tasks"] += Task.objects.filter(org__path__startswith=root.path).count()


def _sign_all(letters, moment_, day, place, users, recorder) -> list[Letter]:
    signed = []
    with at(moment_):
        for letter in letters:
            online = users.get(ONLINE.get(letter.recipient.code, ""))
            try:
                if online is not None:
                    result = services.letter_sign(
                        letter=letter, by=online, signed_on=day, place=place
                    )
                else:
                    by = recorder or users.get(
                        ONLINE.get(letter.issuer.code, ""), users.get("zuzhibu")
                    )
                    result = services.letter_record_signing(
                        letter=letter, by=by, signed_on=day, place=place
                    )
            except ValidationError:  # no secretary in office that day: it stays unsigned
                continue
            signed.append(result)
    return signed


def _report_mid_year(year, root, users, when) -> None:
    """The 组织建设 tasks (due 30 June): a report with the self-check file in late June,
    confirmed by the issuer in early July."""
    tasks = list(
        Task.objects.filter(
            org__path__startswith=root.path, item__category="组织建设", due=date(year, 6, 30)
        ).select_related("org", "issuer")
    )
    for task in tasks:
        with at(when(6, 26)):
            task_services.task_report(
                task=task,
                on=date(year, 6, 26),
                percent=100,
                note="已完成标准化建设自查，问题已列入整改清单。",
                completed=True,
                files=[SimpleUploadedFile("标准化建设自查报告.pdf", PDF)],
            )
        with at(when(7, 8)):
            task_services.task_confirm(task=task, on=date(year, 7, 8), by=users.get("dangwei"))


def _overdue_task(demo: Demo, root: Org, orgs: dict, users: dict) -> None:
    """A task from a 党委 meeting's decision, past due and unfinished (RESP-02d)."""
    owner = orgs.get(OVERDUE_ORG)
    decided = demo.today - timedelta(days=75)
    meeting = (
        Meeting.objects.filter(org=root, status__in=Meeting.HELD_STATUSES, on__lte=decided)
        .order_by("-on")
        .first()
    )
    if owner is None:
        return
    start = meeting.on if meeting else decided
    with at(moment(start, 17)):
        task = task_services.task_create(
            issuer=root,
            org=owner,
            title=OVERDUE_TASK,
            description="按党委会议决定，完成党员活动室标准化改造（制度上墙、学习资料、党旗党徽）。",
            due=demo.today - timedelta(days=15),
            meeting=meeting,
            by=users.get("dangwei"),
        )
    with at(moment(demo.today - timedelta(days=30), 16)):
        task_services.task_report(
            task=task,
            on=demo.today - timedelta(days=30),
            percent=60,
            note="已完成制度上墙和学习资料配置，党旗党徽待采购。",
            by=users.get("zhibu"),
        )
