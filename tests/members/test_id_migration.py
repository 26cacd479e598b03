"""Migrations 0006–0008 move existing members off the clear ID fragments and back."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhibu.members import idnumber

BEFORE = [("members", "0005_member_name_birth_index")]
AFTER = [("members", "0008_drop_clear_id_fragments")]
NUMBER = "110105199209033254"  # valid: born 1992-09-03, male (5 is odd)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_clear_fragments_are_replaced_and_restored():
    old_apps = _migrate(BEFORE)
    try:
        Org = old_apps.get_model("orgs", "Org")
        Member = old_apps.get_model("members", "Member")
        org = Org.objects.create(
            path="ZZZZ",
            depth=1,
            numchild=0,
            name="迁移测试支部",
            kind="branch",
            established_on=date(2000, 1, 1),
        )
        common = {"org": org, "gender": "M", "status": "full"}
        Member.objects.create(
            name="甲",
            birth_date=date(1992, 9, 3),
            id_number=NUMBER,
            id_last4="3254",
            id_birth_date=date(1992, 9, 3),
            id_gender="M",
            id_format_ok=True,
            **common,
        )
        Member.objects.create(
            name="乙",
            birth_date=date(1990, 1, 1),
            id_number=NUMBER[:-1] + "0",
            id_last4="3250",
            **common,
        )
        Member.objects.create(name="丙", birth_date=date(1990, 1, 1), **common)

        new_apps = _migrate(AFTER)
        Member = new_apps.get_model("members", "Member")
        rows = {m.name: m for m in Member.objects.filter(org__name="迁移测试支部")}
        assert (rows["甲"].id_tail_index, rows["甲"].id_matches) == (
            idnumber.tail_index(NUMBER),
            True,
        )
        assert rows["乙"].id_matches is False and rows["乙"].id_tail_index
        assert (rows["丙"].id_tail_index, rows["丙"].id_matches) == ("", False)
        with connection.cursor() as cursor:
            columns = {
                c.name
                for c in connection.introspection.get_table_description(cursor, "members_member")
            }
        assert not columns & {"id_last4", "id_birth_date", "id_gender"}

        old_apps = _migrate(BEFORE)
        Member = old_apps.get_model("members", "Member")
        first = Member.objects.get(name="甲")
        assert (first.id_last4, first.id_birth_date, first.id_gender) == (
            "3254",
            date(1992, 9, 3),
            "M",
        )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
