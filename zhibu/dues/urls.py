from django.urls import path

from zhibu.dues import views

app_name = "dues"

urlpatterns = [
    path("", views.index, name="index"),
    path("ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("reliefs/", views.reliefs, name="reliefs"),
    path("org/<uuid:org_id>/sheet/", views.sheet, name="sheet"),
    path("org/<uuid:org_id>/year/", views.year_statement, name="year"),
    path("org/<uuid:org_id>/remit/", views.remit, name="remit"),
    path("org/<uuid:org_id>/payroll/", views.payroll_upload, name="payroll_upload"),
    path("payroll/<uuid:batch_id>/", views.payroll_batch, name="payroll"),
    path("remittance/<uuid:remittance_id>/confirm/", views.remit_confirm, name="remit_confirm"),
    path("member/<uuid:member_id>/", views.member_dues, name="member"),
    path("base/<uuid:base_id>/", views.base_edit, name="base_edit"),
    path("member/<uuid:member_id>/lapse/", views.lapse_new, name="lapse_new"),
    path("lapse/<uuid:case_id>/", views.lapse, name="lapse"),
    path("payment/<uuid:payment_id>/correct/", views.payment_correct, name="correct"),
    path("org/<uuid:org_id>/policy/", views.policy, name="policy"),
]
