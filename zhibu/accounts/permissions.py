"""The permission matrix (role × level → actions) and the checks built on it.

A user's *grants* are their role assignments active today. A grant at an org gives its
actions over that org's whole subtree; which actions depends on the role and on the
org's level (a 书记 of a 党委 may do more than a 书记 of a 党支部). Platform roles (the
three administrators) hold their actions platform-wide and never any action that reads
member records. ``docs/permissions.md`` is generated from ``MATRIX`` and tested against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts.models import Role, RoleAssignment
from zhibu.core.scope import in_subtree, subtree_q

# Every action, with what it lets a user do.
ACTIONS: dict[str, str] = {
    "org.view": _("查看党组织、班子和组织变动"),
    "org.edit": _("修改党组织基本信息"),
    "org.structure": _("新建、调整隶属、撤销下级党组织"),
    "committee.manage": _("管理班子换届、职务任免和定点联系"),
    "member.view": _("查看党员名册（敏感信息脱敏）"),
    "member.manage": _("新增、修改党员信息，记录党籍变动"),
    "member.reveal": _("说明理由后查看完整身份证号、手机号"),
    "member.import": _("批量导入党员"),
    "member.export": _("导出党员名册"),
    "member.transfer": _("审批组织关系转接"),
    "meeting.view": _("查看组织生活记录"),
    "meeting.record": _("登记组织生活、表决和谈心谈话"),
    "finding.view": _("查看驾驶舱和合规检查结果"),
    "rules.run": _("重新执行合规检查"),
    "rules.configure": _("制定本级补充规定"),
    "exemption.approve": _("审批检查豁免"),
    "development.view": _("查看发展党员工作"),
    "development.manage": _("登记发展党员各步骤"),
    "development.approve": _("以上级党委身份审批、特批发展党员事项"),
    "request.handle": _("以本组织名义起草、报送请示报告，答复下级的请示报告"),
    "assessment.manage": _("制定考核方案，评分、调整和确认考核结果，组织述职评议"),
    "discipline.view": _("查看纪律处分、问责线索和问责决定（仅纪检角色）"),
    "discipline.manage": _("登记纪律处分和申诉，作出问责决定"),
    "dues.manage": _("核定党费基数，登记党费收缴和上缴"),
    "study.manage": _("管理课程、学时认定和学习资料"),
    "census.manage": _("编制、核对和报送党内统计报表"),
    "integrity.review": _("核查可疑记录，标注已核实或已说明"),
    "notice.manage": _("发布通知公告，配置企业微信、钉钉等提醒渠道"),
    "user.view": _("查看用户账号及其角色"),
    "user.manage": _("新建、停用账号，重置平台账号的密码（不授予角色）"),
    "role.grant": _(
        "授予、终止角色：安全管理员只授平台角色，党组织负责人只在本组织范围内授党内角色"
    ),
    "calendar.manage": _("录入法定节假日和调休安排"),
    "security.manage": _("解锁账号、管理安全设置"),
    "audit.view": _("查看审计日志"),
}

COMMITTEE, BRANCH, GROUP, PLATFORM = "committee", "branch", "group", "platform"
LEVEL_LABELS = {
    COMMITTEE: _("党委/党总支"),
    BRANCH: _("党支部"),
    GROUP: _("党小组"),
    PLATFORM: _("平台"),
}

_VIEW_ALL = {"org.view", "member.view", "meeting.view", "finding.view", "development.view"}
_COMMITTEE_LEAD = _VIEW_ALL | {
    "org.edit",
    "org.structure",
    "committee.manage",
    "member.manage",
    "member.reveal",
    "member.import",
    "member.export",
    "member.transfer",
    "meeting.record",
    "rules.run",
    "rules.configure",
    "exemption.approve",
    "development.manage",
    "development.approve",
    "request.handle",
    "assessment.manage",
    "dues.manage",
    "study.manage",
    "census.manage",
    "integrity.review",
    "notice.manage",
    "user.view",
    "role.grant",
}
_BRANCH_LEAD = _VIEW_ALL | {
    "org.edit",
    "org.structure",
    "member.manage",
    "member.reveal",
    "member.import",
    "member.export",
    "meeting.record",
    "rules.run",
    "development.manage",
    "request.handle",
    "dues.manage",
    "study.manage",
    "notice.manage",
}

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    (Role.SECRETARY, COMMITTEE): frozenset(_COMMITTEE_LEAD),
    (Role.SECRETARY, BRANCH): frozenset(_BRANCH_LEAD),
    (Role.DEPUTY_SECRETARY, COMMITTEE): frozenset(_COMMITTEE_LEAD),
    (Role.DEPUTY_SECRETARY, BRANCH): frozenset(_BRANCH_LEAD),
    (Role.ORGANIZATION, COMMITTEE): frozenset(_COMMITTEE_LEAD - {"rules.configure"}),
    (Role.ORGANIZATION, BRANCH): frozenset(_BRANCH_LEAD - {"org.edit", "org.structure"}),
    (Role.STAFF, COMMITTEE): frozenset(
        _COMMITTEE_LEAD - {"exemption.approve", "development.approve"}
    ),
    (Role.STAFF, BRANCH): frozenset(_BRANCH_LEAD - {"member.reveal", "org.structure"}),
    (Role.PUBLICITY, COMMITTEE): frozenset(_VIEW_ALL | {"meeting.record", "study.manage"}),
    (Role.PUBLICITY, BRANCH): frozenset(_VIEW_ALL | {"meeting.record", "study.manage"}),
    # 纪检 roles alone see discipline records (DISC, a stricter scope than member data);
    # the secretary of the deciding committee reads its own decisions record by record.
    (Role.DISCIPLINE, COMMITTEE): frozenset(
        _VIEW_ALL | {"discipline.view", "discipline.manage", "integrity.review"}
    ),
    (Role.DISCIPLINE, BRANCH): frozenset(_VIEW_ALL | {"discipline.view", "integrity.review"}),
    (Role.GROUP_LEADER, GROUP): frozenset(
        {"org.view", "member.view", "meeting.view", "meeting.record"}
    ),
    # 三员分立: the system administrator keeps accounts but grants no role; the security
    # administrator grants platform roles only (role_grant refuses business roles to a
    # platform grant); business roles come from the party tree (committee leads, in scope).
    (Role.SYSTEM_ADMIN, PLATFORM): frozenset(
        {"org.view", "user.view", "user.manage", "calendar.manage"}
    ),
    (Role.SECURITY_ADMIN, PLATFORM): frozenset({"security.manage", "user.view", "role.grant"}),
    (Role.AUDIT_ADMIN, PLATFORM): frozenset({"audit.view"}),
    # An ordinary member holds no org-wide action: "我的" pages show their own records.
    (Role.MEMBER, BRANCH): frozenset(),
    (Role.MEMBER, GROUP): frozenset(),
}

# Actions that read member records: never granted to a platform administrator.
PERSONAL_DATA_ACTIONS = frozenset(
    {
        "member.view",
        "member.manage",
        "member.reveal",
        "member.import",
        "member.export",
        "member.transfer",
    }
)

ALL_ORGS = "*"  # the scope of a platform-wide grant


@dataclass(frozen=True)
class Grant:
    role: str
    level: str
    path: str  # ALL_ORGS for platform roles
    org_id: int | None
    actions: frozenset[str]


def level_of(org) -> str:
    return PLATFORM if org is None else org.level


def actions_for(role: str, level: str) -> frozenset[str]:
    return MATRIX.get((role, level), frozenset())


def grants(user, on: date | None = None) -> list[Grant]:
    """The user's grants active on ``on`` (today by default), cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    day = on or timezone.localdate()
    cache = user.__dict__.setdefault("_zhibu_grants", {})
    if day not in cache:
        rows = (
            RoleAssignment.objects.filter(user=user, start__lte=day)
            .filter(Q(end__isnull=True) | Q(end__gte=day))
            .select_related("org")
        )
        result = []
        orgs = user.__dict__.setdefault("_zhibu_grant_orgs", {})[day] = {}
        for row in rows:
            if row.org is not None and not row.org.exists_on(day):
                continue  # a dissolved org confers nothing
            if row.org is not None:
                orgs[row.org_id] = row.org
            level = level_of(row.org)
            result.append(
                Grant(
                    role=row.role,
                    level=level,
                    path=row.org.path if row.org else ALL_ORGS,
                    org_id=row.org_id,
                    actions=actions_for(row.role, level),
                )
            )
        cache[day] = result
    return cache[day]


