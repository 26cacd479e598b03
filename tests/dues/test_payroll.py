"""Payroll import: preview, all-or-nothing commit, every bad row with its line and reason."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from zhibu.core.models import AuditEvent
from zhibu.dues import payroll
from zhibu.dues.models import DuesBase, Payment, PayrollImport

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "公民身份号码", "月份", "工资基数", "交纳金额", "交纳方式", "交纳日期", "代交人"]


def workbook(rows, name="payroll.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_clean_file_previews_then_commits_everything(bases):
    upload = workbook(
        [
            ["王党员", None, "2026-03", 5200, 78, "银行转账", "2026-03-08", None],
            ["李书记", None, "2026-03", None, 60, "现金", None, "李妻"],
        ]
    )
    batch = payroll.payroll_upload(org=bases.branch1, upload=upload, by=bases.branch_secretary)
    assert batch.status == PayrollImport.Status.READY, batch.errors
    assert not Payment.objects.exists()  # a preview writes nothing
    payroll.payroll_commit(batch=batch, by=bases.branch_secretary)
    assert Payment.objects.count() == 2
    # The new base (DUES-08) is declared from the payroll's month.
    assert (
        DuesBase.objects.get(member=bases.ordinary_member, effective_month="2026-03-01").base
        == 5200
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).count() == 1


def test_unknown_members_and_wrong_amounts_are_reported_by_line_and_nothing_written(bases):
    upload = workbook(
        [
            ["王党员", None, "2026-03", None, 40, "现金", None, None],
            ["查无此人", None, "2026-03", None, 40, "现金", None, None],
            ["李书记", None, "2026-03", None, 30, "现金", None, None],
            ["王党员", None, "2026-03", None, 40, "工资代扣", None, None],
            ["王党员", None, "三月", None, "四十", "现金", None, None],
            ["赵党员", None, "2026-03", None, 0.2, "现金", None, None],
        ]
    )
    batch = payroll.payroll_upload(org=bases.branch1, upload=upload, by=bases.branch_secretary)
    assert batch.status == PayrollImport.Status.INVALID
    errors = "\n".join(batch.errors)
    assert "第 3 行：“查无此人”不是本组织党员名册中的党员" in errors
    assert "第 4 行：李书记 2026-03 应交 60.00 元，登记金额为 30.00 元，不符。" in errors
    assert "第 5 行：党组织不得从工资中扣缴党费" in errors
    assert "第 6 行：月份“三月”格式不正确" in errors and "第 6 行：“交纳金额”须为数字" in errors
    assert "第 7 行：“赵党员”不是本组织党员名册中的党员" in errors  # another branch
    assert "第 2 行" not in errors
    with pytest.raises(ValidationError):
        payroll.payroll_commit(batch=batch, by=bases.branch_secretary)
    assert not Payment.objects.exists()


def test_a_file_with_missing_columns_is_refused(bases):
    book = Workbook()
    book.active.append(["姓名", "金额"])
    book.active.append(["王党员", 40])
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as exc:
        payroll.payroll_upload(
            org=bases.branch1,
            upload=SimpleUploadedFile("x.xlsx", buffer.getvalue()),
            by=bases.branch_secretary,
        )
    assert "缺少必填列：月份、交纳方式" in str(exc.value)


def test_a_month_paid_meanwhile_fails_the_commit_whole(bases):
    from tests.dues.conftest import MAR, entry
    from zhibu.dues import services

    upload = workbook(
        [
            ["王党员", None, "2026-03", None, 40, "现金", None, None],
            ["李书记", None, "2026-03", None, 60, "现金", None, None],
        ]
    )
    batch = payroll.payroll_upload(org=bases.branch1, upload=upload, by=bases.branch_secretary)
    services.payments_record(
        entries=[entry(bases.secretary_member, MAR, "60.00")], by=None, org=bases.branch1
    )
    with pytest.raises(ValidationError) as exc:
        payroll.payroll_commit(batch=batch, by=bases.branch_secretary)
    assert "不能重复登记" in str(exc.value)
    assert Payment.objects.count() == 1


def test_upload_page_previews_and_commits(bases, login, private_media):
    client = login(bases.branch_secretary)
    url = reverse("dues:payroll_upload", args=[bases.branch1.public_id])
    r = client.post(
        url, {"file": workbook([["王党员", None, "2026-03", None, 40, "现金", None, None]])}
    )
    assert r.status_code == 302
    preview = client.get(r.url)
    assert "确认导入" in preview.content.decode()
    client.post(r.url)
    assert Payment.objects.count() == 1
    assert login(bases.outsider).get(url).status_code == 404
