"""/api/v1/users: accounts and role grants for the platform administrators (三员分立).

The same services as the administrators' pages: ``accounts.services.user_create`` and
``user_set_active`` (系统管理员, ``user.manage``), ``committees.grants.grant_role`` (the
role_grant page's service: the 安全管理员 grants platform roles, a party lead grants party
roles within their subtree, never the one who created the account today) and
``accounts.services.role_end``. Reading needs ``user.view``, as the users list does. An org
outside the caller's grant scope is 404, as anything out of scope is.

A user has no edit timestamp, so ``version`` is a digest of what a write may change
(active, names, password hash); a write carrying a stale one answers 409.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal
from uuid import UUID

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Status

from zhibu.accounts import permissions, selectors, services
from zhibu.accounts.models import PLATFORM_ROLES, Role, RoleAssignment, User
from zhibu.api.errors import ApiError, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, OrgRecord, Record, page_of
from zhibu.committees.grants import grant_role, grantable_orgs

router = Router(tags=["users"])

VIEW, MANAGE, GRANT = "user.view", "user.manage", "role.grant"
RoleCode = Literal[tuple(Role.values)]  # type: ignore[valid-type]


def user_version(user: User) -> str:
    text = f"{user.is_active}|{user.username}|{user.full_name}|{user.email}|{user.password}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def assignment_version(assignment: RoleAssignment) -> str:
    text = f"{assignment.start}|{assignment.end}|{assignment.role}|{assignment.org_id}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class AssignmentOut(OrgRecord):
    id: UUID
    role: str
    role_label: str
    org_id: UUID | None
    org_name: str | None
    start: date
    end: date | None
    status: str = Field(..., description="current / future / ended（按今天）")
    version: str

    @staticmethod
    def resolve_role_label(obj):
        return str(obj.get_role_display())

    @staticmethod
    def resolve_status(obj):
        today = timezone.localdate()
        if obj.start > today:
            return "future"
        return "ended" if obj.end is not None and obj.end < today else "current"

    @staticmethod
    def resolve_version(obj):
        return assignment_version(obj)


class UserOut(Record):
    id: UUID
    username: str
    full_name: str
    email: str
    is_active: bool
    must_change_password: bool
    version: str = Field(..., description="乐观锁版本：停用、启用时原样提交；已被他人修改则 409")

    @staticmethod
    def resolve_version(obj):
        return user_version(obj)


class UserDetailOut(UserOut):
    assignments: list[AssignmentOut]

    @staticmethod
    def resolve_assignments(obj):
        return [
            row.assignment for row in selectors.assignments_of(user=obj._zhibu_reader, target=obj)
        ]


UserPage = page_of(UserOut)


class UserFilters(Filters):
    q: str = Field("", max_length=50, description="用户名或姓名")
    cursor: str | None = None
    limit: int = 50


class UserIn(In):
    username: str = Field(..., min_length=1, max_length=150)
    full_name: str = Field("", max_length=50)
    email: str = Field("", max_length=254)
    password: str | None = Field(
        None, max_length=128, description="临时密码（本人首次登录须修改）；不填则须另行设置"
    )


class ActiveIn(In):
    active: bool
    version: str = Field(..., max_length=64, description="读取账号时得到的 version")


class GrantIn(In):
    role: RoleCode  # type: ignore[valid-type]
    org: UUID | None = Field(None, description="党组织；平台角色不填")
    start: Day | None = None
    end: Day | None = None
    note: str = Field("", max_length=200)


class EndIn(In):
    on: Day | None = Field(None, description="终止日期，默认今天")
    version: str = Field(..., max_length=64, description="读取授权时得到的 version")


def _detail(request, user: User) -> User:
    user._zhibu_reader = request.user  # type: ignore[attr-defined]
    return user


@router.get("", response={200: UserPage, **ERRORS}, summary="用户列表")
def list_users(request, filters: Query[UserFilters]):
    require_anywhere(request.user, VIEW)
    qs = selectors.user_list(user=request.user, q=filters.q)
    items, next_cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={201: UserDetailOut, **ERRORS}, summary="新建账号（系统管理员）")
def create_user(request, payload: UserIn):
    require_anywhere(request.user, MANAGE)
    user = services.user_create(
        username=payload.username.strip(),
        full_name=payload.full_name.strip(),
        email=payload.email.strip(),
        password=payload.password or None,
        by=request.user,
        request=request,
    )
    return Status(201, _detail(request, user))


@router.get("/{user_id}", response={200: UserDetailOut, **ERRORS}, summary="账号及其角色")
def get_user(request, user_id: UUID):
    require_anywhere(request.user, VIEW)
    return _detail(request, selectors.user_for_admin(request.user, user_id))


@router.post(
    "/{user_id}/active",
    response={200: UserDetailOut, **ERRORS},
    summary="停用或启用账号（系统管理员，乐观锁）",
)
def set_active(request, user_id: UUID, payload: ActiveIn):
    require_anywhere(request.user, MANAGE)
    with transaction.atomic():
        user = selectors.user_for_admin(request.user, user_id)
        user = User.objects.select_for_update().get(pk=user.pk)
        if payload.version != user_version(user):
            raise ApiError(409)
        services.user_set_active(user=user, active=payload.active, by=request.user, request=request)
    return _detail(request, user)


@router.post(
    "/{user_id}/roles",
    response={201: AssignmentOut, **ERRORS},
    summary="授予角色（安全管理员授平台角色，党组织负责人在本组织范围内授党内角色）",
)
def grant(request, user_id: UUID, payload: GrantIn):
    require_anywhere(request.user, GRANT)
    target = selectors.user_for_admin(request.user, user_id)
    org = None
    if payload.org is not None:
        scope = grantable_orgs(request.user)
        if payload.role in PLATFORM_ROLES or not permissions.business_grant_paths(request.user):
            # The service names the rule this breaks (平台角色无组织 / 三员分立), without
            # telling whether the org exists.
            org = scope.filter(public_id=payload.org).first()
            if org is None:
                services_error = (
                    services.PLATFORM_ROLE_WITH_ORG
                    if payload.role in PLATFORM_ROLES
                    else services.BUSINESS_ROLE_ONLY_IN_PARTY_TREE
                )
                raise ApiError(
                    422,
                    str(services_error),
                    [{"field": "org", "rule": None, "message": str(services_error)}],
                )
        else:
            org = scope.filter(public_id=payload.org).first()
            if org is None:
                raise Http404
    assignment = grant_role(
        user=request.user,
        target=target,
        role=payload.role,
        org=org,
        start=payload.start,
        end=payload.end,
        note=payload.note,
        request=request,
    )
    return Status(201, assignment)


@router.post(
    "/{user_id}/roles/{assignment_id}/end",
    response={200: AssignmentOut, **ERRORS},
    summary="终止角色（乐观锁）",
)
def end_role(request, user_id: UUID, assignment_id: UUID, payload: EndIn):
    require_anywhere(request.user, GRANT)
    with transaction.atomic():
        assignment = selectors.assignment_for_admin(request.user, assignment_id)
        if assignment.user.public_id != user_id:
            raise Http404
        assignment = (
            RoleAssignment.objects.select_for_update(of=("self",))
            .select_related("user", "org")
            .get(pk=assignment.pk)
        )
        if payload.version != assignment_version(assignment):
            raise ApiError(409)
        services.role_end(assignment=assignment, on=payload.on, by=request.user, request=request)
    return assignment
