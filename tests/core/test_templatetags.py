"""The shared template helpers read the same as what they stand in for."""

from __future__ import annotations

import uuid

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix

from zhibu.core.links import reverse_once, url_of


def test_url_of_is_the_url_tag_for_each_row():
    ids = [uuid.uuid4() for _ in range(3)]
    for viewname in ("members:detail", "meetings:detail", "orgs:detail", "development:case"):
        for public_id in ids:
            assert url_of(public_id, viewname) == reverse(viewname, args=[public_id])
    tag = engines["django"].from_string(
        "{% for p in ids %}{% url 'members:detail' p %};{% endfor %}"
    )
    filtered = engines["django"].from_string(
        "{% for p in ids %}{{ p|url_of:'members:detail' }};{% endfor %}"
    )
    assert filtered.render({"ids": ids}) == tag.render({"ids": ids})


def test_url_of_follows_the_script_prefix():
    public_id = uuid.uuid4()
    try:
        set_script_prefix("/zhibu/")
        assert url_of(public_id, "members:detail") == f"/zhibu/members/{public_id}/"
    finally:
        set_script_prefix("/")
    assert url_of(public_id, "members:detail") == f"/members/{public_id}/"


def test_reverse_once_is_reverse_and_keeps_no_failure():
    assert reverse_once("members:list") == reverse("members:list")
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            reverse_once("members:no-such-page")
