from django.contrib.auth import views as auth_views
from django.urls import path

from zhibu.accounts import views
from zhibu.core.access import login_only, public

urlpatterns = [
    path("login/", public(views.LoginView.as_view()), name="login"),
    path("first-sign-in/", public(views.CodeSignInView.as_view()), name="code_sign_in"),
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
urlpatterns += [
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/codes/", views.two_factor_codes, name="two_factor_codes"),
    path("two-factor/remove/", views.two_factor_remove, name="two_factor_remove"),
    path("security/", views.account_security, name="account_security"),
    path(
        "security/sessions/<uuid:public_id>/end/",
        views.session_revoke,
        name="session_revoke",
    ),
    path(
        "security/sessions/end-others/",
        views.sessions_revoke_others,
        name="sessions_revoke_others",
    ),
]
