"""The statistics at two dates match hand counts from the event history (see conftest)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.census.conftest import D1, D2
from zhibu.census import tables as T


def figures(org, day):
    return T.by_key(T.compute(org, day))


def names(org, day, table, row, column="n"):
    _kind, qs = T.drill(org, day, table, row, column)
    return sorted(getattr(o, "name", None) or o.display_name for o in qs)


def test_flow_at_two_dates_matches_hand_counts(world):
    f = figures(world.committee, D1)["flow"]
    assert [f.cell(r, "n") for r in ("base", "gained", "lost", "now")] == [4, 2, 1, 5]
    assert f.cell("gained.develop", "n") == 1
    assert f.cell("gained.in_inside", "n") == 1
    assert f.cell("lost.left", "n") == 1
    f = figures(world.committee, D2)["flow"]
    assert [f.cell(r, "n") for r in ("base", "gained", "lost", "now")] == [5, 1, 2, 4]
    assert f.cell("gained.in_outside", "n") == 1
    assert f.cell("lost.deceased", "n") == 1
    assert f.cell("lost.out_outside", "n") == 1
    # the other committee lost m4 to C in 2025 by a transfer inside the system
    assert figures(world.other, D1)["flow"].cell("lost.out_inside", "n") == 1


def test_breakdowns_at_two_dates_match_hand_counts(world):
    a, b = figures(world.committee, D1), figures(world.committee, D2)
    assert a["gender"].cell("F", "n") == 2 and a["gender"].cell("M", "n") == 3
    assert b["gender"].cell("F", "n") == 3 and b["gender"].cell("M", "n") == 1
    assert a["status"].cell("probationary", "n") == 1 and b["status"].cell("probationary", "n") == 0
    assert a["ethnicity"].cell("minority", "n") == 1
    # m5 is exactly 40 on 2025-12-31; m3 25; m1 35; m2 65; m4 50
    assert [a["age"].cell(k, "n") for k in ("a30", "a35", "a40", "a50", "a70")] == [1, 1, 1, 1, 1]
    assert a["education"].cell("bachelor", "n") == 1 and a["education"].cell("none", "n") == 4
    assert a["sector"].cell("rural", "n") == 2  # m3, m4 in B2
    assert a["length"].cell("y5", "n") == 1  # m3 admitted 2025
    assert T.consistency(T.compute(world.committee, D1)) == []
    assert T.consistency(T.compute(world.committee, D2)) == []


def test_development_orgs_and_mobility_at_two_dates(world):
    a, b = figures(world.committee, D1), figures(world.committee, D2)
    assert a["development"].cell("activists", "total") == 1
    assert a["development"].cell("activists", "female") == 1
    assert a["development"].cell("applicants", "total") == 1
    assert a["development"].cell("admitted", "total") == 1
    assert a["development"].cell("admitted", "minority") == 1
    assert b["development"].cell("targets", "total") == 1
    assert b["development"].cell("activists", "total") == 0
    assert b["development"].cell("confirmed", "total") == 1
    assert a["orgs"].cell("total", "total") == 4 and b["orgs"].cell("total", "total") == 5
    assert a["orgs"].cell("branch", "rural") == 1
    assert a["leadership"].cell("secretary", "n") == 1
    assert a["leadership"].cell("branch_committee", "n") == 1
    assert a["mobility"].cell("total", "total") == 0 and b["mobility"].cell("out", "total") == 1


def test_cells_drill_down_to_the_people_behind_them(world):
    c = world.committee
    assert names(c, D1, "flow", "now") == sorted(["甲", "乙", "丙", "丁", "戊"])
    assert names(c, D2, "flow", "now") == sorted(["甲", "丙", "丁", "己"])
    assert names(c, D1, "flow", "lost.left") == ["庚"]
    assert names(c, D2, "flow", "gained") == ["己"]
    assert names(c, D1, "gender", "F") == sorted(["甲", "丁"])
    assert names(c, D1, "age", "a40") == ["戊"]
    assert names(c, D1, "status", "probationary") == ["丙"]
    assert names(c, D2, "development", "targets", "total") == ["辛"]
    assert names(c, D2, "orgs", "branch", "total") == sorted(
        ["第一党支部", "第二党支部", "第三党支部"]
    )
    assert names(c, D2, "mobility", "out", "total") == ["甲"]
    with pytest.raises(ValidationError):
        T.drill(c, D1, "nosuch", "x", "n")
    with pytest.raises(ValidationError):
        T.drill(c, D1, "orgs", "nokind", "total")


def test_a_member_changed_today_does_not_move_a_past_table(world):
    from zhibu.members.services import member_update

    before = [t.as_dict() for t in T.compute(world.committee, D1)]
    m1 = world.m[1]
    member_update(member=m1, education="master", ethnicity="满族")
    m1.refresh_from_db()
    assert m1.ethnicity == "满族"
    assert [t.as_dict() for t in T.compute(world.committee, D1)] == before
    assert names(world.committee, D1, "education", "bachelor") == ["甲"]
    assert names(world.committee, D1, "ethnicity", "minority") == ["丙"]
    now = figures(world.committee, date.today())
    assert now["ethnicity"].cell("minority", "n") == 2  # today m1's record says 满族
    assert now["education"].cell("master", "n") == 1


def test_as_of_before_the_org_existed_is_refused_in_chinese(world):
    with pytest.raises(ValidationError) as err:
        T.compute(world.b3, date(2025, 12, 31))
    assert "尚未成立" in str(err.value)
    for bad in ("2025-13-01", "yesterday", "2025/12/31"):
        with pytest.raises(ValidationError):
            T.parse_day(bad)


def test_query_count_does_not_grow_with_the_tree(world, django_assert_max_num_queries):
    from tests.factories import make_member, make_org
    from zhibu.orgs.models import Org

    with django_assert_max_num_queries(30) as small:
        T.compute(world.committee, D1)
    for i in range(4):
        branch = make_org(world.general, Org.Kind.BRANCH, f"新支部{i}", code=f"NEW{i}")
        for j in range(3):
            make_member(branch, f"新{i}{j}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        T.compute(world.committee, D1)


def test_a_later_move_of_a_branch_leaves_the_past_where_it_was(world):
    """B2 (m3, m4, m6) moves to the other committee on 2026-07-01: on 2025-12-31 it still
    counts under C; on 2026-11-30 under X, and C's year is stated on today's structure."""
    from zhibu.orgs.models import Org
    from zhibu.orgs.services import org_move

    org_move(org=world.b2, to_parent=world.other, on=date(2026, 7, 1), document_no="组字1号")
    c, x = Org.objects.get(pk=world.committee.pk), Org.objects.get(pk=world.other.pk)
    assert figures(c, D1)["flow"].cell("now", "n") == 5
    assert figures(c, D1)["orgs"].cell("total", "total") == 4
    assert figures(x, D1)["flow"].cell("now", "n") == 0
    f = figures(c, D2)["flow"]
    assert [f.cell(r, "n") for r in ("base", "gained", "lost", "now")] == [3, 0, 2, 1]
    assert figures(x, D2)["flow"].cell("now", "n") == 3
    assert names(x, D2, "flow", "now") == sorted(["丙", "丁", "己"])
    assert T.consistency(T.compute(c, D2)) == [] and T.consistency(T.compute(x, D1)) == []
