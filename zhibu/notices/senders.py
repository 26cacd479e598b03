"""Posting one message to a channel, or mailing it: the HTTP calls of the delivery task.
Every failure becomes a ``DeliveryError`` with a reason for the log; nothing here is
called from a page's request (delivery runs on the task queue)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from zhibu.notices import signing
from zhibu.notices.models import Channel, Delivery

TIMEOUT_SECONDS = 10
MAX_TEXT = 3800  # 企业微信 markdown takes 4096 bytes; 钉钉 20000


class DeliveryError(Exception):
    """The message did not get through; ``str()`` is the reason kept in the log."""


def payload_for(kind: str, subject: str, text: str) -> dict:
    body = f"### {subject}\n\n{text}"[:MAX_TEXT]
    if kind == Channel.Kind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": body}}
    if kind == Channel.Kind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": subject, "text": body}}
    return {"subject": subject, "text": text, "source": "zhibu"}


def post(channel: Channel, subject: str, text: str) -> None:
    body = json.dumps(payload_for(channel.kind, subject, text), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    url = channel.url
    if channel.kind == Channel.Kind.DINGTALK:
        url = signing.dingtalk_url(url, channel.secret)
    elif channel.kind == Channel.Kind.WEBHOOK:
        headers.update(signing.webhook_headers(channel.secret, body))
    if not url.lower().startswith(("https://", "http://")):  # never file: or others
        raise DeliveryError("地址不是 http(s)")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"连接失败：{reason}") from None
    if channel.kind in (Channel.Kind.WECOM, Channel.Kind.DINGTALK):
        # Both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; anything else
        # (a wrong key, a bad signature, a rate limit) is a failure with their message.
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            raise DeliveryError("机器人返回的内容无法解析") from None
        if answer.get("errcode") != 0:
            raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


def send(delivery: Delivery) -> None:
    if delivery.medium == Delivery.Medium.EMAIL:
        if not delivery.user or not delivery.user.email:
            raise DeliveryError("用户没有电子邮箱")
        try:
            send_mail(
                delivery.subject, delivery.text, settings.DEFAULT_FROM_EMAIL, [delivery.user.email]
            )
        except Exception as exc:  # SMTP errors of every kind
            raise DeliveryError(f"邮件发送失败：{exc}") from None
        return
    if delivery.channel is None or not delivery.channel.enabled:
        raise DeliveryError("渠道已删除或停用")
    post(delivery.channel, delivery.subject, delivery.text)
