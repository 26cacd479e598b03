"""Findings stay exactly the same: a year's run on the demo enterprise and on a small
synthetic tree is compared with a dump made by the engine before it was made set-based
(tests/rules/golden.json). ``ZHIBU_GOLDEN_WRITE=1`` rewrites the dump."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import transaction

from tests.rules import golden
from zhibu.core.rules import Period
from zhibu.demo import builder as demo
from zhibu.demo.logins import ROOT_CODE
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run
from zhibu.synth import Plan, build

FIXTURE = Path(__file__).with_name("golden.json")
YEAR = Period.parse(golden.YEAR)


@pytest.fixture(scope="module")
def dumps(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo.build(today=golden.TODAY)
        build(
            Plan(members=360, branches=24, years=1, seed=7, code="GLD", today=golden.TODAY),
            log=lambda _line: None,
        )
        out = {}
        for code in (ROOT_CODE, "GLD"):
            root = Org.objects.get(code=code)
            rules_run(root=root, period=YEAR, today=golden.TODAY)
            out[code] = golden.compact(golden.dump(root.path))
        yield out
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_findings_are_those_of_the_reference_engine(dumps):
    if os.environ.get("ZHIBU_GOLDEN_WRITE"):
        FIXTURE.write_text(json.dumps(dumps, ensure_ascii=False, sort_keys=True, indent=0) + "\n")
    expected = json.loads(FIXTURE.read_text())
    for code, got in dumps.items():
        want = expected[code]
        for key, row in want["sample"].items():
            assert got["sample"].get(key) == row, key
        changed = sorted(
            k
            for k in want["digests"].keys() | got["digests"].keys()
            if want["digests"].get(k) != got["digests"].get(k)
        )
        assert not changed, (code, len(changed), changed[:5])
        assert got["count"] == want["count"]
