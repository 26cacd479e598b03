from django.urls import path

from zhibu.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("findings/", views.findings, name="findings"),
    path("exemptions/new/", views.exemption_new, name="exemption_new"),
    path("run/", views.run, name="run"),
    path("exemptions/", views.exemptions, name="exemptions"),
    path(
        "exemptions/<uuid:public_id>/decide/", views.exemption_decide_view, name="exemption_decide"
    ),
    path("rules/", views.catalogue, name="rules"),
    path("rules/<str:code>/supplement/", views.supplement_new, name="supplement_new"),
    path("inbox/", views.inbox, name="inbox"),
]
