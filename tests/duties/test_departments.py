"""Functional departments (分口) of an organisation: list, add, rename, deactivate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.orgs.models import Department

pytestmark = pytest.mark.django_db


def test_add_rename_and_deactivate_a_department(cast, login):
    client = login(cast.party_secretary)
    page = reverse("duties:departments", args=[cast.committee.public_id])
    assert client.post(page, {"name": "党委组织部", "sort_order": "1"}).status_code == 302
    department = Department.objects.get(org=cast.committee)
    body = client.post(page, {"name": "党委组织部", "sort_order": "2"}).content.decode()
    assert "本组织已有名为“党委组织部”的部门" in body
    assert Department.objects.count() == 1
    edit = reverse("duties:department_edit", args=[department.public_id])
    response = client.post(
        edit,
        {
            "name": "党委组织部（人力资源部）",
            "sort_order": "1",
            "version": department.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.name == "党委组织部（人力资源部）" and not department.active
    assert department.history.count() == 2


def test_outsiders_get_404_and_read_only_roles_403(cast, login):
    department = Department.objects.create(org=cast.committee, name="纪委办公室")
    page = reverse("duties:departments", args=[cast.committee.public_id])
    edit = reverse("duties:department_edit", args=[department.public_id])
    assert login(cast.outsider).get(page).status_code == 404
    assert login(cast.outsider).get(edit).status_code == 404
    inspector = UserFactory(username="jijian-d")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    client = login(inspector)
    assert client.get(page).status_code == 200
    assert client.post(page, {"name": "新部门", "sort_order": "0"}).status_code == 403
    assert client.get(edit).status_code == 403
    assert Department.objects.count() == 1
