"""Members who can sign in (issue 13): accounts for a branch's members in bulk, each linked
to the member record, with a one-time sign-in code printed on a distribution sheet.

Who: anyone holding ``member.manage`` over the org (党务工作者, 书记, 组织委员 …), as for
every other change to the roster; the accounts are the members' own and carry the 党员
role at their branch only, which gives no org-wide action (三员分立 is unaffected: no
platform role is involved, and the 系统管理员 still keeps platform accounts). Codes are
stored hashed (``zhibu.accounts.signin_codes``); the sheet is the only place they appear.

A member who leaves (转出, 死亡, 出党 …) loses their account: ``member_record_event``
calls ``member_changed`` after the status change (a move takes the 党员 role along).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from zhibu.accounts import permissions, signin_codes
from zhibu.accounts.models import Role, RoleAssignment, User
from zhibu.accounts.services import member_account_deactivate, role_end, role_grant
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.pdf import DocumentPDF
from zhibu.members.models import Member
from zhibu.orgs.models import Org

MANAGE = "member.manage"
NOTHING_TO_ISSUE = gettext_lazy(
    "所选范围内没有需要开通账号的党员（都已有账号，或已登录过；重新发放只针对尚未首次登录的账号）。"
)
NOT_ON_ROSTER = gettext_lazy("“%(name)s”已不在党员名册中，不能开通账号。")
TOO_MANY = gettext_lazy("一次最多为 %(limit)d 名党员开通账号，请按党支部分批办理。")
LIMIT = 2000
LEAVING_REASONS: dict[str, str] = {
    Member.Status.LEFT: "出党",
    Member.Status.DECEASED: "死亡",
    Member.Status.TRANSFERRED_OUT: "组织关系转出",
}


@dataclass
class Issued:
    member: Member
    username: str
    code: str
    expires_at: datetime
    new_account: bool


def account_state(member: Member) -> str:
    """none / pending (never signed in) / active / inactive."""
    user = member.user
    if user is None:
        return "none"
    if not user.is_active:
        return "inactive"
    return "pending" if user.last_login is None else "active"


STATE_LABELS = {
    "none": gettext_lazy("未开通"),
    "pending": gettext_lazy("已开通，尚未首次登录"),
    "active": gettext_lazy("已启用"),
    "inactive": gettext_lazy("已停用"),
}


def _usernames(members: list[Member]) -> dict[int, str]:
    """A free user name per member: their full pinyin, then pinyin2, pinyin3 …"""
    bases = {m.pk: (m.name_pinyin or "dangyuan")[:140] for m in members}
    tried = {f"{base}{n}" if n > 1 else base for base in bases.values() for n in range(1, 60)}
    taken = set(
        User.objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=[t.lower() for t in tried])
        .values_list("lowered", flat=True)
    )
    out = {}
    for pk, base in bases.items():
        n = 1
        while True:
            name = f"{base}{n}" if n > 1 else base
            if name.lower() not in taken:
                break
            n += 1
        taken.add(name.lower())
        out[pk] = name
    return out


@transaction.atomic
def accounts_issue(
    *, members: list[Member], by: User | None, reissue: bool = False, request=None
) -> list[Issued]:
    """Open accounts for ``members`` without one and, with ``reissue``, give a new code to
    those whose account was never signed in to. Refused (Chinese message) when there is
    nothing to do; ``by`` must hold ``member.manage`` over each member's org (403)."""
    if len(members) > LIMIT:
        raise ValidationError({"members": TOO_MANY % {"limit": LIMIT}})
    if by is not None and not all(permissions.can(by, MANAGE, m.org) for m in members):
        raise PermissionDenied
    for member in members:
        if member.status not in Member.ON_ROSTER:
            raise ValidationError({"members": NOT_ON_ROSTER % {"name": member.name}})
    fresh = [m for m in members if m.user_id is None]
    # Re-issue: accounts never signed in to, and accounts deactivated when the member left
    # who is back on the roster (they are reactivated and must choose a new password).
    again = [
        m
        for m in members
        if reissue and m.user is not None and (not m.user.is_active or m.user.last_login is None)
    ]
    if not fresh and not again:
        raise ValidationError({"members": NOTHING_TO_ISSUE})
    names = _usernames(fresh)
    users = []
    for member in fresh:
        user = User(username=names[member.pk], full_name=member.name, created_by=by)
        user.set_unusable_password()  # the code stands in until the owner chooses one
        user.must_change_password = True
        users.append(user)
    User.objects.bulk_create(users)
    # bulk_create leaves pks unset on SQLite before 3.35; read them back by user name.
    by_name = {u.username: u for u in User.objects.filter(username__in=list(names.values()))}
    today = timezone.localdate()
    roles = []
    for member in fresh:
        member.user = by_name[names[member.pk]]
        if (Role.MEMBER, member.org.level) in permissions.MATRIX:
            roles.append(
                RoleAssignment(
                    user=member.user,
                    role=Role.MEMBER,
                    org=member.org,
                    start=today,
                    granted_by=by,
                    note="党员账号",
                )
            )
    Member.objects.bulk_update(fresh, ["user"])
    bulk_create_with_history(roles, RoleAssignment, default_user=by)
    back = [_account(m) for m in again if not _account(m).is_active]
    for user in back:
        user.is_active, user.must_change_password = True, True
    User.objects.bulk_update(back, ["is_active", "must_change_password"])
    for member in again:
        member_role_follow(member=member, by=by)
    targets = [(m, _account(m)) for m in fresh + again]
    codes = signin_codes.codes_issue(users=[user for _m, user in targets], by=by)
    expires = timezone.now() + timedelta(days=signin_codes.code_days())
    if len(fresh) > 100:
        with connection.cursor() as cursor:
            for table in (User._meta.db_table, RoleAssignment._meta.db_table):
                cursor.execute(f"ANALYZE {table}")
    audit_record(
        kind=AuditEvent.Kind.USER_CHANGED,
        summary=f"为 {len(fresh)} 名党员开通账号，为 {len(again)} 名重新发放一次性登录码",
        actor=by,
        request=request,
        details={
            "opened": [_account(m).username for m in fresh],
            "reissued": [_account(m).username for m in again],
            "reactivated": [user.username for user in back],
        },
    )
    return [
        Issued(
            member=m,
            username=user.username,
            code=codes[user.pk],
            expires_at=expires,
            new_account=m in fresh,
        )
        for m, user in targets
    ]


