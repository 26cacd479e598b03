"""The demo logins: what ``make demo`` prints, the README lists and ``build`` creates.

Every login's password is ``settings.ZHIBU_DEMO_PASSWORD``. Keep the README's
"演示账号 · Demo logins" table in step with this list (a test compares them).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhibu.accounts.models import Role

ROOT_CODE = "RLJT"  # the 党委's org code; its presence means the demo is already built


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str  # Chinese, printed by ``demo_banner`` and shown in the README
    role_en: str  # the README's English column
    grant: str  # the accounts.Role granted
    org_code: str | None  # where it is granted (None: platform-wide)
    member_org: str | None = None  # the branch of the login's member record, if a party member


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "dangwei",
        "王振华",
        "党委书记（市热力集团有限公司党委）",
        "party committee secretary (the whole group)",
        Role.SECRETARY,
        ROOT_CODE,
        "RLJT-JG01",
    ),
    DemoLogin(
        "zuzhibu",
        "李静",
        "党务工作者（党委组织部）",
        "party affairs staff, organisation department",
        Role.STAFF,
        ROOT_CODE,
        "RLJT-JG01",
    ),
    DemoLogin(
        "jijian",
        "陈立新",
        "纪检委员（党委）",
        "discipline inspection member of the party committee",
        Role.DISCIPLINE,
        ROOT_CODE,
        "RLJT-JG02",
    ),
    DemoLogin(
        "zongzhi",
        "赵国强",
        "党总支书记（生产运行党总支）",
        "general branch secretary (production and operations)",
        Role.SECRETARY,
        "RLJT-SC",
        "RLJT-DD",
    ),
    DemoLogin(
        "zhibu",
        "刘海涛",
        "支部书记（热源厂党支部）",
        "branch secretary (heat plant branch)",
        Role.SECRETARY,
        "RLJT-RY",
        "RLJT-RY",
    ),
    DemoLogin(
        "xiaozu",
        "孙丽娟",
        "党小组长（热源厂运行一值党小组）",
        "party group leader (heat plant, operations shift 1)",
        Role.GROUP_LEADER,
        "RLJT-RY-1",
        "RLJT-RY",
    ),
    DemoLogin(
        "dangyuan",
        "周晓明",
        "普通党员（热源厂党支部）",
        "ordinary party member (heat plant branch)",
        Role.MEMBER,
        "RLJT-RY",
        "RLJT-RY",
    ),
    DemoLogin(
        "xitong",
        "吴磊",
        "系统管理员（平台）",
        "system administrator (platform)",
        Role.SYSTEM_ADMIN,
        None,
    ),
    DemoLogin(
        "anquan",
        "郑敏",
        "安全管理员（平台）",
        "security administrator (platform)",
        Role.SECURITY_ADMIN,
        None,
    ),
    DemoLogin(
        "shenji",
        "冯涛",
        "审计管理员（平台）",
        "audit administrator (platform)",
        Role.AUDIT_ADMIN,
        None,
    ),
)

LOGINS_BY_USERNAME = {login.username: login for login in DEMO_LOGINS}
