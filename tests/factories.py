"""factory-boy factories for the domain. They go through the services where those
derive data (events, spans, pinyin, blind index), so test data obeys the same rules."""

from __future__ import annotations

import random
from datetime import date

import factory
from django.contrib.auth import get_user_model

from zhibu.accounts.services import role_grant
from zhibu.meetings.services.recording import MeetingInput, meeting_record
from zhibu.members import idnumber
from zhibu.members.services import member_create
from zhibu.orgs import services as org_services
from zhibu.orgs.models import Org, Sector, Unit

_rng = random.Random(20261126)
_codes = iter(range(1, 10**9))


def next_code(prefix: str = "T") -> str:
    return f"{prefix}{next(_codes):05d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "Test-pass-2026")
        if create:
            self.save(update_fields=["password"])


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试单位{n}")
    sector = Sector.STATE_ENTERPRISE


def make_org(
    parent: Org | None,
    kind: str,
    name: str,
    *,
    sector: str = Sector.STATE_ENTERPRISE,
    established_on: date = date(2015, 1, 1),
    units=None,
    code: str | None = None,
) -> Org:
    return org_services.org_create(
        parent=parent,
        kind=kind,
        name=name,
        code=code or next_code(),
        sector=sector,
        established_on=established_on,
        units=units,
    )


def make_member(
    org: Org,
    name: str = "张三",
    *,
    gender: str = "M",
    birth_date: date = date(1988, 5, 17),
    admitted_on: date | None = date(2012, 7, 1),
    full_on: date | None = date(2013, 7, 1),
    group: Org | None = None,
    **fields,
):
    number = fields.pop("id_number", None) or unique_id_number(birth_date, gender)
    return member_create(
        org=org,
        group=group,
        name=name,
        gender=gender,
        birth_date=birth_date,
        id_number=number,
        admitted_on=admitted_on,
        full_on=full_on,
        enrolled_on=fields.pop("enrolled_on", admitted_on),
        **fields,
    )


_issued: set[str] = set()
_REGIONS = tuple(
    f"{city}{district:02d}"
    for city in ("1101", "3101", "2301", "4401")
    for district in range(1, 16)
)


def unique_id_number(birth_date: date, gender: str) -> str:
    """A checksum-valid fake ID number not handed out before in this test run."""
    # 500 sequence numbers per day, region and gender: the fixed birthdays of the shared
    # cast would run out over a full suite, so the region varies too.
    for _attempt in range(10_000):
        region = _rng.choice(_REGIONS)
        number = idnumber.fake(_rng, birth_date=birth_date, gender=gender, region=region)
        if number not in _issued:
            _issued.add(number)
            return number
    raise RuntimeError(f"no unused fake ID number left for {birth_date} {gender}")


def grant(
    user, role: str, org: Org | None, start: date = date(2020, 1, 1), end: date | None = None
):
    return role_grant(user=user, role=role, org=org, start=start, end=end)


# --- organisational life (zhibu.meetings) -------------------------------------------------


def record_meeting(
    org: Org,
    on: date,
    kinds=("branch_assembly",),
    *,
    absent=(),
    leave=(),
    title: str | None = None,
    today: date | None = None,
    **fields,
):
    """A held meeting recorded through the service, everyone on the roster present except
    ``absent`` and ``leave`` (members)."""
    from zhibu.meetings import selectors as meeting_selectors

    absent_ids = {m.pk for m in absent}
    leave_ids = {m.pk for m in leave}
    attendance = {}
    for member in meeting_selectors.roster(org, on, kinds):
        if member.pk in absent_ids:
            attendance[member.pk] = ("absent", "")
        elif member.pk in leave_ids:
            attendance[member.pk] = ("leave", "出差")
        else:
            attendance[member.pk] = ("present", "")
    call = {k: fields.pop(k) for k in ("meeting", "reason", "by") if k in fields}
    data = MeetingInput(
        org=org,
        on=on,
        title=title or f"{on:%Y-%m-%d} 会议",
        kinds=list(kinds),
        attendance=attendance,
        **fields,
    )
    return meeting_record(data=data, today=today or max(on, date(2026, 6, 30)), **call)
