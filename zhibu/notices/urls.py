from django.urls import path

from zhibu.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.index, name="index"),
    path("org/<uuid:org_id>/new/", views.announcement_new, name="new"),
    path("<uuid:public_id>/", views.announcement_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.announcement_edit, name="edit"),
    path("channels/", views.channels, name="channels"),
    path("channels/org/<uuid:org_id>/new/", views.channel_new, name="channel_new"),
    path("channels/<uuid:public_id>/", views.channel_edit, name="channel_edit"),
    path("channels/<uuid:public_id>/test/", views.channel_test, name="channel_test"),
    path("policy/org/<uuid:org_id>/", views.policy_edit, name="policy"),
    path("preferences/", views.preferences, name="preferences"),
]
