"""Mounts the API at /api/v1/ and the token pages at /api/tokens/.

Django's login redirect does not apply to API calls (they authenticate with a token and
answer 401 in JSON), so every API view is marked as deciding access itself.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.urls import URLPattern, URLResolver, path

from zhibu.api import errors, views
from zhibu.api.api import api
from zhibu.core.access import ACCESS_ATTR, PUBLIC

API = "api"  # access decision: the operation's own auth (token or session) decides
OPEN = {"openapi-json", "openapi-view", "api-root"}


def _json_errors(view):
    """Ninja answers a method the path does not take with a plain-text 405 before any
    handler could see it, and its root view (/api/v1/) raises Http404 outside them: both
    answer in the error shape here (the 405 keeping its Allow header)."""

    @wraps(view)  # keeps csrf_exempt and the marks below
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return api.create_response(request, errors.body(404, errors.NO_SUCH_PATH), status=404)
        if response.status_code == 405:
            allow = response.get("Allow", "")
            response = api.create_response(request, errors.body(405), status=405)
            response["Allow"] = allow
        return response

    return wrapper


def _mark(patterns) -> list:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _mark(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            callback = entry.callback = login_not_required(_json_errors(entry.callback))
            setattr(callback, ACCESS_ATTR, PUBLIC if entry.name in OPEN else API)
    return patterns


api_patterns, api_app_name, api_namespace = api.urls
_mark(api_patterns)
api_urls = (api_patterns, api_app_name, api_namespace)

app_name = "api_tokens"
urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("<uuid:public_id>/revoke/", views.revoke, name="token_revoke"),
]
