"""档案材料: a member's archive files (PDF and images), checked by content, stored privately.

Files live under ``MEDIA_ROOT/members/`` with random names and are never served by the
web server: ``views.attachment_download`` streams them after ``member_for_user``. The
type is decided by the file's first bytes (its signature), and must agree with the
extension, so a renamed HTML or executable file is refused.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.core.uploads import check_upload
from zhibu.members.models import Attachment, Member

MAX_MB = 10
DATED_IN_FUTURE = _("材料日期不能晚于今天。")


@transaction.atomic
def attachment_add(
    *,
    member: Member,
    kind: str,
    title: str,
    dated: date,
    upload,
    by=None,
    today: date | None = None,
) -> Attachment:
    checked = check_upload(upload, max_mb=MAX_MB)
    if dated > (today or timezone.localdate()):
        raise ValidationError({"dated": DATED_IN_FUTURE})
    attachment = Attachment(
        member=member,
        kind=kind,
        title=title.strip(),
        dated=dated,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    attachment.full_clean(exclude=["file"])
    attachment._history_user = by
    attachment.file.save(upload.name, upload, save=False)
    # If the transaction does not commit, do not leave an orphan file behind.
    name, storage = attachment.file.name, attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by=None) -> None:
    """Remove an archive file; the file itself goes once the deletion is committed."""
    storage, name = attachment.file.storage, attachment.file.name
    attachment._history_user = by
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
