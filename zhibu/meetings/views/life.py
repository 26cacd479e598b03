"""组织生活会: preparation and the criticism record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.meetings import forms, selectors
from zhibu.meetings.models import LifeMeetingPrep, MeetingKind
from zhibu.meetings.services.life import life_prep_update
from zhibu.meetings.views.common import RECORD, form_page, meeting_crumbs


@requires(RECORD)
def life_prep(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    if MeetingKind.LIFE_MEETING not in meeting.kinds:
        raise Http404
    prep = LifeMeetingPrep.objects.filter(meeting=meeting).first()
    fields = (
        "study_done",
        "study_note",
        "talks_done",
        "talks_note",
        "opinions_collected",
        "opinions_count",
        "opinions_note",
        "criticism_notes",
    )
    form = forms.LifePrepForm(
        request.POST or None, initial={f: getattr(prep, f) for f in fields} if prep else None
    )
    if request.method == "POST" and form.is_valid():
        cd = dict(form.cleaned_data)
        reason = cd.pop("reason")
        try:
            life_prep_update(meeting=meeting, by=request.user, reason=reason, **cd)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("会前准备和批评与自我批评")
    return form_page(
        request,
        meeting.org,
        form,
        title,
        meeting_crumbs(meeting, (title, None)),
        reverse("meetings:detail", args=[meeting.public_id]),
    )
