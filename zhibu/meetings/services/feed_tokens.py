"""Calendar feed tokens."""

from __future__ import annotations

import secrets

from django.db import transaction

from zhibu.meetings.models import FeedToken


@transaction.atomic
def feed_token_reset(*, user) -> FeedToken:
    """A new unguessable token (the old feed URLs stop working)."""
    token, _created = FeedToken.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    if not _created:
        token.token = secrets.token_urlsafe(32)
        token.save(update_fields=["token"])
    return token
