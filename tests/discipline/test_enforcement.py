"""The restrictions bite where they apply, each refusal citing its article, through the
pages: the vote (VOTE-01/02 with DISC-04), committee posts (DISC-02..04), introducers
(细则 art. 14, DISC-04) and a new application after 开除党籍 (DISC-05). The message shows
only "受限至 …（纪律处分）" and the article, never the record."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.development.conftest import Driver
from tests.factories import record_meeting
from zhibu.development.models import Case
from zhibu.discipline.models import DisciplineRecord
from zhibu.meetings.models import Decision
from zhibu.orgs.models import CommitteePost

K = DisciplineRecord.Kind
pytestmark = pytest.mark.django_db


def test_member_under_probation_is_left_out_of_the_vote_with_the_citation(cast, make_record, login):
    make_record(cast.ordinary_member, K.PROBATION, decided_on=date(2026, 3, 1))
    meeting = record_meeting(cast.branch1, date(2026, 5, 20), today=date(2026, 6, 1))
    client = login(cast.branch_secretary)
    page = client.get(reverse("meetings:decision_new", args=[meeting.public_id]))
    body = page.content.decode()
    assert page.context["entitled"] == 1  # of the two full members, one has no vote
    assert "王党员：受限至 2027-03-01（纪律处分）" in body and "DISC-04" in body
    assert "留党察看" not in body.split('id="vote-excluded"')[1].split("</div>")[0]
    # Two ballots for one member with a vote: the barred member's ballot is not counted.
    response = client.post(
        reverse("meetings:decision_new", args=[meeting.public_id]),
        {
            "title": "表决事项",
            "kind": "general",
            "yes": 2,
            "no": 0,
            "abstain": 0,
            "written_yes": 0,
            "written_no": 0,
            "written_abstain": 0,
            "passed": "",
        },
    )
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].errors.get("yes", []))
    assert "王党员 到会但没有表决权" in errors and "DISC-04" in errors
    assert not Decision.objects.filter(meeting=meeting).exists()


def test_vote_counts_again_after_restoration(cast, make_record, login):
    from zhibu.discipline.services import record_save

    record = make_record(cast.ordinary_member, K.PROBATION, decided_on=date(2025, 1, 10))
    record_save(
        record=record, outcome="restored", outcome_on=date(2026, 1, 12), today=date(2026, 6, 1)
    )
    meeting = record_meeting(cast.branch1, date(2026, 5, 20), today=date(2026, 6, 1))
    client = login(cast.branch_secretary)
    page = client.get(reverse("meetings:decision_new", args=[meeting.public_id]))
    assert page.context["entitled"] == 2 and not page.context["excluded"]


def _post(client, org, holder, post="organization", start="2026-06-01"):
    return client.post(
        reverse("orgs:post_add", args=[org.public_id]),
        {"post": post, "holder": str(holder.public_id), "start": start},
    )


def test_no_post_during_probation(cast, make_record, login):
    make_record(cast.ordinary_member, K.PROBATION, decided_on=date(2026, 3, 1))
    response = _post(login(cast.party_secretary), cast.branch1, cast.ordinary_member)
    errors = " ".join(response.context["form"].errors.get("holder", []))
    assert "王党员受限至 2027-03-01（纪律处分）" in errors and "DISC-04" in errors
    assert not CommitteePost.objects.filter(holder=cast.ordinary_member).exists()


def test_no_promotion_within_a_warning_but_the_same_post_is_allowed(cast, make_record, login):
    make_record(
        cast.ordinary_member,
        K.WARNING,
        decided_on=date(2026, 3, 1),
        ref_post="member",
        ref_org=cast.branch1,
    )
    client = login(cast.party_secretary)
    response = _post(client, cast.general_branch, cast.ordinary_member, post="member")
    errors = " ".join(response.context["form"].errors.get("holder", []))
    assert "DISC-02" in errors and "第十条" in errors
    assert _post(client, cast.branch1, cast.ordinary_member, post="member").status_code == 302
    assert CommitteePost.objects.filter(holder=cast.ordinary_member).count() == 1


def test_removal_bars_an_equal_post(cast, make_record, login):
    make_record(
        cast.ordinary_member,
        K.REMOVAL,
        decided_on=date(2026, 3, 1),
        ref_post="organization",
        ref_org=cast.branch1,
    )
    response = _post(
        login(cast.party_secretary), cast.branch1, cast.ordinary_member, post="publicity"
    )
    errors = " ".join(response.context["form"].errors.get("holder", []))
    assert "受限至 2028-03-01（纪律处分）" in errors and "DISC-03" in errors


def test_member_under_probation_cannot_introduce(cast, make_record, login):
    make_record(
        cast.ordinary_member,
        K.PROBATION,
        decided_on=date(2023, 1, 5),
        probation_years=2,
        today=date(2023, 1, 6),
    )
    d = Driver(cast).run(9)
    client = login(cast.branch_secretary)
    response = client.post(
        reverse("development:record_step", args=[d.case.public_id, 9]),
        {
            "on": "2023-05-05",
            "people": [str(cast.secretary_member.public_id), str(cast.ordinary_member.public_id)],
        },
    )
    assert response.status_code == 302
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "入党介绍人王党员受限至 2025-01-05（纪律处分）" in shown
    assert "第十四条" in shown and "DISC-04" in shown
    assert not d.case.steps.filter(number=9).exists()


def test_expelled_person_cannot_apply_again_for_five_years(cast, make_record, login):
    make_record(
        cast.ordinary_member, K.EXPULSION, decided_on=date(2024, 3, 1), today=date(2024, 3, 2)
    )
    client = login(cast.branch_secretary)
    response = client.post(
        reverse("development:new"),
        {
            "org": str(cast.branch1.public_id),
            "name": "王党员",
            "gender": "F",
            "ethnicity": "汉族",
            "birth_date": "1992-09-03",
            "id_number": cast.ordinary_member.id_number,
            "applied_on": "2026-06-01",
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("id_number", []))
    assert "五年内不得重新入党" in errors and "受限至 2029-03-01（纪律处分）" in errors
    assert "DISC-05" in errors
    assert not Case.objects.exists()
