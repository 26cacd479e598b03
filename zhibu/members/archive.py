"""档案材料: a member's archive files (PDF and images), checked by content, stored privately.

Files live under ``MEDIA_ROOT/members/`` with random names and are never served by the
web server: ``views.attachment_download`` streams them after ``member_for_user``. The
type is decided by the file's first bytes (its signature), and must agree with the
extension, so a renamed HTML or executable file is refused.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.members.models import Attachment, Member

MAX_BYTES = 10 * 1024 * 1024
# extension → (MIME type, signature of the first bytes)
TYPES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
}

FILE_REQUIRED = _("请选择要上传的文件。")
FILE_TOO_LARGE = _("文件过大：单个文件不超过 %(mb)s MB。")
FILE_EMPTY = _("文件是空的。")
FILE_TYPE = _("只能上传 PDF、PNG 或 JPG 文件。")
FILE_CONTENT_MISMATCH = _("文件内容与扩展名不符（不是真正的 %(ext)s 文件），请检查后重新上传。")
DATED_IN_FUTURE = _("材料日期不能晚于今天。")


def sniff(upload) -> str:
    """The MIME type of ``upload`` judged by its name *and* first bytes; raises otherwise."""
    if upload is None:
        raise ValidationError({"file": FILE_REQUIRED})
    if upload.size == 0:
        raise ValidationError({"file": FILE_EMPTY})
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": FILE_TOO_LARGE % {"mb": MAX_BYTES // (1024 * 1024)}})
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in TYPES:
        raise ValidationError({"file": FILE_TYPE})
    mime, signature = TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(signature):
        raise ValidationError({"file": FILE_CONTENT_MISMATCH % {"ext": extension[1:].upper()}})
    return mime


def _digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


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
    mime = sniff(upload)
    if dated > (today or timezone.localdate()):
        raise ValidationError({"dated": DATED_IN_FUTURE})
    attachment = Attachment(
        member=member,
        kind=kind,
        title=title.strip(),
        dated=dated,
        original_name=PurePath(upload.name).name[:200],
        content_type=mime,
        size=upload.size,
        sha256=_digest(upload),
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
