"""API authentication: personal access tokens (Bearer) or the site's own session.

Every call acts as the token's owner, with their roles and scope. Repeated bad tokens
from one client address are answered 429 for a while, counted in the database cache
so that every process sees the same count.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, SessionAuth

from zhibu.api.errors import ApiError
from zhibu.api.models import TOKEN_PREFIX, ApiToken, hash_secret
from zhibu.core.audit import client_ip

BAD_TOKEN_LIMIT = 10  # per client address
BAD_TOKEN_WINDOW = 300  # seconds
READ_ONLY_TOKEN = _("该令牌为只读令牌，不能修改数据。")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _bad_key(request) -> str:
    return f"zhibu:api:bad-token:{client_ip(request) or 'unknown'}"


def _check_write(request, token: ApiToken | None) -> None:
    if request.method not in SAFE_METHODS and token is not None and not token.can_write:
        raise ApiError(403, str(READ_ONLY_TOKEN))


class BearerToken(HttpBearer):
    openapi_description = "个人访问令牌：Authorization: Bearer zb_xxxxxxxx_..."

    def authenticate(self, request, token: str):
        key = _bad_key(request)
        # The shared (database) cache: every worker process counts the same failures.
        cache = caches["shared"]
        if (cache.get(key) or 0) >= BAD_TOKEN_LIMIT:
            raise ApiError(429)
        found = self._lookup(token)
        if found is None:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, BAD_TOKEN_WINDOW)
            return None
        _check_write(request, found)
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found
        return found.user

    @staticmethod
    def _lookup(token: str) -> ApiToken | None:
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        row = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
        if row is None or not row.is_active or not row.user.is_active:
            return None
        if not hmac.compare_digest(row.secret_hash, hash_secret(parts[2])):
            return None
        return row


class Session(SessionAuth):
    """The site's own pages may call the API with their session (CSRF checked on writes)."""

    def _get_key(self, request):
        # Without a signed-in session there is nothing to forge, so no CSRF check: the
        # caller is unauthenticated and answers 401 as documented (it was a 403 "CSRF
        # check failed" for anonymous writes). A presented token decides alone.
        if request.headers.get("Authorization") or not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if request.headers.get("Authorization"):
            return None  # a presented token decides alone: a bad one is 401, never the session
        user = super().authenticate(request, key)
        if user is not None:
            request.api_token = None
        return user


def api_auth():
    return [BearerToken(), Session()]
