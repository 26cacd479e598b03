"""Each administrator's pages: their owners only; anonymous → login; everyone else → 403.

三员分立: the system administrator keeps accounts, the security administrator grants
platform roles, party leads (here the 党委书记) grant business roles in their scope.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhibu.accounts.models import RoleAssignment, User
from zhibu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ALL_USERS = ["party_secretary", "branch_secretary", "ordinary", "system", "security", "audit"]


def _target(cast):
    return cast.ordinary


def _assignment(cast):
    return RoleAssignment.objects.get(user=cast.ordinary)


VIEWERS = ("system", "security", "party_secretary")  # "user.view"
GRANTERS = ("security", "party_secretary")  # "role.grant"

# (url name, args from the cast, method, who may call it)
PAGES = [
    ("users", lambda c: [], "get", VIEWERS),
    ("user_create", lambda c: [], "get", ("system",)),
    ("user_create", lambda c: [], "post", ("system",)),
    ("user_detail", lambda c: [_target(c).public_id], "get", VIEWERS),
    ("user_set_active", lambda c: [_target(c).public_id], "post", ("system",)),
    ("user_password", lambda c: [_target(c).public_id], "get", VIEWERS),
    ("user_password", lambda c: [_target(c).public_id], "post", VIEWERS),
    ("role_grant", lambda c: [_target(c).public_id], "get", GRANTERS),
    ("role_grant", lambda c: [_target(c).public_id], "post", GRANTERS),
    ("role_end", lambda c: [_assignment(c).public_id], "get", GRANTERS),
    ("role_end", lambda c: [_assignment(c).public_id], "post", GRANTERS),
    ("lockouts", lambda c: [], "get", ("security",)),
    ("unlock", lambda c: [], "post", ("security",)),
    ("audit", lambda c: [], "get", ("audit",)),
    ("audit_verify", lambda c: [], "post", ("audit",)),
]
IDS = [f"{method}-{name}" for name, _, method, _ in PAGES]

# Valid input for the write pages, so a refusal cannot be mistaken for bad input.
POST_DATA = {
    "user_create": {
        "username": "xinyonghu",
        "full_name": "新用户",
        "password": "Xin-yonghu-2026",
        "password_confirm": "Xin-yonghu-2026",
    },
    "user_set_active": {"active": "0"},
    "user_password": {"password": "Linshi-mima-2026", "password_confirm": "Linshi-mima-2026"},
    "role_grant": {"role": "member", "org": "", "start": "2026-01-01"},
    "role_end": {"end": "2026-01-01"},
    "unlock": {"username": "dangyuan"},
}


def _person(cast, admins, who):
    return getattr(admins, who) if hasattr(admins, who) else getattr(cast, who)


def _request(client, method, url, name):
    if method == "post":
        return client.post(url, POST_DATA.get(name, {}))
    return client.get(url)


def _snapshot():
    return (
        AuditEvent.objects.count(),
        RoleAssignment.objects.count(),
        list(User.objects.order_by("pk").values_list("pk", "is_active", "password")),
    )


@pytest.mark.parametrize(("name", "args", "method", "owner"), PAGES, ids=IDS)
def test_anonymous_users_are_sent_to_login(client, cast, admins, name, args, method, owner):
    response = _request(client, method, reverse(f"accounts:{name}", args=args(cast)), name)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


OTHERS = [(*page, who) for page in PAGES for who in ALL_USERS if who not in page[3]]


@pytest.mark.parametrize(
    ("name", "args", "method", "owner", "who"),
    OTHERS,
    ids=[f"{who}-{method}-{name}" for name, _, method, _, who in OTHERS],
)
def test_everyone_but_the_owning_administrator_is_refused(
    cast, admins, login, name, args, method, owner, who
):
    url = reverse(f"accounts:{name}", args=args(cast))
    client = login(_person(cast, admins, who))  # signing in writes its own audit event
    before = _snapshot()
    response = _request(client, method, url, name)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("owner", "names"),
    [("system", {"users"}), ("security", {"users", "lockouts"}), ("audit", {"audit"})],
)
def test_each_administrator_finds_their_pages_in_the_sidebar(cast, admins, login, owner, names):
    body = login(getattr(admins, owner)).get(reverse("home")).content.decode()
    hrefs = {n: reverse(f"accounts:{n}") for n in ("users", "lockouts", "audit")}
    assert {n for n, href in hrefs.items() if f'href="{href}"' in body} == names
