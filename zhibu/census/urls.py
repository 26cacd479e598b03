from django.urls import path

from zhibu.census import views

app_name = "census"

urlpatterns = [
    path("", views.index, name="index"),
    path("cell/", views.cell, name="cell"),
    path("export/", views.export, name="export"),
    path("<uuid:org_id>/submit/", views.submit, name="submit"),
    path("reports/<uuid:public_id>/", views.report_detail, name="report"),
    path("reports/<uuid:public_id>/return/", views.report_return, name="report_return"),
]
