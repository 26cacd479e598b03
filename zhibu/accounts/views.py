"""Sign-in pages. Lockout after failed attempts is django-axes' job (see settings)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from zhibu.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
