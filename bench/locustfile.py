"""HTTP load on the pages people use most and one API list (bench/httpload.py runs it).

Settings come from the environment: ZHIBU_BENCH_FIXTURES (a JSON file written by
``bench/tasks.py fixtures``: signed-in sessions, an API token, meetings to open) and
ZHIBU_BENCH_PERIOD.
"""

import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, tag, task

FIXTURES = json.loads(Path(os.environ["ZHIBU_BENCH_FIXTURES"]).read_text(encoding="utf-8"))
PERIOD = os.environ.get("ZHIBU_BENCH_PERIOD", "2026")
TERMS = ["zh", "wang", "li", "zs", "wj", "liu", "chen", "zhang"]
SESSIONS = iter(FIXTURES["sessions"])


class Staff(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        # A session made by the fixtures task: the load measures pages, not argon2 hashing.
        self.client.cookies.set("sessionid", next(SESSIONS))

    @task(4)
    @tag("member_search")
    def member_search(self):
        self.client.get("/members/", params={"q": random.choice(TERMS)}, name="member search")

    @task(2)
    @tag("cockpit")
    def cockpit(self):
        self.client.get(
            "/cockpit/", params={"org": FIXTURES["org"], "period": PERIOD}, name="cockpit"
        )

    @task(3)
    @tag("meeting_detail")
    def meeting_detail(self):
        if FIXTURES["meetings"]:
            meeting = random.choice(FIXTURES["meetings"])
            self.client.get(f"/meetings/{meeting}/", name="meeting detail")

    @task(3)
    @tag("api_list")
    def api_list(self):
        self.client.get(
            "/api/v1/orgs",
            params={"limit": 50},
            headers={"Authorization": f"Bearer {FIXTURES['token']}"},
            name="API orgs list",
        )
