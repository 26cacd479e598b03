from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.versioning import VersionField
from zhibu.notices.models import Channel, Topic


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def _topics(label, *, choices=None) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices if choices is not None else Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _quiet(label) -> forms.TimeField:
    return forms.TimeField(label=label, required=False, widget=TimeInput())


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("渠道类型"), choices=Channel.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=60)
    url = forms.CharField(
        label=_("Webhook 地址"),
        max_length=500,
        help_text=_("从群机器人设置中复制的完整地址；生产环境必须为 https://。"),
    )
    secret = forms.CharField(
        label=_("签名密钥"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "钉钉“加签”密钥或通用 Webhook 的签名密钥，加密保存、不再显示；修改时留空则不变。"
        ),
    )
    topics = _topics(_("推送内容"))
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)
    quiet_start = _quiet(_("免打扰开始"))
    quiet_end = _quiet(_("免打扰结束"))
    version = VersionField()


class PolicyForm(forms.Form):
    topics = _topics(_("允许本组织及下级组织人员接收的提醒"))
    email_allowed = forms.BooleanField(label=_("允许邮件提醒"), required=False)


class PreferenceForm(forms.Form):
    inbox_topics = _topics(_("站内提醒"))
    email_topics = _topics(_("邮件提醒"))
    quiet_start = _quiet(_("免打扰开始"))
    quiet_end = _quiet(_("免打扰结束"))

    def __init__(self, *args, allowed: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v, label) for v, label in Topic.choices if v in allowed]
        self.fields["inbox_topics"].choices = choices  # type: ignore[attr-defined]
        self.fields["email_topics"].choices = choices  # type: ignore[attr-defined]


class AnyTargets(forms.MultipleChoiceField):
    """Org choices shown as checkboxes; whether a posted org is in scope is the service's
    question (it answers with the org's name), not a bare "invalid choice"."""

    def valid_value(self, value) -> bool:
        return True


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}))
    targets = AnyTargets(
        label=_("发送范围"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则发给本组织及全部下级组织。"),
    )
    version = VersionField()

    def __init__(self, *args, target_choices=(), edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["targets"]
        else:
            self.fields["targets"].choices = list(target_choices)  # type: ignore[attr-defined]
