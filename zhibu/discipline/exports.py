"""The 纪委's files: the records in scope as Excel (audited by the view) and one record as
a printable 处分决定登记表 (PDF)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from zhibu.core.excel import build_workbook
from zhibu.core.pdf import DocumentPDF
from zhibu.discipline.models import Appeal, DisciplineRecord

HEADERS = (
    "姓名",
    "所在党组织",
    "种类",
    "四种形态",
    "决定日期",
    "决定组织",
    "决定文号",
    "察看期（年）",
    "影响期至",
    "状态",
    "事实和依据摘要",
)


def records_workbook(records: Iterable[DisciplineRecord]) -> tuple[bytes, int]:
    rows = [
        [
            r.member.name,
            r.member.org.name,
            r.get_kind_display(),
            r.get_form_display(),
            r.decided_on,
            r.deciding_org.name,
            r.document_no,
            r.probation_years or "",
            r.effect_until or "",
            r.get_status_display(),
            r.facts,
        ]
        for r in records
    ]
    headers = [_(h) for h in HEADERS]
    return build_workbook([(_("纪律处分记录"), headers, rows)]), len(rows)


def record_pdf(record: DisciplineRecord, appeals: list[Appeal]) -> bytes:
    title = _("处分决定登记表")
    pdf = DocumentPDF(title)
    pdf.add_page()
    pdf.heading(title, size=18)
    member = record.member
    pdf.grid(
        None,
        [
            [_("姓名"), member.name, _("所在党组织"), member.org.name],
            [_("种类"), record.get_kind_display(), _("四种形态"), record.get_form_display()],
            [_("决定组织"), record.deciding_org.name, _("决定日期"), record.decided_on],
            [_("决定文号"), record.document_no or "—", _("状态"), record.get_status_display()],
            [
                _("察看期（年）"),
                record.probation_years or "—",
                _("影响期至"),
                record.effect_until or "—",
            ],
        ],
        widths=(28, 59, 28, 59),
    )
    pdf.para(_("事实和依据摘要"), record.facts)
    if appeals:
        pdf.heading(_("申诉"))
        pdf.grid(
            [_("申诉日期"), _("复查决定日期"), _("复查结论"), _("变更为")],
            [
                [a.filed_on, a.decided_on, a.get_outcome_display(), a.get_changed_to_display()]
                for a in appeals
            ],
        )
    return bytes(pdf.output())
