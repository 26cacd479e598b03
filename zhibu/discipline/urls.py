from django.urls import path

from zhibu.discipline import views

app_name = "discipline"

urlpatterns = [
    path("", views.index, name="index"),
    path("statistics/", views.statistics, name="statistics"),
    path("export/", views.export, name="export"),
    path("member/<uuid:member_id>/new/", views.new, name="new"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/appeal/", views.appeal, name="appeal"),
    path("<uuid:public_id>/pdf/", views.pdf, name="pdf"),
]
