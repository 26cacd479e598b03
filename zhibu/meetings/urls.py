from django.urls import path

from zhibu.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("my/", views.my, name="my"),
    path("my/feed/", views.feed_token, name="feed_token"),
    path("my/<uuid:public_id>/leave/", views.leave, name="leave"),
    path("feed/<str:token>/me.ics", views.feed_member, name="meeting_feed_member"),
    path("feed/<str:token>/org/<uuid:org_id>.ics", views.feed_org, name="meeting_feed_org"),
    path("org/<uuid:org_id>/", views.org_home, name="org"),
    path("org/<uuid:org_id>/new/", views.record_new, name="record_new"),
    path("org/<uuid:org_id>/plan/", views.plan_new, name="plan_new"),
    path("org/<uuid:org_id>/plan/<year:year>/", views.plan_year, name="plan_year"),
    path("org/<uuid:org_id>/roster/", views.roster, name="roster"),
    path("org/<uuid:org_id>/talks/", views.talks, name="talks"),
    path("org/<uuid:org_id>/talks/<year:year>/matrix/", views.talk_matrix, name="talk_matrix"),
    path("org/<uuid:org_id>/reviews/<year:year>/", views.review, name="review"),
    path("org/<uuid:org_id>/settings/", views.org_settings, name="settings"),
    path("org/<uuid:org_id>/ledger/<year:year>.pdf", views.ledger_pdf, name="ledger_pdf"),
    path("org/<uuid:org_id>/ledger/<year:year>.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("reviews/<uuid:review_id>/finish/", views.review_finish, name="review_finish"),
    path("reviews/<uuid:review_id>/<uuid:member_id>/", views.review_entry, name="review_entry"),
    path("corrections/<uuid:correction_id>/", views.correction, name="correction"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/record/", views.record, name="record"),
    path("<uuid:public_id>/edit/", views.edit_plan, name="edit_plan"),
    path("<uuid:public_id>/notice/", views.notice, name="notice"),
    path("<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:public_id>/decisions/new/", views.decision_new, name="decision_new"),
    path("<uuid:public_id>/attachments/new/", views.attachment_new, name="attachment_new"),
    path("<uuid:public_id>/attachments/<uuid:attachment_id>/", views.attachment, name="attachment"),
    path(
        "<uuid:public_id>/attachments/<uuid:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("<uuid:public_id>/life/", views.life_prep, name="life_prep"),
    path("<uuid:public_id>/problems/new/", views.problem_new, name="problem_new"),
]
