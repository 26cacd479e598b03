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
from ninja import Field, Query, Router

from zhibu.api.errors import require_anywhere
from zhibu.api.pagination import page
from zhibu.api.routers.members import MANAGE, TRANSFER, VIEW, TransferOut
from zhibu.api.schemas import ERRORS, Day, Filters, In, page_of
from zhibu.core.db import replica_reads
from zhibu.members import selectors, transfers
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


@router.get("", response={200: TransferPage, **ERRORS}, summary="组织关系转接（按办理箱）")
def list_transfers(request, filters: Query[TransferFilters]):
    require_anywhere(request.user, VIEW)
    qs = selectors.transfer_list(user=request.user, box=filters.box, today=timezone.localdate())
    with replica_reads():
        items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


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
