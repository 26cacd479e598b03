"""组织关系转接 and 流动党员: the workflows through the pages, and their rules (MBR-04)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, grant, make_org
from zhibu.accounts.models import Role
from zhibu.members import transfers
from zhibu.members.models import Member, MemberSpan, Mobility, Transfer
from zhibu.members.selectors import members_on
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"members:{name}", args=args)


@pytest.fixture
def far(cast):
    """A branch under another committee, with its own committee secretary."""
    branch = make_org(cast.other_committee, Org.Kind.BRANCH, "兄弟第二党支部", code="XDZB2")
    return branch


def start_internal(client, member, code, day="2025-03-01"):
    return client.post(
        url("transfer_start", member.public_id),
        {"direction": "internal", "to_org": code, "requested_on": day, "reason": "工作调动"},
    )


# --- inside the system ------------------------------------------------------------------------


def test_internal_transfer_sender_approves_receiver_receives(cast, login, far):
    member = cast.ordinary_member
    response = start_internal(login(cast.branch_secretary), member, "XDZB2")
    transfer = Transfer.objects.get(member=member)
    assert response.status_code == 302 and transfer.status == Transfer.Status.REQUESTED
    assert transfer.from_org == cast.branch1 and transfer.to_org == far
    # The branch secretary may ask but not approve: member.transfer is the committee's.
    assert (
        login(cast.branch_secretary)
        .post(url("transfer_step", transfer.public_id, "approve"), {"issued_on": "2025-03-02"})
        .status_code
        == 403
    )
    response = login(cast.party_secretary).post(
        url("transfer_step", transfer.public_id, "approve"), {"issued_on": "2025-03-02"}
    )
    transfer.refresh_from_db()
    assert response.status_code == 302 and transfer.status == Transfer.Status.SENT
    assert transfer.valid_until == date(2025, 6, 2)  # 3 months (MBR-04, local default)
    # Until received the member stays on the sender's roster (MBR-04).
    member.refresh_from_db()
    assert member.org == cast.branch1
    assert member in members_on(cast.branch1, timezone.localdate())
    # The sender cannot receive; the receiving committee can, and sees the transfer in its box.
    assert (
        login(cast.party_secretary)
        .post(url("transfer_step", transfer.public_id, "receive"), {"on": "2025-03-10"})
        .status_code
        == 403
    )
    todo = login(cast.outsider).get(url("transfers"), {"box": "todo"}).content.decode()
    assert "王党员" in todo
    response = login(cast.outsider).post(
        url("transfer_step", transfer.public_id, "receive"), {"on": "2025-03-10"}
    )
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert response.status_code == 302 and transfer.status == Transfer.Status.RECEIVED
    assert member.org == far and member.status == Member.Status.FULL
    assert member.events.filter(kind="transferred", on=date(2025, 3, 10), org=far).exists()
    spans = list(
        MemberSpan.objects.filter(member=member)
        .order_by("start")
        .values_list("org", "start", "end")
    )
    assert spans[-2:] == [
        (cast.branch1.pk, date(2013, 7, 1), date(2025, 3, 10)),
        (far.pk, date(2025, 3, 10), None),
    ]


def test_the_receiver_may_refuse_only_with_a_reason(cast, login, far):
    transfer = transfers.transfer_start(
        member=cast.ordinary_member, direction="internal", to_org=far, requested_on=date(2025, 3, 1)
    )
    transfers.transfer_approve(transfer=transfer, issued_on=date(2025, 3, 2))
    client = login(cast.outsider)
    response = client.post(url("transfer_step", transfer.public_id, "reject"), {"reason": "不"})
    assert "无正当理由不得拒收" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SENT
    client.post(
        url("transfer_step", transfer.public_id, "reject"),
        {"reason": "该同志工作单位不在本支部所在单位"},
    )
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REJECTED
    cast.ordinary_member.refresh_from_db()
    assert cast.ordinary_member.org == cast.branch1


def test_unknown_receiving_code_and_same_branch_are_refused(cast, login):
    client = login(cast.branch_secretary)
    response = start_internal(client, cast.ordinary_member, "NOPE")
    assert "未找到组织代码为“NOPE”的党支部" in response.content.decode()
    response = start_internal(client, cast.ordinary_member, "ZB1")
    assert "相同" in response.content.decode()
    response = start_internal(client, cast.ordinary_member, "ZB2", day="2099-01-01")
    assert "日期不能晚于今天" in response.content.decode()
    assert not Transfer.objects.exists()


def test_one_open_transfer_at_a_time(cast, login, far):
    client = login(cast.branch_secretary)
    start_internal(client, cast.ordinary_member, "ZB2")
    response = start_internal(client, cast.ordinary_member, "XDZB2")
    assert "尚未办结" in response.content.decode()
    assert Transfer.objects.count() == 1


def test_transfer_pages_access(cast, login, inspector, far):
    member = cast.ordinary_member
    assert start_internal(login(inspector), member, "ZB2").status_code == 403
    assert (
        start_internal(login(cast.branch_secretary), cast.branch2_member, "ZB1").status_code == 404
    )
    assert not Transfer.objects.exists()
    transfer = transfers.transfer_start(
        member=member, direction="internal", to_org=cast.branch2, requested_on=date(2025, 3, 1)
    )
    stranger = UserFactory(username="moshengren")
    grant(stranger, Role.SECRETARY, make_org(None, Org.Kind.COMMITTEE, "无关党委"))
    assert login(stranger).get(url("transfer", transfer.public_id)).status_code == 404
    assert (
        login(stranger)
        .post(url("transfer_step", transfer.public_id, "approve"), {"issued_on": "2025-03-02"})
        .status_code
        == 404
    )
    assert login(cast.branch_secretary).get(url("transfer", transfer.public_id)).status_code == 200
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REQUESTED


def test_cancel_by_the_sending_branch(cast, login, inspector):
    transfer = transfers.transfer_start(
        member=cast.ordinary_member,
        direction="internal",
        to_org=cast.branch2,
        requested_on=date(2025, 3, 1),
    )
    assert login(cast.outsider).post(url("transfer_cancel", transfer.public_id)).status_code == 404
    assert login(inspector).post(url("transfer_cancel", transfer.public_id)).status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REQUESTED
    login(cast.branch_secretary).post(url("transfer_cancel", transfer.public_id))
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED


# --- to and from outside the system ----------------------------------------------------------------


def test_a_letter_to_outside_needs_its_number_then_its_receipt(cast, login):
    member = cast.ordinary_member
    login(cast.branch_secretary).post(
        url("transfer_start", member.public_id),
        {"direction": "out", "outside_org": "中共某市某区委组织部", "requested_on": "2025-03-01"},
    )
    transfer = Transfer.objects.get(member=member)
    client = login(cast.party_secretary)
    response = client.post(
        url("transfer_step", transfer.public_id, "approve"),
        {"issued_on": "2025-03-02", "letter_no": ""},
    )
    body = response.content.decode()
    assert "介绍信编号" in body and "须填写介绍信编号" in body
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REQUESTED
    client.post(
        url("transfer_step", transfer.public_id, "approve"),
        {"issued_on": "2025-03-02", "letter_no": "No.0012345"},
    )
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ISSUED
    member.refresh_from_db()
    assert member.status == Member.Status.FULL  # still ours until the receipt comes back
    client.post(url("transfer_step", transfer.public_id, "receipt"), {"on": "2025-03-20"})
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert (
        transfer.status == Transfer.Status.RECEIVED
        and member.status == Member.Status.TRANSFERRED_OUT
    )
    assert member not in members_on(cast.branch1, date(2025, 3, 21))


def test_an_out_transfer_without_an_outside_org_is_refused(cast, login):
    response = login(cast.branch_secretary).post(
        url("transfer_start", cast.ordinary_member.public_id),
        {"direction": "out", "outside_org": "", "requested_on": "2025-03-01"},
    )
    assert "系统外党组织" in response.content.decode()
    assert not Transfer.objects.exists()


def test_overdue_letters_are_listed(cast, login):
    old = timezone.localdate() - timedelta(days=200)
    transfer = transfers.transfer_start(
        member=cast.ordinary_member, direction="out", outside_org="外省某支部", requested_on=old
    )
    transfers.transfer_approve(transfer=transfer, issued_on=old, letter_no="L-1")
    body = login(cast.party_secretary).get(url("transfers"), {"box": "overdue"}).content.decode()
    assert "王党员" in body and "已过期" in body


def test_transfer_in_from_outside_registers_the_member_from_that_day(cast, login):
    data = {
        "to_org": str(cast.branch2.public_id),
        "received_on": "2025-04-01",
        "outside_org": "中共某县委组织部",
        "letter_no": "No.778",
        "id_number": "",
        "name": "孙转入",
        "gender": "F",
        "birth_date": "1985-06-06",
        "category": "in_service",
        "admitted_on": "2010-07-01",
        "full_on": "2011-07-01",
    }
    import random

    from zhibu.members import idnumber

    data["id_number"] = idnumber.fake(random.Random(3), birth_date=date(1985, 6, 6), gender="F")
    client = login(cast.party_secretary)
    response = client.post(url("transfer_in"), {**data, "letter_no": ""})
    assert "介绍信编号" in response.content.decode()
    assert not Member.objects.filter(name="孙转入").exists()
    response = client.post(url("transfer_in"), data)
    member = Member.objects.get(name="孙转入")
    assert response.status_code == 302 and member.org == cast.branch2
    assert member not in members_on(cast.branch2, date(2025, 3, 31))
    assert member in members_on(cast.branch2, date(2025, 4, 1))
    assert member.transfers.get().direction == Transfer.Direction.IN
    assert login(cast.branch_secretary).post(url("transfer_in"), data).status_code == 403


def test_a_member_who_left_comes_back_by_id_number(cast):
    member = cast.ordinary_member
    transfer = transfers.transfer_start(
        member=member, direction="out", outside_org="外省", requested_on=date(2024, 1, 1)
    )
    transfers.transfer_approve(transfer=transfer, issued_on=date(2024, 1, 2), letter_no="L-2")
    transfers.transfer_record_receipt(transfer=transfer, on=date(2024, 1, 20))
    transfers.transfer_in_from_outside(
        to_org=cast.branch2,
        received_on=date(2025, 1, 5),
        letter_no="L-3",
        outside_org="外省",
        id_number=member.id_number,
    )
    member.refresh_from_db()
    assert member.org == cast.branch2 and member.status == Member.Status.FULL
    assert Member.objects.filter(id_index=member.id_index).count() == 1


def test_transfer_in_of_a_person_registered_elsewhere_names_no_status_outside_scope(cast):
    """The ID number of another committee's member: refused, without its roll status."""
    other = cast.other_member
    arriving = {
        "received_on": date(2025, 1, 5),
        "letter_no": "L-4",
        "outside_org": "外省",
        "id_number": other.id_number,
    }
    with pytest.raises(ValidationError) as refused:
        transfers.transfer_in_from_outside(to_org=cast.branch2, by=cast.party_secretary, **arriving)
    message = refused.value.message_dict["id_number"][0]
    assert "其他党组织" in message and "正式党员" not in message and other.name not in message
    with pytest.raises(ValidationError) as inside:
        transfers.transfer_in_from_outside(
            to_org=cast.branch2,
            by=cast.party_secretary,
            **{**arriving, "id_number": cast.branch2_member.id_number},
        )
    assert "正式党员" in inside.value.message_dict["id_number"][0]
    assert not Transfer.objects.exists()


