from django.urls import path

from zhibu.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<uuid:public_id>/", views.scheme_detail, name="scheme"),
    path("schemes/<uuid:public_id>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<uuid:public_id>/standard/", views.scheme_standard, name="scheme_standard"),
    path("schemes/<uuid:public_id>/indicators/new/", views.indicator_new, name="indicator_new"),
    path(
        "schemes/<uuid:public_id>/indicators/<uuid:indicator_id>/delete/",
        views.indicator_delete,
        name="indicator_delete",
    ),
    path("schemes/<uuid:public_id>/compute/", views.scheme_compute, name="scheme_compute"),
    path("schemes/<uuid:public_id>/issue/", views.scheme_issue, name="scheme_issue"),
    path("schemes/<uuid:public_id>/export/", views.scheme_export, name="scheme_export"),
    path("sheets/<uuid:public_id>/", views.sheet_detail, name="sheet"),
    path("sheets/<uuid:public_id>/issue/", views.sheet_issue, name="sheet_issue"),
    path("sheets/<uuid:public_id>/appeal/", views.sheet_appeal, name="sheet_appeal"),
    path("sheets/<uuid:public_id>/confirm/", views.sheet_confirm, name="sheet_confirm"),
    path("sheets/<uuid:public_id>/pdf/", views.sheet_pdf, name="sheet_pdf"),
    path("lines/<uuid:public_id>/adjust/", views.line_adjust, name="line_adjust"),
    path("appeals/<uuid:public_id>/answer/", views.appeal_answer, name="appeal_answer"),
    path("deductions/<uuid:public_id>/rectify/", views.deduction_rectify, name="deduction_rectify"),
]
