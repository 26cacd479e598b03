from django.urls import path

from zhibu.duties.views import departments, evidence, inspection, letters, supervision, tasks
from zhibu.duties.views import rectification as views
from zhibu.duties.views import requests as req

app_name = "duties"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("org/<uuid:org_id>/new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/close/", views.close, name="close"),
    path("<uuid:public_id>/recheck/", views.recheck, name="recheck"),
    path("<uuid:public_id>/recheck-finding/", views.recheck_finding, name="recheck_finding"),
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
    # 责任书 (RESP-01, RESP-02)
    path("letters/", letters.letter_list, name="letter_list"),
    path("letters/new/", letters.letter_new, name="letter_new"),
    path("letters/<uuid:public_id>/", letters.letter_detail, name="letter_detail"),
    path("letters/<uuid:public_id>/edit/", letters.letter_edit, name="letter_edit"),
    path("letters/<uuid:public_id>/items/new/", letters.item_new, name="item_new"),
    path("letters/<uuid:public_id>/standard/", letters.standard_items, name="standard_items"),
    path("letters/<uuid:public_id>/issue/", letters.letter_issue, name="letter_issue"),
    path("letters/<uuid:public_id>/sign/", letters.letter_sign, name="letter_sign"),
    path("letters/<uuid:public_id>/record/", letters.letter_record, name="letter_record"),
    path("letters/<uuid:public_id>/pdf/", letters.letter_download, name="letter_pdf"),
    path("letters/items/<uuid:public_id>/edit/", letters.item_edit, name="item_edit"),
    path("letters/items/<uuid:public_id>/delete/", letters.item_delete, name="item_delete"),
    path("letters/items/<uuid:public_id>/dispose/", letters.item_dispose, name="item_dispose"),
    # tasks; ``task_detail`` is the stable address 督办 sheets link to ("task:<public id>")
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/export/", tasks.task_export, name="task_export"),
    path("tasks/org/<uuid:org_id>/new/", tasks.task_new, name="task_new"),
    path("tasks/<uuid:public_id>/", tasks.task_detail, name="task_detail"),
    path("tasks/<uuid:public_id>/report/", tasks.task_report, name="task_report"),
    path("tasks/<uuid:public_id>/confirm/", tasks.task_confirm, name="task_confirm"),
    # functional departments (分口) of an organisation's unit
    path("org/<uuid:org_id>/departments/", departments.department_list, name="departments"),
    path("departments/<uuid:public_id>/", departments.department_edit, name="department_edit"),
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
