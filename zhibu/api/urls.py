"""Mounts the API at /api/v1/ and the token pages at /api/tokens/.

Django's login redirect does not apply to API calls (they authenticate with a token and
answer 401 in JSON), so every API view is marked as deciding access itself.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path

from zhibu.api import views
from zhibu.api.api import api
from zhibu.core.access import ACCESS_ATTR, PUBLIC

API = "api"  # access decision: the operation's own auth (token or session) decides
OPEN = {"openapi-json", "openapi-view", "api-root"}


def _mark(patterns) -> list:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _mark(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            callback = login_not_required(entry.callback)
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
