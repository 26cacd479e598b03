"""/api/v1/member-accounts: the 党员账号 page's operation over the API."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_member
from tests.pdfs import pdf_text
from zhibu.accounts.models import SignInCode
from zhibu.members import accounts

pytestmark = pytest.mark.django_db


def test_list_states_and_issue_a_sheet(cast, api, token_for):
    newcomer = make_member(cast.branch1, "孙党员", birth_date=date(1990, 5, 6))
    caller = api(token_for(cast.branch_secretary, write=True))
    listed = caller.get("/member-accounts", org=str(cast.branch1.public_id))
    assert listed.status_code == 200
    states = {item["name"]: item["state"] for item in listed.json()["items"]}
    assert states == {"李书记": "pending", "王党员": "pending", "孙党员": "none"}
    issued = caller.post("/member-accounts", {"org": str(cast.branch1.public_id)})
    assert issued.status_code == 201 and issued["Content-Type"] == "application/pdf"
    newcomer.refresh_from_db()
    _reader, text = pdf_text(issued.content)
    assert newcomer.user.username in text and "党员账号通知单" in text
    assert SignInCode.objects.filter(user=newcomer.user).count() == 1
    again = caller.post("/member-accounts", {"org": str(cast.branch1.public_id)})
    assert again.status_code == 422
    assert again.json()["message"] == str(accounts.NOTHING_TO_ISSUE)
    # Re-issue for those never signed in: three codes (the newcomer's is replaced).
    reissued = caller.post(
        "/member-accounts", {"org": str(cast.branch1.public_id), "reissue": True}
    )
    assert reissued.status_code == 201
    assert SignInCode.objects.filter(user=newcomer.user).count() == 2


def test_scope_and_refusals(cast, api, token_for):
    far = make_member(cast.branch2, "周党员", birth_date=date(1991, 1, 2))
    body = {"org": str(cast.branch2.public_id)}
    secretary = api(token_for(cast.branch_secretary, write=True))
    assert secretary.post("/member-accounts", body).status_code == 404
    assert secretary.get("/member-accounts", org=str(cast.branch2.public_id)).status_code == 404
    own_org = {"org": str(cast.branch1.public_id), "members": [str(far.public_id)]}
    assert secretary.post("/member-accounts", own_org).status_code == 404
    assert (
        api(token_for(cast.ordinary, write=True)).post("/member-accounts", body).status_code == 403
    )
    assert api(token_for(cast.branch_secretary)).post("/member-accounts", body).status_code == 403
    assert api(None).get("/member-accounts", org=str(cast.branch1.public_id)).status_code == 401
    assert secretary.post("/member-accounts", {"org": "nope"}).status_code == 400
    assert secretary.post("/member-accounts", {**own_org, "members": []}).status_code == 400
    assert (
        secretary.post("/member-accounts", {"org": str(cast.branch1.public_id), "x": 1}).status_code
        == 400
    )
    far.refresh_from_db()
    assert far.user is None
