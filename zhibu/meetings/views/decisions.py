"""Recording a vote."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.meetings import forms, selectors
from zhibu.meetings.models import Decision
from zhibu.meetings.services.decisions import (
    decision_body,
    decision_record,
    entitled_and_present,
    excluded_voters,
)
from zhibu.meetings.views.common import RECORD, form_page, meeting_crumbs


@requires(RECORD)
def decision_new(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = dict(form.cleaned_data)
        cd.pop("passed")
        try:
            decision_record(meeting=meeting, passed=form.claimed(), by=request.user, **cd)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记表决结果。"))
            return redirect("meetings:detail", meeting.public_id)
    body = None
    with contextlib.suppress(ValidationError):
        body = decision_body(meeting)
    # A planned meeting shows the roll on its date too, so a pending vote shows who has
    # no vote (DISC-04) before it is held.
    entitled, present = entitled_and_present(meeting, body) if body else (None, None)
    excluded = excluded_voters(meeting) if body == Decision.Body.ASSEMBLY else []
    title = _("登记表决")
    return form_page(
        request,
        meeting.org,
        form,
        title,
        meeting_crumbs(meeting, (title, None)),
        reverse("meetings:detail", args=[meeting.public_id]),
        entitled=entitled,
        present=present,
        excluded=excluded,
        held=meeting.is_held,
    )
