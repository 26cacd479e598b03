from django.urls import path

from zhibu.members import account_views, views

app_name = "members"

urlpatterns = [
    path("", views.roster, name="list"),
    path("export/", views.export, name="export"),
    path("orgs/", views.org_search, name="org_search"),
    path("bulk/", views.bulk, name="bulk"),
    path("accounts/", account_views.member_accounts, name="accounts"),
    path("new/", views.create, name="create"),
    path("me/", views.me, name="me"),
    path("me/correction/", views.me_correction, name="me_correction"),
    path("corrections/<uuid:public_id>/", views.correction_handle, name="correction_handle"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/in/", views.transfer_in, name="transfer_in"),
    path("transfers/<uuid:public_id>/", views.transfer_detail, name="transfer"),
    path("transfers/<uuid:public_id>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("transfers/<uuid:public_id>/<slug:step>/", views.transfer_step, name="transfer_step"),
    path("mobility/", views.mobility_list, name="mobility"),
    path("mobility/in/", views.mobility_in, name="mobility_in"),
    path("mobility/<uuid:public_id>/<slug:step>/", views.mobility_step, name="mobility_step"),
    path("attachments/<uuid:public_id>/", views.attachment_download, name="attachment"),
    path("attachments/<uuid:public_id>/delete/", views.attachment_delete, name="attachment_delete"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<uuid:public_id>/", views.import_batch, name="import_batch"),
    path("import/<uuid:public_id>/progress/", views.import_progress, name="import_progress"),
    path("import/<uuid:public_id>/<slug:action>/", views.import_action, name="import_action"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/event/", views.record_event, name="event"),
    path("<uuid:public_id>/reveal/", views.reveal, name="reveal"),
    path("<uuid:public_id>/transfer/", views.transfer_start, name="transfer_start"),
    path("<uuid:public_id>/mobility/", views.mobility_start, name="mobility_start"),
    path("<uuid:public_id>/attachments/new/", views.attachment_add, name="attachment_add"),
]
