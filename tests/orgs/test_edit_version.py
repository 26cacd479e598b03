"""The org edit page carries the org's version; a stale save is refused (issue 14, item 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_stale_org_edit_is_refused_with_what_changed(cast, login):
    org = cast.branch1
    url = reverse("orgs:edit", args=[org.public_id])
    mine, theirs = login(cast.party_secretary), login(cast.party_secretary)
    version = mine.get(url).context["form"]["version"].value()
    assert version == org.updated_at.isoformat()
    base = {"name": org.name, "code": org.code, "sector": org.sector, "version": version}
    assert theirs.post(url, {**base, "address": "一号楼三层"}).status_code == 302

    stale = mine.post(url, {**base, "note": "我的备注"})
    assert stale.status_code == 200
    body = stale.content.decode()
    assert "已修改了该党组织，您的修改未保存" in body and "地址：（空） → 一号楼三层" in body
    org.refresh_from_db()
    assert (org.address, org.note) == ("一号楼三层", "")  # their change kept, mine not written
    # The refused form carries the current version: saving again builds on their change.
    current = stale.context["form"].data["version"]
    assert current == org.updated_at.isoformat()
    again = mine.post(
        url, {**base, "address": "一号楼三层", "note": "我的备注", "version": current}
    )
    assert again.status_code == 302
    org.refresh_from_db()
    assert (org.address, org.note) == ("一号楼三层", "我的备注")
