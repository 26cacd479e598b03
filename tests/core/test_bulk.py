"""Bulk writes: ``write_rows`` stores exactly what the ORM would, by COPY on PostgreSQL and
one prepared INSERT elsewhere (run this file on both engines)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhibu.core.bulk import analyze, write_rows
from zhibu.members.models import Member, MemberEvent
from zhibu.members.services import initial_events, new_member

pytestmark = pytest.mark.django_db

NUMBER = "110101199003071234"


def test_write_rows_stores_what_the_orm_stores(cast, django_user_model):
    user = django_user_model.objects.create_user(username="bulk", full_name="批量")
    member = new_member(
        org=cast.branch1,
        group=cast.group1,
        name="批量写入",
        gender="M",
        birth_date=date(1990, 3, 7),
        id_number=NUMBER,
        admitted_on=date(2012, 7, 1),
        full_on=date(2013, 7, 1),
        phone="13912345678",
        category=Member.Category.IN_SERVICE,
    )
    with CaptureQueriesContext(connection) as queries:
        assert write_rows(Member, [member]) == 1
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"].upper()]
    assert bool(inserts) == (connection.vendor != "postgresql")  # COPY is not an INSERT
    stored = Member.objects.get(name="批量写入")
    assert stored.id_number == NUMBER and stored.id_index == member.id_index
    assert stored.phone == "13912345678" and stored.group == cast.group1
    assert (stored.status, stored.full_on, stored.name_pinyin) == (
        Member.Status.FULL,
        date(2013, 7, 1),
        "piliangxieru",
    )
    assert stored.created_at is not None and stored.public_id == member.public_id
    with connection.cursor() as cursor:  # the number is stored encrypted, never in clear
        cursor.execute("SELECT id_number FROM members_member WHERE id = %s", [stored.pk])
        assert NUMBER not in str(cursor.fetchone())

    events = initial_events(stored, by=user, note="批量")
    write_rows(MemberEvent, events)
    analyze(Member, MemberEvent)
    assert list(stored.events.order_by("on").values_list("kind", "on", "org", "recorded_by")) == [
        (MemberEvent.Kind.ADMITTED, date(2012, 7, 1), cast.branch1.pk, user.pk),
        (MemberEvent.Kind.CONFIRMED, date(2013, 7, 1), None, user.pk),
    ]
