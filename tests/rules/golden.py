"""The golden dump of a year's findings: what the rule engine decides and what a user is
shown, on the demo enterprise and on a small synthetic tree with a fixed seed and day.

The fixture (golden.json) was written by the engine before explanations became messages
and count rules SQL tallies. ``ZHIBU_GOLDEN_WRITE=1 pytest tests/rules/test_golden.py``
rewrites it after a deliberate change of findings; say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.utils import translation

from zhibu.core.rules.models import Finding

TODAY = date(2026, 8, 20)  # inside the year: running and closed periods both occur
YEAR = "2026"
SAMPLE_EVERY = 25  # full rows for one finding in SAMPLE_EVERY; digests for all


def shown(finding: Finding) -> tuple[str, list[str]]:
    """The explanation (zh-hans) and references as a user is shown them."""
    from zhibu.insight.selectors import finding_refs, finding_text

    with translation.override("zh-hans"):
        return finding_text(finding), list(finding_refs(finding))


def _models():
    from zhibu.development.models import Case
    from zhibu.duties.models import Letter, LetterItem, Rectification, Request, Supervision, Task
    from zhibu.meetings.models import Meeting
    from zhibu.members.models import Member
    from zhibu.orgs.models import Committee, CommitteePost, Org, Unit

    return {
        "member": Member,
        "meeting": Meeting,
        "org": Org,
        "committee": Committee,
        "case": Case,
        "post": CommitteePost,
        "unit": Unit,
        "request": Request,
        "letter": Letter,
        "letter_item": LetterItem,
        "task": Task,
        "rectification": Rectification,
        "supervision": Supervision,
    }


class Stable:
    """Random public ids and database ids as ranks (by primary key) within their table:
    the same on any fresh database, whatever its sequences."""

    def __init__(self) -> None:
        self.models = _models()
        self.ranks: dict[str, dict] = {}

    def _table(self, kind: str) -> dict:
        if kind not in self.ranks:
            model = self.models.get(kind)
            table = {}
            if model is not None:
                for i, (pk, public_id) in enumerate(
                    model.objects.order_by("pk").values_list("pk", "public_id")
                ):
                    table[pk] = i
                    table[str(public_id)] = i
            self.ranks[kind] = table
        return self.ranks[kind]

    def ref(self, ref: str) -> str:
        kind, _, ident = str(ref).partition(":")
        return f"{kind}:{self._table(kind).get(ident, ident)}"

    def subject(self, kind: str, pk: int) -> str:
        return f"{kind}:{self._table(kind).get(pk, pk)}"


def dump(root_path: str) -> dict[str, dict]:
    rows = {}
    stable = Stable()
    findings = (
        Finding.objects.filter(org_path__startswith=root_path, period_start__gte=date(2026, 1, 1))
        .filter(period_start__lt=date(2027, 1, 1))
        .select_related("org", "exemption")
        .order_by("org_path", "rule_code", "period_code", "subject_type", "subject_id")
    )
    for f in findings:
        text, refs = shown(f)
        subject = "org" if f.subject_type == "org" else stable.subject(f.subject_type, f.subject_id)
        key = f"{f.rule_code}|{f.period_code}|{f.org.code or f.org_path}|{subject}"
        rows[key] = {
            "status": f.status,
            "original_status": f.original_status,
            "numbers": f.numbers,
            "explanation": text,
            "refs": sorted(stable.ref(ref) for ref in refs),  # order by random uuid: not kept
        }
    return rows


def compact(rows: dict[str, dict]) -> dict:
    digests = {}
    sample = {}
    for i, (key, row) in enumerate(sorted(rows.items())):
        text = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
        digests[key] = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        if i % SAMPLE_EVERY == 0:
            sample[key] = json.loads(text)
    return {"count": len(rows), "digests": digests, "sample": sample}
