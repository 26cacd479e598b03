"""Zhibu's URLconf. Every view carries an explicit access decision (zhibu.core.access)."""

from django.urls import include, path
from django.views.i18n import set_language

from zhibu.core import views as core_views
from zhibu.core.access import public

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("accounts/", include("zhibu.accounts.urls")),
    path("admin/", include("zhibu.accounts.admin_urls")),
    path("orgs/", include("zhibu.orgs.urls")),
]

handler403 = "zhibu.core.views.permission_denied"
handler404 = "zhibu.core.views.page_not_found"
handler500 = "zhibu.core.views.server_error"
