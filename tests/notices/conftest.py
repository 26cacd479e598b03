"""A local webhook receiver on 127.0.0.1 (http.server in a thread) that checks each
robot's signature the way 企业微信, 钉钉 and our webhook's receivers do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest

from zhibu.notices import signing

WECOM_KEY = "wecom-key-0001"
DING_TOKEN = "ding-token-0001"
DING_SECRET = "SECdingtalk-secret"
HOOK_SECRET = "hook-secret-123"


class Receiver:
    def __init__(self):
        self.received: list[dict] = []
        self.fail = False  # answer 500 to everything
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, kind: str) -> str:
        return {
            "wecom": f"{self.base}/cgi-bin/webhook/send?key={WECOM_KEY}",
            "dingtalk": f"{self.base}/robot/send?access_token={DING_TOKEN}",
            "webhook": f"{self.base}/hook",
        }[kind]

    def verify(self, path: str, headers, body: bytes) -> bool:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        if parts.path == "/cgi-bin/webhook/send":
            return query.get("key") == [WECOM_KEY]
        if parts.path == "/robot/send":
            # 钉钉: sign = urlencode(base64(hmac_sha256(secret, f"{timestamp}\n{secret}")))
            raw = dict(p.split("=", 1) for p in parts.query.split("&"))
            timestamp = raw.get("timestamp", "")
            mac = hmac.new(
                DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256
            )
            expected = base64.b64encode(mac.digest()).decode()
            return (
                query.get("access_token") == [DING_TOKEN]
                and unquote_plus(raw.get("sign", "")) == expected
            )
        if parts.path == "/hook":
            return signing.webhook_verify(HOOK_SECRET, headers, body)
        return False

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = receiver.verify(self.path, self.headers, body)
                receiver.received.append(
                    {"path": self.path, "verified": ok, "json": json.loads(body or b"{}")}
                )
                if receiver.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                answer = {
                    "errcode": 0 if ok else 310000,
                    "errmsg": "ok" if ok else "sign not match",
                }
                payload = json.dumps(answer).encode()
                self.send_response(200 if ok or "/hook" not in self.path else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep the test output quiet
                pass

        return Handler

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
