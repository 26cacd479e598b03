"""What the build steps share: the seed, the demo's today, what has been written so far."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from zhibu.demo.people import Person
from zhibu.orgs.models import Org, Unit


@dataclass
class Demo:
    seed: int
    today: date
    units: dict[str, Unit] = field(default_factory=dict)  # by key of org.UNITS
    orgs: dict[str, Org] = field(default_factory=dict)  # by org code
    people: dict[str, list[Person]] = field(default_factory=dict)  # by branch code
    key_people: dict[str, Person] = field(default_factory=dict)  # by key
    taken_ids: set[str] = field(default_factory=set)
    counts: Counter = field(default_factory=Counter)

    def rng(self, stream: str) -> random.Random:
        """An independent, seeded stream per concern: editing one step leaves the others alone."""
        return random.Random(f"{self.seed}:{stream}")

    def everyone(self) -> list[Person]:
        return [person for people in self.people.values() for person in people]
