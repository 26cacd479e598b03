"""Every write to the org tree: create, update, move. (Dissolving and the committees
need the roll as well: ``zhibu.committees.services``.)

Services are keyword-only and atomic; they validate first and write nothing when
anything is wrong, raising ``ValidationError`` with Chinese messages keyed by field.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from zhibu.orgs.models import Org, OrgEvent, Unit

# --- messages (tests assert on these) --------------------------------------------------
PARENT_KIND_INVALID = _("%(kind)s不能设在%(parent)s之下。")
ROOT_KIND_INVALID = _("顶层组织只能是党委。")
GROUP_OUTSIDE_BRANCH = _("党小组只能设在党支部（含联合、临时党支部）之下。")
MOVE_INTO_OWN_SUBTREE = _("不能把组织调整到它自己或它的下级组织之下（会形成循环）。")
MOVE_TO_SAME_PARENT = _("新的上级组织与原上级组织相同。")
DATE_BEFORE_ESTABLISHED = _("日期不能早于组织成立日期（%(day)s）。")
PARENT_DISSOLVED = _("上级组织已撤销，不能在其下新建或调入组织。")
JOINT_UNITS_LIMIT = _("联合党支部最多覆盖 %(n)s 个单位（条例第五条）。")
JOINT_UNITS_TOO_FEW = _("联合党支部应覆盖至少 2 个单位。")
CODE_TAKEN = _("组织代码“%(code)s”已被使用。")
DOCUMENT_REQUIRED = _("请填写批准文号。")

JOINT_BRANCH_MAX_UNITS = 5  # ORG-03, 条例 art. 5

# Which kinds may sit under which parent kinds (None: at the root).
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    Org.Kind.COMMITTEE: {None, Org.Kind.COMMITTEE},
    Org.Kind.GENERAL_BRANCH: {Org.Kind.COMMITTEE},
    Org.Kind.BRANCH: {Org.Kind.COMMITTEE, Org.Kind.GENERAL_BRANCH},
    Org.Kind.JOINT_BRANCH: {Org.Kind.COMMITTEE, Org.Kind.GENERAL_BRANCH},
    Org.Kind.TEMPORARY_BRANCH: {Org.Kind.COMMITTEE, Org.Kind.GENERAL_BRANCH},
    Org.Kind.GROUP: set(Org.BRANCH_KINDS),
}


def initials_of(text: str) -> str:
    """Pinyin initials, lower case: 第一党支部 → dydzb."""
    return "".join(p[0] for p in lazy_pinyin(text, style=Style.NORMAL) if p).lower()


def _check_parent(kind: str, parent: Org | None) -> None:
    parent_kind = parent.kind if parent else None
    if parent_kind in ALLOWED_PARENTS[kind]:
        return
    if kind == Org.Kind.GROUP:
        raise ValidationError({"parent": GROUP_OUTSIDE_BRANCH})
    if parent is None:
        raise ValidationError({"parent": ROOT_KIND_INVALID})
    raise ValidationError(
        {
            "parent": PARENT_KIND_INVALID
            % {"kind": Org.Kind(kind).label, "parent": Org.Kind(parent.kind).label}
        }
    )


def _check_units(kind: str, units: list[Unit]) -> None:
    if kind == Org.Kind.JOINT_BRANCH:
        if len(units) > JOINT_BRANCH_MAX_UNITS:
            raise ValidationError({"units": JOINT_UNITS_LIMIT % {"n": JOINT_BRANCH_MAX_UNITS}})
        if len(units) < 2:
            raise ValidationError({"units": JOINT_UNITS_TOO_FEW})


@transaction.atomic
def org_create(
    *,
    parent: Org | None,
    kind: str,
    name: str,
    code: str,
    sector: str,
    established_on: date,
    by=None,
    short_name: str = "",
    units: list[Unit] | None = None,
    document_no: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    note: str = "",
) -> Org:
    units = list(units or [])
    _check_parent(kind, parent)
    _check_units(kind, units)
    if parent is not None:
        parent.refresh_from_db()
        if parent.dissolved_on is not None:
            raise ValidationError({"parent": PARENT_DISSOLVED})
    if Org.objects.filter(code=code).exists():
        raise ValidationError({"code": CODE_TAKEN % {"code": code}})
    org = Org(
        kind=kind,
        name=name,
        short_name=short_name,
        name_initials=initials_of(name),
        code=code,
        sector=sector,
        established_on=established_on,
        contact_name=contact_name,
        contact_phone=contact_phone,
        address=address,
        note=note,
        path="0" * Org.steplen,  # placeholder for validation; treebeard sets the real one
        depth=1,
    )
    org.full_clean(exclude=["path", "depth", "numchild", "public_id"])
    if parent is None:
        org = Org.objects.add_root(instance=org)
    else:
        org = Org.objects.add_child(parent, instance=org)
    if units:
        org.units.set(units)
    OrgEvent.objects.create(
        org=org,
        kind=OrgEvent.Kind.ESTABLISHED,
        on=established_on,
        to_parent=parent,
        document_no=document_no,
        recorded_by=by,
    )
    return org


@transaction.atomic
def org_update(*, org: Org, by=None, units: list[Unit] | None = None, **fields) -> Org:
    """Edit an org's descriptive fields; a renaming is recorded as a dated event."""
    allowed = {
        "name",
        "short_name",
        "sector",
        "contact_name",
        "contact_phone",
        "address",
        "note",
        "code",
    }
    unknown = set(fields) - allowed - {"renamed_on", "document_no"}
    if unknown:
        raise TypeError(f"org_update cannot change {sorted(unknown)}")
    renamed_on = fields.pop("renamed_on", None)
    document_no = fields.pop("document_no", "")
    old_name = org.name
    if "code" in fields and Org.objects.filter(code=fields["code"]).exclude(pk=org.pk).exists():
        raise ValidationError({"code": CODE_TAKEN % {"code": fields["code"]}})
    if units is not None:
        _check_units(org.kind, units)
    for name, value in fields.items():
        setattr(org, name, value)
    org.name_initials = initials_of(org.name)
    org.full_clean(exclude=["path", "depth", "numchild", "public_id"])
    org.save()
    if units is not None:
        org.units.set(units)
    if org.name != old_name:
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.RENAMED,
            on=renamed_on or timezone.localdate(),
            old_name=old_name,
            document_no=document_no,
            recorded_by=by,
        )
    return org


