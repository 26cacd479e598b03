"""The strict scope of discipline records (DISC, issue 17): a record reaches only 纪检
roles over its member's org subtree and the 书记 of the deciding organisation — through
every page and the API. Anyone else gets 404: other secretaries, 组织委员, the member's
branch staff, the platform administrators."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.api.models import ApiToken, hash_secret
from zhibu.discipline.models import DisciplineRecord

K = DisciplineRecord.Kind
pytestmark = pytest.mark.django_db
_names = itertools.count()


def token(user) -> str:
    full, prefix, secret = ApiToken.generate()
    ApiToken.objects.create(
        user=user, name="t", prefix=prefix, secret_hash=hash_secret(secret), can_write=True
    )
    return full


def record_pages(record) -> list[str]:
    return [
        reverse("discipline:detail", args=[record.public_id]),
        reverse("discipline:edit", args=[record.public_id]),
        reverse("discipline:appeal", args=[record.public_id]),
        reverse("discipline:pdf", args=[record.public_id]),
    ]


def seen_by(user, records) -> dict:
    """What ``user`` receives of each record: page statuses, the list, the API."""
    client = Client()
    client.force_login(user)
    listing = client.get(reverse("discipline:index"))
    listed = listing.content.decode() if listing.status_code == 200 else ""
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token(user)}"}
    api_list = client.get("/api/v1/discipline-records", **bearer)
    api_ids = (
        {i["id"] for i in api_list.json().get("items", [])}
        if api_list.status_code == 200
        else set()
    )
    out = {}
    for r in records:
        detail = client.get(reverse("discipline:detail", args=[r.public_id]))
        api_get = client.get(f"/api/v1/discipline-records/{r.public_id}", **bearer)
        out[r.pk] = {
            "detail": detail.status_code,
            "api": api_get.status_code,
            "listed": str(r.public_id) in listed,
            "api_listed": str(r.public_id) in api_ids,
            "facts_leak": r.facts in detail.content.decode()
            if detail.status_code != 200
            else False,
        }
    return out


@pytest.fixture
def records(cast, make_record):
    return [
        make_record(cast.ordinary_member, K.PROBATION, org=cast.committee, facts="甲事实"),
        make_record(cast.ordinary_member, K.REMINDER, org=cast.branch1, facts="乙事实"),
        make_record(cast.branch2_member, K.WARNING, org=cast.general_branch, facts="丙事实"),
        make_record(cast.other_member, K.ADMONITION, org=cast.other_committee, facts="丁事实"),
    ]


def expected(grants, record) -> bool:
    """The oracle, written from the rule rather than the code: a 纪检 role at an org
    (not a 党小组) whose subtree holds the member's org, or 书记 of the deciding org."""
    for role, org in grants:
        if org is None:
            continue
        if (
            role == Role.DISCIPLINE
            and org.kind != "group"
            and record.member.org.path.startswith(org.path)
        ):
            return True
        if role == Role.SECRETARY and org.pk == record.deciding_org_id:
            return True
    return False


ROLES = [
    Role.SECRETARY,
    Role.DEPUTY_SECRETARY,
    Role.ORGANIZATION,
    Role.PUBLICITY,
    Role.DISCIPLINE,
    Role.STAFF,
    Role.GROUP_LEADER,
    Role.MEMBER,
]


def test_records_never_reach_a_user_outside_the_strict_scope(cast, records):
    orgs = [
        cast.committee,
        cast.general_branch,
        cast.branch1,
        cast.group1,
        cast.branch2,
        cast.other_committee,
        cast.other_branch,
    ]
    grants_strategy = (
        st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(orgs)), min_size=0, max_size=3)
        | st.just([(Role.SYSTEM_ADMIN, None)])
        | st.just([(Role.AUDIT_ADMIN, None)])
    )

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(grants_strategy)
    def check(grants):
        user = UserFactory(username=f"u{next(_names)}")
        held = []
        for role, org in grants:
            try:
                grant(user, role, org)
            except ValidationError:
                continue  # a combination the role rules refuse (e.g. 党小组长 above a 党小组)
            held.append((role, org))
        seen = seen_by(user, records)
        for record in records:
            got = seen[record.pk]
            if expected(held, record):
                assert got["detail"] == 200 and got["api"] == 200, (grants, record)
                assert got["listed"] and got["api_listed"], (grants, record)
            else:
                assert got["detail"] == 404 and got["api"] == 404, (grants, record)
                assert not got["listed"] and not got["api_listed"], (grants, record)
                assert not got["facts_leak"]

    check()


