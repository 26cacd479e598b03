"""The 述职评议表 as a PDF (report, meeting, tally, 点评, rectification list) and the year's
reviews as Excel."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhibu.core.excel import build_workbook
from zhibu.core.pdf import DocumentPDF
from zhibu.reviews.models import Evaluator
from zhibu.reviews.models import SecretaryReview as Review
from zhibu.reviews.services import Tally


def review_pdf(
    review: Review, evaluators: list[Evaluator], tally: Tally, rectifications: list
) -> bytes:
    """The record as filed: each evaluator's grade is listed (the organiser's side prints
    it); the tally shows the distribution and the resulting grade."""
    pdf = DocumentPDF(str(review))
    pdf.add_page()
    pdf.heading(
        _("%(year)s年度党组织书记抓基层党建工作述职评议表") % {"year": review.year}, size=16
    )
    pdf.grid(
        None,
        [
            [_("述职的党组织"), review.org.name],
            [_("述职书记"), review.secretary.name],
            [_("组织评议的党组织"), review.organiser.name],
            [_("评议会日期"), review.meeting_on or "—"],
            [_("评议会地点"), review.meeting_place or "—"],
            [_("状态"), review.get_status_display()],
        ],
        widths=(44, 130),
    )
    pdf.para(_("述职报告"), review.report)
    pdf.heading(_("民主测评"))
    pdf.grid(
        [_("等次"), _("票数"), _("占比")],
        [[label, n, f"{pct}%"] for label, n, pct in tally.rows],
        widths=(58, 58, 58),
    )
    pdf.para(
        "",
        _("评议人 %(listed)s 人，已评价 %(graded)s 人；评定规则：累计票数超过 %(t)s%% 的最好等次。")
        % {"listed": tally.listed, "graded": tally.graded, "t": tally.threshold},
    )
    pdf.para(_("评定等次"), tally.result_label or _("（尚未评定）"))
    if evaluators:
        pdf.grid(
            [_("评议人"), _("评价等次"), _("评价意见")],
            [
                [e.member.name, e.get_grade_display() or _("未评价"), e.comment or "—"]
                for e in evaluators
            ],
            widths=(36, 28, 110),
        )
    pdf.para(_("点评意见"), review.remarks or _("（尚未点评）"))
    pdf.heading(_("整改清单"))
    if rectifications:
        pdf.grid(
            [_("问题"), _("整改措施"), _("责任人"), _("整改期限"), _("状态")],
            [
                [
                    r.problem,
                    r.measure,
                    r.owner.name if r.owner else "—",
                    r.deadline,
                    r.get_status_display(),
                ]
                for r in rectifications
            ],
            widths=(52, 52, 24, 24, 22),
        )
    else:
        pdf.para("", _("（无）"))
    return bytes(pdf.output())


def reviews_workbook(reviews) -> bytes:
    headers = [
        _("年度"),
        _("组织评议的党组织"),
        _("述职的党组织"),
        _("述职书记"),
        _("评议会日期"),
        _("评议人数"),
        _("已评价"),
        _("好"),
        _("较好"),
        _("一般"),
        _("差"),
        _("评定等次"),
        _("状态"),
    ]
    rows = []
    for review in reviews:
        counts = (review.tally or {}).get("counts", {})
        rows.append(
            [
                review.year,
                review.organiser.name,
                review.org.name,
                review.secretary.name,
                review.meeting_on,
                review.n_listed,
                review.n_graded,
                counts.get("good", ""),
                counts.get("fairly_good", ""),
                counts.get("average", ""),
                counts.get("poor", ""),
                review.get_result_display() or "",
                review.get_status_display(),
            ]
        )
    return build_workbook([(_("述职评议"), headers, rows)])
