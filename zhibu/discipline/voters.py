"""Voting rights (VOTE-01, DISC-04), the one place that combines their two sources:
the roster's full members on the day (``zhibu.members.selectors``: 预备党员 have no vote)
minus the members whose vote a discipline record suspends (留党察看,
``zhibu.discipline.restrictions``). Discipline records are the only source of sanctions;
the members layer below knows nothing of them.

``voters_on`` answers for one org and day (a queryset), ``assembly_roll`` also names the
restriction of each member left out, and ``voter_roll`` holds many orgs and days at once
for rules re-tallying votes over a period; all three agree on every day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from zhibu.discipline.restrictions import (
    Restriction,
    vote_bar_spans,
    vote_barred,
    vote_barred_ids,
)
from zhibu.members.models import Member
from zhibu.members.selectors import (
    SpanRoll,
    full_member_roll,
    full_member_spans,
    full_members_on,
    ids_for_in,
    running,
)


def voters_on(org, day: date) -> QuerySet[Member]:
    """Members with voting rights at ``org`` on ``day``: one query when evaluated."""
    return full_members_on(org, day).exclude(pk__in=vote_barred_ids(day))


def assembly_roll(org, day: date) -> tuple[set[int], dict[int, Restriction]]:
    """(ids of the members with a vote at ``org`` on ``day``, {id: restriction} of the
    full members left out by a discipline record): two queries."""
    roll = set(full_members_on(org, day).values_list("pk", flat=True))
    barred = vote_barred(roll, day)
    return roll - set(barred), barred


@dataclass(frozen=True)
class VoterRoll:
    """Voting rights at some orgs over a period, held in memory: ``on(org_id, day)`` gives
    the same members as ``voters_on`` would (the org's own roll, not a 党小组's)."""

    roll: SpanRoll
    bars: Mapping[int, list[tuple[date, date | None]]]

    def barred(self, member_id: int, day: date) -> bool:
        """Whether a discipline record suspends ``member_id``'s vote on ``day``."""
        return any(running(start, end, day) for start, end in self.bars.get(member_id, ()))

    def on(self, org_id: int, day: date) -> set[int]:
        return {m for m in self.roll.on(org_id, day) if not self.barred(m, day)}


def voter_roll(*, org_ids: Iterable[int], start: date, end: date) -> VoterRoll:
    """The voting rights at ``org_ids`` on any day in [start, end): two queries. The bars
    cover the members on those rolls in the period and those now at ``org_ids`` (committee
    members are asked with ``VoterRoll.barred``)."""
    org_ids = ids_for_in(org_ids)
    roll = full_member_roll(org_ids=org_ids, start=start, end=end)
    members = full_member_spans(org_ids=org_ids, start=start, end=end).values("member")
    bars = vote_bar_spans(org_ids=org_ids, start=start, end=end, member_ids=members)
    return VoterRoll(roll, bars)
