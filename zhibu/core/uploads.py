"""Uploaded files checked by content and served privately: one mechanism for every app.

A file is accepted when its size is within the limit and its first bytes (its signature)
are those of an allowed type; when it has a name, the extension must agree, so a renamed
HTML or executable file is refused. Stored names are random; the original name is kept
only as data. Files are never served by the web server: ``serve`` streams one after the
caller has checked access, with ``Cache-Control: private, no-store``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

MAX_MB = 10
# MIME type → (signature of the first bytes, extensions accepted for it)
TYPES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}

FILE_REQUIRED = _("请选择要上传的文件。")
FILE_TOO_LARGE = _("文件过大：单个文件不超过 %(mb)s MB。")
FILE_EMPTY = _("文件是空的。")
FILE_TYPE = _("只能上传 PDF、PNG 或 JPG 文件。")
FILE_CONTENT_MISMATCH = _("文件内容与扩展名不符（不是真正的 %(ext)s 文件），请检查后重新上传。")


@dataclass(frozen=True)
class Checked:
    content_type: str
    extension: str  # without the dot, as stored
    original_name: str
    size: int
    sha256: str


def check_upload(upload, *, max_mb: int = MAX_MB, field: str = "file") -> Checked:
    """Check ``upload`` (size, real type, name) and give its facts; raises ValidationError.

    The upload is left at its start and renamed to a random name with the true extension,
    ready for ``FileField.save`` or assignment."""
    if upload is None:
        raise ValidationError({field: FILE_REQUIRED})
    if upload.size == 0:
        raise ValidationError({field: FILE_EMPTY})
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError({field: FILE_TOO_LARGE % {"mb": max_mb}})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    original = PurePath(upload.name or "").name
    extension = PurePath(original).suffix.lower()
    found = next(
        (mime for mime, (signature, _exts) in TYPES.items() if head.startswith(signature)), None
    )
    if extension and not any(extension in exts for _sig, exts in TYPES.values()):
        raise ValidationError({field: FILE_TYPE})
    if found is None:
        if extension:
            raise ValidationError({field: FILE_CONTENT_MISMATCH % {"ext": extension[1:].upper()}})
        raise ValidationError({field: FILE_TYPE})
    if extension and extension not in TYPES[found][1]:
        raise ValidationError({field: FILE_CONTENT_MISMATCH % {"ext": extension[1:].upper()}})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored_extension = TYPES[found][1][0][1:]
    upload.name = f"{secrets.token_hex(16)}.{stored_extension}"
    return Checked(found, stored_extension, original[:200], upload.size, digest.hexdigest())


def serve(field_file, *, content_type: str, filename: str, inline: bool = True) -> FileResponse:
    """Stream a stored file the caller has checked access to; 404 if it has gone.

    Images and PDFs open in the browser when ``inline``; the response is sandboxed and
    never cached."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = inline and (content_type.startswith("image/") or content_type == "application/pdf")
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=filename
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    add_never_cache_headers(response)
    return response
