"""The discipline cast on top of the shared one: a 纪检委员 of the 集团党委 (view and
manage over the whole tree), a 纪检委员 of 第二党支部 (view only there), and the other
roles that must never see a record: 组织委员 and 党务工作者 of the 党委, the 系统管理员."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.discipline.models import DisciplineRecord
from zhibu.discipline.services import record_save

TODAY = date(2026, 6, 15)


@dataclass
class Disc:
    inspector: object  # 纪检委员 at 集团党委
    branch2_inspector: object  # 纪检委员 at 第二党支部
    organizer: object  # 组织委员 at 集团党委
    staff: object  # 党务工作者 at 第一党支部
    sysadmin: object  # 系统管理员


@pytest.fixture
def disc(cast):
    inspector = UserFactory(username="jijian", full_name="纪检委员")
    branch2_inspector = UserFactory(username="jijian2", full_name="支部纪检委员")
    organizer = UserFactory(username="zuzhi", full_name="组织委员")
    staff = UserFactory(username="dangwu", full_name="党务工作者")
    sysadmin = UserFactory(username="sysadmin", full_name="系统管理员")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    grant(branch2_inspector, Role.DISCIPLINE, cast.branch2)
    grant(organizer, Role.ORGANIZATION, cast.committee)
    grant(staff, Role.STAFF, cast.branch1)
    grant(sysadmin, Role.SYSTEM_ADMIN, None)
    return Disc(inspector, branch2_inspector, organizer, staff, sysadmin)


@pytest.fixture
def make_record(cast):
    def make(member=None, kind=DisciplineRecord.Kind.WARNING, *, org=None, **fields):
        fields.setdefault("decided_on", date(2026, 3, 1))
        fields.setdefault("facts", "违反工作纪律，情节较轻。")
        if kind == DisciplineRecord.Kind.PROBATION:
            fields.setdefault("probation_years", 1)
        return record_save(
            member=member or cast.ordinary_member,
            deciding_org=org or cast.committee,
            kind=kind,
            today=fields.pop("today", TODAY),
            **fields,
        )

    return make
