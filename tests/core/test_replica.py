"""Read scaling: with a ``replica`` alias configured, read-only pages read from it and
every write goes to the primary. CI runs this on PostgreSQL with ZHIBU_REPLICA_URL set."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhibu.core.db import ReplicaRouter, replica_reads
from zhibu.orgs.models import Org

# Committed data (transaction=True): the replica is a separate connection, as in production.
pytestmark = [
    pytest.mark.skipif(
        "replica" not in settings.DATABASES, reason="no replica configured (ZHIBU_REPLICA_URL)"
    ),
    pytest.mark.django_db(databases=["default", "replica"], transaction=True),
]


@pytest.fixture(autouse=True)
def _route_reads(settings):
    settings.REPLICA_READS = True


def test_router_sends_reads_in_the_context_to_the_replica_and_writes_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(Org) is None
    with replica_reads():
        assert router.db_for_read(Org) == "replica"
        assert router.db_for_write(Org) == "default"
    assert router.allow_migrate("replica", "orgs") is False


def test_the_cockpit_reads_from_the_replica(cast, login):
    client = login(cast.party_secretary)
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        assert (
            client.get(reverse("insight:cockpit"), {"org": cast.committee.public_id}).status_code
            == 200
        )
        # With a filter the cockpit counts the findings themselves.
        assert (
            client.get(
                reverse("insight:cockpit"), {"org": cast.committee.public_id, "kind": "branch"}
            ).status_code
            == 200
        )
    for table in ("rulebook_findingsummary", "core_finding"):
        assert any(table in q["sql"] for q in replica.captured_queries), table
        assert not any(table in q["sql"] for q in primary.captured_queries), table


def test_pages_that_write_stay_on_the_primary(cast, login):
    client = login(cast.party_secretary)
    with CaptureQueriesContext(connections["replica"]) as replica:
        client.get(reverse("orgs:detail", args=[cast.branch1.public_id]))
    assert replica.captured_queries == []
