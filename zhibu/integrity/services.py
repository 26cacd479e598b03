"""Writes of 真实性核查: an inspector's verdict on a flag."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhibu.core.rules.models import Finding
from zhibu.core.versioning import check_version
from zhibu.integrity.models import FlagReview

REASON_REQUIRED = _("标注为“已说明”时必须填写说明理由。")
BAD_STATE = _("核查结论只能是“已核实”或“已说明”。")
REASON_TOO_LONG = _("说明理由不能超过 2000 字。")
NOUN = _("核查结论")


@transaction.atomic
def flag_mark(
    *,
    finding: Finding,
    state: str,
    reason: str = "",
    by,
    version: datetime | None = None,
) -> FlagReview:
    """Record (or change) the verdict on ``finding``: 已核实 (a real problem) or 已说明
    (explained, with a reason). ``version``: the verdict's ``updated_at`` as read; a
    verdict changed since is refused (``STALE``) and nothing is written."""
    reason = (reason or "").strip()
    errors = {}
    if state not in FlagReview.State.values:
        errors["state"] = ValidationError(BAD_STATE, code="invalid")
    elif state == FlagReview.State.EXPLAINED and not reason:
        errors["reason"] = ValidationError(REASON_REQUIRED, code="required")
    if len(reason) > 2000:
        errors["reason"] = ValidationError(REASON_TOO_LONG, code="max_length")
    if errors:
        raise ValidationError(errors)
    key = dict(
        zip(
            ("rule_code", "period_code", "org_id", "subject_type", "subject_id"),
            FlagReview.key_of(finding),
            strict=True,
        )
    )
    review = FlagReview.objects.select_for_update().filter(**key).first()
    if review is None:
        review = FlagReview(**key)
    else:
        check_version(review, version, noun=NOUN)
    review.state, review.reason, review.reviewed_by = state, reason, by
    review._history_user = by  # type: ignore[attr-defined]
    review.full_clean(exclude=["org", "reviewed_by"])
    review.save()
    return review
