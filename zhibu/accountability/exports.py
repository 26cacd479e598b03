"""The 问责决定台账 (Excel, for the 纪委) and one decision's 问责决定登记表 (PDF)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhibu.core.excel import build_workbook
from zhibu.core.pdf import DocumentPDF

from .models import Decision

HEADERS = (
    gettext_noop("决定日期"),
    gettext_noop("被问责组织"),
    gettext_noop("责任人"),
    gettext_noop("问责方式"),
    gettext_noop("决定机关"),
    gettext_noop("文号"),
    gettext_noop("问责事由"),
    gettext_noop("问责线索"),
    gettext_noop("纪律处分记录"),
)


def decisions_workbook(decisions) -> tuple[bytes, int]:
    rows = [
        [
            d.decided_on,
            d.org.name,
            d.person.name if d.person_id else "",
            d.get_kind_display(),
            d.deciding_org.name,
            d.document_no,
            d.reason,
            "；".join(s.title for s in d.signals.all()),
            d.discipline_ref,
        ]
        for d in decisions
    ]
    headers = [_(h) for h in HEADERS]
    return build_workbook([(_("问责决定台账"), headers, rows)]), len(rows)


def decision_pdf(decision: Decision) -> bytes:
    title = _("问责决定登记表")
    pdf = DocumentPDF(title)
    pdf.add_page()
    pdf.heading(title, size=18)
    pdf.para(
        "",
        _("%(org)s　生成于 %(day)s")
        % {"org": decision.deciding_org.name, "day": timezone.localdate()},
    )
    pdf.grid(
        None,
        [
            [_("被问责组织"), decision.org.name],
            [_("责任人"), decision.person.name if decision.person else "—"],
            [_("问责方式"), decision.get_kind_display()],
            [_("决定日期"), decision.decided_on],
            [_("决定机关"), decision.deciding_org.name],
            [_("文号"), decision.document_no or "—"],
        ],
        widths=(40, 140),
    )
    pdf.para(_("问责事由"), decision.reason)
    signals = list(decision.signals.all())
    if signals:
        pdf.heading(_("问责线索"))
        pdf.grid(
            [_("发生日期"), _("线索")],
            [[s.since, s.title] for s in signals],
            widths=(32, 148),
        )
    return bytes(pdf.output())
