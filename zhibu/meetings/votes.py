"""The vote arithmetic of VOTE-01..03, as one pure function.

- Quorum (VOTE-01, VOTE-03): more than half of those **entitled** must be present —
  members with voting rights for a 支部党员大会 (预备党员 and members under 留党察看 have
  none), committee members for a 支委会.
- Passing (VOTE-02): "yes" votes, counting written opinions sent beforehand, must exceed
  half of those **entitled** — not half of those present. A vote without quorum fails.
- One candidate per vote (VOTE-04) is enforced by the decision form and service.

A tally that cannot be true (more ballots than voters present, more written opinions than
absent voters) is an error, never a result.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

NEGATIVE = _("票数不能为负数。")
PRESENT_OVER_ENTITLED = _("实到有表决权人数（%(present)s）超过应到人数（%(entitled)s）。")
TALLY_OVER_PRESENT = _(
    "赞成、反对、弃权票合计 %(ballots)s 票，超过到会有表决权党员人数（%(present)s 名）。"
)
WRITTEN_OVER_ABSENT = _("书面意见 %(written)s 份，超过未到会的有表决权党员人数（%(absent)s 名）。")


@dataclass(frozen=True)
class Tally:
    entitled: int  # 应到会有表决权的人数
    present: int  # 实到会有表决权的人数
    yes: int
    no: int
    abstain: int
    written_yes: int = 0
    written_no: int = 0
    written_abstain: int = 0


@dataclass(frozen=True)
class VoteResult:
    quorum_met: bool
    passed: bool
    yes_total: int  # yes in the room plus written yes
    needed: int  # the smallest yes_total that passes: more than half of the entitled
    errors: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors


def majority_of(entitled: int) -> int:
    """The smallest whole number strictly greater than half of ``entitled``."""
    return entitled // 2 + 1


def has_quorum(entitled: int, present: int) -> bool:
    """More than half of those entitled are present (VOTE-01, VOTE-03)."""
    return entitled > 0 and 2 * present > entitled


def has_majority(entitled: int, yes_total: int) -> bool:
    """The yes votes, written ones included, exceed half of those entitled (VOTE-02)."""
    return 2 * yes_total > entitled


def count_votes(tally: Tally) -> VoteResult:
    t = tally
    numbers = (
        t.entitled,
        t.present,
        t.yes,
        t.no,
        t.abstain,
        t.written_yes,
        t.written_no,
        t.written_abstain,
    )
    errors: list[str] = []
    if any(n < 0 for n in numbers):
        errors.append(str(NEGATIVE))
    else:
        if t.present > t.entitled:
            errors.append(
                str(PRESENT_OVER_ENTITLED % {"present": t.present, "entitled": t.entitled})
            )
        ballots = t.yes + t.no + t.abstain
        if ballots > t.present:
            errors.append(str(TALLY_OVER_PRESENT % {"ballots": ballots, "present": t.present}))
        written = t.written_yes + t.written_no + t.written_abstain
        absent = max(t.entitled - t.present, 0)
        if written > absent:
            errors.append(str(WRITTEN_OVER_ABSENT % {"written": written, "absent": absent}))
    needed = majority_of(max(t.entitled, 0))
    yes_total = max(t.yes, 0) + max(t.written_yes, 0)
    if errors:
        return VoteResult(False, False, yes_total, needed, tuple(errors))
    quorum = has_quorum(t.entitled, t.present)
    passed = quorum and has_majority(t.entitled, yes_total)
    return VoteResult(quorum, passed, yes_total, needed)
