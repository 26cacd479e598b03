"""Correcting and reversing a payment (with the reason, audited, version-checked; the
summary follows) and the committee's local parameters page (rules.configure)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.dues.conftest import MAR, entry
from zhibu.core.models import AuditEvent
from zhibu.dues import selectors, services
from zhibu.dues.models import DuesPolicy, Payment, PaymentCorrection

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(bases):
    services.payments_record(
        entries=[entry(bases.ordinary_member, MAR, "40.00")], by=None, org=bases.branch1
    )
    selectors.ledger(bases.committee, MAR)  # March is held by the summary
    return bases


def top(cast):
    return selectors.ledger(cast.committee, MAR)[0]


def test_a_payment_is_corrected_and_reversed_through_the_page(paid, login, time_machine):
    payment = Payment.objects.get()
    client = login(paid.branch_secretary)
    url = reverse("dues:correct", args=[payment.public_id])
    assert client.get(url).status_code == 200
    version = payment.updated_at.isoformat()
    time_machine.shift(60)  # the correction is saved a minute later (a new version)
    r = client.post(
        url,
        {
            "action": "correct",
            "amount": "40.00",
            "method": "transfer",
            "paid_on": "2026-03-09",
            "reason": "交纳方式录错",
            "version": version,
        },
    )
    assert r.status_code == 302
    payment.refresh_from_db()
    assert payment.method == "transfer"
    correction = PaymentCorrection.objects.get()
    assert correction.before["method"] == "cash" and correction.after["method"] == "transfer"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RECORD_UNLOCKED).count() == 1
    # The old version is stale now: refused, nothing written.
    r = client.post(url, {"action": "reverse", "reason": "重复", "version": version})
    assert r.status_code == 200 and "已修改了该" in r.content.decode()
    assert Payment.objects.exists()
    assert top(paid).collected == Decimal("40.00")
    r = client.post(
        url, {"action": "reverse", "reason": "误录", "version": payment.updated_at.isoformat()}
    )
    assert r.status_code == 302 and not Payment.objects.exists()
    assert PaymentCorrection.objects.filter(kind="reverse", reason="误录").exists()
    row = top(paid)
    assert (row.collected, row.outstanding) == (Decimal("0.00"), Decimal("100.20"))
    assert row == selectors.ledger_from_records(paid.committee, MAR)[0]
    # The month may be entered again.
    services.payments_record(
        entries=[entry(paid.ordinary_member, MAR, "40.00")], by=None, org=paid.branch1
    )


def test_bad_corrections_are_refused_in_chinese(paid, login):
    payment = Payment.objects.get()
    client = login(paid.branch_secretary)
    url = reverse("dues:correct", args=[payment.public_id])
    base = {"action": "correct", "method": "cash", "paid_on": "2026-03-10"}
    r = client.post(url, {**base, "amount": "41.00", "reason": "改金额"})
    assert "更正后的金额须与应交金额一致" in r.content.decode()
    r = client.post(url, {**base, "amount": "40.00", "reason": ""})
    assert r.status_code == 200 and "必填" in r.content.decode()
    r = client.post(url, {**base, "amount": "40.00", "reason": "无变化"})
    assert "没有需要更正的内容" in r.content.decode()
    r = client.post(url, {"action": "correct", "reason": "缺项"})
    assert "更正时须填写此项" in r.content.decode()
    payment.refresh_from_db()
    assert payment.amount == Decimal("40.00") and not PaymentCorrection.objects.exists()


def test_corrections_outside_the_scope_are_404(paid, login):
    payment = Payment.objects.get()
    client = login(paid.outsider)
    url = reverse("dues:correct", args=[payment.public_id])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"action": "reverse", "reason": "x"}).status_code in (403, 404)
    assert Payment.objects.exists()
    other = login(paid.party_secretary)
    assert (
        other.get(reverse("dues:correct", args=[paid.ordinary_member.public_id])).status_code == 404
    )


def test_the_committee_sets_its_local_parameters(bases, login):
    from zhibu.members.services import member_update  # noqa: F401  (the cast is enough)

    services.base_declare(
        member=bases.branch2_member,
        category="farmer",
        base=None,
        effective_month=MAR,
    )
    selectors.ledger(bases.committee, MAR)
    client = login(bases.party_secretary)
    url = reverse("dues:policy", args=[bases.committee.public_id])
    page = client.get(url)
    assert page.status_code == 200 and "0.20" in page.content.decode()
    r = client.post(url, {"farmer_amount": "1.50", "rounding": "fen"})
    assert r.status_code == 200 and "0.2 元至 1 元之间" in r.content.decode()
    r = client.post(url, {"farmer_amount": "abc", "rounding": "fen"})
    assert r.status_code == 200 and not DuesPolicy.objects.exists()
    r = client.post(url, {"farmer_amount": "0.50", "rounding": "jiao"})
    assert r.status_code == 302
    policy = DuesPolicy.objects.get()
    assert (policy.farmer_amount, policy.rounding) == (Decimal("0.50"), "jiao")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CONFIG_CHANGED).exists()
    # The summary follows: the farmer now owes 0.50 a month.
    rows = {r.org.name: r for r in selectors.ledger(bases.committee, MAR)}
    assert rows["第二党支部"].due == Decimal("0.50")
    assert selectors.ledger(bases.committee, MAR) == selectors.ledger_from_records(
        bases.committee, MAR
    )
    # A stale version is refused.
    r = client.post(
        url, {"farmer_amount": "0.80", "rounding": "fen", "version": "2020-01-01T00:00:00+00:00"}
    )
    assert r.status_code == 200 and DuesPolicy.objects.get().farmer_amount == Decimal("0.50")


def test_local_parameters_outside_the_scope_or_of_a_branch_are_404(bases, login):
    assert login(bases.outsider).get(
        reverse("dues:policy", args=[bases.committee.public_id])
    ).status_code in (403, 404)
    assert (
        login(bases.party_secretary)
        .get(reverse("dues:policy", args=[bases.branch1.public_id]))
        .status_code
        == 404
    )
    assert login(bases.branch_secretary).get(
        reverse("dues:policy", args=[bases.committee.public_id])
    ).status_code in (403, 404)
