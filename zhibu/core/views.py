"""Shell pages: the home page, the health check and the error pages."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhibu.core.access import login_only, public

log = logging.getLogger(__name__)


@login_only
def home(request: HttpRequest) -> HttpResponse:
    """The workbench: each module's panel for this user (see zhibu.core.home)."""
    from zhibu.core.home import panels_for

    return render(request, "core/home.html", {"breadcrumbs": [], "panels": panels_for(request)})


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@public
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    return HttpResponsePermanentRedirect(static("zhibu/favicon.svg"))


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """400: the message of a ``BadParameter`` (ours, Chinese) is shown; others stay generic."""
    from zhibu.core.params import BadParameter

    message = exception.args[0] if isinstance(exception, BadParameter) and exception.args else ""
    return render(request, "errors/400.html", {"message": message}, status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without a request context: the failure may lie in a context processor.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
