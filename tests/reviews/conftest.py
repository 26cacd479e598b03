"""A 述职评议 cast on the shared tree: the 第一党总支 (organiser) reviews the secretary of
its 第一党支部 (李书记) for 2025; evaluators are 王党员 (who has an account) and 赵党员 of
第二党支部. The clock stands on 10 April 2026, after RESP-03's default deadline."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.reviews import services

TODAY = date(2026, 4, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 4, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def general_secretary(cast):
    """The 总支's secretary (assessment.manage there): the organiser's side."""
    user = UserFactory(username="zongzhi", full_name="赵总支")
    grant(user, Role.SECRETARY, cast.general_branch)
    return user


@pytest.fixture
def review(cast, general_secretary):
    return services.review_open(
        organiser=cast.general_branch,
        org=cast.branch1,
        year=2025,
        report="一年来，支部坚持三会一课，按期换届……",
        evaluators=[cast.ordinary_member, cast.branch2_member],
        meeting_on=date(2026, 3, 20),
        meeting_place="总支会议室",
        by=general_secretary,
    )
