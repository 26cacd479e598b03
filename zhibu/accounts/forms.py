from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import throttle
from zhibu.accounts.models import Role
from zhibu.core.audit import client_ip
from zhibu.core.forms import DateInput
from zhibu.core.models import AuditEvent

CODE_INVALID = _(
    "用户名或一次性登录码不正确，或登录码已使用、已过期。请核对通知单，或请党务工作者重新发放。"
)
LOGIN_INVALID = _(
    "用户名或密码不正确。连续失败多次后须等待片刻再试，失败次数过多账号将被暂时锁定。"
)
LOGIN_INACTIVE = _("该账号已停用，请联系系统管理员。")
PASSWORDS_DIFFER = _("两次输入的密码不一致。")
DATE_RANGE_REVERSED = _("起始日期不能晚于截止日期。")


class LoginForm(AuthenticationForm):
    """Django's sign-in form behind the address and account throttles (accounts.throttle)."""

    error_messages = {"invalid_login": LOGIN_INVALID, "inactive": LOGIN_INACTIVE}

    def clean(self):
        ip = client_ip(self.request)
        username = str(self.data.get("username", ""))[:150]
        refused = throttle.refusal(ip=ip, username=username)
        if refused:
            raise forms.ValidationError(refused, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError as exc:
            if getattr(exc, "code", None) == "invalid_login":
                throttle.failed(ip=ip, username=username)
            raise
        throttle.succeeded(username=username)
        return cleaned

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


def _date_field(label, *, required: bool, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), **kwargs)


class _NewPasswordMixin(forms.Form):
    """A new password typed twice; the rules (Django's validators) are the service's job."""

    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),  # lazy
    )
    password_confirm = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", PASSWORDS_DIFFER)
        return cleaned


class UserCreateForm(_NewPasswordMixin):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("登录时使用；字母、数字和 @ . + - _ 。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    field_order = ["username", "full_name", "email", "password", "password_confirm"]


class PasswordSetForm(_NewPasswordMixin):
    pass


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("用户名或姓名"), max_length=100, required=False)


class OrgChoiceField(forms.ModelChoiceField):
    """Orgs in tree order, indented by depth, so the tree reads in a plain select."""

    def label_from_instance(self, obj) -> str:
        indent = "\u3000" * (obj.depth - 1)
        label = f"{indent}{obj.name}（{obj.get_kind_display()}）"
        if obj.dissolved_on is not None:
            label += str(_("（已撤销）"))
        return label


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=[("", "---------"), *Role.choices])
    org = OrgChoiceField(
        label=_("党组织"),
        queryset=None,
        required=False,
        help_text=_("系统、安全、审计管理员是平台角色，不选党组织；其他角色必须选择。"),
    )
    start = _date_field(_("开始日期"), required=True, initial=timezone.localdate)
    end = _date_field(_("结束日期"), required=False, help_text=_("留空表示长期有效"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, orgs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(OrgChoiceField, self.fields["org"]).queryset = orgs


class RoleEndForm(forms.Form):
    end = _date_field(_("结束日期"), required=True, initial=timezone.localdate)


class UnlockForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=255)


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部")), *AuditEvent.Kind.choices], required=False
    )
    actor = forms.CharField(label=_("操作人用户名"), max_length=150, required=False)
    date_from = _date_field(_("起始日期"), required=False)
    date_to = _date_field(_("截止日期"), required=False)
    q = forms.CharField(label=_("摘要包含"), max_length=100, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", DATE_RANGE_REVERSED)
        return cleaned

    def filters(self) -> dict:
        """The valid filters only: a bad field is reported and ignored, not guessed at."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        help_text=_("身份验证器应用中的 6 位数字，或一个恢复码。"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "text"}
        ),
    )


class CodeSignInForm(forms.Form):
    """First sign-in with the one-time code from the distribution sheet, behind the same
    throttles and lockout as the password form (accounts.throttle, django-axes)."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("一次性登录码"),
        max_length=40,
        help_text=_("见党组织发给您的账号通知单，例如 ABCD-EFGH-JKMN；只能使用一次。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def __init__(self, request=None, *args, **kwargs) -> None:
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        ip = client_ip(self.request)
        username = str(self.data.get("username", ""))[:150]
        refused = throttle.refusal(ip=ip, username=username)
        if refused:
            raise forms.ValidationError(refused, code="throttled")
        if self.errors:
            return cleaned
        user = authenticate(
            self.request, username=cleaned["username"], sign_in_code=cleaned["code"]
        )
        if user is None:
            throttle.failed(ip=ip, username=username)
            raise forms.ValidationError(CODE_INVALID, code="invalid_login")
        throttle.succeeded(username=username)
        self.user_cache = user
        return cleaned

    def get_user(self):
        return self.user_cache
