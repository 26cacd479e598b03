"""Fixtures of the member tests: private media in a temporary directory, a read-only user."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_media(private_media):
    """Every member test keeps uploads (archive, import workbooks) in a throw-away place."""
    return private_media


@pytest.fixture
def inspector(cast):
    """A 纪检委员 of the committee: may view the roster, may change nothing."""
    from tests.factories import UserFactory, grant
    from zhibu.accounts.models import Role

    user = UserFactory(username="jijian", full_name="纪检委员")
    grant(user, Role.DISCIPLINE, cast.committee)
    return user
