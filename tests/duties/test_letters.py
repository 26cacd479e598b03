"""Responsibility letters (RESP-01, RESP-02): a 范本 issued one letter per subordinate,
signed by the recipient's principal leader (audited), items kept or passed down, the PDF;
who sees what, and bad input refused with nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import UserFactory, grant
from tests.pdfs import pdf_text
from zhibu.accounts.models import Role
from zhibu.core.models import AuditEvent
from zhibu.duties.models import Letter, LetterItem, Task
from zhibu.duties.services import letters as services
from zhibu.duties.services.letters import ItemSpec
from zhibu.orgs.models import Department

pytestmark = pytest.mark.django_db


def url(name, obj):
    return reverse(f"duties:{name}", args=[obj.public_id])


def sign(letter, user, **kw):
    return services.letter_sign(
        letter=letter,
        by=user,
        signed_on=kw.pop("signed_on", date(2026, 3, 5)),
        place=kw.pop("place", "党委会议室"),
        **kw,
    )


def test_issuing_a_template_makes_one_letter_per_recipient_with_its_items(cast, template, frozen):
    issued = services.letter_issue(
        letter=template, recipients=[cast.general_branch], by=cast.party_secretary
    )
    assert [letter.recipient for letter in issued] == [cast.general_branch]
    copy = issued[0]
    assert copy.status == Letter.Status.ISSUED and copy.template == template
    assert [i.category for i in copy.items.all()] == ["组织建设", "党风廉政"]
    template.refresh_from_db()
    assert template.status == Letter.Status.ISSUED  # frozen once issued
    with pytest.raises(ValidationError, match="已有本年度同类责任书"):
        services.letter_issue(letter=template, recipients=[cast.general_branch])


def test_only_a_direct_subordinate_receives_a_letter(cast, template):
    with pytest.raises(ValidationError, match="不是 集团党委 的直接下级组织"):
        services.letter_issue(letter=template, recipients=[cast.branch1])
    assert not Letter.objects.filter(recipient__isnull=False).exists()


def test_the_principal_leader_signs_and_every_item_becomes_a_task(
    cast, received, general_secretary
):
    letter = sign(received, general_secretary, signer_post="党总支书记")
    assert letter.status == Letter.Status.SIGNED and letter.signer_name == "赵总支"
    assert letter.signed_place == "党委会议室" and letter.signed_on == date(2026, 3, 5)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SIGNED)
    assert event.actor == general_secretary and "第一党总支" in event.summary
    assert event.details["place"] == "党委会议室"
    tasks = Task.objects.filter(item__letter=letter)
    assert tasks.count() == 2
    assert {t.org for t in tasks} == {cast.general_branch}
    assert {t.issuer for t in tasks} == {cast.committee}
    assert letter.history.count() >= 2


@pytest.mark.parametrize("who", ["party_secretary", "branch_secretary", "outsider"])
def test_signing_for_another_organisation_is_refused_citing_the_rule(cast, received, who):
    with pytest.raises(ValidationError) as refused:
        sign(received, getattr(cast, who))
    assert "只有 第一党总支 的书记" in str(refused.value) and "RESP-01" in str(refused.value)
    received.refresh_from_db()
    assert received.status == Letter.Status.ISSUED and not Task.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGNED).exists()


def test_signing_dates_and_place_are_checked(cast, received, general_secretary):
    with pytest.raises(ValidationError, match="签订日期不能晚于今天"):
        sign(received, general_secretary, signed_on=date(2026, 3, 11))
    with pytest.raises(ValidationError, match="签订日期不能早于下达日期"):
        sign(received, general_secretary, signed_on=date(2026, 2, 1))
    with pytest.raises(ValidationError, match="请填写签订地点"):
        sign(received, general_secretary, place=" ")
    received.refresh_from_db()
    assert received.status == Letter.Status.ISSUED


def test_a_deadline_before_the_issue_date_is_refused(cast, template):
    with pytest.raises(ValidationError, match="签订期限不能早于下达日期"):
        services.letter_draft(
            issuer=cast.committee,
            kind=Letter.Kind.INTEGRITY,
            year=2026,
            title="廉政责任书",
            issued_on=date(2026, 2, 20),
            sign_deadline=date(2026, 2, 1),
        )
    with pytest.raises(ValidationError, match="完成时限不能早于责任书下达日期"):
        services.item_add(letter=template, spec=ItemSpec("作风建设", "调研", date(2026, 1, 31)))
    assert Letter.objects.count() == 1 and template.items.count() == 2


def test_a_branch_cannot_issue_letters(cast):
    with pytest.raises(ValidationError, match="责任书由党委或党总支下达"):
        services.letter_draft(
            issuer=cast.branch1,
            kind=Letter.Kind.PRINCIPAL,
            year=2026,
            title="x",
            issued_on=date(2026, 2, 1),
        )


def test_a_department_of_another_unit_is_refused(cast, template):
    other = Department.objects.create(org=cast.other_committee, name="外单位办公室")
    with pytest.raises(ValidationError, match="责任部门应是下达组织或签订组织的职能部门"):
        services.item_add(
            letter=template,
            spec=ItemSpec("作风建设", "调研", date(2026, 5, 1), department=other),
        )


def test_a_received_item_is_passed_down_or_kept_and_the_coverage_shows_where(
    cast, received, general_secretary, login
):
    sign(received, general_secretary)
    first, second = received.items.all()
    copies = services.item_pass_down(
        item=first, to=[cast.branch1, cast.branch2], by=general_secretary
    )
    assert {c.letter.recipient for c in copies} == {cast.branch1, cast.branch2}
    assert all(c.letter.status == Letter.Status.DRAFT and c.source == first for c in copies)
    services.item_keep(item=second, note="总支班子负责")
    first.refresh_from_db()
    assert first.disposition == LetterItem.Disposition.PASSED
    with pytest.raises(ValidationError, match="该分项已"):
        services.item_keep(item=first)
    body = login(general_secretary).get(url("letter_detail", received)).content.decode()
    assert "分级落实情况" in body and "第一党支部" in body and "本级承担" in body


def test_passing_down_to_an_org_that_is_not_a_child_is_refused(cast, received, general_secretary):
    sign(received, general_secretary)
    item = received.items.first()
    with pytest.raises(ValidationError, match="不是 第一党总支 的直接下级组织"):
        services.item_pass_down(item=item, to=[cast.other_branch])
    item.refresh_from_db()
    assert item.disposition == LetterItem.Disposition.PENDING
    assert Letter.objects.filter(issuer=cast.general_branch).count() == 0


def test_an_unsigned_letter_cannot_be_passed_down(cast, received):
    with pytest.raises(ValidationError, match="责任书签订后才能分解分项"):
        services.item_keep(item=received.items.first())


# --- pages -------------------------------------------------------------------------------


def test_the_issuer_drafts_loads_standard_items_and_issues_from_the_pages(cast, login, frozen):
    client = login(cast.party_secretary)
    response = client.post(
        reverse("duties:letter_new"),
        {
            "issuer": str(cast.committee.public_id),
            "kind": "integrity",
            "year": "2026",
            "title": "2026 年度党风廉政建设责任书",
            "issued_on": "2026-03-01",
            "sign_deadline": "",
        },
    )
    letter = Letter.objects.get(title="2026 年度党风廉政建设责任书")
    assert response.status_code == 302 and letter.is_template
    client.post(url("standard_items", letter))
    assert letter.items.count() == 6
    response = client.post(
        url("letter_issue", letter), {"recipients": [str(cast.general_branch.public_id)]}
    )
    assert response.status_code == 302
    assert Letter.objects.get(template=letter).recipient == cast.general_branch


def test_the_sign_page_refuses_another_organisation_in_chinese(cast, received, login):
    client = login(cast.party_secretary)
    body = client.post(
        url("letter_sign", received),
        {"signed_on": "2026-03-05", "place": "会议室", "signer_post": "书记"},
    ).content.decode()
    assert "只有 第一党总支 的书记" in body
    received.refresh_from_db()
    assert received.status == Letter.Status.ISSUED


def test_a_letter_is_seen_by_its_two_sides_only(cast, received, login):
    assert login(cast.outsider).get(url("letter_detail", received)).status_code == 404
    assert login(cast.branch_secretary).get(url("letter_detail", received)).status_code == 404
    assert login(cast.party_secretary).get(url("letter_detail", received)).status_code == 200
    assert login(cast.branch_secretary).get(url("letter_edit", received)).status_code == 404
    assert login(cast.ordinary).get(reverse("duties:letter_list")).status_code == 403


def test_a_read_only_role_cannot_edit_a_draft(cast, template, login):
    inspector = UserFactory(username="jijian-l")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    client = login(inspector)
    assert client.get(url("letter_detail", template)).status_code == 200
    assert client.get(url("item_new", template)).status_code == 403


def test_the_signed_letter_prints_with_its_items_and_signature(
    cast, received, general_secretary, login
):
    sign(received, general_secretary)
    response = login(general_secretary).get(url("letter_pdf", received))
    assert response["Content-Type"] == "application/pdf"
    _reader, text = pdf_text(response.content)
    assert "按期换届" in text and "赵总支" in text and "党委会议室" in text


def test_the_list_pins_its_queries(cast, template, login, frozen, django_assert_max_num_queries):
    services.letter_issue(letter=template, recipients=[cast.general_branch])
    client = login(cast.party_secretary)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("duties:letter_list")).content.decode()
    assert "第一党总支" in body


def test_an_item_edit_over_a_newer_change_is_refused(cast, template, login):
    item = template.items.first()
    client = login(cast.party_secretary)
    stale = item.updated_at.isoformat()
    services.item_update(item=item, spec=ItemSpec("组织建设", "他人修改", date(2026, 6, 30), 20))
    body = client.post(
        url("item_edit", item),
        {
            "category": "组织建设",
            "content": "我的修改",
            "weight": "20",
            "deadline": "2026-06-30",
            "version": stale,
        },
    ).content.decode()
    assert "您打开此页后" in body
    item.refresh_from_db()
    assert item.content == "他人修改"


def test_a_paper_signing_is_recorded_by_the_issuer_naming_the_secretary_in_office(
    cast, template, frozen
):
    template.issued_on = date(2026, 2, 20)
    (letter,) = services.letter_issue(letter=template, recipients=[cast.general_branch])
    with pytest.raises(ValidationError, match="没有在任的书记") as refused:
        services.letter_record_signing(
            letter=letter, by=cast.party_secretary, signed_on=date(2026, 3, 5), place="礼堂"
        )
    assert "RESP-01" in str(refused.value)
    with pytest.raises(ValidationError, match="线下签订由下达组织登记"):
        services.letter_record_signing(
            letter=letter, by=cast.branch_secretary, signed_on=date(2026, 3, 5), place="礼堂"
        )
    from zhibu.committees.services import post_assign

    post_assign(
        org=cast.general_branch,
        post="secretary",
        holder=cast.branch2_member,
        start=date(2025, 1, 1),
    )
    signed = services.letter_record_signing(
        letter=letter, by=cast.party_secretary, signed_on=date(2026, 3, 5), place="礼堂"
    )
    assert signed.signer_name == "赵党员" and signed.signed_offline
    assert signed.recorded_by == cast.party_secretary
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.SIGNED).details["offline"] is True
    assert Task.objects.filter(item__letter=letter).count() == 2


def test_the_letters_entry_is_highlighted_on_letter_pages_and_the_old_one_still_works(
    cast, template, login
):
    client = login(cast.party_secretary)
    body = client.get(url("letter_detail", template)).content.decode()
    active = body.split('aria-current="page"')[0].rsplit("<a", 1)[1]
    assert reverse("duties:letter_list") in active
    assert "{#" not in body  # the history component's comment stays a comment
    assert client.get(reverse("duties:list")).status_code == 200
