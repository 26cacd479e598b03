"""Shared fixtures for the whole suite, including STYLE.md's fixture cast:

集团党委 (committee)                  ← party_secretary (书记, whole tree)
  └ 第一党总支 (general branch)
      ├ 第一党支部 (branch)           ← branch_secretary (书记), ordinary (党员)
      │   └ 第一党小组 (group)
      └ 第二党支部 (branch)
兄弟党委 (another committee)          ← outsider (书记 there)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import pytest

os.environ.setdefault("ZHIBU_ENV", "test")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty local cache: the cockpit caches its matrix under ids
    that a later test's fresh database can reuse."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _refresh_on_save(request):
    """Saving a meeting or a step re-judges its findings as of the real today. Most tests
    judge periods as of a day of their own with ``rules_run``, so that is paused unless a
    test is marked ``refresh_on_save`` (browser tests' servers run it anyway: their
    threads do not share this context)."""
    if request.node.get_closest_marker("refresh_on_save"):
        yield
        return
    from zhibu.rulebook.run import refresh_paused

    with refresh_paused():
        yield


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(
        username="zhangsan", full_name="张三", password="Secret-pass-123"
    )


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@dataclass
class Cast:
    committee: object
    general_branch: object
    branch1: object
    group1: object
    branch2: object
    other_committee: object
    other_branch: object
    party_secretary: object
    branch_secretary: object
    ordinary: object
    outsider: object
    secretary_member: object  # the member record of branch1's secretary
    ordinary_member: object
    branch2_member: object
    other_member: object


@pytest.fixture
def cast(db):
    from tests.factories import UserFactory, grant, make_member, make_org
    from zhibu.accounts.models import Role
    from zhibu.committees.services import post_assign
    from zhibu.orgs.models import Org

    committee = make_org(None, Org.Kind.COMMITTEE, "集团党委", code="JT")
    general = make_org(committee, Org.Kind.GENERAL_BRANCH, "第一党总支", code="ZZ1")
    branch1 = make_org(general, Org.Kind.BRANCH, "第一党支部", code="ZB1")
    group1 = make_org(branch1, Org.Kind.GROUP, "第一党小组", code="XZ1")
    branch2 = make_org(general, Org.Kind.BRANCH, "第二党支部", code="ZB2")
    other = make_org(None, Org.Kind.COMMITTEE, "兄弟党委", code="XD")
    other_branch = make_org(other, Org.Kind.BRANCH, "兄弟党支部", code="XDZB")

    secretary_member = make_member(branch1, "李书记", birth_date=date(1980, 1, 15), group=group1)
    ordinary_member = make_member(branch1, "王党员", gender="F", birth_date=date(1992, 9, 3))
    branch2_member = make_member(branch2, "赵党员", birth_date=date(1985, 2, 20))
    other_member = make_member(other_branch, "钱党员", birth_date=date(1979, 11, 30))
    post_assign(org=branch1, post="secretary", holder=secretary_member, start=date(2021, 3, 1))

    party_secretary = UserFactory(username="dangwei", full_name="党委书记")
    branch_secretary = UserFactory(username="zhibu1", full_name="李书记")
    ordinary = UserFactory(username="dangyuan", full_name="王党员")
    outsider = UserFactory(username="waibu", full_name="外单位书记")
    grant(party_secretary, Role.SECRETARY, committee)
    grant(branch_secretary, Role.SECRETARY, branch1)
    grant(ordinary, Role.MEMBER, branch1)
    grant(outsider, Role.SECRETARY, other)
    secretary_member.user = branch_secretary
    secretary_member.save(update_fields=["user"])
    ordinary_member.user = ordinary
    ordinary_member.save(update_fields=["user"])
    return Cast(
        committee=committee,
        general_branch=general,
        branch1=branch1,
        group1=group1,
        branch2=branch2,
        other_committee=other,
        other_branch=other_branch,
        party_secretary=party_secretary,
        branch_secretary=branch_secretary,
        ordinary=ordinary,
        outsider=outsider,
        secretary_member=secretary_member,
        ordinary_member=ordinary_member,
        branch2_member=branch2_member,
        other_member=other_member,
    )


@pytest.fixture
def login(client):
    """login(user) signs the test client in as ``user`` and returns the client."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Drop the audit table's append-only triggers in the test database: test isolation
    flushes every table. ``tests/core/test_audit.py`` reinstalls them where it tests them.

    At the end, close this thread's connection of every alias (the replica alias mirrors
    the test database) before pytest-django drops the test database."""
    from django.db import connection, connections

    from zhibu.core import dbguard

    with django_db_blocker.unblock():
        dbguard.uninstall(connection)
    yield
    connections.close_all()


@pytest.fixture(autouse=True)
def _audit_anchors_in_tmp(settings, tmp_path):
    """`tick` anchors the audit chain in a file: each test gets its own, never var/'s."""
    settings.ZHIBU_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors" / "audit-anchors.log")


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploaded files go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
