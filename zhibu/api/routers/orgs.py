"""/api/v1/orgs: the org tree, through the same selectors and services as the pages."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Status

from zhibu.accounts import permissions
from zhibu.api.errors import ApiError
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, Record, page_of
from zhibu.committees import selectors as committee_selectors
from zhibu.committees import services as committee_services
from zhibu.core.db import replica_reads
from zhibu.core.scope import subtree_q
from zhibu.members.selectors import member_for_user
from zhibu.orgs import selectors, services
from zhibu.orgs.models import Committee, CommitteePost, Linkage, Org

router = Router(tags=["orgs"])


class OrgOut(Record):
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


class PostOut(Record):
    id: UUID
    post: str
    holder_id: UUID
    holder_name: str
    start: date
    end: date | None
    approved: bool
    approved_on: date | None
    approval_document: str
    note: str
    term_number: int | None
    version: str

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()

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


# --- committees, posts and 定点联系: zhibu.committees.services, as the org page's forms ------


class CommitteeOut(Record):
    id: UUID
    term_number: int
    elected_on: date
    method: str
    term_years: int
    term_ends_on: date
    filing: str
    filed_on: date | None
    approved_on: date | None
    approval_document: str
    ended_on: date | None
    version: str

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class ElectIn(In):
    elected_on: Day
    method: Committee.Method = Committee.Method.COMPETITIVE
    term_number: int | None = Field(None, ge=1, le=999, description="届次；不填则为上一届加一")
    term_years: int | None = Field(
        None, ge=1, le=10, description="任期；须与组织类别的法定任期一致"
    )


class FilingIn(In):
    version: str | None = None
    filing: Committee.Filing
    on: Day
    document: str = Field("", max_length=100)


class PostIn(In):
    post: CommitteePost.Post
    holder: UUID
    start: Day
    end: Day | None = None
    note: str = Field("", max_length=200)


class PostEndIn(In):
    version: str | None = None
    on: Day


class PostApproveIn(In):
    version: str | None = None
    on: Day
    document: str = Field(..., max_length=100)


class LinkageOut(Record):
    id: UUID
    person_id: UUID
    person_name: str
    start: date
    end: date | None
    note: str

    @staticmethod
    def resolve_person_id(obj):
        return obj.person.public_id

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.name


class LinkageIn(In):
    person: UUID = Field(..., description="上级党组织班子成员（联系开始之日在任）")
    start: Day
    end: Day | None = None
    note: str = Field("", max_length=200)


class LinkageEndIn(In):
    on: Day


def _managed(request, org_id: UUID) -> Org:
    return selectors.org_for_user(request.user, org_id, action="committee.manage")


def _fresh(request, version: str | None, record) -> None:
    """409 when the version sent (body or If-Match) is not the record's ``updated_at``."""
    expected = version or _if_match(request)
    if expected and expected != "*" and expected != record.updated_at.isoformat():
        raise ApiError(409)


def _post(org: Org, post_id: UUID, **conditions) -> CommitteePost:
    record = (
        CommitteePost.objects.filter(org=org, public_id=post_id, **conditions)
        .select_related("holder", "committee")
        .first()
    )
    if record is None:
        raise Http404
    return record


@router.get(
    "/{org_id}/committees", response={200: list[CommitteeOut], **ERRORS}, summary="历届委员会"
)
def list_committees(request, org_id: UUID):
    org = selectors.org_for_user(request.user, org_id)
    return list(org.committees.order_by("-elected_on"))


@router.post("/{org_id}/committees", response={201: CommitteeOut, **ERRORS}, summary="登记换届选举")
def elect_committee(request, org_id: UUID, payload: ElectIn):
    org = _managed(request, org_id)
    committee = committee_services.committee_elect(org=org, by=request.user, **payload.dict())
    return Status(201, committee)


@router.post(
    "/{org_id}/committees/{committee_id}/filing",
    response={200: CommitteeOut, **ERRORS},
    summary="登记报批与备案（乐观锁）",
)
def file_committee(request, org_id: UUID, committee_id: UUID, payload: FilingIn):
    org = _managed(request, org_id)
    committee = Committee.objects.filter(org=org, public_id=committee_id).first()
    if committee is None:
        raise Http404
    _fresh(request, payload.version, committee)
    return committee_services.committee_file(
        committee=committee,
        filing=payload.filing,
        on=payload.on,
        document=payload.document,
        by=request.user,
    )


@router.post("/{org_id}/posts", response={201: PostOut, **ERRORS}, summary="登记任职")
def assign_post(request, org_id: UUID, payload: PostIn):
    org = _managed(request, org_id)
    holder = member_for_user(request.user, payload.holder)
    committee = org.committees.filter(ended_on__isnull=True).order_by("-elected_on").first()
    if payload.post == CommitteePost.Post.GROUP_LEADER:
        committee = None
    record = committee_services.post_assign(
        org=org,
        post=payload.post,
        holder=holder,
        start=payload.start,
        end=payload.end,
        committee=committee,
        note=payload.note,
        by=request.user,
    )
    return Status(201, _post(org, record.public_id))


@router.post(
    "/{org_id}/posts/{post_id}/end", response={200: PostOut, **ERRORS}, summary="登记离任（免职）"
)
def end_post(request, org_id: UUID, post_id: UUID, payload: PostEndIn):
    org = _managed(request, org_id)
    record = _post(org, post_id, end__isnull=True)
    _fresh(request, payload.version, record)
    committee_services.post_end(record=record, on=payload.on, by=request.user)
    return _post(org, post_id)


@router.post(
    "/{org_id}/posts/{post_id}/approve",
    response={200: PostOut, **ERRORS},
    summary="登记上级批复（书记、副书记）",
)
def approve_post(request, org_id: UUID, post_id: UUID, payload: PostApproveIn):
    org = _managed(request, org_id)
    record = _post(org, post_id, approved=False)
    _fresh(request, payload.version, record)
    committee_services.post_approve(
        record=record, on=payload.on, document=payload.document, by=request.user
    )
    return _post(org, post_id)


@router.get("/{org_id}/linkages", response={200: list[LinkageOut], **ERRORS}, summary="定点联系")
def list_linkages(request, org_id: UUID):
    org = selectors.org_for_user(request.user, org_id)
    return list(org.linkages.select_related("person").order_by("-start"))


@router.post("/{org_id}/linkages", response={201: LinkageOut, **ERRORS}, summary="登记定点联系")
def add_linkage(request, org_id: UUID, payload: LinkageIn):
    org = _managed(request, org_id)
    candidates = committee_selectors.linkage_candidates(org=org, on=timezone.localdate())
    person = candidates.filter(public_id=payload.person).first()
    if person is None:
        raise Http404
    link = committee_services.linkage_add(
        org=org,
        person=person,
        start=payload.start,
        end=payload.end,
        note=payload.note,
        by=request.user,
    )
    return Status(201, link)


@router.post(
    "/{org_id}/linkages/{linkage_id}/end",
    response={200: LinkageOut, **ERRORS},
    summary="结束定点联系",
)
def end_linkage(request, org_id: UUID, linkage_id: UUID, payload: LinkageEndIn):
    org = _managed(request, org_id)
    link = (
        Linkage.objects.filter(org=org, public_id=linkage_id, end__isnull=True)
        .select_related("person")
        .first()
    )
    if link is None:
        raise Http404
    return committee_services.linkage_end(linkage=link, on=payload.on, by=request.user)


def _if_match(request) -> str | None:
    value = request.headers.get("If-Match")
    return value.strip().strip('"') if value else None
