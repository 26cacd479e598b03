"""A 请示 or 报告 as filed: 文头 (the sender and the document kind in red), subject,
addressee and copy-to, body, attachments, signature (签发人, date, the meeting that
studied it) and, once given, the receiver's answer or return. Drawn with
``zhibu.core.pdf.DocumentPDF``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhibu.core.pdf import DocumentPDF
from zhibu.duties.models import Evidence, Request


def request_pdf(item: Request, files: list[Evidence]) -> bytes:
    kind = str(item.get_kind_display())
    pdf = DocumentPDF(f"{item.sender.name}{kind}")
    pdf.add_page()
    pdf.heading(f"{item.sender.name}{kind}", size=20)
    if item.urgency != Request.Urgency.NORMAL:
        pdf.para("", str(item.get_urgency_display()))
    pdf.heading(item.subject, size=14)
    pdf.para("", f"{item.receiver.name}：")
    pdf.para("", item.body)
    if files:
        names = "；".join(f"{i}. {f.original_name}" for i, f in enumerate(files, 1))
        pdf.para(_("附件"), names)
    signature = [
        item.sender.name,
        _("签发人：%(name)s") % {"name": item.signer or "—"},
        f"{item.sent_on:%Y-%m-%d}" if item.sent_on else str(item.get_status_display()),
    ]
    pdf.para("", "\n".join(signature))
    if item.meeting:
        pdf.para(_("集体研究"), f"{item.meeting.on:%Y-%m-%d} {item.meeting.title}")
    if item.skip_reason and item.skips_level:
        pdf.para(_("越级报送理由"), item.skip_reason)
    if item.copy_to:
        pdf.para(_("抄送"), item.copy_to.name)
    if item.status == Request.Status.ANSWERED:
        who = f"{item.receiver.name}　{item.answered_on:%Y-%m-%d}"
        pdf.para(str(item.answer_label), f"{item.answer}\n{who}")
        pdf.para(_("超时说明"), item.late_reason)
    elif item.status == Request.Status.RETURNED:
        pdf.para(
            _("退回理由"),
            f"{item.return_reason}\n{item.receiver.name}　{item.answered_on:%Y-%m-%d}",
        )
    return bytes(pdf.output())
