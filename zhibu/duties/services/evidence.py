"""Evidence files (佐证材料) for every duties record: checked by content, stored privately."""

from __future__ import annotations

from django.db import transaction

from zhibu.core.uploads import check_upload
from zhibu.duties.models import Evidence
from zhibu.orgs.models import Org

MAX_MB = 10


def ref_of(kind: str, record) -> str:
    """How an evidence file names the record it belongs to: ``"<kind>:<public id>"``."""
    return f"{kind}:{record.public_id}"


@transaction.atomic
def evidence_add(*, org: Org, ref: str, upload, by=None) -> Evidence:
    """Attach ``upload`` to the record named by ``ref`` (see ``ref_of``).

    Refused with a ValidationError on ``file`` (nothing stored) when it is too large or not
    really a PDF, PNG or JPG."""
    checked = check_upload(upload, max_mb=MAX_MB)
    item = Evidence(
        org=org,
        ref=ref,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    item.file.save(upload.name, upload, save=False)
    # If the row cannot be written, do not leave an orphan file behind.
    name, storage = item.file.name, item.file.storage
    try:
        item.save()
    except Exception:
        storage.delete(name)
        raise
    return item
