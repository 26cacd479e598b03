"""The vote arithmetic (VOTE-01..03) on its edges, and as properties over every tally."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhibu.meetings.votes import Tally, count_votes, majority_of


def test_majority_is_strictly_more_than_half():
    assert [majority_of(n) for n in range(0, 8)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_exactly_half_yes_of_the_entitled_fails():
    # 10 entitled, all present: 5 yes is exactly half, not more than half.
    result = count_votes(Tally(entitled=10, present=10, yes=5, no=5, abstain=0))
    assert result.quorum_met and not result.passed
    assert result.needed == 6
    assert count_votes(Tally(entitled=10, present=10, yes=6, no=4, abstain=0)).passed


def test_exactly_half_present_is_no_quorum():
    result = count_votes(Tally(entitled=10, present=5, yes=5, no=0, abstain=0, written_yes=5))
    assert not result.quorum_met and not result.passed
    assert count_votes(Tally(entitled=10, present=6, yes=6, no=0, abstain=0)).passed


def test_majority_of_those_present_is_not_enough():
    # 9 entitled, 6 present, 5 yes: a majority of those present but not of the entitled.
    result = count_votes(Tally(entitled=9, present=6, yes=4, no=1, abstain=1))
    assert result.quorum_met and not result.passed
    assert count_votes(Tally(entitled=9, present=6, yes=5, no=1, abstain=0)).passed


def test_written_opinions_sent_beforehand_count_toward_yes():
    base = Tally(entitled=10, present=6, yes=4, no=2, abstain=0)
    assert not count_votes(base).passed
    result = count_votes(Tally(entitled=10, present=6, yes=4, no=2, abstain=0, written_yes=2))
    assert result.passed and result.yes_total == 6


def test_written_opinions_do_not_make_a_quorum():
    result = count_votes(Tally(entitled=10, present=4, yes=4, no=0, abstain=0, written_yes=6))
    assert not result.quorum_met and not result.passed


def test_probationary_members_present_do_not_enter_the_tally():
    # 预备党员 are neither entitled nor counted as present voters: the caller passes the
    # voters only, and a tally counting them as ballots is refused.
    result = count_votes(Tally(entitled=5, present=3, yes=4, no=0, abstain=0))
    assert not result.valid
    assert "超过到会有表决权党员人数（3 名）" in result.errors[0]


def test_more_written_opinions_than_absent_voters_is_an_error():
    result = count_votes(Tally(entitled=5, present=4, yes=2, no=0, abstain=0, written_yes=2))
    assert not result.valid and "书面意见 2 份" in result.errors[0]


@pytest.mark.parametrize(
    "tally",
    [
        Tally(entitled=5, present=6, yes=1, no=0, abstain=0),
        Tally(entitled=5, present=3, yes=-1, no=0, abstain=0),
        Tally(entitled=0, present=0, yes=0, no=0, abstain=0, written_yes=1),
    ],
)
def test_impossible_tallies_are_errors_and_never_pass(tally):
    result = count_votes(tally)
    assert result.errors and not result.passed and not result.quorum_met


def test_nobody_entitled_means_no_quorum():
    assert not count_votes(Tally(entitled=0, present=0, yes=0, no=0, abstain=0)).quorum_met


@st.composite
def tallies(draw):
    entitled = draw(st.integers(0, 60))
    present = draw(st.integers(0, entitled))
    yes = draw(st.integers(0, present))
    no = draw(st.integers(0, present - yes))
    abstain = draw(st.integers(0, present - yes - no))
    absent = entitled - present
    written_yes = draw(st.integers(0, absent))
    written_no = draw(st.integers(0, absent - written_yes))
    return Tally(entitled, present, yes, no, abstain, written_yes, written_no)


@given(tallies())
def test_a_valid_tally_passes_exactly_when_quorate_and_yes_exceeds_half_the_entitled(tally):
    result = count_votes(tally)
    assert result.valid
    assert result.quorum_met == (2 * tally.present > tally.entitled)
    assert result.passed == (
        result.quorum_met and 2 * (tally.yes + tally.written_yes) > tally.entitled
    )
    assert result.passed <= result.quorum_met


@given(tallies(), st.integers(1, 5))
def test_more_ballots_than_voters_present_is_always_refused(tally, extra):
    inflated = Tally(tally.entitled, tally.present, tally.present + extra, 0, 0)
    result = count_votes(inflated)
    assert not result.valid and not result.passed


@given(tallies())
def test_adding_a_yes_never_turns_a_pass_into_a_fail(tally):
    if tally.yes + tally.no + tally.abstain < tally.present:
        more = Tally(
            tally.entitled,
            tally.present,
            tally.yes + 1,
            tally.no,
            tally.abstain,
            tally.written_yes,
            tally.written_no,
        )
        assert count_votes(more).passed >= count_votes(tally).passed
