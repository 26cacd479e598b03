"""The 台账: one PDF per branch per year with every meeting record in date order (cover,
index, records, vote tallies, attendance), and the same year as an Excel summary.

The PDF is drawn by ``zhibu.core.pdf.DocumentPDF`` (fpdf2 + embedded Noto Sans SC).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from zhibu.core.excel import build_workbook
from zhibu.core.pdf import FONT_FAMILY, HEADINGS, RED, DocumentPDF, printable
from zhibu.meetings.models import Attendance, Meeting, MeetingKind
from zhibu.orgs.models import Org

# --- data ----------------------------------------------------------------------------------------------


def ledger_meetings(org: Org, year: int) -> QuerySet[Meeting]:
    """The held meetings of ``org`` and the orgs below it (its 党小组) in ``year``, in date order."""
    return (
        Meeting.objects.filter(
            org__path__startswith=org.path, on__year=year, status__in=Meeting.HELD_STATUSES
        )
        .select_related("org", "host", "recorder", "lecturer", "recorded_by")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("member").order_by(
                    "member__name_pinyin"
                ),
            ),
            "guests",
            "decisions",
            "attachments",
        )
        .order_by("on", "starts_at", "id")
    )


@dataclass
class MemberLine:
    name: str
    expected: int = 0
    present: int = 0
    leave: int = 0
    absent: int = 0
    hours: Decimal = field(default_factory=Decimal)


def attendance_summary(meetings: list[Meeting]) -> list[MemberLine]:
    lines: dict[int, MemberLine] = {}
    for meeting in meetings:
        for row in meeting.attendance.all():
            line = lines.setdefault(row.member_id, MemberLine(row.member.name))
            line.expected += 1
            if row.status == Attendance.Status.PRESENT:
                line.present += 1
                line.hours += row.study_hours
            elif row.status == Attendance.Status.LEAVE:
                line.leave += 1
            else:
                line.absent += 1
    return sorted(lines.values(), key=lambda line: line.name)


def _kinds(meeting: Meeting) -> str:
    return "、".join(meeting.kind_labels)


def _time(meeting: Meeting) -> str:
    if meeting.starts_at and meeting.ends_at:
        return f"{meeting.on:%Y-%m-%d} {meeting.starts_at:%H:%M}—{meeting.ends_at:%H:%M}"
    if meeting.starts_at:
        return f"{meeting.on:%Y-%m-%d} {meeting.starts_at:%H:%M}"
    return f"{meeting.on:%Y-%m-%d}"


def _result(decision) -> str:
    return _("通过") if decision.passed else _("未通过")


def _by_status(meeting: Meeting) -> dict[str, list]:
    groups: dict[str, list] = defaultdict(list)
    for row in meeting.attendance.all():
        groups[row.status].append(row)
    return groups


# --- PDF -------------------------------------------------------------------------------------------------


class LedgerPDF(DocumentPDF):
    """The 台账's document (the shared Zhibu PDF style)."""


def ledger_pdf(org: Org, year: int) -> bytes:
    """Cover, index, one record per meeting, then the year's votes and attendance."""
    meetings = list(ledger_meetings(org, year))
    pdf = LedgerPDF(_("%(org)s %(year)s 年度组织生活台账") % {"org": org.name, "year": year})
    _cover(pdf, org, year, meetings)
    # The index is drawn last, once every record's and summary's page is known.
    starts: list[tuple[int, Meeting, int]] = []
    sections: list[tuple[str, int]] = []
    _index(pdf, meetings, starts, sections)
    _records(pdf, meetings, starts)
    sections.append(_vote_summary(pdf, meetings))
    sections.append(_attendance_summary(pdf, meetings))
    return bytes(pdf.output())


