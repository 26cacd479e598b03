"""Functional departments (职能部门) of the unit an organisation leads: the 分口 that letter
items and tasks are given to besides subordinate organisations. A department in use is
deactivated, never deleted, so old items still name it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhibu.orgs.models import Department, Org

NAME_EMPTY = _("请填写部门名称。")
NAME_TAKEN = _("本组织已有名为“%(name)s”的部门。")


def _check_name(org: Org, name: str, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": NAME_EMPTY})
    taken = Department.objects.filter(org=org, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": NAME_TAKEN % {"name": name}})
    return name[:60]


@transaction.atomic
def department_add(*, org: Org, name: str, sort_order: int = 0) -> Department:
    return Department.objects.create(
        org=org, name=_check_name(org, name), sort_order=max(0, sort_order)
    )


@transaction.atomic
def department_update(
    *, department: Department, name: str, sort_order: int, active: bool
) -> Department:
    department.name = _check_name(department.org, name, department.pk)
    department.sort_order, department.active = max(0, sort_order), active
    department.save()
    return department
