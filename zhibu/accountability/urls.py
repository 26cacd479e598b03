from django.urls import path

from zhibu.accountability import views

app_name = "accountability"

urlpatterns = [
    path("", views.index, name="index"),
    path("org/<uuid:org_id>/decide/", views.decision_new, name="decision_new"),
    path("decisions/", views.decision_list, name="decisions"),
    path("decisions/export/", views.decision_export, name="decision_export"),
    path("decisions/<uuid:public_id>/", views.decision_detail, name="decision"),
    path("decisions/<uuid:public_id>/edit/", views.decision_edit, name="decision_edit"),
    path("decisions/<uuid:public_id>/pdf/", views.decision_print, name="decision_pdf"),
    path("files/<uuid:public_id>/", views.attachment, name="attachment"),
]
