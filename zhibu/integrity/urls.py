from django.urls import path

from zhibu.integrity import views

app_name = "integrity"

urlpatterns = [
    path("", views.index, name="index"),
    path("flags/<int:finding_id>/", views.detail, name="detail"),
]
