"""A bulk load counts each table once on SQLite (``changes.counted_once``): the change
counters still move, the triggers come back, a rollback leaves everything as it was."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from zhibu.members.models import MemberEvent
from zhibu.rulebook import changes

pytestmark = pytest.mark.django_db

TABLE = MemberEvent._meta.db_table


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="row triggers are SQLite's")
def test_a_bulk_load_counts_its_tables_once_and_puts_the_triggers_back(cast):
    before, triggers = changes.counts()[TABLE], _triggers()
    assert len(triggers) == 3
    with transaction.atomic():
        with changes.counted_once([TABLE]):
            assert not _triggers()  # set aside for the load
            MemberEvent.objects.filter(pk__in=[]).update(note="")
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {TABLE} SET note = note")  # noqa: S608 - every row
        assert _triggers() == triggers
    assert changes.counts()[TABLE] == before + 1
    with pytest.raises(RuntimeError), transaction.atomic(), changes.counted_once([TABLE]):
        raise RuntimeError("a failed load")
    assert _triggers() == triggers
    assert changes.counts()[TABLE] == before + 1  # rolled back with the load


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement triggers")
def test_on_postgresql_the_statement_triggers_stay(cast):
    before = changes.counts()[TABLE]
    with transaction.atomic(), changes.counted_once([TABLE]):
        pass
    assert changes.counts()[TABLE] == before  # nothing set aside, nothing counted
    assert TABLE in changes.counts()  # still guarded
