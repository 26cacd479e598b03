"""What a discipline record forbids, asked by the modules where it bites (set-based).

- ``vote_barred(member_ids, on)``: 留党察看 — no vote and no election rights (DISC-04);
  meetings leave them out of the entitled voters (VOTE-01/02).
- ``post_barred(member, on, post=, org=)``: no post during 留党察看; within the periods of
  警告/严重警告 no higher post (DISC-02), of 撤销党内职务 and after a restored 留党察看 no
  equal or higher post (DISC-03/04); committees refuse the appointment.
- ``introducer_barred(member_ids, on)``: a member under 留党察看 cannot introduce an
  applicant (细则 art. 14, DISC-04); development refuses the step.
- ``readmission_barred(id_number_or_person, on)``: 开除党籍 — no new application for five
  years (DISC-05); development refuses the case.

Each answer is a ``Restriction``: until when, and the citation. It never carries the record,
its kind or its facts: users outside the records' scope see only its ``text``,
"受限至 YYYY-MM-DD（纪律处分）" with the citation. A revoked record restricts nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from zhibu.core.crypto import blind_index
from zhibu.discipline import periods, ranks
from zhibu.discipline.models import DisciplineRecord
from zhibu.discipline.rules import (
    EXPULSION_CITATION,
    INTRODUCER_CITATION,
    PROBATION_CITATION,
    REMOVAL_CITATION,
    WARNING_CITATION,
)
from zhibu.members import idnumber

K = DisciplineRecord.Kind
RESTRICTED_UNTIL = _("受限至 %(until)s（纪律处分），依据 %(code)s %(citation)s")
RESTRICTED_OPEN = _("受限（纪律处分，待作出恢复党员权利的决定），依据 %(code)s %(citation)s")


@dataclass(frozen=True)
class Restriction:
    """A restriction on one member (or person) until a date (None: until a decision)."""

    member_id: int | None
    code: str
    citation: str
    until: date | None

    @property
    def text(self) -> str:
        values = {"code": self.code, "citation": self.citation, "until": self.until}
        return _t(str(RESTRICTED_UNTIL if self.until else RESTRICTED_OPEN)) % values

    def __str__(self) -> str:
        return self.text


def _in_effect():
    return DisciplineRecord.objects.filter(status=DisciplineRecord.Status.IN_EFFECT)


def _probation_running(on: date) -> Q:
    """A 留党察看 decided by ``on`` whose rights are not restored on ``on``: rights come back
    only by a decision (察看期满恢复党员权利), so a term past its end without one still
    restricts (and DISC-04 reports the missing decision)."""
    return Q(kind=K.PROBATION, decided_on__lte=on) & ~Q(
        outcome=DisciplineRecord.Outcome.RESTORED, outcome_on__lte=on
    )


def _probation_restriction(
    member_id: int, term_end: date | None, on: date, citation
) -> Restriction:
    until = term_end if term_end and term_end > on else None
    return Restriction(member_id, "DISC-04", str(citation), until)


def vote_barred_ids(on: date):
    """The ids of the members without a vote on ``on``, as a subquery (for ``exclude``)."""
    return _in_effect().filter(_probation_running(on)).values("member")


def vote_barred(member_ids: Iterable[int], on: date) -> dict[int, Restriction]:
    """{member id: restriction} for those of ``member_ids`` without a vote on ``on``. One query."""
    rows = (
        _in_effect()
        .filter(_probation_running(on), member__in=member_ids)
        .values_list("member", "effect_until")
    )
    return {m: _probation_restriction(m, end, on, PROBATION_CITATION) for m, end in rows}


def introducer_barred(member_ids: Iterable[int], on: date) -> dict[int, Restriction]:
    """{member id: restriction} for those of ``member_ids`` who may not be 入党介绍人 on
    ``on`` (留党察看, not yet restored). One query."""
    rows = (
        _in_effect()
        .filter(_probation_running(on), member__in=member_ids)
        .values_list("member", "effect_until")
    )
    citation = f"{INTRODUCER_CITATION}、{PROBATION_CITATION}"
    return {m: _probation_restriction(m, end, on, citation) for m, end in rows}


def post_barred(member, on: date, *, post: str | None = None, org=None) -> Restriction | None:
    """The restriction barring ``member`` from ``post`` at ``org`` on ``on`` (any post when
    ``post`` is None), or None. One query."""
    member_id = getattr(member, "pk", member)
    rows = (
        _in_effect()
        .filter(member=member_id, decided_on__lte=on)
        .filter(
            _probation_running(on)
            | Q(kind=K.PROBATION, post_bar_until__gt=on)
            | Q(kind__in=(K.WARNING, K.SERIOUS_WARNING, K.REMOVAL), effect_until__gt=on)
        )
        .values_list(
            "kind",
            "outcome",
            "outcome_on",
            "effect_until",
            "post_bar_until",
            "ref_post",
            "ref_org__kind",
        )
    )
    wanted = ranks.rank(post, getattr(org, "kind", None)) if post else None
    found: list[Restriction] = []
    for kind, outcome, outcome_on, effect, post_bar, ref_post, ref_kind in rows:
        ref = ranks.rank(ref_post, ref_kind)
        restored = outcome == DisciplineRecord.Outcome.RESTORED and outcome_on and outcome_on <= on
        if kind == K.PROBATION and not restored:
            found.append(_probation_restriction(member_id, effect, on, PROBATION_CITATION))
        elif kind == K.PROBATION:
            if wanted is None or ranks.barred(wanted, ref, strict=False):
                found.append(Restriction(member_id, "DISC-04", str(PROBATION_CITATION), post_bar))
        elif kind == K.REMOVAL:
            if wanted is None or ranks.barred(wanted, ref, strict=False):
                found.append(Restriction(member_id, "DISC-03", str(REMOVAL_CITATION), effect))
        elif wanted is None or ranks.barred(wanted, ref, strict=True):
            found.append(Restriction(member_id, "DISC-02", str(WARNING_CITATION), effect))
    if not found:
        return None
    # The longest restriction explains the refusal (an open-ended one first).
    return max(found, key=lambda r: r.until or date.max)


def readmission_barred(id_number_or_person, on: date) -> Restriction | None:
    """The restriction barring a person (an ID number, or a member or case with its
    ``id_index``) from applying again on ``on`` after 开除党籍 (DISC-05), or None."""
    if isinstance(id_number_or_person, str):
        number = idnumber.normalise(id_number_or_person)
        index = blind_index(number) if number else ""
    else:
        index = getattr(id_number_or_person, "id_index", "") or ""
    if not index:
        return None
    records = (
        _in_effect()
        .filter(id_index=index, decided_on__lte=on)
        .filter(
            Q(kind=K.EXPULSION) | Q(kind=K.PROBATION, outcome=DisciplineRecord.Outcome.EXPELLED)
        )
        .select_related("deciding_org")
    )
    found = []
    for record in records:
        until = periods.readmission_until(record)
        if until is not None and on < until:
            found.append(Restriction(None, "DISC-05", str(EXPULSION_CITATION), until))
    return max(found, key=lambda r: r.until or date.max) if found else None


def vote_bar_spans(
    *, org_ids: Iterable[int], start: date, end: date, member_ids=None
) -> dict[int, list]:
    """{member: [(from, until or None)]}: the vote bars of members now on the roll of
    ``org_ids`` (and of ``member_ids``, a list or subquery, wherever they are now) that
    overlap [start, end) — for rules re-tallying many votes. One query."""
    whose = Q(member__org__in=list(org_ids))
    if member_ids is not None:
        whose |= Q(member__in=member_ids)
    rows = (
        _in_effect()
        .filter(whose, kind=K.PROBATION, decided_on__lt=end)
        .exclude(outcome=DisciplineRecord.Outcome.RESTORED, outcome_on__lte=start)
        .values_list("member", "decided_on", "outcome", "outcome_on")
    )
    spans: dict[int, list] = {}
    for member, since, outcome, outcome_on in rows:
        until = outcome_on if outcome == DisciplineRecord.Outcome.RESTORED else None
        spans.setdefault(member, []).append((since, until))
    return spans
