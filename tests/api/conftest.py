from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zhibu.api.models import ApiToken, hash_secret


@pytest.fixture
def token_for():
    """token_for(user, write=False, expires_in_days=None) → the full bearer token string."""

    def make(user, write: bool = False, expires_in_days: int | None = None) -> str:
        full, prefix, secret = ApiToken.generate()
        ApiToken.objects.create(
            user=user,
            name="test",
            prefix=prefix,
            secret_hash=hash_secret(secret),
            can_write=write,
            expires_at=timezone.now() + timedelta(days=expires_in_days)
            if expires_in_days is not None
            else None,
        )
        return full

    return make


@pytest.fixture
def api(client):
    """api(token).get/post/patch/put(path, json) with the bearer token set."""

    class Caller:
        def __init__(self, token):
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

        def get(self, path, **params):
            return client.get(f"/api/v1{path}", params, **self.headers)

        def _send(self, method, path, body, **extra):
            import json

            data = body if isinstance(body, str | bytes) else json.dumps(body, default=str)
            return getattr(client, method)(
                f"/api/v1{path}", data, content_type="application/json", **self.headers, **extra
            )

        def post(self, path, body=None, **extra):
            return self._send("post", path, body or {}, **extra)

        def patch(self, path, body=None, **extra):
            return self._send("patch", path, body or {}, **extra)

        def put(self, path, body=None, **extra):
            return self._send("put", path, body or {}, **extra)

    return Caller