# --- mobility ---------------------------------------------------------------------------------------------


def test_registering_a_member_going_away_and_the_flags(cast, login):
    member = cast.ordinary_member
    away = (timezone.localdate() - timedelta(days=400)).isoformat()
    client = login(cast.branch_secretary)
    response = client.post(
        url("mobility_start", member.public_id),
        {"place": "广东省深圳市", "reason": "work", "contact": "13912345678", "started_on": away},
    )
    assert response.status_code == 302
    mobility = Mobility.objects.get(member=member)
    body = client.get(url("mobility")).content.decode()
    assert "MBR-03" in body and "应转接组织关系" in body
    assert "139****5678" in body and "13912345678" not in body
    lost = (timezone.localdate() - timedelta(days=300)).isoformat()
    client.post(url("mobility_step", mobility.public_id, "lost"), {"on": lost})
    body = client.get(url("mobility")).content.decode()
    assert "MBR-05" in body and "应停止其党籍" in body
    client.post(
        url("mobility_step", mobility.public_id, "contact"),
        {"on": timezone.localdate().isoformat()},
    )
    mobility.refresh_from_db()
    assert mobility.lost_contact_since is None


def test_the_mobility_page_applies_a_committees_tighter_supplement(cast, login):
    """A 党委 that asks for transfers after 3 months instead of 6: the page flags as the
    rulebook does, and another committee's members keep the default."""
    from zhibu.rulebook.services import supplement_create

    four_months_ago = timezone.localdate() - timedelta(days=125)
    for member, org in (
        (cast.ordinary_member, cast.branch1),
        (cast.other_member, cast.other_branch),
    ):
        transfers.mobility_start(
            direction="out", member=member, org=org, place="外地", started_on=four_months_ago
        )
    url_ = url("mobility")
    flag = "应转接组织关系。"  # the flag's own sentence, not the page's note on the rule
    assert flag not in login(cast.party_secretary).get(url_).content.decode()
    supplement_create(
        committee=cast.committee,
        rule_code="MBR-03",
        params={"months": 3},
        effective_from=date(2020, 1, 1),
    )
    body = login(cast.party_secretary).get(url_).content.decode()
    assert "在外地，已满 3 个月，应转接组织关系。" in body
    assert flag not in login(cast.outsider).get(url_).content.decode()


