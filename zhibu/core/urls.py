from django.urls import path

from zhibu.core import calendar_views

app_name = "core"

urlpatterns = [
    path("", calendar_views.calendar, name="calendar"),
    path("<str:day>/delete/", calendar_views.calendar_delete, name="calendar_delete"),
]
