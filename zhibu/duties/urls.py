from django.urls import path

from zhibu.duties.views import evidence
from zhibu.duties.views import rectification as views
from zhibu.duties.views import requests as req

app_name = "duties"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("org/<uuid:org_id>/new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/close/", views.close, name="close"),
    path("<uuid:public_id>/recheck/", views.recheck, name="recheck"),
    path("evidence/<uuid:public_id>/", evidence.download, name="evidence"),
    # 请示报告
    path("requests/", req.index, name="requests"),
    path("requests/org/<uuid:org_id>/", req.org_boxes, name="requests_org"),
    path("requests/org/<uuid:org_id>/new/", req.compose, name="request_new"),
    path("requests/org/<uuid:org_id>/schedules/", req.schedules, name="request_schedules"),
    path("requests/<uuid:public_id>/", req.detail, name="request_detail"),
    path("requests/<uuid:public_id>/edit/", req.edit, name="request_edit"),
    path("requests/<uuid:public_id>/send/", req.send, name="request_send"),
    path("requests/<uuid:public_id>/answer/", req.answer, name="request_answer"),
    path("requests/<uuid:public_id>/return/", req.send_back, name="request_return"),
    path("requests/<uuid:public_id>/attach/", req.attach, name="request_attach"),
    path("requests/<uuid:public_id>/pdf/", req.pdf, name="request_pdf"),
]

# Mounted under /meetings/ in the meetings namespace by zhibu/urls.py: the page belongs to
# a meeting, but the write is a rectification item, and meetings may not import duties.
meeting_urlpatterns = [
    path("<uuid:public_id>/problems/new/", views.life_problem_new, name="problem_new"),
]
