"""A small tree with a known event history for the 党内统计 tests.

集团党委 C (2015) > 总支 G > 支部 B1, B2, B3 (B3 established 2026-03-01); 兄弟党委 X > XB.

m1 B1 女 1990-05-01, 2012 入党, 本科, 书记 of B1, 外出流动 from 2026-02-01
m2 B1 男 1960-01-10, 1985 入党, 死亡 2026-02-10
m3 B2 男 回族 2000-03-03, 接收预备党员 2025-06-01, 转正 2026-06-02
m4 XB 女 1975-06-15, 2000 入党, 系统内转接 to B2 2025-09-01
m5 B1 男 1985-12-31, 2010 入党, 转出至系统外 2026-04-01
m6 B2 女 1980-08-08, 转入 from outside 2026-05-01 (admitted 2010 elsewhere)
m7 B1 男 1970-02-02, 2000 入党, 开除党籍 2025-11-11

Hand counts for C:
  2025-12-31: base(2024-12-31) 4 = m1 m2 m5 m7; +m3 (发展) +m4 (系统内转入) −m7 (出党) = 5
  2026-11-30: base 5; +m6 (从系统外转入); −m2 (死亡) −m5 (转出) = 4 = m1 m3 m4 m6
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests.api.conftest import api, token_for  # noqa: F401  (API fixtures for test_api)
from tests.factories import UserFactory, grant, make_member, make_org

D1 = date(2025, 12, 31)
D2 = date(2026, 11, 30)


@dataclass
class World:
    committee: object
    general: object
    b1: object
    b2: object
    b3: object
    other: object
    other_branch: object
    m: dict
    lead: object
    branch_user: object
    other_lead: object
    member_user: object


@pytest.fixture
def world(db):
    from zhibu.accounts.models import Role
    from zhibu.committees.services import committee_elect, post_assign
    from zhibu.development.models import Case, Step
    from zhibu.members.models import MemberEvent, Mobility
    from zhibu.members.services import member_record_event
    from zhibu.members.transfers import mobility_start
    from zhibu.orgs.models import Org

    today = date(2026, 12, 5)
    c = make_org(None, Org.Kind.COMMITTEE, "集团党委", code="CC")
    g = make_org(c, Org.Kind.GENERAL_BRANCH, "第一党总支", code="CG")
    b1 = make_org(g, Org.Kind.BRANCH, "第一党支部", code="CB1")
    b2 = make_org(g, Org.Kind.BRANCH, "第二党支部", code="CB2", sector="rural")
    b3 = make_org(g, Org.Kind.BRANCH, "第三党支部", code="CB3", established_on=date(2026, 3, 1))
    x = make_org(None, Org.Kind.COMMITTEE, "兄弟党委", code="CX")
    xb = make_org(x, Org.Kind.BRANCH, "兄弟党支部", code="CXB")
    m = {}
    m[1] = make_member(b1, "甲", gender="F", birth_date=date(1990, 5, 1), education="bachelor")
    m[2] = make_member(
        b1,
        "乙",
        birth_date=date(1960, 1, 10),
        admitted_on=date(1985, 7, 1),
        full_on=date(1986, 7, 1),
    )
    m[3] = make_member(
        b2,
        "丙",
        birth_date=date(2000, 3, 3),
        ethnicity="回族",
        admitted_on=date(2025, 6, 1),
        full_on=None,
    )
    m[4] = make_member(
        xb,
        "丁",
        gender="F",
        birth_date=date(1975, 6, 15),
        admitted_on=date(2000, 7, 1),
        full_on=date(2001, 7, 1),
    )
    m[5] = make_member(
        b1,
        "戊",
        birth_date=date(1985, 12, 31),
        admitted_on=date(2010, 7, 1),
        full_on=date(2011, 7, 1),
    )
    m[6] = make_member(
        b2,
        "己",
        gender="F",
        birth_date=date(1980, 8, 8),
        admitted_on=date(2010, 7, 1),
        full_on=date(2011, 7, 1),
        transferred_in_on=date(2026, 5, 1),
    )
    m[7] = make_member(
        b1,
        "庚",
        birth_date=date(1970, 2, 2),
        admitted_on=date(2000, 7, 1),
        full_on=date(2001, 7, 1),
    )
    K = MemberEvent.Kind
    member_record_event(member=m[2], kind=K.DECEASED, on=date(2026, 2, 10), today=today)
    member_record_event(member=m[3], kind=K.CONFIRMED, on=date(2026, 6, 2), today=today)
    member_record_event(member=m[4], kind=K.TRANSFERRED, on=date(2025, 9, 1), org=b2, today=today)
    member_record_event(member=m[5], kind=K.TRANSFERRED_OUT, on=date(2026, 4, 1), today=today)
    member_record_event(member=m[7], kind=K.EXPELLED, on=date(2025, 11, 11), today=today)
    for each in m.values():
        each.refresh_from_db()
    post_assign(org=b1, post="secretary", holder=m[1], start=date(2021, 3, 1))
    committee_elect(org=b1, elected_on=date(2024, 1, 10))
    mobility_start(
        direction=Mobility.Direction.OUT,
        org=b1,
        member=m[1],
        place="深圳",
        started_on=date(2026, 2, 1),
        today=today,
    )
    # development: an activist in 2025 who is a 发展对象 in 2026; m3's admission in 2025
    case = Case.objects.create(org=b1, name="辛", gender="F", birth_date=date(1998, 1, 1))
    Step.objects.create(case=case, number=1, on=date(2025, 3, 1))
    Step.objects.create(case=case, number=3, on=date(2025, 10, 1))
    Step.objects.create(case=case, number=7, on=date(2026, 4, 1))
    applicant = Case.objects.create(org=b2, name="壬", gender="M", birth_date=date(1970, 1, 1))
    Step.objects.create(case=applicant, number=1, on=date(2025, 5, 1))
    admitted = Case.objects.create(
        org=b2, name="丙", gender="M", birth_date=date(2000, 3, 3), ethnicity="回族", member=m[3]
    )
    Step.objects.create(case=admitted, number=15, on=date(2025, 6, 1))
    Step.objects.create(case=admitted, number=23, on=date(2026, 6, 2), outcome=Step.Outcome.CONFIRM)

    lead = UserFactory(username="zuzhibu", full_name="组织部")
    grant(lead, Role.SECRETARY, c)
    branch_user = UserFactory(username="b1sec", full_name="支部书记")
    grant(branch_user, Role.SECRETARY, b1)
    other_lead = UserFactory(username="xlead", full_name="兄弟党委书记")
    grant(other_lead, Role.SECRETARY, x)
    member_user = UserFactory(username="plain", full_name="党员")
    grant(member_user, Role.MEMBER, b1)
    return World(c, g, b1, b2, b3, x, xb, m, lead, branch_user, other_lead, member_user)
