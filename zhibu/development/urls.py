from django.urls import path

from zhibu.development import views

app_name = "development"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("plan/", views.plan, name="plan"),
    path("<uuid:public_id>/", views.case, name="case"),
    path("<uuid:public_id>/pdf/", views.case_pdf, name="case_pdf"),
    path("<uuid:public_id>/steps/<int:number>/", views.record_step, name="record_step"),
    path("<uuid:public_id>/publicity/", views.publicity, name="publicity"),
    path("<uuid:public_id>/override/", views.override, name="override"),
    path(
        "<uuid:public_id>/override/<uuid:override_id>/",
        views.override_decide,
        name="override_decide",
    ),
    path("<uuid:public_id>/stop/", views.stop, name="stop"),
]
