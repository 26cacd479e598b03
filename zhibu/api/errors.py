"""One error shape for every failure: {"code", "message" (Chinese), "details": [...]}.

400 malformed request, 401 no or bad token, 403 the role lacks the action, 404 outside
scope, absent or no such path, 405 a method the path does not take, 409 stale write, 422
a rule or validation refused it, 429 too many bad tokens from one client.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from zhibu.accounts import permissions
from zhibu.development.services import StepRefused

MESSAGES = {
    400: _("请求格式不正确。"),
    401: _("未提供访问令牌，或令牌无效、已过期、已吊销。"),
    403: _("您的角色无权执行此操作。"),
    404: _("记录不存在，或不在您的管理范围内。"),
    405: _("该地址不支持此请求方法。"),
    409: _("记录已被他人修改，请重新读取后再提交。"),
    422: _("数据未通过校验。"),
    429: _("无效令牌尝试过多，请稍后再试。"),
}
NO_SUCH_PATH = _("接口地址不存在，请核对路径（见 /api/v1/docs）。")
CODES = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "too_many_requests",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str | None = None,
        details: list[dict] | None = None,
        code: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message or str(MESSAGES[status])
        self.details = details or []
        self.code = code or CODES[status]


def check_version(request, obj, version: str | None) -> None:
    """Optimistic locking for every write: the ``version`` sent (or ``If-Match:
    "<version>"``, quotes optional; ``*`` matches any) must be the record's ``updated_at``
    as read, else 409 and nothing is written. Nothing sent means no check."""
    header = request.headers.get("If-Match")
    expected = version or (header.strip().strip('"') if header else None)
    if expected and expected != "*" and expected != obj.updated_at.isoformat():
        raise ApiError(409)


def require_anywhere(user, action: str) -> None:
    """As the pages' ``requires``: without the action anywhere, 403 reveals nothing."""
    if not permissions.holds_anywhere(user, action):
        raise ApiError(403)


def body(status: int, message=None, details=None, code=None) -> dict[str, Any]:
    return {
        "code": code or CODES[status],
        "message": str(message or MESSAGES[status]),
        "details": details or [],
    }


RULE_CODE = re.compile(r"^[A-Z]{2,5}-\d{2}[a-z]?$")  # RESP-02b: a row's further rules


def details_of(exc: ValidationError) -> list[dict]:
    """Field, rule code (when the error's ``code`` is one, e.g. "DEV-05") and message."""
    items = exc.error_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.error_list)]
    out = []
    for field, errors in items:
        for error in errors:
            message = error.message % error.params if error.params else error.message
            code = str(error.code or "")
            out.append(
                {
                    "field": None if field == "__all__" else field,
                    "rule": code if RULE_CODE.match(code) else None,
                    "message": str(message),
                }
            )
    return out


def install(api) -> None:
    """Register the handlers on a NinjaAPI instance."""

    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return api.create_response(
            request, body(exc.status, exc.message, exc.details, exc.code), status=exc.status
        )

    @api.exception_handler(NinjaValidationError)
    def _malformed(request, exc: NinjaValidationError):
        details = []
        for error in exc.errors:
            location = [
                str(p)
                for p in error.get("loc", [])
                if p not in ("body", "query", "path", "payload")
            ]
            details.append(
                {
                    "field": ".".join(location) or None,
                    "rule": None,
                    "message": str(error.get("msg", "")),
                }
            )
        return api.create_response(request, body(400, details=details), status=400)

    @api.exception_handler(StepRefused)
    def _refused(request, exc: StepRefused):
        details = [
            {
                "field": "on",
                "rule": v.code,
                "message": v.message,
                "citation": v.citation,
                "earliest": v.earliest.isoformat() if v.earliest else None,
            }
            for v in exc.violations
        ]
        return api.create_response(
            request, body(422, details[0]["message"], details, "rule_violation"), status=422
        )

    @api.exception_handler(ValidationError)
    def _invalid(request, exc: ValidationError):
        details = details_of(exc)
        message = details[0]["message"] if len(details) == 1 else MESSAGES[422]
        code = "rule_violation" if any(d["rule"] for d in details) else None
        return api.create_response(request, body(422, message, details, code), status=422)

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return api.create_response(request, body(404), status=404)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return api.create_response(request, body(403), status=403)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return api.create_response(request, body(401), status=401)

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        status = exc.status_code if exc.status_code in CODES else 400
        return api.create_response(request, body(status), status=status)
