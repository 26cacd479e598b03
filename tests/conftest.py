"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("ZHIBU_ENV", "test")


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(
        username="zhangsan", full_name="张三", password="Secret-pass-123"
    )


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client
