from django.urls import path

from zhibu.study import views

app_name = "study"

urlpatterns = [
    path("", views.index, name="index"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/org/<uuid:org_id>/new/", views.course_new, name="course_new"),
    path("courses/<uuid:public_id>/", views.course_detail, name="course_detail"),
    path("courses/<uuid:public_id>/edit/", views.course_edit, name="course_edit"),
    path(
        "courses/<uuid:public_id>/attendance/",
        views.course_attendance,
        name="course_attendance",
    ),
    path("self-study/new/", views.self_study_new, name="self_new"),
    path("self-study/pending/", views.self_study_pending, name="self_pending"),
    path("self-study/<uuid:public_id>/decide/", views.self_study_decide, name="self_decide"),
    path("library/", views.library, name="library"),
    path("library/org/<uuid:org_id>/new/", views.article_new, name="article_new"),
    path("library/<uuid:public_id>/", views.article_detail, name="article"),
    path("library/<uuid:public_id>/edit/", views.article_edit, name="article_edit"),
    path("ledger/org/<uuid:org_id>/", views.ledger, name="ledger"),
    path("ledger/org/<uuid:org_id>.xlsx", views.ledger_export, name="ledger_export"),
    path("calendar/org/<uuid:org_id>/", views.calendar, name="calendar"),
]
