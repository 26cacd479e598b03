"""Downloading an evidence file, only within scope."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest

from zhibu.core import uploads
from zhibu.core.access import requires
from zhibu.duties.selectors.evidence import VIEW, evidence_for_user


@requires(VIEW)
def download(request: HttpRequest, public_id) -> FileResponse:
    item = evidence_for_user(request.user, public_id)
    return uploads.serve(item.file, content_type=item.content_type, filename=item.original_name)
