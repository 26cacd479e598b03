"""iCalendar feeds (no session: the token in the URL is the credential)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.core.access import public
from zhibu.meetings import feeds, selectors
from zhibu.meetings.models import FeedToken
from zhibu.members.selectors import own_political_birthdays, political_birthdays

# How far back a feed reaches; 政治生日 are listed from then until the end of next year.
FEED_PAST = timedelta(days=90)


def _years(since):
    return range(since.year, timezone.localdate().year + 2)


def _token_user(token: str):
    row = FeedToken.objects.filter(token=token).select_related("user").first()
    if row is None or not row.user.is_active or len(token) < 20:
        raise Http404
    return row.user


def _ics(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@public
def feed_member(request: HttpRequest, token: str) -> HttpResponse:
    """The token's user's own meetings (their branch and 党小组)."""
    user = _token_user(token)
    member = selectors.my_member(user)
    since = timezone.localdate() - FEED_PAST
    meetings, birthdays = [], []
    if member is not None:
        meetings = selectors.feed_meetings(selectors.member_meetings(member), since)
        birthdays = [b for b in own_political_birthdays(member, _years(since)) if b.on >= since]
    return _ics(
        feeds.calendar(
            meetings,
            name=_("我的组织生活"),
            base=request.build_absolute_uri("/"),
            birthdays=birthdays,
            own=True,
        )
    )


@public
def feed_org(request: HttpRequest, token: str, org_id) -> HttpResponse:
    """An org's meetings, for a token whose user may see that org's organisational life,
    and its members' 政治生日 if the user may also see its members."""
    user = _token_user(token)
    try:
        org = selectors.meeting_org_for_user(user, org_id)
    except PermissionDenied:
        raise Http404 from None
    since = timezone.localdate() - FEED_PAST
    meetings = selectors.feed_meetings(selectors.visible_meetings(user).filter(org=org), since)
    # Members' 政治生日 only for a token whose user may see the org's members.
    birthdays = [
        b
        for year in _years(since)
        for b in political_birthdays(user=user, org=org, year=year)
        if b.on >= since
    ]
    return _ics(
        feeds.calendar(
            meetings, name=org.name, base=request.build_absolute_uri("/"), birthdays=birthdays
        )
    )
