"""Anonymous writes answer 401 as documented (issue 14, item 10), with CSRF enforced as in
production; a signed-in session without its CSRF token is still refused (403)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

WRITES = [
    ("post", "/api/v1/members"),
    ("post", "/api/v1/meetings"),
    ("patch", "/api/v1/members/00000000-0000-0000-0000-000000000000"),
    ("post", "/api/v1/transfers/00000000-0000-0000-0000-000000000000/cancel"),
    ("post", "/api/v1/no-such-path"),
]


def _send(client, method, path):
    return getattr(client, method)(path, json.dumps({}), content_type="application/json")


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_an_anonymous_write_answers_401(cast, method, path):
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "x" * 32  # a stray cookie changes nothing
    response = _send(client, method, path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_bad_token_with_a_session_cookie_answers_401(cast):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": "Bearer zb_bad_bad"})
    client.force_login(cast.party_secretary)
    response = _send(client, "post", "/api/v1/members")
    assert response.status_code == 401


def test_a_signed_in_session_still_needs_its_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.branch_secretary)
    response = _send(client, "post", "/api/v1/members")
    assert response.status_code == 403
