"""Members who can sign in (issue 13): accounts in bulk from the roster, a one-time code on
a distribution sheet, forced password change, deactivation when the member leaves."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.pdfs import pdf_text
from zhibu.accounts import signin_codes
from zhibu.accounts.forms import CODE_INVALID
from zhibu.accounts.models import Role, RoleAssignment, SignInCode, User
from zhibu.core.models import AuditEvent
from zhibu.members import accounts
from zhibu.members.models import Member, MemberEvent
from zhibu.members.services import member_record_event

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}")
NEW_PASSWORD = "Dangyuan-Xin-2026q"


def sheet_codes(content: bytes, usernames) -> dict[str, str]:
    """{username: code} read back from the distribution sheet (text without spaces)."""
    _reader, text = pdf_text(content)
    found = {}
    for username in usernames:
        at = text.find(username)
        match = CODE.search(text, at + len(username)) if at >= 0 else None
        if match and match.start() == at + len(username):
            found[username] = match.group(0)
    return found


def issue_on_page(client, org, **extra):
    return client.post(reverse("members:accounts"), {"org": str(org.public_id), **extra})


def test_the_page_lists_states_and_issues_accounts_with_a_sheet(cast, login):
    client = login(cast.branch_secretary)
    page = client.get(reverse("members:accounts"), {"org": str(cast.branch1.public_id)})
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "王党员" in text and "李书记" in text and "<td>未开通</td>" not in text
    )  # both have accounts
    extra = accounts_member(cast)
    page = client.get(reverse("members:accounts"), {"org": str(cast.branch1.public_id)})
    assert "<td>未开通</td>" in page.content.decode()
    response = issue_on_page(client, cast.branch1)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    extra.refresh_from_db()
    codes = sheet_codes(response.content, [extra.user.username])
    assert len(CODE.findall(pdf_text(response.content)[1])) == 1  # only the new account
    assert extra.user is not None and list(codes) == [extra.user.username]
    assert extra.user.full_name == extra.name and not extra.user.has_usable_password()
    assert RoleAssignment.objects.filter(
        user=extra.user, role=Role.MEMBER, org=cast.branch1
    ).exists()
    stored = SignInCode.objects.get(user=extra.user)
    plain = codes[extra.user.username]
    assert plain.replace("-", "") not in stored.code_hash and stored.used_at is None
    assert stored.expires_at > timezone.now() + timedelta(days=13)
    assert AuditEvent.objects.filter(summary__contains="开通账号").exists()
    # Nothing left to do: a Chinese refusal, no second sheet.
    again = issue_on_page(client, cast.branch1)
    assert again.status_code == 302
    page = client.get(again["Location"])
    assert str(accounts.NOTHING_TO_ISSUE) in page.content.decode()


def accounts_member(cast, name="孙党员", org=None):
    from tests.factories import make_member

    return make_member(org or cast.branch1, name, birth_date=date(1990, 5, 6))


def test_first_sign_in_with_the_code_forces_a_new_password_and_is_single_use(cast, login):
    member = accounts_member(cast)
    issued = accounts.accounts_issue(members=[member], by=cast.branch_secretary)
    username, code = issued[0].username, signin_codes.shown(issued[0].code)
    visitor = Client()
    signed = visitor.post(reverse("code_sign_in"), {"username": username, "code": code.lower()})
    assert signed.status_code == 302 and signed["Location"] == reverse("password_change")
    # Anything else sends them back to choose a password first.
    assert visitor.get("/")["Location"] == reverse("password_change")
    form = visitor.get(reverse("password_change")).content.decode()
    assert "old_password" not in form and "new_password1" in form
    changed = visitor.post(
        reverse("password_change"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    user = User.objects.get(username=username)
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    assert visitor.get("/").status_code == 200
    # The code is used up.
    other = Client()
    again = other.post(reverse("code_sign_in"), {"username": username, "code": code})
    assert again.status_code == 200 and str(CODE_INVALID) in again.content.decode()
    assert (
        other.post(reverse("login"), {"username": username, "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_expired_reissued_and_wrong_codes_are_refused(cast):
    member = accounts_member(cast)
    first = accounts.accounts_issue(members=[member], by=cast.branch_secretary)[0]
    member.refresh_from_db()
    second = accounts.accounts_issue(members=[member], by=cast.branch_secretary, reissue=True)[0]
    assert second.username == first.username and second.code != first.code
    visitor = Client()
    old = visitor.post(reverse("code_sign_in"), {"username": first.username, "code": first.code})
    assert str(CODE_INVALID) in old.content.decode()  # voided by the re-issue
    wrong_user = visitor.post(
        reverse("code_sign_in"), {"username": "dangyuan", "code": second.code}
    )
    assert str(CODE_INVALID) in wrong_user.content.decode()
    empty = visitor.post(reverse("code_sign_in"), {"username": "", "code": ""})
    assert "这个字段是必填项" in empty.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        late = Client().post(
            reverse("code_sign_in"), {"username": second.username, "code": second.code}
        )
        assert str(CODE_INVALID) in late.content.decode()


def test_code_sign_in_is_throttled_and_locks_like_a_password(cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.ZHIBU_LOGIN_BACKOFF_SECONDS = 0
    member = accounts_member(cast)
    issued = accounts.accounts_issue(members=[member], by=cast.branch_secretary)[0]
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        guesser.post(reverse("code_sign_in"), {"username": issued.username, "code": "WRONG"})
    assert AccessAttempt.objects.filter(username=issued.username).exists()
    locked = Client().post(
        reverse("code_sign_in"), {"username": issued.username, "code": issued.code}
    )
    assert locked.status_code != 302  # the right code no longer opens a locked account
    assert not User.objects.get(username=issued.username).last_login


def test_backoff_applies_to_code_sign_in(cast, settings):
    settings.ZHIBU_LOGIN_BACKOFF_SECONDS = 60
    member = accounts_member(cast)
    issued = accounts.accounts_issue(members=[member], by=cast.branch_secretary)[0]
    guesser = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(4):
        answer = guesser.post(
            reverse("code_sign_in"), {"username": issued.username, "code": "WRONG"}
        )
    assert "秒" in answer.content.decode()  # told to wait, in Chinese


def test_scope_other_branches_and_roles(cast, login):
    far = accounts_member(cast, "周党员", org=cast.branch2)
    # A branch secretary cannot act on another branch: 404 for the org, 404 for its member.
    client = login(cast.branch_secretary)
    page = client.get(reverse("members:accounts"), {"org": str(cast.branch2.public_id)})
    assert page.status_code == 404
    assert issue_on_page(client, cast.branch2).status_code == 404
    sneak = issue_on_page(client, cast.branch1, members=[str(far.public_id)])
    assert sneak.status_code == 404
    far.refresh_from_db()
    assert far.user is None
    # An ordinary member holds no member.manage: 403.
    assert login(cast.ordinary).get(reverse("members:accounts")).status_code == 403
    # The committee secretary reaches both branches.
    lead = login(cast.party_secretary)
    assert (
        lead.get(reverse("members:accounts"), {"org": str(cast.branch2.public_id)}).status_code
        == 200
    )
    assert issue_on_page(lead, cast.branch2)["Content-Type"] == "application/pdf"


def test_leaving_the_organisation_deactivates_the_account(cast):
    member = accounts_member(cast)
    issued = accounts.accounts_issue(members=[member], by=cast.branch_secretary)[0]
    user = User.objects.get(username=issued.username)
    member_record_event(
        member=Member.objects.get(pk=member.pk),
        kind=MemberEvent.Kind.DECEASED,
        on=timezone.localdate(),
        by=cast.branch_secretary,
    )
    user.refresh_from_db()
    assert not user.is_active
    assert not RoleAssignment.objects.filter(user=user, end__isnull=True).exists()
    assert not SignInCode.objects.filter(user=user, expires_at__gt=timezone.now()).exists()
    event = AuditEvent.objects.filter(summary__contains="停用用户").latest("seq")
    assert event.details["reason"] == "死亡"
    refused = Client().post(
        reverse("code_sign_in"), {"username": issued.username, "code": issued.code}
    )
    assert refused.status_code == 200
    # A member who has left gets no new account.
    member.refresh_from_db()
    with pytest.raises(Exception, match="名册"):
        accounts.accounts_issue(members=[member], by=cast.branch_secretary)


def test_a_move_takes_the_member_role_along_and_a_return_reactivates(cast):
    member = accounts_member(cast)
    issued = accounts.accounts_issue(members=[member], by=cast.branch_secretary)[0]
    user = User.objects.get(username=issued.username)
    member_record_event(
        member=Member.objects.get(pk=member.pk),
        kind=MemberEvent.Kind.MOVED,
        on=timezone.localdate(),
        org=cast.branch2,
        by=cast.party_secretary,
    )
    current = RoleAssignment.objects.filter(user=user, role=Role.MEMBER, end__isnull=True)
    assert [a.org for a in current] == [cast.branch2]
    # Leaves the system, comes back: the account is restored only on a re-issue.
    member_record_event(
        member=Member.objects.get(pk=member.pk),
        kind=MemberEvent.Kind.TRANSFERRED_OUT,
        on=timezone.localdate(),
        by=cast.party_secretary,
    )
    user.refresh_from_db()
    assert not user.is_active
    member_record_event(
        member=Member.objects.get(pk=member.pk),
        kind=MemberEvent.Kind.TRANSFERRED_IN,
        on=timezone.localdate(),
        org=cast.branch1,
        by=cast.party_secretary,
    )
    user.refresh_from_db()
    assert not user.is_active
    member = Member.objects.select_related("org", "user").get(pk=member.pk)
    again = accounts.accounts_issue(members=[member], by=cast.branch_secretary, reissue=True)
    user.refresh_from_db()
    assert user.is_active and user.must_change_password and again[0].username == user.username
    current = RoleAssignment.objects.filter(user=user, role=Role.MEMBER, end__isnull=True)
    assert [a.org for a in current] == [cast.branch1]
