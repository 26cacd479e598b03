"""The 督办单 as a PDF (``zhibu.core.pdf.DocumentPDF``): what the supervising office prints
and files — the request, the deadline in working days, and the exchange so far."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.core.pdf import DocumentPDF
from zhibu.duties.models import Supervision
from zhibu.duties.selectors.evidence import evidence_for
from zhibu.duties.services.evidence import ref_of


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
