"""Whiteboard tags and "Next update" dates in the forms real whiteboards use (our own examples)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ca_incidents.corpus import Whiteboard, parse_whiteboard
from ca_incidents.corpus.whiteboard import US_RULE, normalise_tag


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("[ca-compliance] [ov-misissuance]", ["ca-compliance", "ov-misissuance"]),
        ("[ca-compliance][covid-19]", ["ca-compliance", "covid-19"]),  # no space between tags
        ("[CA-Compliance]  [ OCSP-Failure ]", ["ca-compliance", "ocsp-failure"]),
        ("[disclosure failure] [ca compliance]", ["disclosure-failure", "ca-compliance"]),
        ("[ca-complaince] [ca-compliance]", ["ca-compliance"]),  # misspelling, then de-duplicated
        ("[ca-compliance] [ev-misissuance] [ca-compliance]", ["ca-compliance", "ev-misissuance"]),
        ("ca-compliance dv-misissuance", ["ca-compliance", "dv-misissuance"]),  # missing brackets
        ("[ca-compliance] Expired CRLs", ["ca-compliance"]),  # free text is not a tag
        ("[ca-compliance", ["ca-compliance"]),  # unclosed bracket
        ("[] [ca-compliance]", ["ca-compliance"]),
        ("[close on 2025-12-10]", ["close-on-2025-12-10"]),
        ("[leaf-revocation-delay] [ca-compliance]", ["leaf-revocation-delay", "ca-compliance"]),  # order kept
        ("", []),
    ],
)
def test_tags(text: str, tags: list[str]) -> None:
    board = parse_whiteboard(text)
    assert board.tags == tags
    assert board.next_update_raw is None


@pytest.mark.parametrize(
    ("text", "expected", "raw"),
    [
        ("[ca-compliance] Next update 2023-07-27", date(2023, 7, 27), "Next update 2023-07-27"),
        ("[ca-compliance] Next Update: 2023-07-27", date(2023, 7, 27), "Next Update: 2023-07-27"),
        ("[ca-compliance] next-update 2024-1-5", date(2024, 1, 5), "next-update 2024-1-5"),
        ("[ca-compliance] NEXT UPDATE 2024/02/09 ", date(2024, 2, 9), "NEXT UPDATE 2024/02/09"),
        ("[ca-compliance] [Next update 2023-09-01]", date(2023, 9, 1), "Next update 2023-09-01"),
        ("Next update 2023-09-01 [ca-compliance]", date(2023, 9, 1), "Next update 2023-09-01"),
        ("[ca-compliance] Next update - 2023-09-01", date(2023, 9, 1), "Next update - 2023-09-01"),
        ("[ca-compliance] Next update on 20230901", date(2023, 9, 1), "Next update on 20230901"),
        ("[ca-compliance] Next update 31-Oct-2023", date(2023, 10, 31), "Next update 31-Oct-2023"),
        ("[ca-compliance] Next update 5 March 2024", date(2024, 3, 5), "Next update 5 March 2024"),
        ("[ca-compliance] Next update Mar 5, 2024", date(2024, 3, 5), "Next update Mar 5, 2024"),
        ("[ca-compliance] Next update 2023-Oct-27", date(2023, 10, 27), "Next update 2023-Oct-27"),
        ("[ca-compliance] Next update 2023 October 27th", date(2023, 10, 27), "Next update 2023 October 27th"),
        ("[ca-compliance] Next update 27th of October 2023", date(2023, 10, 27),
         "Next update 27th of October 2023"),
        ("[ca-compliance] Next update Sept. 5, 2024", date(2024, 9, 5), "Next update Sept. 5, 2024"),
        ("[ca-compliance] Next update 5Mar2024", date(2024, 3, 5), "Next update 5Mar2024"),
        ("[ca-compliance] Next update 2023-09-01 per comment 12", date(2023, 9, 1),
         "Next update 2023-09-01 per comment 12"),
        ("[ca-compliance] Next update 25/3/2024", date(2024, 3, 25), "Next update 25/3/2024"),  # day > 12
        ("[ca-compliance] Next update 3-25-2024", date(2024, 3, 25), "Next update 3-25-2024"),
        ("[ca-compliance] Next update 4-4-24", date(2024, 4, 4), "Next update 4-4-24"),
    ],
)  # fmt: skip
def test_next_update_forms(text: str, expected: date, raw: str) -> None:
    board = parse_whiteboard(text)
    assert (board.next_update, board.next_update_raw, board.problem) == (expected, raw, None)
    assert board.assumption is None


def test_ambiguous_numeric_date_uses_the_documented_us_rule_and_says_so() -> None:
    board = parse_whiteboard("[ca-compliance] [ca-misissuance] Next update 3-1-2023")
    assert board.next_update == date(2023, 3, 1)
    assert board.assumption == US_RULE
    assert board.problem is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[ca-compliance] Next update 2023-02-30", "not a calendar date"),
        ("[ca-compliance] Next update 2023-13-01", "not a calendar date"),
        ("[ca-compliance] Next update 2023-07-27, 2023-08-03", "several dates (2023-07-27, 2023-08-03)"),
        ("[ca-compliance] Next update 2023-07-27 [x] Next update 2023-08-03", "several dates"),
        ("[ca-compliance] Next update TBD", "no date given"),
        ("[ca-compliance] Next update", "no date given"),
        ("[ca-compliance] Next update July 27", "date not in a recognised form (or no year)"),
        ("[ca-compliance] Next update 7/27", "date not in a recognised form (or no year)"),
        ("[ca-compliance] Next update Oct 2023", "date not in a recognised form (or no year)"),
        ("[ca-compliance] Next update 2023-Feb-30", "not a calendar date"),
        ("[ca-compliance] Next update 1 May 2024, 2 May 2024", "several dates (2024-05-01, 2024-05-02)"),
        ("[ca-compliance] Next update may slip, 2024", "date not in a recognised form (or no year)"),
    ],
)
def test_unparseable_next_update_is_kept_and_explained(text: str, problem: str) -> None:
    board = parse_whiteboard(text)
    assert board.next_update is None
    assert board.next_update_raw is not None and board.next_update_raw.lower().startswith("next update")
    assert board.problem is not None and board.problem.startswith(problem)
    assert board.tags[0] == "ca-compliance"


def test_same_date_twice_is_not_a_conflict() -> None:
    board = parse_whiteboard("Next update 2024-06-01 [ca-compliance] Next update 2024-06-01")
    assert board.next_update == date(2024, 6, 1)
    assert board.problem is None


def test_empty_inputs() -> None:
    assert parse_whiteboard(None) == Whiteboard()
    assert parse_whiteboard("   ") == Whiteboard()


def test_normalise_tag() -> None:
    assert normalise_tag("  Disclosure   Failure ") == "disclosure-failure"
    assert normalise_tag("covid19") == "covid-19"
    assert normalise_tag(" - ") is None


WHITEBOARDISH = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(
            ["[", "]", "[ca-compliance]", "Next update", "next-update:", " ", "2023-", "-1-", "Oct"]
        ),
        st.dates().map(lambda d: d.isoformat()),
        st.integers(0, 99).map(str),
    ),
    max_size=12,
).map("".join)


@given(st.one_of(st.none(), st.text(), WHITEBOARDISH))
def test_never_raises_and_keeps_invariants(text: str | None) -> None:
    board = parse_whiteboard(text)
    assert len(board.tags) == len(set(board.tags))
    assert all(tag and tag == tag.strip().lower() and " " not in tag for tag in board.tags)
    if board.next_update_raw is None:
        assert board.next_update is None and board.problem is None
    else:
        assert (board.next_update is None) == (board.problem is not None)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_any_iso_date_round_trips(day: date) -> None:
    board = parse_whiteboard(f"[ca-compliance] [ocsp-failure] Next update {day.isoformat()}")
    assert board.next_update == day
    assert board.tags == ["ca-compliance", "ocsp-failure"]
