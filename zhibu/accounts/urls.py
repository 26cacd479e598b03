from django.contrib.auth import views as auth_views
from django.urls import path

from zhibu.accounts import views
from zhibu.core.access import login_only, public

urlpatterns = [
    path("login/", public(views.LoginView.as_view()), name="login"),
    path("logout/", login_only(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password/",
        login_only(views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/done/",
        login_only(
            auth_views.PasswordChangeDoneView.as_view(
                template_name="registration/password_change_done.html"
            )
        ),
        name="password_change_done",
    ),
]
