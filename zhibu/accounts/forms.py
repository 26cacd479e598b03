from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

LOGIN_INVALID = _("用户名或密码不正确。连续失败 5 次，账号将被锁定 30 分钟。")
LOGIN_INACTIVE = _("该账号已停用，请联系系统管理员。")


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": LOGIN_INVALID, "inactive": LOGIN_INACTIVE}

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
