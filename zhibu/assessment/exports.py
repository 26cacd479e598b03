"""A sheet as PDF (scores, deductions with their evidence, appeals) and the year's results
as Excel (the assessor's table). Both are audited exports."""

from __future__ import annotations

from django.db.models import Count, F
from django.http import HttpResponse
from django.utils.translation import gettext as _

from zhibu.assessment import selectors
from zhibu.assessment.models import Deduction, Scheme, Sheet
from zhibu.core.audit import audit_record
from zhibu.core.excel import build_workbook, workbook_response
from zhibu.core.models import AuditEvent
from zhibu.core.pdf import DocumentPDF, pdf_response


def _score(value) -> str:
    return "—" if value is None else str(value)


def sheet_pdf(sheet: Sheet, base_url: str = "") -> bytes:
    lines = selectors.sheet_lines(sheet)
    title = _("%(org)s %(year)s 年度党建工作考核表") % {
        "org": sheet.org.name,
        "year": sheet.scheme.year,
    }
    pdf = DocumentPDF(title)
    pdf.add_page()
    pdf.heading(title, size=16)
    pdf.para(
        "",
        _("考核方案：%(scheme)s（%(org)s）；状态：%(status)s；总分：%(total)s")
        % {
            "scheme": sheet.scheme.title,
            "org": sheet.scheme.org.name,
            "status": sheet.get_status_display(),
            "total": sheet.total,
        },
    )
    if sheet.grade:
        pdf.para(
            "",
            _("评定等次：%(grade)s；规范化建设：%(standing)s；确认日期：%(day)s")
            % {
                "grade": sheet.get_grade_display(),
                "standing": sheet.get_standing_display(),
                "day": sheet.confirmed_on,
            },
        )
    pdf.grid(
        [_("类别"), _("考核内容"), _("分值"), _("系统计算"), _("得分"), _("理由")],
        [
            [
                line.indicator.get_category_display(),
                line.indicator.title,
                line.indicator.max_points,
                _score(line.computed),
                _score(line.score),
                line.reason,
            ]
            for line in lines
        ],
        widths=(22, 50, 12, 16, 12, 52),
    )
    evidence = [
        [line.indicator.title, f"-{d.points}", d.text, base_url + d.url]
        for line in lines
        for d in line.deductions.all()
    ]
    pdf.heading(_("扣分依据（佐证清单）"), size=12)
    if evidence:
        pdf.grid(
            [_("考核内容"), _("扣分"), _("事由"), _("记录")], evidence, widths=(40, 12, 70, 52)
        )
    else:
        pdf.para("", _("无扣分。"))
    appeals = list(sheet.appeals.select_related("line__indicator"))
    if appeals:
        pdf.heading(_("申诉和答复"), size=12)
        for appeal in appeals:
            about = appeal.line.indicator.title if appeal.line is not None else _("整张考核表")
            pdf.para(f"{appeal.on} {about}", appeal.text)
            pdf.para(_("答复"), appeal.answer or _("（待答复）"))
    return bytes(pdf.output())


def sheet_pdf_response(request, sheet: Sheet) -> HttpResponse:
    content = sheet_pdf(sheet, request.build_absolute_uri("/").rstrip("/"))
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=f"导出考核表 {sheet.org.name} {sheet.scheme.year}",
        request=request,
        obj=sheet,
        org_path=sheet.org_path,
    )
    return pdf_response(content, f"考核表-{sheet.org.name}-{sheet.scheme.year}.pdf")


RESULT_HEADERS = ["组织", "状态", "总分", "等次", "规范化", "下发日期", "确认日期", "扣分项"]


def results_rows(scheme: Scheme):
    counts = {row["sheet_id"]: row["n"] for row in _deduction_counts(scheme)}
    for sheet in selectors.sheet_table(scheme, "org"):
        yield (
            sheet.org.name,
            str(sheet.get_status_display()),
            float(sheet.total),
            str(sheet.get_grade_display()) if sheet.grade else "",
            str(sheet.get_standing_display()) if sheet.standing else "",
            sheet.issued_on,
            sheet.confirmed_on,
            counts.get(sheet.pk, 0),
        )


def _deduction_counts(scheme: Scheme):
    return (
        Deduction.objects.filter(line__sheet__scheme=scheme)
        .values("line__sheet_id")
        .annotate(n=Count("id"))
        .values("n", sheet_id=F("line__sheet_id"))
    )


def results_response(request, scheme: Scheme) -> HttpResponse:
    content = build_workbook(
        [(f"{scheme.year}考核结果", RESULT_HEADERS, list(results_rows(scheme)))]
    )
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=f"导出考核结果 {scheme.title}",
        request=request,
        obj=scheme,
        org_path=scheme.org.path,
    )
    return workbook_response(content, f"考核结果-{scheme.org.name}-{scheme.year}.xlsx")
