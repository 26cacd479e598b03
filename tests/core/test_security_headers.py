"""Content-Security-Policy and Permissions-Policy (issue 14, item 11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
TEMPLATES = sorted(Path(settings.BASE_DIR, "zhibu").glob("**/templates/**/*.html"))
# What the policy would refuse: a script element without src (json_script data blocks
# are not executed and are allowed), an event handler attribute, a style attribute or
# element, a javascript: URL.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"\sstyle\s*=|<style\b|javascript:", re.I)


def offences(html: str) -> list[str]:
    found = []
    for pattern in (INLINE_SCRIPT, HANDLER, STYLE):
        found += [m.group(0) for m in pattern.finditer(html)]
    return found


def test_every_page_carries_the_policy_and_the_permissions_policy(client, cast, login):
    for response in (client.get(reverse("login")), login(cast.party_secretary).get("/")):
        assert response.headers["Content-Security-Policy"] == POLICY
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "geolocation=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(p.parents[3])))
def test_no_template_has_inline_script_handlers_or_styles(template):
    assert offences(template.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/cockpit/",
        "/members/",
        "/orgs/",
        "/accounts/security/",
        "/accounts/password/",
    ],
)
def test_rendered_pages_have_nothing_inline_the_policy_refuses(cast, login, url):
    response = login(cast.party_secretary).get(url, follow=True)
    assert response.status_code == 200
    assert offences(response.content.decode()) == []


def test_the_api_docs_work_under_their_own_policy(client):
    response = client.get("/api/v1/docs")
    policy = response.headers["Content-Security-Policy"]
    assert response.status_code == 200
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    body = response.content.decode()
    assert "ninja/swagger-ui-bundle.js" in body and "ninja/swagger-ui-init.js" in body
    assert not INLINE_SCRIPT.search(body)
