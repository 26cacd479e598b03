"""/api/v1/integrity-flags: list, detail and the verdict, scoped as the pages are."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory, grant
from tests.integrity.test_views import flagged  # noqa: F401  (the fixture)
from zhibu.accounts.models import Role
from zhibu.integrity.models import FlagReview

pytestmark = pytest.mark.django_db


def test_list_get_and_mark_a_flag(api, token_for, cast, flagged):  # noqa: F811
    finding, first, copy = flagged
    caller = api(token_for(cast.party_secretary, write=True))
    listed = caller.get("/integrity-flags").json()
    assert [f["id"] for f in listed["items"]] == [finding.pk]
    flag = caller.get(f"/integrity-flags/{finding.pk}").json()
    assert flag["rule"] == "DQ-06" and flag["review"] is None
    assert flag["refs"] == [f"meeting:{copy.public_id}", f"meeting:{first.public_id}"]
    marked = caller.post(f"/integrity-flags/{finding.pk}/mark", {"state": "verified"})
    assert marked.status_code == 200, marked.content
    version = marked.json()["review"]["version"]
    assert caller.get("/integrity-flags", state="open").json()["items"] == []
    # Explaining needs a reason (422, nothing written); a stale version is refused (409).
    bad = caller.post(
        f"/integrity-flags/{finding.pk}/mark", {"state": "explained", "version": version}
    )
    assert bad.status_code == 422
    assert FlagReview.objects.get().state == "verified"
    ok = caller.post(
        f"/integrity-flags/{finding.pk}/mark",
        {"state": "explained", "reason": "联合召开"},
        HTTP_IF_MATCH=f'"{version}"',
    )
    assert ok.status_code == 200 and ok.json()["review"]["state"] == "explained"
    stale = caller.post(
        f"/integrity-flags/{finding.pk}/mark", {"state": "verified", "version": version}
    )
    assert stale.status_code == 409
    assert FlagReview.objects.get().state == "explained"
    unknown = caller.post(f"/integrity-flags/{finding.pk}/mark", {"state": "x", "extra": 1})
    assert unknown.status_code in (400, 422)


def test_flags_of_other_branches_are_404_and_members_403(api, token_for, cast, flagged):  # noqa: F811
    finding, _first, _copy = flagged
    inspector1 = UserFactory(username="jijian1")
    grant(inspector1, Role.DISCIPLINE, cast.branch1)
    caller = api(token_for(inspector1, write=True))
    assert caller.get("/integrity-flags").json()["items"] == []
    assert caller.get(f"/integrity-flags/{finding.pk}").status_code == 404
    assert (
        caller.post(f"/integrity-flags/{finding.pk}/mark", {"state": "verified"}).status_code == 404
    )
    member = api(token_for(cast.ordinary, write=True))
    assert member.get("/integrity-flags").status_code == 403
    assert not FlagReview.objects.exists()
