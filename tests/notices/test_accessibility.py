"""The notices pages pass the project's basic accessibility checks (unique ids, a label
for every visible control), as tests/test_accessibility.py does for the main pages."""

from __future__ import annotations

import re
from collections import Counter

from django.urls import reverse

from tests.test_accessibility import CONTROL, ID, LABEL_FOR
from zhibu.notices import services


def test_notices_pages_have_unique_ids_and_labelled_controls(cast, login):
    a = services.announcement_save(
        org=cast.committee, data={"title": "通知", "body": "正文"}, by=cast.party_secretary
    )
    c = services.channel_save(
        org=cast.committee,
        data={"kind": "wecom", "name": "群", "url": "http://127.0.0.1:9/x?key=k"},
        by=cast.party_secretary,
    )
    client = login(cast.party_secretary)
    for url in (
        reverse("notices:index"),
        reverse("notices:new", args=[cast.committee.public_id]),
        reverse("notices:detail", args=[a.public_id]),
        reverse("notices:edit", args=[a.public_id]),
        reverse("notices:channels"),
        reverse("notices:channel_new", args=[cast.committee.public_id]),
        reverse("notices:channel_edit", args=[c.public_id]),
        reverse("notices:policy", args=[cast.committee.public_id]),
        reverse("notices:preferences"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        duplicates = [i for i, n in Counter(ID.findall(html)).items() if n > 1]
        assert duplicates == [], (url, duplicates)
        labelled = set(LABEL_FOR.findall(html))
        for _tag, attrs in CONTROL.findall(html):
            if re.search(r'type="(hidden|submit|button)"', attrs):
                continue
            control_id = re.search(r'\sid="([^"]+)"', attrs)
            has_label = control_id and control_id.group(1) in labelled
            assert has_label or "aria-label" in attrs or "aria-labelledby" in attrs, (url, attrs)
