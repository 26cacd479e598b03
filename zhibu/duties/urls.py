from django.urls import path

from zhibu.duties import views

app_name = "duties"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("org/<uuid:org_id>/new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/close/", views.close, name="close"),
    path("<uuid:public_id>/recheck/", views.recheck, name="recheck"),
]