@pytest.mark.parametrize(
    ("who", "role", "where"),
    [
        ("other secretary", Role.SECRETARY, "branch2"),
        ("组织委员", Role.ORGANIZATION, "committee"),
        ("member's branch staff", Role.STAFF, "branch1"),
        ("member's branch secretary (not deciding)", Role.SECRETARY, "branch1"),
        ("deputy secretary of the deciding org", Role.DEPUTY_SECRETARY, "committee"),
        ("纪检 of another branch", Role.DISCIPLINE, "branch2"),
        ("platform admin", Role.SYSTEM_ADMIN, None),
        ("security admin", Role.SECURITY_ADMIN, None),
        ("audit admin", Role.AUDIT_ADMIN, None),
    ],
)
def test_every_other_role_gets_404(cast, make_record, client, who, role, where):
    record = make_record(cast.ordinary_member, K.PROBATION, org=cast.committee)
    user = UserFactory(username=f"x{next(_names)}")
    grant(user, role, getattr(cast, where) if where else None)
    client.force_login(user)
    for url in record_pages(record):
        assert client.get(url).status_code == 404, (who, url)
    stats = client.get(reverse("discipline:statistics"))
    # A secretary reaches the page (for the decisions of their own org): no counts here.
    assert stats.status_code == 404 or not stats.context["stats"]["rows"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token(user)}"}
    assert client.get(f"/api/v1/discipline-records/{record.public_id}", **bearer).status_code == 404
    response = client.patch(
        f"/api/v1/discipline-records/{record.public_id}",
        '{"facts": "改"}',
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.facts != "改"


def test_deciding_secretary_reads_own_decisions_but_cannot_edit(cast, make_record, client):
    own = make_record(cast.ordinary_member, K.REMINDER, org=cast.branch1)
    theirs = make_record(cast.ordinary_member, K.WARNING, org=cast.committee)
    client.force_login(cast.branch_secretary)
    assert client.get(reverse("discipline:detail", args=[own.public_id])).status_code == 200
    assert client.get(reverse("discipline:detail", args=[theirs.public_id])).status_code == 404
    assert client.get(reverse("discipline:edit", args=[own.public_id])).status_code == 404
    listing = client.get(reverse("discipline:index")).content.decode()
    assert str(own.public_id) in listing and str(theirs.public_id) not in listing


def test_branch_inspector_sees_only_its_branch(cast, disc, records, client):
    client.force_login(disc.branch2_inspector)
    visible = {r.pk for r in records if r.member.org_id == cast.branch2.pk}
    for r in records:
        status = client.get(reverse("discipline:detail", args=[r.public_id])).status_code
        assert status == (200 if r.pk in visible else 404)


def test_anonymous_is_sent_to_login(records, client):
    response = client.get(reverse("discipline:detail", args=[records[0].public_id]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_statistics_show_counts_without_names(cast, disc, records, client):
    client.force_login(disc.inspector)
    page = client.get(reverse("discipline:statistics"))
    body = page.content.decode()
    assert page.status_code == 200
    assert cast.ordinary_member.name not in body and "甲事实" not in body
    stats = page.context["stats"]
    row = next(r for r in stats["rows"] if r["year"] == 2026)
    # committee 纪检: three records in its tree (the other committee's is outside)
    assert row["total"] == 3 and row["cells"] == [1, 1, 1, 0]
