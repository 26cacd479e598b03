"""Zhibu's URLconf. Every view carries an explicit access decision (zhibu.core.access)."""

from django.urls import include, path, register_converter
from django.views.i18n import set_language

from zhibu.api.urls import api_urls
from zhibu.core import views as core_views
from zhibu.core.access import public
from zhibu.core.params import YearConverter

register_converter(YearConverter, "year")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("accounts/", include("zhibu.accounts.urls")),
    path("admin/", include("zhibu.accounts.admin_urls")),
    path("orgs/", include("zhibu.orgs.urls")),
    path("members/", include("zhibu.members.urls")),
    path("meetings/", include("zhibu.meetings.urls")),
    path("duties/", include("zhibu.duties.urls")),
    path("development/", include("zhibu.development.urls")),
    path("cockpit/", include("zhibu.insight.urls")),
    path("calendar/", include("zhibu.core.urls")),
    path("api/v1/", api_urls),
    path("api/tokens/", include("zhibu.api.urls")),
]

handler400 = "zhibu.core.views.bad_request"
handler403 = "zhibu.core.views.permission_denied"
handler404 = "zhibu.core.views.page_not_found"
handler500 = "zhibu.core.views.server_error"
