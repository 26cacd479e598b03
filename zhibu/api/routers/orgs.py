"""/api/v1/orgs: the org tree, through the same selectors and services as the pages."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from ninja import Query, Router, Schema, Status

from zhibu.accounts import permissions
from zhibu.api.errors import ApiError
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Filters, In, page_of
from zhibu.core.db import replica_reads
from zhibu.core.scope import subtree_q
from zhibu.orgs import selectors, services
from zhibu.orgs.models import CommitteePost, Org

router = Router(tags=["orgs"])


class OrgOut(Schema):
    id: UUID
    code: str
    name: str
    short_name: str
    kind: str
    sector: str
    parent_id: UUID | None
    depth: int
    established_on: date
    dissolved_on: date | None
    version: str

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()

    @staticmethod
    def resolve_parent_id(obj):
        return getattr(obj, "parent_public_id", None)


OrgPage = page_of(OrgOut)


class OrgFilters(Filters):
    parent: UUID | None = None
    subtree: UUID | None = None
    kind: Org.Kind | None = None
    sector: str | None = None
    q: str = ""
    cursor: str | None = None
    limit: int = 50


class OrgCreateIn(In):
    parent: UUID
    kind: Org.Kind
    name: str
    code: str
    sector: str
    established_on: date
    short_name: str = ""
    document_no: str = ""


class OrgUpdateIn(In):
    version: str | None = None
    name: str | None = None
    short_name: str | None = None
    code: str | None = None
    sector: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    address: str | None = None
    note: str | None = None


class OrgMoveIn(In):
    to_parent: UUID
    on: date
    document_no: str


class PostOut(Schema):
    id: UUID
    post: str
    holder_id: UUID
    holder_name: str
    start: date
    end: date | None
    approved: bool
    term_number: int | None

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_holder_id(obj):
        return obj.holder.public_id

    @staticmethod
    def resolve_holder_name(obj):
        return obj.holder.name

    @staticmethod
    def resolve_term_number(obj):
        return obj.committee.term_number if obj.committee else None


def with_parent(qs):
    """Annotate each org with its parent's public id in the same query."""
    parents = Org.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen)
    )
    return qs.annotate(parent_public_id=Subquery(parents.values("public_id")[:1]))


def _out(org: Org) -> Org:
    """The org re-read with its parent's public id (one query)."""
    if hasattr(org, "parent_public_id"):
        return org
    return with_parent(Org.objects.filter(pk=org.pk)).get()


@router.get("", response={200: OrgPage, **ERRORS}, summary="党组织列表")
def list_orgs(request, filters: Query[OrgFilters]):
    qs = selectors.org_list(
        user=request.user,
        q=filters.q,
        kind=filters.kind,
        sector=filters.sector,
        include_dissolved=True,
    )
    if filters.parent:
        parent = selectors.org_for_user(request.user, filters.parent)
        qs = qs.filter(subtree_q([parent.path]), depth=parent.depth + 1)
    if filters.subtree:
        root = selectors.org_for_user(request.user, filters.subtree)
        qs = qs.filter(subtree_q([root.path]))
    with replica_reads():  # a read-only list: the replica may serve it
        items, cursor = page(with_parent(qs), cursor=filters.cursor, limit=filters.limit)
    return {"items": [_out(o) for o in items], "next_cursor": cursor}


@router.get("/{org_id}", response={200: OrgOut, **ERRORS}, summary="党组织详情")
def get_org(request, org_id: UUID):
    return _out(selectors.org_for_user(request.user, org_id))


@router.post("", response={201: OrgOut, **ERRORS}, summary="新建下级党组织")
def create_org(request, payload: OrgCreateIn):
    parent = selectors.org_for_user(request.user, payload.parent, action="org.structure")
    data = payload.dict(exclude={"parent"})
    org = services.org_create(parent=parent, by=request.user, **data)
    return Status(201, _out(org))


@router.patch("/{org_id}", response={200: OrgOut, **ERRORS}, summary="修改党组织信息（乐观锁）")
def update_org(request, org_id: UUID, payload: OrgUpdateIn):
    org = selectors.org_for_user(request.user, org_id, action="org.edit")
    expected = payload.version or _if_match(request)
    if expected and expected != org.updated_at.isoformat():
        raise ApiError(409)
    # A field left out or sent as null stays as it is ("" clears a text field).
    fields = payload.dict(exclude_unset=True, exclude_none=True, exclude={"version"})
    org = services.org_update(org=org, by=request.user, **fields)
    return _out(org)


@router.post("/{org_id}/move", response={200: OrgOut, **ERRORS}, summary="调整隶属关系")
def move_org(request, org_id: UUID, payload: OrgMoveIn):
    org = selectors.org_for_user(request.user, org_id)
    if not permissions.can_strictly_below(request.user, "org.structure", org):
        raise ApiError(403)
    target = selectors.org_for_user(request.user, payload.to_parent, action="org.structure")
    org = services.org_move(
        org=org, to_parent=target, on=payload.on, document_no=payload.document_no, by=request.user
    )
    return _out(org)


@router.get("/{org_id}/posts", response={200: list[PostOut], **ERRORS}, summary="班子职务与任期")
def list_posts(request, org_id: UUID, current: bool = False):
    org = selectors.org_for_user(request.user, org_id)
    qs = (
        CommitteePost.objects.filter(org=org)
        .select_related("holder", "committee")
        .order_by("post", "-start")
    )
    if current:
        qs = qs.filter(end__isnull=True)
    return list(qs)


def _if_match(request) -> str | None:
    value = request.headers.get("If-Match")
    return value.strip().strip('"') if value else None
