"""Fixtures of the member tests: private media in a temporary directory, a read-only user."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded files (archive, import workbooks) go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def inspector(cast):
    """A 纪检委员 of the committee: may view the roster, may change nothing."""
    from tests.factories import UserFactory, grant
    from zhibu.accounts.models import Role

    user = UserFactory(username="jijian", full_name="纪检委员")
    grant(user, Role.DISCIPLINE, cast.committee)
    return user
