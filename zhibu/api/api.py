"""The public JSON API v1 at /api/v1/ (OpenAPI schema at /api/v1/openapi.json, docs at
/api/v1/docs served from local static files). Handlers call the same services and
selectors as the pages; scope and permissions are identical."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from ninja import NinjaAPI, Router

from zhibu.api import errors
from zhibu.api.auth import api_auth
from zhibu.api.routers import (
    accountability,
    assessment,
    census,
    development,
    discipline,
    dues,
    duties,
    integrity,
    meetings,
    member_accounts,
    members,
    notices,
    orgs,
    requests,
    reviews,
    rules,
    study,
    supervision,
    transfers,
    users,
)

api = NinjaAPI(
    title="支部 Zhibu API",
    version="1",
    description="基层党建工作与合规平台的开放接口。所有调用均按令牌所属用户的角色和管理范围执行；"
    "范围以外的记录一律返回 404。错误统一为 {code, message, details}。",
    auth=api_auth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc: SuspiciousOperation):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields ...: 400 in the error shape
    (Django would answer its HTML page)."""
    detail = {"field": None, "rule": None, "message": str(errors.MESSAGES[400])}
    if isinstance(exc, RequestDataTooBig):
        size = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        detail["message"] = gettext("请求内容超过 %(size)s。") % {"size": size}
    return api.create_response(request, errors.body(400, details=[detail]), status=400)


api.add_router("/orgs", orgs.router)
api.add_router("/members", members.router)
api.add_router("/transfers", transfers.router)
api.add_router("/development-cases", development.router)
api.add_router("/meetings", meetings.router)
api.add_router("/users", users.router)
api.add_router("/member-accounts", member_accounts.router)
api.add_router("/requests", requests.router)
api.add_router("/letters", duties.letters_router)
api.add_router("/tasks", duties.tasks_router)
api.add_router("/supervisions", supervision.supervisions)
api.add_router("/rectifications", supervision.rectifications)
api.add_router("/inspections", supervision.inspections)
api.add_router("/assessment-schemes", assessment.schemes_router)
api.add_router("/assessment-sheets", assessment.sheets_router)
api.add_router("/discipline-records", discipline.router)
api.add_router("/accountability-signals", accountability.signals_router)
api.add_router("/accountability-decisions", accountability.decisions_router)
api.add_router("/reviews", reviews.reviews_router)
api.add_router("/promises", reviews.promises_router)
api.add_router("/dues", dues.router)
api.add_router("/census", census.router)
api.add_router("/courses", study.courses_router)
api.add_router("/notice-channels", notices.channels_router)
api.add_router("/announcements", notices.announcements_router)
api.add_router("/study-records", study.records_router)
api.add_router("/articles", study.articles_router)
api.add_router("/integrity-flags", integrity.router)
api.add_router("/", rules.router)

# Last of all: any other path under /api/v1/ answers 404 in the error shape (after the
# token check, as every operation does) instead of Django's HTML page. A known path with a
# method it does not take answers 405 in the same shape (zhibu.api.urls).
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    include_in_schema=False,
    url_name="api-not-found",
)
def no_such_path(request, rest: str):
    raise errors.ApiError(404, str(errors.NO_SUCH_PATH))


api.add_router("/", fallback)
