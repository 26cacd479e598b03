"""The user's own API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhibu.api.models import ApiToken, hash_secret
from zhibu.core.access import login_only
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent

EXPIRY_CHOICES = [
    ("30", gettext_lazy("30 天")),
    ("90", gettext_lazy("90 天")),
    ("365", gettext_lazy("1 年")),
    ("", gettext_lazy("不过期")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("用途"), max_length=100, help_text=gettext_lazy("如“人力资源系统同步”")
    )
    can_write = forms.BooleanField(label=gettext_lazy("允许修改数据"), required=False)
    expires = forms.ChoiceField(
        label=gettext_lazy("有效期"), choices=EXPIRY_CHOICES, required=False, initial="90"
    )


@login_only
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    shown = None
    if request.method == "POST" and form.is_valid():
        full, prefix, secret = ApiToken.generate()
        days = form.cleaned_data["expires"]
        token = ApiToken.objects.create(
            user=request.user,
            name=form.cleaned_data["name"],
            prefix=prefix,
            secret_hash=hash_secret(secret),
            can_write=form.cleaned_data["can_write"],
            expires_at=timezone.now() + timedelta(days=int(days)) if days else None,
        )
        audit_record(
            kind=AuditEvent.Kind.USER_CHANGED,
            summary=f"{request.user.username} 创建访问令牌 {token.name}（{prefix}）",
            request=request,
            obj=token,
        )
        shown = full
        form = TokenForm()
    context = {
        "form": form,
        "shown": shown,
        "tokens": ApiToken.objects.filter(user=request.user),
        "page_title": _("访问令牌"),
        "breadcrumbs": [(_("访问令牌"), None)],
    }
    return render(request, "api/tokens.html", context)


@login_only
@require_POST
def revoke(request: HttpRequest, public_id) -> HttpResponse:
    token = ApiToken.objects.filter(
        user=request.user, public_id=public_id, revoked_at__isnull=True
    ).first()
    if token is None:
        raise Http404
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        kind=AuditEvent.Kind.USER_CHANGED,
        summary=f"{request.user.username} 吊销访问令牌 {token.name}（{token.prefix}）",
        request=request,
        obj=token,
    )
    messages.success(request, _("已吊销。"))
    return redirect("api_tokens:tokens")
