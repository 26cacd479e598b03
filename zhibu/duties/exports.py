"""Printable and office files of the responsibility work: a letter as a PDF with its items
and signature block (what is filed after signing), the task ledger (任务台账) and the
rectification ledger as Excel, and the 督办单 as a PDF (what the supervising office prints
and files — the request, the deadline in working days, and the exchange so far)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhibu.core.excel import build_workbook
from zhibu.core.pdf import DocumentPDF
from zhibu.duties.models import Letter, LetterItem, Supervision, Task
from zhibu.duties.selectors.evidence import evidence_for
from zhibu.duties.services.evidence import ref_of


def letter_pdf(letter: Letter, items: list[LetterItem]) -> bytes:
    pdf = DocumentPDF(letter.title)
    pdf.add_page()
    pdf.heading(f"{letter.year} 年度{letter.get_kind_display()}", size=18)
    pdf.para("", letter.title)
    parties: list[list] = [
        [_("下达组织（甲方）"), letter.issuer.name],
        [_("签订组织（乙方）"), letter.recipient.name if letter.recipient else _("（范本）")],
        [_("下达日期"), letter.issued_on],
        [_("签订期限"), letter.sign_deadline or "—"],
    ]
    pdf.grid(None, parties, widths=(40, 134))
    pdf.para(_("正文"), letter.preamble)
    pdf.heading(_("责任分项"))
    rows = [
        [
            index,
            item.category,
            item.content,
            item.department.name
            if item.department
            else (
                letter.recipient.short_name or letter.recipient.name if letter.recipient else "—"
            ),
            item.weight,
            item.deadline,
            item.evidence_required or "—",
        ]
        for index, item in enumerate(items, start=1)
    ]
    pdf.grid(
        [
            _("序号"),
            _("分项"),
            _("责任内容"),
            _("责任部门"),
            _("权重"),
            _("完成时限"),
            _("佐证材料"),
        ],
        rows,
        widths=(10, 20, 58, 24, 12, 22, 28),
    )
    total = sum(item.weight for item in items)
    pdf.para("", _("权重合计 %(n)s 分。") % {"n": total})
    pdf.heading(_("签订"))
    signed = letter.status == Letter.Status.SIGNED
    pdf.grid(
        None,
        [
            [
                _("甲方"),
                letter.issuer.name,
                _("乙方"),
                letter.recipient.name if letter.recipient else "—",
            ],
            [
                _("负责人"),
                letter.issuer_signer or "—",
                _("主要负责人"),
                f"{letter.signer_name}（{letter.signer_post}）" if signed else _("（未签订）"),
            ],
            [
                _("日期"),
                letter.issued_on,
                _("签订日期、地点"),
                f"{letter.signed_on} · {letter.signed_place}" if signed else "—",
            ],
        ],
        widths=(20, 67, 30, 57),
    )
    if signed and letter.signed_at:
        pdf.para(
            "",
            _("本责任书于 %(at)s 由 %(who)s 在系统中签订登记。")
            % {
                "at": f"{timezone.localtime(letter.signed_at):%Y-%m-%d %H:%M}",
                "who": letter.signer_name,
            },
        )
    return bytes(pdf.output())


LEDGER_HEADERS = (
    gettext_noop("任务"),
    gettext_noop("责任组织"),
    gettext_noop("责任部门"),
    gettext_noop("交办组织"),
    gettext_noop("来源"),
    gettext_noop("完成时限"),
    gettext_noop("状态"),
    gettext_noop("完成进度（%）"),
    gettext_noop("确认完成日期"),
    gettext_noop("退回次数"),
)


def ledger_workbook(tasks, today: date) -> tuple[bytes, int]:
    rows = []
    for task in tasks:
        source = (
            task.item.letter.title
            if task.item_id
            else (str(task.meeting) if task.meeting_id else _("直接交办"))
        )
        rows.append(
            [
                task.title,
                task.org.name,
                task.department.name if task.department else "",
                task.issuer.name,
                source,
                task.due,
                task.shown_status(today),
                task.percent,
                task.confirmed_on,
                task.returned,
            ]
        )
    headers = [_(h) for h in LEDGER_HEADERS]
    return build_workbook([(_("任务台账"), headers, rows)]), len(rows)


def ledger_tasks(qs):
    return qs.select_related("org", "issuer", "department", "item__letter", "meeting")


__all__ = ["Task", "ledger_tasks", "ledger_workbook", "letter_pdf"]


def supervision_pdf(item: Supervision) -> bytes:
    title = _("督办单")
    pdf = DocumentPDF(title)
    pdf.add_page()
    pdf.heading(title, size=18)
    pdf.para(
        "", _("%(org)s　生成于 %(day)s") % {"org": item.by_org.name, "day": timezone.localdate()}
    )
    pdf.grid(
        None,
        [
            [_("督办对象"), item.target_label],
            [_("责任组织"), item.org.name],
            [_("督办组织"), item.by_org.name],
            [_("督办等级"), item.get_level_display()],
            [_("督办日期"), item.opened_on],
            [
                _("回复期限"),
                _("%(day)s（%(n)s 个工作日）") % {"day": item.reply_due, "n": item.working_days},
            ],
            [_("状态"), item.get_status_display()],
        ],
        widths=(40, 140),
    )
    pdf.para(_("督办要求"), item.request)
    entries = list(item.entries.select_related("by"))
    if entries:
        pdf.heading(_("办理过程"))
        pdf.grid(
            [_("时间"), _("类型"), _("办理人"), _("内容")],
            [
                [
                    timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
                    e.get_kind_display(),
                    str(e.by or _("系统")),
                    e.text,
                ]
                for e in entries
            ],
            widths=(32, 28, 30, 90),
        )
    files = evidence_for(ref_of("supervision", item))
    if files:
        pdf.heading(_("佐证材料文件"))
        pdf.grid(None, [[f.original_name, f.uploaded_at.date()] for f in files], widths=(140, 40))
    return bytes(pdf.output())
