"""Photos, sign-in sheets and PDFs attached to a meeting."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhibu.meetings.models import Attachment, Meeting
from zhibu.meetings.services.locking import lock_state

ATTACHMENT_TOO_LARGE = _("文件过大：最大 %(mb)s MB。")
ATTACHMENT_TYPE = _("只能上传 JPG、PNG 图片或 PDF 文件。")
ATTACHMENT_LOCKED = _("会议记录已锁定，不能删除附件。")
ATTACHMENT_MAX_MB = 10
ATTACHMENT_TYPES = {  # magic bytes → (content type, extension)
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"%PDF-": ("application/pdf", "pdf"),
}


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, kind in ATTACHMENT_TYPES.items():
        if head.startswith(magic):
            return kind
    return None


@transaction.atomic
def attachment_add(
    *, meeting: Meeting, upload, kind: str = Attachment.Kind.PHOTO, by=None
) -> Attachment:
    """Store an upload after checking its size and its real type (magic bytes, not the name)."""
    if upload.size > ATTACHMENT_MAX_MB * 1024 * 1024:
        raise ValidationError({"file": ATTACHMENT_TOO_LARGE % {"mb": ATTACHMENT_MAX_MB}})
    upload.seek(0)
    found = sniff(upload.read(16))
    if found is None:
        raise ValidationError({"file": ATTACHMENT_TYPE})
    content_type, extension = found
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original = upload.name or ""
    # The stored name is random: the original name is kept only as data, never as a path.
    upload.name = f"{secrets.token_hex(16)}.{extension}"
    return Attachment.objects.create(
        meeting=meeting,
        kind=kind,
        file=upload,
        original_name=original[:200],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by=None, today: date | None = None) -> None:
    locked, _day = lock_state(attachment.meeting, today)
    if locked:
        raise ValidationError(ATTACHMENT_LOCKED)
    attachment.file.delete(save=False)
    attachment.delete()
