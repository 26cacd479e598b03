from django.urls import path

from zhibu.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("new/", views.review_new, name="new"),
    path("organise/<uuid:org_id>/", views.organise, name="organise"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/record-grade/", views.record_grade, name="record_grade"),
    path("<uuid:public_id>/remark/", views.remark, name="remark"),
    path("<uuid:public_id>/finish/", views.finish, name="finish"),
    path("<uuid:public_id>/rectification/", views.rectification_add, name="rectification"),
    path("<uuid:public_id>/pdf/", views.pdf, name="pdf"),
    path("<uuid:public_id>/grade/", views.grade, name="grade"),
    # 三诺一评 (EDU-04)
    path("promises/", views.promises, name="promises"),
    path("promises/<uuid:public_id>/evaluate/", views.promise_evaluate, name="promise_evaluate"),
    path("me/promise/", views.my_promise, name="my_promise"),
    path("me/promise/note/", views.my_note, name="my_note"),
]
