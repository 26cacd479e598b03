"""Discipline 0002 copies the old roster sanctions into discipline records, and members
0010 drops them: one source of sanctions, the vote still suspended as before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("members", "0009_span_member_roll_index"), ("discipline", "0001_initial")]
AFTER = [("members", "0010_delete_sanction")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_sanctions_become_discipline_records():
    old_apps = _migrate(BEFORE)
    try:
        Org = old_apps.get_model("orgs", "Org")
        Member = old_apps.get_model("members", "Member")
        Sanction = old_apps.get_model("members", "Sanction")
        HistoricalSanction = old_apps.get_model("members", "HistoricalSanction")
        common = {"numchild": 0, "sector": "soe", "established_on": date(2000, 1, 1)}
        committee = Org.objects.create(
            path="ZZZY", depth=1, name="迁移测试党委", kind="committee", code="MIG-C", **common
        )
        branch = Org.objects.create(
            path="ZZZY0001", depth=2, name="迁移测试支部", kind="branch", code="MIG-B", **common
        )
        member = Member.objects.create(
            name="甲", birth_date=date(1980, 1, 1), org=branch, gender="M", status="full"
        )
        today = date.today()
        ended = Sanction.objects.create(
            member=member,
            kind="probation",
            decided_on=date(2020, 3, 1),
            ends_on=date(2021, 3, 1),
            document_no="迁纪〔2020〕1号",
            text="违反组织纪律。",
        )
        running = Sanction.objects.create(
            member=member,
            kind="probation",
            decided_on=today - timedelta(days=100),
            ends_on=today - timedelta(days=100) + timedelta(days=730),
        )
        warning = Sanction.objects.create(
            member=member, kind="warning", decided_on=date(2025, 5, 1), text="迟到早退。"
        )
        HistoricalSanction.objects.create(
            id=warning.pk,
            public_id=warning.public_id,
            created_at=warning.created_at,
            kind="warning",
            decided_on=date(2025, 5, 1),
            document_no="",
            text="迟到早退。",
            member_id=member.pk,
            history_date=datetime(2025, 5, 1, 8, tzinfo=UTC),
            history_type="+",
        )

        new_apps = _migrate(AFTER)
        Record = new_apps.get_model("discipline", "DisciplineRecord")
        History = new_apps.get_model("discipline", "HistoricalDisciplineRecord")
        records = {r.public_id: r for r in Record.objects.filter(member_id=member.pk)}
        assert len(records) == 3
        old = records[ended.public_id]
        assert (old.kind, old.form, old.document_no, old.facts) == (
            "probation",
            3,
            "迁纪〔2020〕1号",
            "违反组织纪律。",
        )
        assert old.deciding_org_id == committee.pk  # the 党委 above the branch
        assert (old.probation_years, old.effect_until) == (1, date(2021, 3, 1))
        # The term had ended: rights restored on its end, as the old model counted votes.
        assert (old.outcome, old.outcome_on, old.post_bar_until) == (
            "restored",
            date(2021, 3, 1),
            date(2023, 3, 1),
        )
        now = records[running.public_id]
        assert (now.probation_years, now.outcome, now.outcome_on) == (2, "", None)
        assert "未填写处分事由" in now.facts
        light = records[warning.public_id]
        assert (light.form, light.effect_until, light.status) == (2, date(2026, 5, 1), "in_effect")
        kinds = list(
            History.objects.filter(id=light.pk)
            .order_by("history_date")
            .values_list("history_type", "history_change_reason")
        )
        assert kinds[0] == ("+", None) and kinds[-1][0] == "~" and "迁移" in kinds[-1][1]
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        assert "members_sanction" not in tables and "members_historicalsanction" not in tables
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    # Today's code reads the copied record: a running 留党察看 suspends the vote.
    from zhibu.discipline.restrictions import vote_barred

    assert set(vote_barred([member.pk], date.today())) == {member.pk}
