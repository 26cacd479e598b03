"""Meeting edit pages (plan and record) carry the meeting's version; a stale save is
refused with what changed (issue 14, item 5)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import record_meeting
from tests.meetings.conftest import TODAY, record_data, url
from zhibu.meetings.models import Meeting
from zhibu.meetings.services.scheduling import meeting_plan

pytestmark = pytest.mark.django_db


def present(cast):
    return {cast.secretary_member: "present", cast.ordinary_member: "present"}


def test_a_stale_plan_edit_is_refused_with_what_changed(cast, login, frozen):
    meeting = meeting_plan(
        org=cast.branch1, title="11月主题党日", on=date(2025, 11, 10), kinds=["theme_day"]
    )
    mine, theirs = login(cast.branch_secretary), login(cast.branch_secretary)
    version = mine.get(url("edit_plan", meeting)).context["form"]["version"].value()
    base = {"title": "11月主题党日", "on": "2025-11-10", "kinds": ["theme_day"], "version": version}
    frozen.shift(60)  # the version is the save's time: their save comes a minute later
    assert (
        theirs.post(url("edit_plan", meeting), {**base, "place": "三楼会议室"}).status_code == 302
    )

    stale = mine.post(url("edit_plan", meeting), {**base, "on": "2025-11-12"})
    assert stale.status_code == 200
    body = stale.content.decode()
    assert "已修改了该会议，您的修改未保存" in body and "三楼会议室" in body
    meeting.refresh_from_db()
    assert (meeting.on, meeting.place) == (date(2025, 11, 10), "三楼会议室")
    current = stale.context["form"].data["version"]
    again = mine.post(
        url("edit_plan", meeting),
        {**base, "on": "2025-11-12", "place": "三楼会议室", "version": current},
    )
    assert again.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.on, meeting.place) == (date(2025, 11, 12), "三楼会议室")


def test_a_stale_record_edit_is_refused_with_what_changed(cast, login, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 1), ["theme_day"], today=TODAY)
    mine, theirs = login(cast.branch_secretary), login(cast.branch_secretary)
    page = mine.get(url("record", meeting)).content.decode()
    version = meeting.updated_at.isoformat()
    assert f'name="version" value="{version}"' in page
    data = record_data(date(2025, 9, 1), present(cast), version=version)
    frozen.shift(60)
    assert theirs.post(url("record", meeting), {**data, "place": "支部活动室"}).status_code == 302

    stale = mine.post(url("record", meeting), {**data, "title": "九月主题党日（我的标题）"})
    assert stale.status_code == 200
    body = stale.content.decode()
    assert "已修改了该会议，您的修改未保存" in body and "支部活动室" in body
    meeting.refresh_from_db()
    assert meeting.place == "支部活动室" and meeting.title != "九月主题党日（我的标题）"
    assert Meeting.objects.count() == 1


def test_a_new_meeting_needs_no_version(cast, login, frozen):
    response = login(cast.branch_secretary).post(
        url("record_new", cast.branch1), record_data(TODAY, present(cast))
    )
    assert response.status_code == 302 and Meeting.objects.count() == 1
