"""Zhibu's URLconf. Every view carries an explicit access decision (zhibu.core.access)."""

from django.urls import include, path
from django.views.i18n import set_language

from zhibu.accounts.admin_urls import urlpatterns as admin_urls
from zhibu.api.urls import api_urls
from zhibu.committees.grants import urlpatterns as role_grant_urls
from zhibu.core import views as core_views
from zhibu.core.access import public
from zhibu.duties.urls import meeting_urlpatterns as duties_meeting_urls
from zhibu.meetings.urls import urlpatterns as meeting_urls

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("accounts/", include("zhibu.accounts.urls")),
    path("admin/", include((admin_urls + role_grant_urls, "accounts"))),
    path("orgs/", include("zhibu.committees.urls")),
    path("members/", include("zhibu.members.urls")),
    path("meetings/", include((meeting_urls + duties_meeting_urls, "meetings"))),
    path("duties/", include("zhibu.duties.urls")),
    path("development/", include("zhibu.development.urls")),
    path("dues/", include("zhibu.dues.urls")),
    path("study/", include("zhibu.study.urls")),
    path("assessment/", include("zhibu.assessment.urls")),
    path("reviews/", include("zhibu.reviews.urls")),
    path("census/", include("zhibu.census.urls")),
    path("integrity/", include("zhibu.integrity.urls")),
    path("notices/", include("zhibu.notices.urls")),
    path("discipline/", include("zhibu.discipline.urls")),
    path("accountability/", include("zhibu.accountability.urls")),
    path("cockpit/", include("zhibu.insight.urls")),
    path("calendar/", include("zhibu.core.urls")),
    path("api/v1/", api_urls),
    path("api/tokens/", include("zhibu.api.urls")),
]

handler400 = "zhibu.core.views.bad_request"
handler403 = "zhibu.core.views.permission_denied"
handler404 = "zhibu.core.views.page_not_found"
handler500 = "zhibu.core.views.server_error"
