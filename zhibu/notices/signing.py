"""Signatures of the three webhook kinds.

- 钉钉 group robot (加签): ``sign = urlencode(base64(HMAC-SHA256(secret,
  f"{timestamp}\\n{secret}")))`` with ``timestamp`` in milliseconds, both added to the
  webhook URL as query parameters; 钉钉 refuses a timestamp more than an hour off.
- 企业微信 group robot: no signature; the robot's ``key`` in the URL is the secret.
- Our generic webhook: headers ``X-Zhibu-Timestamp`` (Unix seconds) and
  ``X-Zhibu-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}." + body)>``;
  the receiver recomputes it over the raw body and refuses old timestamps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus, urlsplit, urlunsplit

TIMESTAMP_HEADER = "X-Zhibu-Timestamp"
SIGNATURE_HEADER = "X-Zhibu-Signature"
MAX_SKEW_SECONDS = 300


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` parameter, already URL-encoded as 钉钉 documents it."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    parts = urlsplit(url)
    extra = f"timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def webhook_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = timestamp if timestamp is not None else int(time.time())
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: webhook_signature(secret, timestamp, body),
    }


def webhook_verify(secret: str, headers, body: bytes, now: float | None = None) -> bool:
    """What a receiver of our webhook does (documented in docs/notices.md)."""
    try:
        timestamp = int(headers.get(TIMESTAMP_HEADER, ""))
    except ValueError:
        return False
    now = now if now is not None else time.time()
    if abs(now - timestamp) > MAX_SKEW_SECONDS:
        return False
    expected = webhook_signature(secret, timestamp, body)
    return hmac.compare_digest(expected, headers.get(SIGNATURE_HEADER, ""))
