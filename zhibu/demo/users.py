"""The demo logins: users, their role assignments and the link to their member records.

Idempotent on its own: a login that exists is left alone (its password too), a missing one
is created again, so a second ``demo_data`` run writes nothing.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import Q

from zhibu.accounts.models import PLATFORM_ROLES, Role, User
from zhibu.accounts.services import role_grant, user_create
from zhibu.demo.logins import DEMO_LOGINS, DemoLogin
from zhibu.members.accounts import accounts_issue
from zhibu.members.models import Member
from zhibu.orgs.models import CommitteePost, Org

# Roles that go with a post: the grant starts when the post did.
POST_OF_ROLE = {
    Role.SECRETARY: CommitteePost.Post.SECRETARY,
    Role.DEPUTY_SECRETARY: CommitteePost.Post.DEPUTY_SECRETARY,
    Role.ORGANIZATION: CommitteePost.Post.ORGANIZATION,
    Role.PUBLICITY: CommitteePost.Post.PUBLICITY,
    Role.DISCIPLINE: CommitteePost.Post.DISCIPLINE,
    Role.GROUP_LEADER: CommitteePost.Post.GROUP_LEADER,
}
# A role that goes with no post (党务工作者, 党员, platform roles) runs from this long ago.
ROLE_YEARS = 2


def _member(login: DemoLogin) -> Member | None:
    if login.member_org is None:
        return None
    return Member.objects.filter(
        org__code=login.member_org, name=login.full_name, user__isnull=True
    ).first()


def _start(login: DemoLogin, org: Org | None, member: Member | None, today: date) -> date:
    """The day the matching post began (书记, 纪检委员, 党小组长), else ROLE_YEARS ago."""
    if org is not None and member is not None and login.grant in POST_OF_ROLE:
        post = (
            CommitteePost.objects.filter(
                org=org, holder=member, post=POST_OF_ROLE[login.grant], start__lte=today
            )
            .filter(Q(end__isnull=True) | Q(end__gt=today))
            .order_by("-start")
            .first()
        )
        if post is not None:
            return post.start
    return today - relativedelta(years=ROLE_YEARS)


def ensure_users(today: date) -> dict[str, int]:
    created = {"users": 0, "assignments": 0}
    for login in DEMO_LOGINS:
        if User.objects.filter(username=login.username).exists():
            continue
        user = user_create(username=login.username, full_name=login.full_name, password=None)
        # Set directly: the shared demo password is deliberately simple and would fail the
        # similarity validator for some of these user names.
        user.set_password(settings.ZHIBU_DEMO_PASSWORD)
        user.save(update_fields=["password"])
        created["users"] += 1
        org = None
        if login.grant not in PLATFORM_ROLES:
            org = Org.objects.get(code=login.org_code)
        member = _member(login)
        role_grant(user=user, role=login.grant, org=org, start=_start(login, org, member, today))
        created["assignments"] += 1
        if member is not None:
            member.user = user
            member.save(update_fields=["user", "updated_at"])
    return created


def ensure_member_accounts() -> int:
    """Every member on the roster without an account gets one, as a 党务工作者 would give
    it on the 党员账号 page (user name: their full pinyin), so the demo shows members
    signing in. They share the demo password (one hash computed once, so hundreds of
    accounts cost one Argon2 run), and each has a sign-in code nobody sees: a 党务工作者
    can re-issue codes and print the distribution sheet. Returns how many were created."""
    members = list(
        Member.objects.filter(user__isnull=True, status__in=Member.ON_ROSTER).select_related(
            "org", "user"
        )
    )
    if not members:
        return 0
    issued = accounts_issue(members=members, by=None)
    User.objects.filter(pk__in=[m.user_id for m in members]).update(
        password=make_password(settings.ZHIBU_DEMO_PASSWORD), must_change_password=False
    )
    return len(issued)
