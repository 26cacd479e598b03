"""Photos, sign-in sheets and PDFs attached to a meeting."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhibu.core.uploads import check_upload
from zhibu.meetings.models import Attachment, Meeting
from zhibu.meetings.services.locking import lock_state

ATTACHMENT_LOCKED = _("会议记录已锁定，不能删除附件。")
ATTACHMENT_MAX_MB = 10


@transaction.atomic
def attachment_add(
    *, meeting: Meeting, upload, kind: str = Attachment.Kind.PHOTO, by=None
) -> Attachment:
    """Store an upload after checking its size and its real type (magic bytes, not the name)."""
    checked = check_upload(upload, max_mb=ATTACHMENT_MAX_MB)
    return Attachment.objects.create(
        meeting=meeting,
        kind=kind,
        file=upload,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by=None, today: date | None = None) -> None:
    locked, _day = lock_state(attachment.meeting, today)
    if locked:
        raise ValidationError(ATTACHMENT_LOCKED)
    attachment.file.delete(save=False)
    attachment.delete()
