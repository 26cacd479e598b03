from django.urls import path

from zhibu.committees import views

app_name = "orgs"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("switch/", views.switch, name="switch"),
    path("committees/<uuid:committee_id>/", views.committee, name="committee"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/children/", views.children, name="children"),
    path("<uuid:public_id>/new/", views.create, name="create"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/move/", views.move, name="move"),
    path("<uuid:public_id>/dissolve/", views.dissolve, name="dissolve"),
    path("<uuid:public_id>/committee/elect/", views.elect, name="elect"),
    path(
        "<uuid:public_id>/committee/<uuid:committee_id>/filing/",
        views.file_committee,
        name="file_committee",
    ),
    path("<uuid:public_id>/posts/new/", views.post_add, name="post_add"),
    path("<uuid:public_id>/posts/<uuid:post_id>/end/", views.post_end, name="post_end"),
    path("<uuid:public_id>/posts/<uuid:post_id>/approve/", views.post_approve, name="post_approve"),
    path("<uuid:public_id>/linkage/new/", views.linkage_add, name="linkage_add"),
    path("<uuid:public_id>/linkage/<uuid:linkage_id>/end/", views.linkage_end, name="linkage_end"),
]
