"""No page answers 500 to bad query parameters (issue 14, item 8).

Walks every page of the URLconf as the 党委书记 (the widest business role) with each bad
parameter set; UUID path arguments are the committee's public id, so org pages are
exercised and other objects answer 404.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.test_urlconf import ALL_VIEWS
from zhibu.core.params import BAD_YEAR, MAX_YEAR, MIN_YEAR

pytestmark = pytest.mark.django_db

BAD_PARAMS = [
    {"org": "notuuid"},
    {"year": "0"},
    {"year": "99999"},
    {"year": "-1"},
    {"year": "abc"},
    {"period": "garbage"},
    {"page": "-1"},
    {"month": "13", "quarter": "9"},
    {"org": "00000000-0000-0000-0000-000000000000", "year": "abc", "period": "2025Q9"},
]
PAGES = [(route, p) for route, p in ALL_VIEWS if not route.startswith("api/")]


def concrete(route: str, org_id: str, year: str = "2025") -> str:
    url = re.sub(r"<uuid:[^>]+>", org_id, route)
    url = re.sub(r"<(?:int|year):year>", year, url)
    url = re.sub(r"<int:[^>]+>", "1", url)
    url = re.sub(r"<(?:slug|str|path):[^>]+>", "x", url)
    url = re.sub(r"<[^>]+>", "x", url)
    return "/" + url.replace("^", "").replace("$", "").replace("\\", "")


def urls(route: str, org_id: str) -> list[str]:
    """The route with good arguments, and with bad years where it takes one."""
    if ":year>" not in route:
        return [concrete(route, org_id)]
    return [concrete(route, org_id, year) for year in ("2025", "0", "0000", "9999", "99999")]


def test_no_page_answers_500_to_bad_query_parameters(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.party_secretary)
    failures = []
    for url in (u for route, _ in PAGES for u in urls(route, str(cast.committee.public_id))):
        for params in BAD_PARAMS:
            response = client.get(url, params)
            if response.status_code >= 500:
                failures.append(f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())}")
    assert failures == [], "\n".join(failures)


def test_a_bad_year_is_a_400_with_a_chinese_message(cast, login):
    client = login(cast.party_secretary)
    response = client.get("/development/plan/", {"year": "99999"})
    assert response.status_code == 400
    assert str(BAD_YEAR % {"min": MIN_YEAR, "max": MAX_YEAR}) in response.content.decode()
    org = cast.branch1.public_id
    for url in (
        f"/meetings/org/{org}/ledger/0.pdf",
        f"/meetings/org/{org}/ledger/99999.xlsx",
        f"/meetings/org/{org}/plan/0000/",
        f"/meetings/org/{org}/talks/9999/matrix/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "页面不存在" in response.content.decode()


@pytest.mark.parametrize("url", ["/cockpit/", "/cockpit/findings/", "/development/"])
def test_an_org_that_is_not_a_uuid_is_not_found(cast, login, url):
    response = login(cast.party_secretary).get(url, {"org": "notuuid"})
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_first_request_after_the_idle_timeout_signs_in_again_with_a_message(cast, settings):
    import time

    client = Client(raise_request_exception=False)
    client.force_login(cast.party_secretary)
    assert client.get("/").status_code == 200
    # Idle for longer than the timeout while the session itself was kept alive (another
    # write to the session within the minute extends its expiry, not the last-seen mark).
    session = client.session
    session["zhibu_last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 60
    session.save()
    response = client.get("/cockpit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    page = client.get(response["Location"])
    assert "您已长时间未操作，为安全起见已自动退出，请重新登录。" in page.content.decode()
