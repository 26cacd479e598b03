"""/api/v1/transfers: the transfer boxes, and the receiving side's steps.

A transfer inside the system stays the sender's member until the receiving committee
accepts it, so the receiver cannot reach it under ``/members/{id}``: it works here, as on
the transfer pages — ``selectors.transfer_list`` for the boxes, ``transfer_for_user`` for
one (404 outside both sides' scope, 403 without ``member.transfer`` on the acting side, or
``member.manage`` on the sending side to cancel) and the same services
(``transfer_receive``, ``transfer_reject``, ``transfer_cancel``).
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.utils import timezone
from ninja import Field, Query, Router, Status

from zhibu.api.errors import require_anywhere
from zhibu.api.pagination import page
from zhibu.api.routers.members import MANAGE, TRANSFER, VIEW, TransferOut
from zhibu.api.schemas import ERRORS, Day, Filters, In, page_of
from zhibu.core.db import replica_reads
from zhibu.members import selectors, transfers
from zhibu.members.models import Member
from zhibu.orgs.selectors import org_for_user

router = Router(tags=["transfers"])

Box = Literal[selectors.TRANSFER_BOXES]  # type: ignore[valid-type]
TransferPage = page_of(TransferOut)


class TransferFilters(Filters):
    box: Box = Field(
        "todo",
        description="todo 待我办理；incoming 转入；outgoing 转出；overdue 介绍信已过期；all 全部",
    )
    cursor: str | None = None
    limit: int = 50


class TransferReceiveIn(In):
    on: Day = Field(..., description="接收日期：自该日起党员属于接收党支部")
    group: UUID | None = Field(None, description="编入接收党支部的党小组（可不填）")


class TransferRejectIn(In):
    reason: str = Field(..., max_length=300, description="退回理由（至少 4 个字）")


class TransferFromOutsideIn(In):
    """The page 登记从系统外转入: the letter, and the person (their data only when they arrive
    for the first time; someone who once left this system is found by the ID number)."""

    to_org: UUID = Field(..., description="接收党支部")
    group: UUID | None = Field(None, description="编入的党小组")
    received_on: Day = Field(..., description="接收日期")
    outside_org: str = Field(..., max_length=200, description="转出党组织全称")
    letter_no: str = Field(..., max_length=50, description="介绍信编号（MBR-04）")
    issued_on: Day | None = Field(None, description="介绍信开具日期")
    id_number: str = Field(..., max_length=18, description="公民身份号码（只存密文，响应中不出现）")
    name: str = Field("", max_length=50)
    gender: Member.Gender | None = None
    birth_date: Day | None = None
    category: Member.Category = Member.Category.IN_SERVICE
    admitted_on: Day | None = None
    full_on: Day | None = None
    phone: str = Field("", max_length=20)


@router.get("", response={200: TransferPage, **ERRORS}, summary="组织关系转接（按办理箱）")
def list_transfers(request, filters: Query[TransferFilters]):
    require_anywhere(request.user, VIEW)
    qs = selectors.transfer_list(user=request.user, box=filters.box, today=timezone.localdate())
    with replica_reads():
        items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


# Before the routes on /{transfer_id}: "in" is a path of its own, not an id.
@router.post(
    "/in",
    response={201: TransferOut, **ERRORS},
    summary="登记从系统外转入（凭介绍信；首次转入时同时登记党员）",
)
def transfer_in_from_outside(request, payload: TransferFromOutsideIn):
    require_anywhere(request.user, TRANSFER)
    to_org = org_for_user(request.user, payload.to_org, action=TRANSFER)
    group = org_for_user(request.user, payload.group, action=TRANSFER) if payload.group else None
    # As the page's form: what is left empty is not passed on.
    person = {
        key: value
        for key, value in payload.dict(exclude={"to_org", "group"}).items()
        if value not in ("", None)
    }
    for key in ("id_number", "letter_no", "outside_org"):
        person.setdefault(key, "")
    transfer = transfers.transfer_in_from_outside(
        to_org=to_org, group=group, by=request.user, **person
    )
    return Status(201, transfer)


@router.get("/{transfer_id}", response={200: TransferOut, **ERRORS}, summary="一次组织关系转接")
def get_transfer(request, transfer_id: UUID):
    require_anywhere(request.user, VIEW)
    return selectors.transfer_for_user(request.user, transfer_id)


@router.post(
    "/{transfer_id}/receive",
    response={200: TransferOut, **ERRORS},
    summary="接收方党委接收（系统内转接）",
)
def receive_transfer(request, transfer_id: UUID, payload: TransferReceiveIn):
    require_anywhere(request.user, TRANSFER)
    transfer = selectors.transfer_for_user(
        request.user, transfer_id, action=TRANSFER, step="receive"
    )
    group = org_for_user(request.user, payload.group) if payload.group else None
    return transfers.transfer_receive(
        transfer=transfer, on=payload.on, group=group, by=request.user
    )


@router.post(
    "/{transfer_id}/reject",
    response={200: TransferOut, **ERRORS},
    summary="退回（待审批时由转出方，已发出时由接收方）",
)
def reject_transfer(request, transfer_id: UUID, payload: TransferRejectIn):
    require_anywhere(request.user, TRANSFER)
    transfer = selectors.transfer_for_user(
        request.user, transfer_id, action=TRANSFER, step="reject"
    )
    return transfers.transfer_reject(transfer=transfer, reason=payload.reason, by=request.user)


@router.post(
    "/{transfer_id}/cancel",
    response={200: TransferOut, **ERRORS},
    summary="撤销尚未办结的转接（转出方；党员留在原支部）",
)
def cancel_transfer(request, transfer_id: UUID):
    require_anywhere(request.user, MANAGE)
    transfer = selectors.transfer_for_user(request.user, transfer_id, action=MANAGE, side="from")
    return transfers.transfer_cancel(transfer=transfer, by=request.user)
