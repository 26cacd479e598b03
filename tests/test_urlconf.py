"""Deny by default: every view declares who may call it, and only public ones skip login."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from zhibu.core.access import PUBLIC, decision_of

# Views that must be reachable without signing in, by URL name.
EXPECTED_PUBLIC = {
    "login",
    "code_sign_in",  # first sign-in with a one-time code (members)
    "healthz",
    "favicon",
    "set_language",
    "openapi-json",
    "openapi-view",
    "api-root",
    "meeting_feed_member",
    "meeting_feed_org",
}
# API operations authenticate themselves (token or session) and answer 401 in JSON.
API = "api"


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


ALL_VIEWS = list(walk(get_resolver().url_patterns))
PRIVATE_VIEWS = [(r, p) for r, p in ALL_VIEWS if decision_of(p.callback) not in (PUBLIC, API)]
API_VIEWS = [(r, p) for r, p in ALL_VIEWS if decision_of(p.callback) == API]


def sample_url(route: str) -> str:
    """Turn a route into a concrete URL with placeholder arguments."""
    url = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    url = re.sub(r"<int:[^>]+>", "1", url)
    url = re.sub(r"<year:[^>]+>", "2025", url)
    url = re.sub(r"<(?:slug|str|path):[^>]+>", "x", url)
    url = re.sub(r"<[^>]+>", "x", url)
    url = url.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + url


def test_the_urlconf_is_not_empty():
    assert len(ALL_VIEWS) > 5


@pytest.mark.parametrize(("route", "pattern"), ALL_VIEWS, ids=[r for r, _ in ALL_VIEWS])
def test_every_view_declares_an_access_decision(route, pattern):
    assert decision_of(pattern.callback), f"{route} has no access decision"


@pytest.mark.parametrize(("route", "pattern"), ALL_VIEWS, ids=[r for r, _ in ALL_VIEWS])
def test_only_the_expected_views_are_public(route, pattern):
    decision = decision_of(pattern.callback)
    is_public = decision == PUBLIC
    assert is_public == (pattern.name in EXPECTED_PUBLIC), route
    assert getattr(pattern.callback, "login_required", True) is (decision not in (PUBLIC, API)), (
        route
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "pattern"), PRIVATE_VIEWS, ids=[r for r, _ in PRIVATE_VIEWS])
def test_anonymous_requests_to_private_views_go_to_login(client, route, pattern):
    response = client.get(sample_url(route))
    assert response.status_code == 302, route
    assert response["Location"].startswith("/accounts/login/"), route


def test_the_api_exists():
    assert len(API_VIEWS) >= 5


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "pattern"), API_VIEWS, ids=[r for r, _ in API_VIEWS])
def test_anonymous_api_calls_get_401_in_json(client, route, pattern):
    for method in ("get", "post", "patch", "put", "delete"):
        response = getattr(client, method)(sample_url(route), content_type="application/json")
        if response.status_code == 405:
            continue
        assert response.status_code == 401, (method, route, response.status_code)
        assert response.json()["code"] == "unauthenticated"


def test_a_view_without_a_decision_is_refused(rf, django_user_model, settings):
    from django.core.exceptions import PermissionDenied

    from zhibu.core.middleware import AccessDecisionMiddleware

    settings.DEBUG = False

    def undecided(request):  # pragma: no cover - must never run
        raise AssertionError("reached")

    middleware = AccessDecisionMiddleware(lambda request: None)
    with pytest.raises(PermissionDenied):
        middleware.process_view(rf.get("/"), undecided, (), {})
