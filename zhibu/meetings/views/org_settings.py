"""An org's organisational-life settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.meetings import forms, selectors
from zhibu.meetings.models import MeetingSettings
from zhibu.meetings.services.org_settings import settings_update
from zhibu.meetings.views.common import RECORD, form_page, org_crumbs


@requires(RECORD)
def org_settings(request: HttpRequest, org_id) -> HttpResponse:
    """Fixed days (the org's own call); lock days and grades only with rules.configure."""
    org = selectors.meeting_org_for_user(request.user, org_id, action=RECORD)
    can_configure = permissions.can(request.user, "rules.configure", org)
    row = MeetingSettings.objects.filter(org=org).first()
    initial = {}
    if row is not None:
        initial = {
            "theme_day": row.theme_day,
            "committee_day": row.committee_day,
            "group_day": row.group_day,
            "lock_days": row.lock_days,
            "review_grades": "、".join(row.review_grades),
        }
    form = forms.SettingsForm(request.POST or None, initial=initial, can_configure=can_configure)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            settings_update(
                org=org,
                theme_day=cd["theme_day"],
                committee_day=cd["committee_day"],
                group_day=cd["group_day"],
                lock_days=cd["lock_days"],
                review_grades=forms.split_tags(cd["review_grades"] or ""),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存组织生活设置。"))
            return redirect("meetings:org", org.public_id)
    title = _("组织生活设置")
    return form_page(
        request,
        org,
        form,
        title,
        org_crumbs(org, (title, None)),
        reverse("meetings:org", args=[org.public_id]),
        effective=selectors.effective_settings(org),
    )
