"""Services and storage: personal data never stored or logged in plaintext; the writes'
rules (one mechanism for forms, imports and services)."""

from __future__ import annotations

import logging
import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import make_member
from tests.members.workbooks import person, upload, workbook
from zhibu.members import idnumber, imports, transfers
from zhibu.members.models import ImportBatch, Member, Transfer
from zhibu.members.services import (
    DUPLICATE_PERSON_ELSEWHERE,
    check_phone,
    member_create,
    member_reveal,
    member_update,
)

pytestmark = pytest.mark.django_db

NUMBER = idnumber.fake(random.Random(11), birth_date=date(1990, 3, 7), gender="M")
PHONE = "13987654321"


def test_a_raw_sql_read_of_the_roster_shows_no_plaintext(cast):
    member = make_member(
        cast.branch1, "张三", birth_date=date(1990, 3, 7), id_number=NUMBER, phone=PHONE
    )
    member_update(member=member, phone="13811112222", by=cast.branch_secretary)
    for table in ("members_member", "members_historicalmember"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump = repr(cursor.fetchall())
        for secret in (NUMBER, NUMBER[:17], PHONE, "13811112222"):
            assert secret not in dump, (table, secret)
    assert Member.objects.get(pk=member.pk).id_number == NUMBER  # the application still reads it


def test_no_sql_statement_or_log_line_carries_a_full_id_number(cast, caplog):
    """Creating, importing and searching send only ciphertext, blind indexes and last-4 digits."""
    caplog.set_level(logging.DEBUG)
    data = [
        person(1),
        person(2),
        person(3, id_number=NUMBER[:-1] + "0" if NUMBER[-1] != "0" else NUMBER[:-1] + "1"),
    ]
    with CaptureQueriesContext(connection) as queries:
        make_member(cast.branch1, "张三", birth_date=date(1990, 3, 7), id_number=NUMBER)
        batch = imports.import_upload(upload=upload(workbook(data)), by=cast.branch_secretary)
        imports.run_check(batch.pk)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for number in [NUMBER] + [row["id_number"] for row in data]:
        assert number not in sql
        assert number not in caplog.text
    batch.refresh_from_db()
    assert all(NUMBER not in e["message"] for e in batch.errors)


def test_duplicates_outside_the_users_scope_are_named_without_details(cast):
    with pytest.raises(ValidationError) as refused:
        member_create(
            org=cast.branch1,
            name="冒名",
            gender="M",
            birth_date=cast.branch2_member.birth_date,
            id_number=cast.branch2_member.id_number,
            admitted_on=date(2010, 1, 1),
            by=cast.branch_secretary,
        )
    assert refused.value.message_dict["id_number"] == [str(DUPLICATE_PERSON_ELSEWHERE)]
    with pytest.raises(ValidationError) as refused:
        member_create(
            org=cast.branch1,
            name="冒名",
            gender="M",
            birth_date=cast.branch2_member.birth_date,
            id_number=cast.branch2_member.id_number,
            admitted_on=date(2010, 1, 1),
            by=cast.party_secretary,
        )
    assert "赵党员" in refused.value.message_dict["id_number"][0]


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13812345678", True),
        ("010-12345678", True),
        ("0431 8888 6666", True),
        ("1381234567", False),
        ("23812345678", False),
        ("电话", False),
    ],
)
def test_phone_numbers(phone, ok):
    assert (check_phone(phone) == {}) is ok


def test_member_update_checks_like_create_and_keeps_history(cast):
    member = cast.ordinary_member
    with pytest.raises(ValidationError) as refused:
        member_update(member=member, birth_date=date(1992, 9, 4), by=cast.branch_secretary)
    assert "birth_date" in refused.value.message_dict
    with pytest.raises(TypeError):
        member_update(member=member, status="left")
    member_update(member=member, name="王新名", by=cast.branch_secretary)
    member.refresh_from_db()
    assert member.name_pinyin == "wangxinming" and member.name_initials == "wxm"
    assert member.history.first().history_user == cast.branch_secretary


def test_reveal_needs_a_reason_and_a_value(cast):
    with pytest.raises(ValidationError):
        member_reveal(
            member=cast.ordinary_member, field="id_number", reason="看", by=cast.branch_secretary
        )
    with pytest.raises(ValidationError):
        member_reveal(
            member=cast.ordinary_member,
            field="phone",
            reason="联系本人核对",
            by=cast.branch_secretary,
        )
    with pytest.raises(ValidationError):
        member_reveal(
            member=cast.ordinary_member,
            field="address",
            reason="联系本人核对",
            by=cast.branch_secretary,
        )
    value = member_reveal(
        member=cast.ordinary_member,
        field="id_number",
        reason="核对身份信息",
        by=cast.branch_secretary,
    )
    assert value == cast.ordinary_member.id_number


def test_a_letter_to_outside_cannot_be_stored_without_its_number(cast):
    transfer = transfers.transfer_start(
        member=cast.ordinary_member,
        direction="out",
        outside_org="外省",
        requested_on=date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as refused:
        transfers.transfer_approve(transfer=transfer, issued_on=date(2025, 1, 2), letter_no="  ")
    assert "letter_no" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():  # nor by bypassing the service
        Transfer.objects.filter(pk=transfer.pk).update(status="issued")


def test_a_member_arriving_from_outside_has_a_roster_span_from_that_day_only(cast):
    member = member_create(
        org=cast.branch2,
        name="孙转入",
        gender="M",
        birth_date=date(1990, 3, 7),
        id_number=NUMBER,
        admitted_on=date(2012, 7, 1),
        full_on=date(2013, 7, 1),
        transferred_in_on=date(2025, 4, 1),
    )
    assert list(member.spans.values_list("org", "start", "end")) == [
        (cast.branch2.pk, date(2025, 4, 1), None)
    ]
    assert list(member.events.order_by("on").values_list("kind", flat=True)) == [
        "admitted",
        "confirmed",
        "transferred_in",
    ]


def test_an_import_commit_is_all_or_nothing(cast, monkeypatch):
    batch = imports.import_upload(
        upload=upload(workbook([person(i) for i in range(1, 2500)])), by=cast.branch_secretary
    )
    imports.run_check(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY
    calls = {"n": 0}
    original = imports._insert

    def fail_on_the_third_chunk(rows, *args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(rows, *args)

    monkeypatch.setattr(imports, "_insert", fail_on_the_third_chunk)
    imports.import_commit(batch=batch, by=cast.branch_secretary)
    imports.run_commit(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "未导入任何数据" in batch.message
    assert not Member.objects.filter(name__startswith="导入").exists()
