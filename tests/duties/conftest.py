"""A letter cast on the shared tree: the 集团党委 issues to its 第一党总支, whose secretary
signs and passes items down to 第一党支部 (whose secretary signs in turn)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.duties.models import Letter
from zhibu.duties.services import letters as services
from zhibu.duties.services.letters import ItemSpec

TODAY = date(2026, 3, 10)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def general_secretary(cast):
    user = UserFactory(username="zongzhi", full_name="赵总支")
    grant(user, Role.SECRETARY, cast.general_branch)
    return user


@pytest.fixture
def template(cast):
    letter = services.letter_draft(
        issuer=cast.committee,
        kind=Letter.Kind.PRINCIPAL,
        year=2026,
        title="2026 年度全面从严治党主体责任书",
        issued_on=date(2026, 2, 20),
        sign_deadline=date(2026, 3, 31),
        by=cast.party_secretary,
    )
    services.item_add(
        letter=letter,
        spec=ItemSpec("组织建设", "按期换届，规范发展党员", date(2026, 6, 30), 20, "换届材料"),
    )
    services.item_add(
        letter=letter,
        spec=ItemSpec("党风廉政", "排查廉洁风险并制定防控措施", date(2026, 12, 31), 15),
    )
    return letter


@pytest.fixture
def received(cast, template, frozen):
    """The 总支's letter, issued (not yet signed)."""
    (letter,) = services.letter_issue(
        letter=template, recipients=[cast.general_branch], by=cast.party_secretary
    )
    return letter
