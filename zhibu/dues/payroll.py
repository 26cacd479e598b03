"""Import of a payroll list (工资名单) from Excel: check into a preview, commit all or nothing.

It reuses the member import's machinery (zhibu/members/imports.py): the upload's envelope
check (``excel.inspect_upload``: .xlsx only, size, zip bombs, macros, encryption), the
streaming reader that never evaluates formulas (``sheetrows``), its cell readers and its
"whole file" refusal (``FileProblem``). A payroll list is one organisation's month — a few
thousand rows at most — so check and commit run within the request; the member import's
background task serves files of 10^5 rows.

Columns (the first row is the header; order free): 姓名 (required), 公民身份号码 (only to
tell apart two members of the same name), 月份 (2026-03), 工资基数 (optional: a new base
from that month, DUES-08/DUES-02), 交纳金额, 交纳方式 (现金/银行转账/网上交纳/其他方式),
交纳日期 (default today), 代交人. The payroll is where the base comes from; the dues are
still paid by the member (DUES-12 forbids deduction from pay: "工资代扣" is refused).

Every bad row is reported with its line number and reason — an unknown member, a member
not on the roll that month, a wrong amount, a month already paid — and nothing is written.
The commit re-checks every row against the database as it is then.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.core.audit import audit_record
from zhibu.core.crypto import blind_index
from zhibu.core.excel import build_workbook
from zhibu.core.models import AuditEvent
from zhibu.core.scope import subtree_q
from zhibu.dues import selectors, services
from zhibu.dues.models import Payment, PayrollImport
from zhibu.dues.rates import BASED, monthly_amount, parse_month
from zhibu.members import excel
from zhibu.members.imports import FileProblem, _date, _text
from zhibu.members.models import Member
from zhibu.members.sheetrows import SheetRows, UnsafeXml, open_workbook
from zhibu.orgs.models import Org

MAX_ROWS = 20_000
HEADERS = {
    "姓名": "name",
    "公民身份号码": "id_number",
    "身份证号": "id_number",
    "月份": "month",
    "所属月份": "month",
    "工资基数": "base",
    "党费基数": "base",
    "交纳金额": "amount",
    "金额": "amount",
    "交纳方式": "method",
    "交纳日期": "paid_on",
    "代交人": "paid_by",
}
REQUIRED = ("name", "month", "amount", "method")
LABELS = {"name": "姓名", "month": "月份", "amount": "交纳金额", "method": "交纳方式"}
METHODS = {
    "现金": Payment.Method.CASH,
    "银行转账": Payment.Method.TRANSFER,
    "转账": Payment.Method.TRANSFER,
    "网上交纳": Payment.Method.ONLINE,
    "微信": Payment.Method.ONLINE,
    "支付宝": Payment.Method.ONLINE,
    "其他方式": Payment.Method.OTHER,
    "其他": Payment.Method.OTHER,
}
DEDUCTION_WORDS = ("代扣", "扣缴", "工资扣")

MISSING_COLUMNS = _("缺少必填列：%(columns)s。")
NO_ROWS = _("没有数据行：请从第 2 行起填写。")
TOO_MANY = _("数据超过 %(n)s 行，请按月份或支部拆分后分别导入。")
ALREADY = _("该文件已于 %(day)s 导入（%(n)s 笔），不能重复导入。")
LINE = _("第 %(row)s 行：%(message)s")
REQUIRED_CELL = _("“%(column)s”必填")
BAD_MONTH = _("月份“%(value)s”格式不正确，请写成 2026-03")
BAD_AMOUNT = _("“%(column)s”须为数字（元），如 52.30")
BAD_METHOD = _("交纳方式“%(value)s”不是可选值（可选：现金、银行转账、网上交纳、其他方式）")
BAD_DATE = _("交纳日期格式不正确，请写成 2026-03-15")
UNKNOWN = _("“%(name)s”不是本组织党员名册中的党员")
AMBIGUOUS = _("本组织有多名“%(name)s”，请填写公民身份号码区分")
NOT_READY = _("该批次当前状态为“%(status)s”，不能导入。")
CHANGED = _("导入时重新校验发现问题，未导入任何数据，请修改后重新上传。")


@dataclass
class Checked:
    rows: list[dict]
    errors: list[str]


def _money(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        # A float cell is read back through its shortest repr ("52.3"), so no binary noise.
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal("0.01")) if number == number.quantize(Decimal("0.01")) else None


def read(path: str) -> list[tuple[int, dict]]:
    """(line, {key: value}) of each non-empty data row."""
    try:
        book = open_workbook(path)
    except Exception:
        raise FileProblem(excel.NOT_A_WORKBOOK) from None
    try:
        rows = iter(SheetRows(book, book.worksheets[0]))
        first = next(rows, None)
        if first is None:
            raise FileProblem(NO_ROWS)
        mapping: dict[int, str] = {}
        for column, text in first[1].items():
            key = HEADERS.get(str(text).strip()) if text is not None else None
            if key and key not in mapping.values():
                mapping[column] = key
        missing = [LABELS[k] for k in REQUIRED if k not in mapping.values()]
        if missing:
            raise FileProblem(MISSING_COLUMNS % {"columns": "、".join(missing)})
        out = []
        for number, cells in rows:
            values = {
                key: cells[column]
                for column, key in mapping.items()
                if cells.get(column) is not None and str(cells[column]).strip() != ""
            }
            if values:
                out.append((number, values))
            if len(out) > MAX_ROWS:
                raise FileProblem(TOO_MANY % {"n": MAX_ROWS})
    except UnsafeXml:
        raise FileProblem(excel.NOT_A_WORKBOOK) from None
    finally:
        book.close()
    if not out:
        raise FileProblem(NO_ROWS)
    return out


def check(org: Org, lines: list[tuple[int, dict]], *, today: date) -> Checked:
    """Each line parsed, its member found on the roll of ``org``'s subtree, its amount
    compared with what is due (with the new base, if the line declares one)."""
    errors: list[str] = []
    parsed = []
    for number, cells in lines:
        problems: list[str] = []
        for key in REQUIRED:
            if key not in cells:
                problems.append(str(REQUIRED_CELL % {"column": LABELS[key]}))
        month = parse_month(_text(cells["month"])) if "month" in cells else None
        if isinstance(cells.get("month"), datetime | date):
            value = cells["month"]
            month = date(value.year, value.month, 1)
        if "month" in cells and month is None:
            problems.append(str(BAD_MONTH % {"value": _text(cells["month"])}))
        amount = _money(cells["amount"]) if "amount" in cells else None
        if "amount" in cells and (amount is None or amount < 0):
            problems.append(str(BAD_AMOUNT % {"column": "交纳金额"}))
        base = None
        if "base" in cells:
            base = _money(cells["base"])
            if base is None:
                problems.append(str(BAD_AMOUNT % {"column": "工资基数"}))
            elif base < 0:
                problems.append(str(services.NEGATIVE_BASE))
        method_text = _text(cells.get("method", ""))
        method = METHODS.get(method_text)
        if method_text and any(word in method_text for word in DEDUCTION_WORDS):
            problems.append(str(services.DEDUCTION))
        elif method_text and method is None:
            problems.append(str(BAD_METHOD % {"value": method_text}))
        paid_on = _date(cells["paid_on"]) if "paid_on" in cells else today
        if paid_on is None:
            problems.append(str(BAD_DATE))
        parsed.append((number, cells, month, amount, base, method, paid_on, problems))
    # Members named in the file: one query for every name on the subtree's roll.
    names = {_text(c["name"]) for _n, c, *_rest in parsed if "name" in c}
    roster: dict[str, list[tuple[int, str | None]]] = {}
    for pk, name, index in Member.objects.filter(
        subtree_q([org.path], "org__path"), name__in=names, status__in=selectors.ON_ROLL
    ).values_list("pk", "name", "id_index"):
        roster.setdefault(name, []).append((pk, index))
    months = sorted({p[2] for p in parsed if p[2]})
    member_ids = [pk for found in roster.values() for pk, _i in found]
    dues = (
        selectors.obligations(
            Q(), selectors.months_between(months[0], months[-1]), members=member_ids
        )
        if months and member_ids
        else {}
    )
    existing = set(
        Payment.objects.filter(member__in=member_ids, month__in=months).values_list(
            "member", "month"
        )
    )
    policies = selectors._policies()
    rows: list[dict] = []
    seen: dict[tuple[int, date], int] = {}
    for number, cells, month, amount, base, method, paid_on, problems in parsed:
        name = _text(cells.get("name", ""))
        member_id = None
        candidates = roster.get(name, [])
        if name and not candidates:
            problems.append(str(UNKNOWN % {"name": name}))
        elif len(candidates) > 1:
            wanted = blind_index(_text(cells["id_number"])) if "id_number" in cells else None
            match = [pk for pk, index in candidates if wanted and index == wanted]
            if len(match) == 1:
                member_id = match[0]
            else:
                problems.append(str(AMBIGUOUS % {"name": name}))
        elif candidates:
            member_id = candidates[0][0]
        values = {"name": name, "month": services.month_label(month) if month else ""}
        expected = None
        due = dues.get((member_id, month)) if member_id and month else None
        if member_id and month and not problems:
            if due is None or not due.org_path.startswith(org.path):
                problems.append(str(services.NOT_ON_ROLL % values))
            elif (member_id, month) in existing:
                problems.append(str(services.DUPLICATE % values))
            elif (member_id, month) in seen:
                problems.append(
                    str(services.DUPLICATE_IN_BATCH % values)
                    + f"（第 {seen[(member_id, month)]} 行）"
                )
            else:
                expected = due.amount
                if (
                    base is not None
                    and due.category in BASED
                    and base != due.base
                    and not due.relief
                ):
                    farmer, rounding = selectors.policy_for(due.org_path, policies)
                    expected = monthly_amount(
                        due.category, base, month, farmer_amount=farmer, rounding=rounding
                    )
                if expected is None:
                    problems.append(str(services.UNASSESSED % values))
                elif amount != expected:
                    problems.append(
                        str(services.WRONG_AMOUNT % {**values, "due": expected, "amount": amount})
                    )
        if member_id and month:
            seen.setdefault((member_id, month), number)
        if problems:
            errors.extend(str(LINE % {"row": number, "message": p}) for p in problems)
            continue
        assert due is not None and paid_on is not None and month is not None
        rows.append(
            {
                "line": number,
                "member": member_id,
                "name": name,
                "month": month.isoformat(),
                "amount": str(amount),
                "due": str(expected),
                "base": str(base) if base is not None and base != due.base else None,
                "category": due.category,
                "method": method,
                "paid_on": paid_on.isoformat(),
                "paid_by": _text(cells.get("paid_by", ""))[:50],
            }
        )
    return Checked(rows, errors)


def _digest(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def payroll_upload(*, org: Org, upload, by, today: date | None = None) -> PayrollImport:
    """Check a payroll file into a preview batch (``ready`` or ``invalid``); nothing is
    written to the dues until ``payroll_commit``. A file problem raises ValidationError."""
    excel.inspect_upload(upload)
    sha256 = _digest(upload)
    done = PayrollImport.objects.filter(sha256=sha256, status=PayrollImport.Status.DONE).first()
    if done is not None:
        day = timezone.localtime(done.uploaded_at).date()
        raise ValidationError({"file": ALREADY % {"day": day, "n": done.created_count}})
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        try:
            lines = read(handle.name)
        except FileProblem as problem:
            raise ValidationError({"file": problem.message}) from None
    checked = check(org, lines, today=today or timezone.localdate())
    return PayrollImport.objects.create(
        org=org,
        file_name=os.path.basename(upload.name or "")[:200],
        sha256=sha256,
        uploaded_by=by,
        status=PayrollImport.Status.INVALID if checked.errors else PayrollImport.Status.READY,
        rows=checked.rows,
        errors=checked.errors[:2000],
    )


@transaction.atomic
def payroll_commit(*, batch: PayrollImport, by, request=None) -> PayrollImport:
    """Write every row of a checked batch, or none: bases first, then payments, each row
    re-checked by the same services as the sheet."""
    batch = PayrollImport.objects.select_for_update().select_related("org").get(pk=batch.pk)
    if batch.status != PayrollImport.Status.READY or batch.uploaded_by_id != by.pk:
        raise ValidationError(NOT_READY % {"status": batch.get_status_display()})
    members = Member.objects.in_bulk([r["member"] for r in batch.rows])
    for row in batch.rows:
        if row["base"] is not None:
            services.base_declare(
                member=members[row["member"]],
                category=row["category"],
                base=Decimal(row["base"]),
                effective_month=date.fromisoformat(row["month"]),
                note=str(_("工资名单导入")),
                by=by,
                batch=batch,
            )
    entries = [
        services.Entry(
            member=members[r["member"]],
            month=date.fromisoformat(r["month"]),
            amount=Decimal(r["amount"]),
            method=r["method"],
            paid_on=date.fromisoformat(r["paid_on"]),
            paid_by=r["paid_by"],
        )
        for r in batch.rows
    ]
    try:
        created = services.payments_record(entries=entries, by=by, within=batch.org, batch=batch)
    except ValidationError as exc:
        raise ValidationError([CHANGED, *exc.messages]) from None
    batch.status, batch.created_count = PayrollImport.Status.DONE, len(created)
    batch.save()
    audit_record(
        kind=AuditEvent.Kind.IMPORT,
        summary=f"党费工资名单导入 {batch.file_name}：{len(created)} 笔",
        actor=by,
        request=request,
        obj=batch,
        org_path=batch.org.path,
    )
    return batch


def payroll_discard(*, batch: PayrollImport, by) -> PayrollImport:
    if batch.status in (PayrollImport.Status.READY, PayrollImport.Status.INVALID):
        batch.status = PayrollImport.Status.DISCARDED
        batch.rows = []
        batch.save()
    return batch


def template_workbook() -> bytes:
    return build_workbook(
        [
            (
                "工资名单",
                [
                    "姓名",
                    "公民身份号码",
                    "月份",
                    "工资基数",
                    "交纳金额",
                    "交纳方式",
                    "交纳日期",
                    "代交人",
                ],
                [],
            )
        ],
        text_columns=("公民身份号码", "月份"),
    )
