from django.urls import path

from zhibu.duties.views import evidence
from zhibu.duties.views import rectification as views

app_name = "duties"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("org/<uuid:org_id>/new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/close/", views.close, name="close"),
    path("<uuid:public_id>/recheck/", views.recheck, name="recheck"),
    path("evidence/<uuid:public_id>/", evidence.download, name="evidence"),
]

# Mounted under /meetings/ in the meetings namespace by zhibu/urls.py: the page belongs to
# a meeting, but the write is a rectification item, and meetings may not import duties.
meeting_urlpatterns = [
    path("<uuid:public_id>/problems/new/", views.life_problem_new, name="problem_new"),
]
