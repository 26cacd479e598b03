"""The case file (入党材料汇编) of one person: who they are, every step with its date,
documents and people, the 公示, the overrides, and the checklist of the materials that
细则 第三十七条 says go to the archive after 转正 (DEV-21). Drawn with
``zhibu.core.pdf.DocumentPDF``; the ID number is masked as everywhere else in exports.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhibu.core.pdf import DocumentPDF
from zhibu.development.models import Case, Step, StepPerson
from zhibu.development.steps import PUBLICITY_LABELS, STAGES, STEPS

# What goes to the archive (DEV-21), and the steps that record each piece.
MATERIALS = (
    (gettext_lazy("入党申请书"), (1,)),
    (gettext_lazy("入党积极分子、发展对象考察材料"), (6,)),
    (gettext_lazy("政治审查材料"), (10,)),
    (gettext_lazy("入党志愿书"), (14,)),
    (gettext_lazy("预备期考察材料"), (21,)),
    (gettext_lazy("转正申请书"), (22,)),
    (gettext_lazy("上级党委审批转正意见"), (24,)),
)


def _steps(case: Case) -> list[Step]:
    return list(
        case.steps.select_related("decision__meeting", "recorded_by")
        .prefetch_related("people__member")
        .order_by("on", "number", "id")
    )


def case_pdf(case: Case) -> bytes:
    """Title, basic facts, the archive checklist, the steps, 公示 and overrides."""
    steps = _steps(case)
    by_number: dict[int, list[Step]] = defaultdict(list)
    for step in steps:
        by_number[step.number].append(step)
    title = _("%(name)s 入党材料汇编") % {"name": case.name}
    pdf = DocumentPDF(title)
    _title(pdf, case, title)
    _basics(pdf, case)
    _materials(pdf, by_number)
    _step_table(pdf, steps)
    _publicities(pdf, case)
    _overrides(pdf, case)
    return bytes(pdf.output())


def _title(pdf: DocumentPDF, case: Case, title: str) -> None:
    pdf.add_page()
    pdf.heading(title, size=18)
    pdf.para("", _("%(org)s　生成于 %(day)s") % {"org": case.org.name, "day": timezone.localdate()})


def _basics(pdf: DocumentPDF, case: Case) -> None:
    pdf.heading(_("基本情况"))
    pdf.grid(
        None,
        [
            [_("姓名"), case.name, _("性别"), case.get_gender_display()],
            [_("出生日期"), case.birth_date, _("民族"), case.get_ethnicity_display()],
            [
                _("公民身份号码"),
                case.masked_id_number or "—",
                _("学历"),
                case.get_education_display() or "—",
            ],
            [_("工作单位"), case.work_unit or "—", _("岗位/职务"), case.occupation or "—"],
            [_("党支部"), case.org.name, _("状态"), case.get_status_display()],
            [
                _("所处阶段"),
                STAGES.get(case.stage, "—"),
                _("接收为预备党员日期"),
                case.admitted_on or "—",
            ],
        ],
        widths=(28, 52, 36, 58),
    )
    if case.stop_reason:
        pdf.para(_("终止原因"), case.stop_reason)


def _materials(pdf: DocumentPDF, by_number: dict[int, list[Step]]) -> None:
    """The archive checklist (DEV-21)."""
    pdf.heading(_("材料归档清单"))
    rows = []
    for label, numbers in MATERIALS:
        found = [s for n in numbers for s in by_number.get(n, [])]
        if found:
            mark = "；".join(f"{s.on} {s.document}".strip() for s in found)
            rows.append([str(label), _("已登记"), mark])
        else:
            rows.append([str(label), _("未登记"), "—"])
    archived = by_number.get(25)
    rows.append(
        [
            _("材料归档"),
            _("已归档") if archived else _("未归档"),
            "；".join(str(s.on) for s in archived or []) or "—",
        ]
    )
    pdf.grid([_("材料"), _("情况"), _("日期与文号")], rows, widths=(60, 24, 90))


def _step_table(pdf: DocumentPDF, steps: list[Step]) -> None:
    """Every step with its documents, result and people; then the steps' conclusions."""
    pdf.heading(_("发展步骤"))
    roles = dict(StepPerson.Role.choices)
    rows = []
    for step in steps:
        details = [step.document, step.get_outcome_display() if step.outcome else ""]
        people = "、".join(f"{roles.get(p.role, '')}{p.member.name}" for p in step.people.all())
        if step.decision_id:
            meeting = step.decision.meeting
            details.append(_("%(day)s %(title)s") % {"day": meeting.on, "title": meeting.title})
        if step.extend_months:
            details.append(_("延长预备期 %(n)s 个月") % {"n": step.extend_months})
        rows.append(
            [STEPS[step.number].label, step.on, "；".join(d for d in [*details, people] if d)]
        )
    if rows:
        pdf.grid([_("步骤"), _("日期"), _("文书、结果与人员")], rows, widths=(52, 24, 98))
    else:
        pdf.para("", _("尚未登记任何步骤。"))
    for step in steps:
        if step.conclusion or step.note:
            pdf.label(STEPS[step.number].label)
            pdf.para("", "\n".join(t for t in (step.conclusion, step.note) if t))


def _publicities(pdf: DocumentPDF, case: Case) -> None:
    publicities = list(case.publicities.order_by("start"))
    if publicities:
        pdf.heading(_("公示"))
        pdf.grid(
            [_("公示事项"), _("起止日期"), _("工作日"), _("反映的问题")],
            [
                [
                    PUBLICITY_LABELS.get(p.key, p.key),
                    f"{p.start} — {p.ends_on}",
                    p.working_days,
                    p.objections or _("无"),
                ]
                for p in publicities
            ],
            widths=(44, 50, 16, 64),
        )


def _overrides(pdf: DocumentPDF, case: Case) -> None:
    overrides = list(
        case.overrides.select_related("requested_by", "approver").order_by("requested_at")
    )
    if overrides:
        pdf.heading(_("规则例外审批"))
        pdf.grid(
            [_("步骤"), _("规则"), _("理由"), _("状态"), _("审批人")],
            [
                [
                    STEPS[o.step_number].label,
                    o.rule_code,
                    o.reason,
                    o.get_state_display(),
                    o.approver.get_full_name() if o.approver else "—",
                ]
                for o in overrides
            ],
            widths=(40, 18, 68, 20, 28),
        )
