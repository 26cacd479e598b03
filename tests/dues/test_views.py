"""The 党费 pages: the sheet's bulk entry, the member page's forms, permissions, scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.dues.conftest import MAR
from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.core.models import AuditEvent
from zhibu.dues import selectors
from zhibu.dues.models import DuesBase, Payment

pytestmark = pytest.mark.django_db


def sheet_url(org):
    return reverse("dues:sheet", args=[org.public_id]) + "?month=2026-03"


def test_secretary_enters_the_months_sheet(bases, login):
    client = login(bases.branch_secretary)
    page = client.get(sheet_url(bases.branch1))
    assert page.status_code == 200 and "王党员" in page.content.decode()
    pid = str(bases.ordinary_member.public_id)
    r = client.post(
        sheet_url(bases.branch1),
        {
            "month": "2026-03",
            "version": selectors.sheet_version(bases.branch1, MAR),
            "method": "cash",
            "paid_on": "2026-03-10",
            "pay": [pid],
            f"amount_{pid}": "40.00",
            f"paid_by_{pid}": "王母",
        },
    )
    assert r.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.paid_by, payment.recorded_by) == (
        Decimal("40.00"),
        "王母",
        bases.branch_secretary,
    )


def test_bad_sheet_input_writes_nothing(bases, login):
    client = login(bases.branch_secretary)
    pid = str(bases.ordinary_member.public_id)
    data = {"month": "2026-03", "method": "cash", "paid_on": "2026-03-10", "pay": [pid]}
    r = client.post(sheet_url(bases.branch1), {**data, f"amount_{pid}": "四十"})
    assert "金额须为数字" in r.content.decode()
    r = client.post(sheet_url(bases.branch1), {**data, f"amount_{pid}": "39.00"})
    assert "应交 40.00 元，登记金额为 39.00 元，不符" in r.content.decode()
    r = client.post(
        sheet_url(bases.branch1), {**data, f"amount_{pid}": "40.00", "version": "stale"}
    )
    assert "其他人已登记了本月党费" in r.content.decode()
    assert not Payment.objects.exists()


def test_member_page_refuses_a_non_numeric_or_negative_base(bases, login):
    client = login(bases.branch_secretary)
    url = reverse("dues:member", args=[bases.branch2_member.public_id])
    # branch2 is outside the branch secretary's scope
    assert client.get(url).status_code == 404
    url = reverse("dues:member", args=[bases.ordinary_member.public_id])
    r = client.post(
        url, {"base-category": "in_service", "base-base": "abc", "base-effective_month": "2026-04"}
    )
    assert "须为数字" in r.content.decode()
    r = client.post(
        url, {"base-category": "in_service", "base-base": "-3", "base-effective_month": "2026-04"}
    )
    assert "不能为负数" in r.content.decode()
    r = client.post(url, {"base-category": "in_service", "base-base": "3000"})
    assert "起始月份" in r.content.decode()
    assert DuesBase.objects.filter(member=bases.ordinary_member).count() == 1
    r = client.post(
        url, {"base-category": "in_service", "base-base": "3000", "base-effective_month": "2026-04"}
    )
    assert r.status_code == 302
    assert DuesBase.objects.filter(member=bases.ordinary_member).count() == 2


def test_pages_need_the_dues_action(bases, login):
    publicity = UserFactory(username="xuanchuan")
    grant(publicity, Role.PUBLICITY, bases.branch1)
    assert login(publicity).get(reverse("dues:index")).status_code == 403
    assert login(bases.ordinary).get(sheet_url(bases.branch1)).status_code == 403


def test_outsider_gets_404_everywhere(bases, login):
    client = login(bases.outsider)
    assert client.get(sheet_url(bases.branch1)).status_code == 404
    assert client.get(reverse("dues:index") + f"?org={bases.branch1.public_id}").status_code == 404
    assert client.get(reverse("dues:year", args=[bases.branch1.public_id])).status_code == 404
    assert (
        client.get(reverse("dues:member", args=[bases.ordinary_member.public_id])).status_code
        == 404
    )
    assert (
        client.get(reverse("dues:lapse_new", args=[bases.ordinary_member.public_id])).status_code
        == 404
    )


def test_ledger_page_and_audited_export(bases, login):
    client = login(bases.party_secretary)
    page = client.get(reverse("dues:index") + f"?org={bases.committee.public_id}&month=2026-03")
    assert page.status_code == 200 and "第二党支部" in page.content.decode()
    r = client.get(
        reverse("dues:ledger_export") + f"?org={bases.committee.public_id}&month=2026-03"
    )
    assert r.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == 1
    r = client.get(reverse("dues:year", args=[bases.branch1.public_id]) + "?year=2026&export=xlsx")
    assert r.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == 2


def test_member_sees_my_dues_on_their_page(bases, login):
    client = login(bases.ordinary)
    page = client.get(reverse("members:me")).content.decode()
    assert "我的党费" in page and "40.00" in page and "待交" in page


def test_cockpit_shows_the_dues_panel(bases, login):
    page = login(bases.party_secretary).get(
        reverse("insight:cockpit") + f"?org={bases.committee.public_id}"
    )
    assert page.status_code == 200
    assert 'id="dues-panel"' in page.content.decode()
    assert date(2026, 3, 10)


def test_the_ledger_page_reads_a_fixed_number_of_queries(bases, login):
    """The 党委's ledger page costs the same queries however many orgs and members lie
    below (it reads the monthly summary)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_member, make_org
    from zhibu.orgs.models import Org

    client = login(bases.party_secretary)
    url = reverse("dues:index") + f"?org={bases.committee.public_id}&month=2026-03"
    assert client.get(url).status_code == 200  # the first view builds the month
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(3):
        branch = make_org(bases.general_branch, Org.Kind.BRANCH, f"新支部{i}")
        make_member(branch, f"新党员{i}")
    assert client.get(url).status_code == 200  # computes the marked orgs
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert "新支部2" in page.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