def _cover(pdf: LedgerPDF, org: Org, year: int, meetings: list[Meeting]) -> None:
    pdf.add_page()
    pdf.ln(60)
    pdf.set_font(FONT_FAMILY, size=24)
    pdf.set_text_color(*RED)
    pdf.multi_cell(0, 14, printable(org.name), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(FONT_FAMILY, size=20)
    pdf.multi_cell(
        0,
        12,
        printable(_("%(year)s 年度组织生活台账") % {"year": year}),
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(30)
    pdf.set_font(FONT_FAMILY, size=12)
    kinds = defaultdict(int)
    for meeting in meetings:
        for kind in meeting.kinds:
            kinds[kind] += 1
    summary = [_("共记录会议 %(n)s 次") % {"n": len(meetings)}]
    summary += [
        f"{MeetingKind(k).label} {n} 次"
        for k, n in sorted(kinds.items())
        if k in MeetingKind.values
    ]
    pdf.multi_cell(
        0, 8, printable("\n".join(summary)), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(20)
    pdf.cell(0, 8, printable(_("生成日期：%(day)s") % {"day": timezone.localdate()}), align="C")


def _index(
    pdf: LedgerPDF,
    meetings: list[Meeting],
    starts: list[tuple[int, Meeting, int]],
    sections: list[tuple[str, int]],
) -> None:
    """A placeholder for the index, rendered at output from ``starts`` and ``sections``
    (filled in by then)."""
    rows_per_page = 25  # conservative: short rows, heading on the first page
    index_pages = max(1, -(-(len(meetings) + 3) // rows_per_page))

    def render_index(doc: FPDF, _outline) -> None:
        first = doc.page
        doc.set_xy(doc.l_margin, doc.t_margin + 8)
        doc.heading(_("目录"), size=16)
        doc.set_font(FONT_FAMILY, size=9)
        with doc.table(
            col_widths=(10, 24, 90, 36, 14),
            line_height=5.5,
            wrapmode=WrapMode.CHAR,
            text_align="LEFT",
            headings_style=HEADINGS,
        ) as table:
            head = table.row()
            for h in (_("序号"), _("日期"), _("会议名称"), _("类型"), _("页码")):
                head.cell(printable(h))
            for number, meeting, page in starts:
                row = table.row()
                for value in (
                    number,
                    f"{meeting.on:%Y-%m-%d}",
                    meeting.title[:26],
                    _kinds(meeting)[:10],
                    page,
                ):
                    row.cell(printable(value))
            for label, page in sections:
                row = table.row()
                for value in ("", "", label, "", page):
                    row.cell(printable(value))
        while doc.page < first + index_pages - 1:
            doc.add_page()

    pdf.add_page()
    pdf.insert_toc_placeholder(render_index, pages=index_pages)


def _records(
    pdf: LedgerPDF, meetings: list[Meeting], starts: list[tuple[int, Meeting, int]]
) -> None:
    if not meetings:
        pdf.para(_("会议记录"), _("本年度尚无会议记录。"))
    for number, meeting in enumerate(meetings, start=1):
        if pdf.get_y() > 200:
            pdf.add_page()
        starts.append((number, meeting, pdf.page_no()))
        _record(pdf, number, meeting)


def _record(pdf: LedgerPDF, number: int, meeting: Meeting) -> None:
    """One meeting: facts, attendance, topics, minutes, decisions, votes, attachments."""
    pdf.start_section(printable(f"{number}. {meeting.on:%Y-%m-%d} {meeting.title}"))
    pdf.heading(f"{number}. {meeting.title}")
    pdf.grid(None, _facts(meeting), widths=(18, 62, 18, 62))
    pdf.para(_("出席情况"), "\n".join(_attendance_lines(meeting)))
    pdf.para(_("议题"), meeting.topics)
    pdf.para(_("会议记录"), meeting.minutes)
    pdf.para(_("决定事项"), meeting.decisions_text)
    _record_votes(pdf, meeting)
    attachments = list(meeting.attachments.all())
    if attachments:
        pdf.para(
            _("附件"), "；".join(f"{a.get_kind_display()}：{a.original_name}" for a in attachments)
        )
    pdf.ln(4)


def _facts(meeting: Meeting) -> list[list]:
    entered = (
        timezone.localtime(meeting.recorded_at).strftime("%Y-%m-%d %H:%M")
        if meeting.recorded_at
        else "—"
    )
    late = meeting.backfilled_days
    if late is not None and late > 7:
        entered += _("（会后 %(n)s 天补录）") % {"n": late}
    facts = [
        [_("组织"), meeting.org.name, _("会议类型"), _kinds(meeting)],
        [_("时间"), _time(meeting), _("地点"), meeting.place or "—"],
        [
            _("主持人"),
            meeting.host.name if meeting.host else "—",
            _("记录人"),
            meeting.recorder.name if meeting.recorder else "—",
        ],
        [_("学时"), f"{meeting.study_hours}", _("录入时间"), entered],
    ]
    if meeting.lecturer or meeting.tags:
        facts.append(
            [
                _("党课主讲人"),
                meeting.lecturer.name if meeting.lecturer else "—",
                _("标签"),
                "、".join(meeting.tags) or "—",
            ]
        )
    return facts


def _attendance_lines(meeting: Meeting) -> list[str]:
    groups = _by_status(meeting)
    present, leave, absent = (groups.get(s, []) for s in ("present", "leave", "absent"))
    counts = _(
        "应到 %(expected)s 人，实到 %(present)s 人，请假 %(leave)s 人，缺席 %(absent)s 人。"
    ) % {
        "expected": len(present) + len(leave) + len(absent),
        "present": len(present),
        "leave": len(leave),
        "absent": len(absent),
    }
    lines = [counts, _("出席：") + ("、".join(a.member.name for a in present) or "—")]
    if leave:
        lines.append(_("请假：") + "；".join(f"{a.member.name}（{a.reason}）" for a in leave))
    if absent:
        lines.append(
            _("缺席：")
            + "；".join(
                f"{a.member.name}（{a.reason}）" if a.reason else a.member.name for a in absent
            )
        )
    guests = list(meeting.guests.all())
    if guests:
        lines.append(
            _("列席：")
            + "；".join(
                f"{g.name}（{g.get_role_display()}{'，' + g.note if g.note else ''}）"
                for g in guests
            )
        )
    return lines


def _record_votes(pdf: LedgerPDF, meeting: Meeting) -> None:
    decisions = list(meeting.decisions.all())
    if decisions:
        pdf.label(_("表决"))
        pdf.grid(
            [
                _("表决事项"),
                _("对象"),
                _("应到"),
                _("实到"),
                _("赞成（含书面）"),
                _("反对"),
                _("弃权"),
                _("结果"),
            ],
            [
                [
                    d.title,
                    d.candidate or "—",
                    d.entitled,
                    d.present,
                    f"{d.yes_total}（{d.written_yes}）",
                    d.no + d.written_no,
                    d.abstain + d.written_abstain,
                    _result(d),
                ]
                for d in decisions
            ],
            widths=(44, 20, 12, 12, 22, 12, 12, 16),
        )


def _vote_summary(pdf: LedgerPDF, meetings: list[Meeting]) -> tuple[str, int]:
    """The year's votes on a new page; returns its index entry."""
    pdf.add_page()
    entry = (_("表决汇总"), pdf.page_no())
    pdf.start_section(printable(_("表决汇总")))
    pdf.heading(_("表决汇总"))
    votes = [(m, d) for m in meetings for d in m.decisions.all()]
    if votes:
        pdf.grid(
            [
                _("日期"),
                _("表决事项"),
                _("对象"),
                _("应到"),
                _("实到"),
                _("赞成"),
                _("反对"),
                _("弃权"),
                _("结果"),
            ],
            [
                [
                    f"{m.on:%m-%d}",
                    d.title,
                    d.candidate or "—",
                    d.entitled,
                    d.present,
                    d.yes_total,
                    d.no + d.written_no,
                    d.abstain + d.written_abstain,
                    _result(d),
                ]
                for m, d in votes
            ],
            widths=(14, 46, 20, 12, 12, 12, 12, 12, 14),
        )
    else:
        pdf.para("", _("本年度无表决事项。"))
    return entry


def _attendance_summary(pdf: LedgerPDF, meetings: list[Meeting]) -> tuple[str, int]:
    """Each member's attendance and hours for the year on a new page; returns its index entry."""
    pdf.add_page()
    entry = (_("出席汇总"), pdf.page_no())
    pdf.start_section(printable(_("出席汇总")))
    pdf.heading(_("出席汇总"))
    summary_rows = attendance_summary(meetings)
    if summary_rows:
        pdf.grid(
            [_("党员"), _("应参加"), _("出席"), _("请假"), _("缺席"), _("学时")],
            [
                [line.name, line.expected, line.present, line.leave, line.absent, line.hours]
                for line in summary_rows
            ],
            widths=(50, 22, 22, 22, 22, 26),
        )
    else:
        pdf.para("", _("本年度无出席记录。"))
    return entry


# --- Excel -------------------------------------------------------------------------------------------------


def ledger_xlsx(org: Org, year: int) -> bytes:
    meetings = list(ledger_meetings(org, year))
    meeting_rows, attendance_rows, vote_rows = [], [], []
    for meeting in meetings:
        groups = _by_status(meeting)
        meeting_rows.append(
            [
                meeting.on,
                meeting.starts_at.strftime("%H:%M") if meeting.starts_at else "",
                meeting.ends_at.strftime("%H:%M") if meeting.ends_at else "",
                meeting.org.name,
                meeting.title,
                _kinds(meeting),
                meeting.place,
                meeting.host.name if meeting.host else "",
                sum(len(v) for v in groups.values()),
                len(groups.get("present", [])),
                len(groups.get("leave", [])),
                len(groups.get("absent", [])),
                float(meeting.study_hours),
                "、".join(meeting.tags),
                timezone.localtime(meeting.recorded_at).replace(tzinfo=None)
                if meeting.recorded_at
                else "",
                meeting.get_status_display(),
            ]
        )
        for row in meeting.attendance.all():
            attendance_rows.append(
                [
                    meeting.on,
                    meeting.title,
                    row.member.name,
                    row.get_status_display(),
                    row.reason,
                    float(row.study_hours),
                ]
            )
        for d in meeting.decisions.all():
            vote_rows.append(
                [
                    meeting.on,
                    meeting.title,
                    d.title,
                    d.candidate,
                    d.get_body_display(),
                    d.entitled,
                    d.present,
                    d.yes,
                    d.written_yes,
                    d.no + d.written_no,
                    d.abstain + d.written_abstain,
                    _result(d),
                ]
            )
    member_rows = [
        [line.name, line.expected, line.present, line.leave, line.absent, float(line.hours)]
        for line in attendance_summary(meetings)
    ]
    return build_workbook(
        [
            (
                _("会议"),
                [
                    _("日期"),
                    _("开始"),
                    _("结束"),
                    _("组织"),
                    _("会议名称"),
                    _("会议类型"),
                    _("地点"),
                    _("主持人"),
                    _("应到"),
                    _("实到"),
                    _("请假"),
                    _("缺席"),
                    _("学时"),
                    _("标签"),
                    _("录入时间"),
                    _("状态"),
                ],
                meeting_rows,
            ),
            (
                _("出席"),
                [_("日期"), _("会议名称"), _("党员"), _("出席情况"), _("事由"), _("学时")],
                attendance_rows,
            ),
            (
                _("表决"),
                [
                    _("日期"),
                    _("会议名称"),
                    _("表决事项"),
                    _("对象"),
                    _("表决机构"),
                    _("应到"),
                    _("实到"),
                    _("赞成"),
                    _("书面赞成"),
                    _("反对"),
                    _("弃权"),
                    _("结果"),
                ],
                vote_rows,
            ),
            (
                _("党员出席和学时"),
                [_("党员"), _("应参加"), _("出席"), _("请假"), _("缺席"), _("学时")],
                member_rows,
            ),
        ]
    )


def plan_pdf(org: Org, year: int, meetings: list[Meeting], submission) -> bytes:
    """The annual plan as a document to file or report: the year's meetings month by month,
    and when (and by whom) it was reported to the committee above."""
    title = _("%(org)s %(year)s 年度组织生活计划") % {"org": org.name, "year": year}
    pdf = DocumentPDF(title)
    pdf.add_page()
    pdf.heading(title, size=16)
    rows = [
        [m.on.strftime("%Y-%m-%d"), m.title, "、".join(m.kind_labels), m.get_status_display()]
        for m in meetings
    ]
    pdf.grid([_("日期"), _("会议名称"), _("类型"), _("状态")], rows, widths=(24, 70, 52, 28))
    pdf.ln(4)
    if submission is not None:
        pdf.para(
            "",
            _("已于 %(when)s 由 %(who)s 报送上级党委（计划会议 %(n)s 次）。")
            % {
                "when": timezone.localtime(submission.submitted_at).strftime("%Y-%m-%d %H:%M"),
                "who": submission.submitted_by or "—",
                "n": submission.meetings,
            },
        )
    else:
        pdf.para("", _("尚未报送上级党委。"))
    pdf.para("", _("生成日期：%(day)s") % {"day": timezone.localdate()})
    return bytes(pdf.output())
