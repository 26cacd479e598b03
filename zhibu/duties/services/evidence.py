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
    return _store(
        org=org, ref=ref, upload=upload, checked=check_upload(upload, max_mb=MAX_MB), by=by
    )


@transaction.atomic
def evidence_add_many(
    *, org: Org, ref: str, uploads, by=None, field: str = "evidence_files"
) -> list:
    """Attach several files at once: every one is checked before any is stored, so one bad
    file refuses them all (a ValidationError on ``field``) and nothing is written."""
    checked = [(upload, check_upload(upload, max_mb=MAX_MB, field=field)) for upload in uploads]
    stored: list[Evidence] = []
    try:
        for upload, facts in checked:
            stored.append(_store(org=org, ref=ref, upload=upload, checked=facts, by=by))
    except Exception:
        for item in stored:
            item.file.storage.delete(item.file.name)
        raise
    return stored


def _store(*, org: Org, ref: str, upload, checked, by) -> Evidence:
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