def granted_orgs(user, on: date | None = None) -> list:
    """The orgs where the user holds an active role on ``on`` (each once), read with the
    grants: no query of its own."""
    day = on or timezone.localdate()
    grants(user, day)
    return list(user.__dict__.get("_zhibu_grant_orgs", {}).get(day, {}).values())


def forget(user) -> None:
    """Drop the cached grants (after a role change in the same request)."""
    user.__dict__.pop("_zhibu_grants", None)
    user.__dict__.pop("_zhibu_grant_orgs", None)


def holds_anywhere(user, action: str) -> bool:
    return any(action in grant.actions for grant in grants(user))


def scope_paths(user, action: str) -> list[str]:
    """Paths whose subtrees the user may act on with ``action`` (``[ALL_ORGS]`` = all)."""
    paths = [grant.path for grant in grants(user) if action in grant.actions]
    return [ALL_ORGS] if ALL_ORGS in paths else paths


def scope_q(user, action: str, field: str = "path") -> Q:
    """A filter on ``field`` (an org path) for rows the user may act on with ``action``."""
    paths = scope_paths(user, action)
    if paths == [ALL_ORGS]:
        return Q()
    return subtree_q(paths, field)


def can(user, action: str, org) -> bool:
    """May ``user`` do ``action`` at ``org``?"""
    paths = scope_paths(user, action)
    return paths == [ALL_ORGS] or in_subtree(org.path, paths)


def business_grant_paths(user) -> list[str]:
    """Paths where ``user`` may grant business roles: ``role.grant`` held through a role in
    the party tree. A platform grant of ``role.grant`` (安全管理员) never counts here."""
    return [
        grant.path
        for grant in grants(user)
        if grant.level != PLATFORM and "role.grant" in grant.actions
    ]


def grants_platform_roles(user) -> bool:
    """Only the 安全管理员 grants the three platform roles."""
    return any(
        grant.role == Role.SECURITY_ADMIN and "role.grant" in grant.actions
        for grant in grants(user)
    )


def can_strictly_below(user, action: str, org) -> bool:
    """``action`` granted by an assignment *above* ``org`` (e.g. moving or dissolving it)."""
    return any(
        action in grant.actions
        and (grant.path == ALL_ORGS or (org.path.startswith(grant.path) and org.path != grant.path))
        for grant in grants(user)
    )