def test_mobility_bad_input_and_access(cast, login, inspector):
    member = cast.ordinary_member
    data = {"place": "深圳", "reason": "work", "contact": "123", "started_on": "2025-01-01"}
    response = login(cast.branch_secretary).post(url("mobility_start", member.public_id), data)
    assert "联系电话格式不正确" in response.content.decode()
    assert (
        login(inspector)
        .post(url("mobility_start", member.public_id), {**data, "contact": ""})
        .status_code
        == 403
    )
    assert (
        login(cast.branch_secretary)
        .post(url("mobility_start", cast.branch2_member.public_id), {**data, "contact": ""})
        .status_code
        == 404
    )
    assert not Mobility.objects.exists()


def test_mobility_step_dates_are_checked(cast, login):
    mobility = transfers.mobility_start(
        direction="out",
        member=cast.ordinary_member,
        org=cast.branch1,
        place="深圳",
        started_on=date(2025, 1, 1),
    )
    response = login(cast.branch_secretary).post(
        url("mobility_step", mobility.public_id, "end"), {"on": "2024-12-31"}
    )
    assert "结束日期不能早于开始日期" in response.content.decode()
    for step in ("lost", "contact"):
        response = login(cast.branch_secretary).post(
            url("mobility_step", mobility.public_id, step), {"on": "2024-12-31"}
        )
        assert "日期不能早于外出流动开始日期（2025-01-01）" in response.content.decode(), step
    mobility.refresh_from_db()
    assert mobility.ended_on is None and mobility.lost_contact_since is None


def test_registering_a_member_staying_here(cast, login):
    client = login(cast.branch_secretary)
    response = client.post(
        url("mobility_in"),
        {
            "org": str(cast.branch1.public_id),
            "person_name": "外来党员",
            "place": "本社区",
            "other_org": "中共某村支部",
            "reason": "work",
            "started_on": "2025-02-01",
        },
    )
    assert response.status_code == 302
    assert Mobility.objects.get(direction="in").person_name == "外来党员"
    response = client.post(
        url("mobility_in"),
        {
            "org": str(cast.branch1.public_id),
            "person_name": "",
            "place": "本社区",
            "reason": "work",
            "started_on": "2025-02-01",
        },
    )
    assert "姓名" in response.content.decode()
    assert Mobility.objects.count() == 1
