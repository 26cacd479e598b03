"""Photos, sign-in sheets and PDFs: upload, serve, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.core import uploads
from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.meetings import forms, selectors
from zhibu.meetings.models import Attachment
from zhibu.meetings.services import attachments as attachments_services
from zhibu.meetings.views.common import RECORD, VIEW, form_page, meeting_crumbs


@requires(RECORD)
def attachment_new(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    form = forms.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachments_services.attachment_add(
                meeting=meeting,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已上传附件。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("上传照片、签到表")
    return form_page(
        request,
        meeting.org,
        form,
        title,
        meeting_crumbs(meeting, (title, None)),
        reverse("meetings:detail", args=[meeting.public_id]),
        multipart=True,
    )


@requires(VIEW)
def attachment(request: HttpRequest, public_id, attachment_id) -> FileResponse:
    """Serve an attachment to someone who may see its meeting, never from a public URL."""
    meeting = selectors.meeting_for_user(request.user, public_id)
    item = Attachment.objects.filter(meeting=meeting, public_id=attachment_id).first()
    if item is None:
        raise Http404
    return uploads.serve(item.file, content_type=item.content_type, filename=item.original_name)


@requires(RECORD)
@require_POST
def attachment_delete(request: HttpRequest, public_id, attachment_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    item = Attachment.objects.filter(meeting=meeting, public_id=attachment_id).first()
    if item is None:
        raise Http404
    try:
        attachments_services.attachment_delete(attachment=item, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已删除附件。"))
    return redirect("meetings:detail", meeting.public_id)