@transaction.atomic
def org_move(
    *, org: Org, to_parent: Org, on: date, document_no: str, by=None, note: str = ""
) -> Org:
    """Move ``org`` and its subtree under ``to_parent`` on ``on`` (隶属关系调整)."""
    org.refresh_from_db()
    to_parent.refresh_from_db()
    if not document_no.strip():
        raise ValidationError({"document_no": DOCUMENT_REQUIRED})
    if to_parent.path.startswith(org.path):
        raise ValidationError({"to_parent": MOVE_INTO_OWN_SUBTREE})
    current_parent = Org.objects.get_parent(org)
    if current_parent is not None and current_parent.pk == to_parent.pk:
        raise ValidationError({"to_parent": MOVE_TO_SAME_PARENT})
    _check_parent(org.kind, to_parent)
    if to_parent.dissolved_on is not None:
        raise ValidationError({"to_parent": PARENT_DISSOLVED})
    if on < org.established_on:
        raise ValidationError({"on": DATE_BEFORE_ESTABLISHED % {"day": org.established_on}})
    Org.objects.move(org, to_parent, "last-child")
    org.refresh_from_db()
    OrgEvent.objects.create(
        org=org,
        kind=OrgEvent.Kind.MOVED,
        on=on,
        from_parent=current_parent,
        to_parent=to_parent,
        document_no=document_no,
        note=note,
        recorded_by=by,
    )
    # Record the new path in the org's history too (treebeard rewrites paths with UPDATE).
    org.save(update_fields=["updated_at"])
    return org
