"""The demo enterprise loaded by ``manage.py demo_data`` (and ``make demo``).

市热力集团有限公司党委, a city heating group (国有企业): 3 党总支, 12 党支部 (one 联合党支部,
three with 党小组), about 300 synthetic members, committees with terms, 定点联系 and one
login per role (``DEMO_LOGINS``, the list the README and ``make demo`` print).

Deterministic by seed: the same seed gives the same people, numbers and dates, where dates
are counted back from the demo's today so the seeded gaps (``org.SEEDED_GAPS``) stay true
whenever the demo is built. Idempotent: once the 党委 (code ``RLJT``) exists, a run only
re-creates missing logins. Each step is a module; later steps (meetings, development
cases, ...) add a module and a line to ``build``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhibu.demo import committees, org, roster, users
from zhibu.demo.logins import DEMO_LOGINS, ROOT_CODE, DemoLogin
from zhibu.demo.state import Demo
from zhibu.orgs.models import Org

__all__ = ["COUNTS", "DEMO_LOGINS", "DemoLogin", "build"]

# What ``build`` reports, in this order.
COUNTS = ("units", "orgs", "members", "member_events", "committees", "posts", "linkages",
          "users", "assignments")  # fmt: skip


@transaction.atomic
def build(*, seed: int = 2026, today: date | None = None) -> dict[str, int]:
    """Create the demo if absent; return counts of what was created (all zero when present)."""
    demo = Demo(seed=seed, today=today or timezone.localdate())
    if not Org.objects.filter(code=ROOT_CODE).exists():
        org.create_tree(demo)
        roster.plan_roster(demo)
        plan = committees.plan_committees(demo)  # also gives secretaries their job titles
        roster.write_members(demo)
        committees.write_committees(demo, plan)
        roster.record_departures(demo)
    demo.counts.update(users.ensure_users(demo.today))
    return {name: demo.counts[name] for name in COUNTS}
