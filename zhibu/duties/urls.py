from django.urls import path

from zhibu.duties.views import evidence, inspection, supervision
from zhibu.duties.views import rectification as views

app_name = "duties"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("org/<uuid:org_id>/new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/close/", views.close, name="close"),
    path("<uuid:public_id>/recheck/", views.recheck, name="recheck"),
    path("<uuid:public_id>/recheck-finding/", views.recheck_finding, name="recheck_finding"),
    path("evidence/<uuid:public_id>/", evidence.download, name="evidence"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path("findings/<int:pk>/rectify/", views.from_finding, name="from_finding"),
    path("supervisions/", supervision.supervision_list, name="supervisions"),
    path("supervisions/new/", supervision.supervision_open, name="supervision_open"),
    path("supervisions/<uuid:public_id>/", supervision.supervision_detail, name="supervision"),
    path(
        "supervisions/<uuid:public_id>/reply/",
        supervision.supervision_reply,
        name="supervision_reply",
    ),
    path(
        "supervisions/<uuid:public_id>/decide/",
        supervision.supervision_decide,
        name="supervision_decide",
    ),
    path("inspections/", inspection.inspection_list, name="inspections"),
    path("inspections/org/<uuid:org_id>/new/", inspection.inspection_new, name="inspection_new"),
    path("inspections/<uuid:public_id>/", inspection.inspection_detail, name="inspection"),
    path(
        "inspections/<uuid:public_id>/problems/new/",
        inspection.inspection_problem_new,
        name="inspection_problem_new",
    ),
]

# Mounted under /meetings/ in the meetings namespace by zhibu/urls.py: the page belongs to
# a meeting, but the write is a rectification item, and meetings may not import duties.
meeting_urlpatterns = [
    path("<uuid:public_id>/problems/new/", views.life_problem_new, name="problem_new"),
]
