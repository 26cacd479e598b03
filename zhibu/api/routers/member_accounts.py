"""/api/v1/member-accounts: members' own accounts, as the 党员账号 page (``member.manage``).

GET lists the members of an org (scope as the roster: 404 out of sight) with their account
state; POST opens accounts (and, with ``reissue``, new codes for accounts never signed in
to) and answers the distribution sheet as ``application/pdf`` — the one place the
one-time codes appear, over the API as on the page.
"""

from __future__ import annotations

from uuid import UUID

from django.http import Http404
from ninja import Field, Query, Router, Schema

from zhibu.api.errors import ApiError, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Filters, In, page_of
from zhibu.members import account_views, accounts
from zhibu.orgs.selectors import org_for_user

router = Router(tags=["member-accounts"])
MANAGE = accounts.MANAGE


class MemberAccountOut(Schema):
    member_id: UUID
    name: str
    org_id: UUID
    username: str | None
    state: str = Field(..., description="none 未开通 / pending 未首次登录 / active / inactive")

    @staticmethod
    def resolve_member_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_username(obj):
        return obj.user.username if obj.user_id else None

    @staticmethod
    def resolve_state(obj):
        return accounts.account_state(obj)


MemberAccountPage = page_of(MemberAccountOut)


class AccountFilters(Filters):
    org: UUID
    cursor: str | None = None
    limit: int = 50


class IssueIn(In):
    org: UUID
    members: list[UUID] | None = Field(
        None, max_length=accounts.LIMIT, description="不填则为该组织全部未开通账号的在册党员"
    )
    reissue: bool = Field(False, description="同时为已开通、尚未首次登录的账号重新发放登录码")


@router.get("", response={200: MemberAccountPage, **ERRORS}, summary="党员账号状态")
def list_member_accounts(request, filters: Query[AccountFilters]):
    require_anywhere(request.user, MANAGE)
    org = org_for_user(request.user, filters.org, action=MANAGE)
    qs = account_views.org_members(request.user, org)
    items, next_cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "",
    response={201: None, **ERRORS},
    summary="为党员开通账号，返回一次性登录码通知单（PDF）",
    openapi_extra={"responses": {201: {"content": {"application/pdf": {}}}}},
)
def issue_member_accounts(request, payload: IssueIn):
    require_anywhere(request.user, MANAGE)
    org = org_for_user(request.user, payload.org, action=MANAGE)
    members = list(account_views.org_members(request.user, org))
    if payload.members is not None:
        wanted = set(payload.members)
        members = [m for m in members if m.public_id in wanted]
        if len(members) != len(wanted):
            raise Http404
        if not members:
            raise ApiError(400)
    issued = accounts.accounts_issue(
        members=members, by=request.user, reissue=payload.reissue, request=request
    )
    response = account_views.sheet_response(request, org, issued)
    response.status_code = 201
    return response