def _account(member: Member) -> User:
    assert member.user is not None
    return member.user


def member_role_follow(*, member: Member, by=None) -> None:
    """Keep an account's 党员 role at the member's current org (after a move or a return)."""
    user = member.user
    if user is None or not user.is_active or member.status not in Member.ON_ROSTER:
        return
    today = timezone.localdate()
    mine = RoleAssignment.objects.filter(user=user, role=Role.MEMBER)
    current = mine.filter(Q(end__isnull=True) | Q(end__gt=today))
    # The 党员 role may sit at the member's branch or at their 党小组.
    home = [member.org_id] + ([member.group_id] if member.group_id else [])
    for assignment in current.exclude(org__in=home):
        if assignment.start <= today:
            role_end(assignment=assignment, on=today)
        else:
            assignment.delete()
    if current.filter(org__in=home).exists():
        pass
    elif (reopen := mine.filter(org=member.org, end=today).first()) is not None:
        # Ended earlier today (left and came back the same day): it simply runs on.
        reopen.end = None
        reopen.save(update_fields=["end"])
    elif (Role.MEMBER, member.org.level) in permissions.MATRIX:
        role_grant(user=user, role=Role.MEMBER, org=member.org, start=today, note="党员账号")
    permissions.forget(user)


def member_changed(*, member: Member, by=None) -> None:
    """After a status change: a member who left loses their account; one who moved keeps
    it, with the 党员 role at the new branch."""
    if not member_left(member=member, by=by):
        member_role_follow(member=member, by=by)


def member_left(*, member: Member, by=None) -> bool:
    """After a status change: a member no longer on the roster loses their account."""
    if member.user is None or member.status in Member.ON_ROSTER:
        return False
    reason = LEAVING_REASONS.get(member.status) or str(member.get_status_display())
    return member_account_deactivate(user=member.user, reason=reason, by=by)


def distribution_sheet(*, org: Org, issued: list[Issued], sign_in_url: str) -> bytes:
    """The PDF handed out: one slip per member with user name, code and where to sign in."""
    title = _("党员账号通知单") + f" · {org.name}"
    pdf = DocumentPDF(title)
    pdf.add_page()
    pdf.heading(title)
    pdf.para(
        "",
        _(
            "请沿表格线裁开，将各人的一栏当面交给本人。首次登录地址：%(url)s。"
            "输入用户名和一次性登录码后须立即设置自己的密码；登录码只能使用一次，逾期失效，"
            "遗失请联系党务工作者重新发放。本通知单用后请销毁。"
        )
        % {"url": sign_in_url},
    )
    local = timezone.localtime
    pdf.grid(
        [_("姓名"), _("所在组织"), _("用户名"), _("一次性登录码"), _("有效期至")],
        [
            [
                item.member.name,
                item.member.org.name,
                item.username,
                signin_codes.shown(item.code),
                f"{local(item.expires_at):%Y-%m-%d %H:%M}",
            ]
            for item in issued
        ],
        widths=(22, 44, 34, 44, 30),
    )
    return bytes(pdf.output())


def roster_with_accounts(members) -> list[tuple[Member, str, str]]:
    """(member, state, state label) for the page and the API."""
    rows = []
    for member in members:
        state = account_state(member)
        rows.append((member, state, str(STATE_LABELS[state])))
    return rows
