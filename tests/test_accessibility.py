"""Basic accessibility of the main pages: unique element ids (labels and ARIA references
depend on them) and a label for every visible form control."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ID = re.compile(r'\sid="([^"]+)"')
CONTROL = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)
LABEL_FOR = re.compile(r'<label[^>]*\sfor="([^"]+)"')


def pages(cast):
    from tests.factories import record_meeting
    from zhibu.development.services import case_open
    from zhibu.duties.services.rectification import rectification_create

    case = case_open(
        org=cast.branch1,
        name="申请人",
        gender="M",
        birth_date=date(1999, 5, 5),
        applied_on=date(2025, 3, 1),
    )
    meeting = record_meeting(cast.branch1, date(2025, 9, 10), ["theme_day"])
    item = rectification_create(
        org=cast.branch1, problem="台账不全", measure="补齐", deadline=date(2099, 1, 1)
    )
    return [
        reverse("home"),
        reverse("orgs:tree"),
        reverse("orgs:detail", args=[cast.branch1.public_id]),
        reverse("orgs:detail", args=[cast.branch1.public_id]) + "?tab=committee",
        reverse("orgs:create", args=[cast.branch1.public_id]),
        reverse("members:list"),
        reverse("members:accounts"),
        reverse("members:detail", args=[cast.ordinary_member.public_id]),
        reverse("members:edit", args=[cast.ordinary_member.public_id]),
        reverse("meetings:list"),
        reverse("meetings:detail", args=[meeting.public_id]),
        reverse("development:board"),
        reverse("development:case", args=[case.public_id]),
        reverse("insight:cockpit"),
        reverse("insight:rules"),
        reverse("api_tokens:tokens"),
        reverse("password_change"),
        reverse("duties:list"),
        reverse("duties:detail", args=[item.public_id]),
        reverse("duties:close", args=[item.public_id]),
        reverse("duties:supervisions"),
        reverse("duties:supervision_open") + f"?target=rectification:{item.public_id}",
        reverse("duties:inspections"),
        reverse("duties:inspection_new", args=[cast.branch1.public_id]),
    ]


def test_main_pages_have_unique_ids_and_labelled_controls(cast, login):
    client = login(cast.party_secretary)
    for url in pages(cast):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        duplicates = [i for i, n in Counter(ID.findall(html)).items() if n > 1]
        assert duplicates == [], (url, duplicates)
        labelled = set(LABEL_FOR.findall(html))
        for tag, attrs in CONTROL.findall(html):
            if re.search(r'type="(hidden|submit|button)"', attrs):
                continue
            control_id = re.search(r'\sid="([^"]+)"', attrs)
            has_label = control_id and control_id.group(1) in labelled
            assert has_label or "aria-label" in attrs or "aria-labelledby" in attrs, (
                url,
                tag,
                attrs[:120],
            )
