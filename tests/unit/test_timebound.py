"""The calendar-anchor reader behind missing-timebound: typography must not hide a date."""

from __future__ import annotations

import pytest

from ca_incidents.score.timebound import anchors, is_timebound


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2013", "\u2212"])
def test_dates_written_with_unicode_hyphens_are_anchors(dash: str) -> None:
    text = f"The signing service was reconfigured on 2031{dash}04{dash}17."
    assert is_timebound(text, "")
    (found,) = anchors(text)
    assert text[found.start : found.end] == f"2031{dash}04{dash}17"  # offsets point into the original text


def test_a_no_break_space_inside_a_written_date() -> None:
    assert is_timebound("Rollout of the new lint by 30\u00a0June\u00a02031.", "")


def test_unicode_dashes_do_not_invent_a_date() -> None:
    assert not is_timebound("Ship the profile check \u2013 owner: the PKI team \u2013 TBD", "")


@pytest.mark.parametrize(
    "text",
    [
        "3/Nov/31 - the responder keys were rotated.",  # day/month-name/year with slashes
        "Rotated the responder keys on 3/November/2031.",
        "We told the subscriber on 10/29 that both ICAs would be revoked.",  # month/day, no year
        "3/14 - keys rotated.",
        "Since 2031-07-07 every new certificate carries a 64-bit random serial.",  # a change in force since then
    ],
)
def test_written_dates_are_anchors(text: str) -> None:
    assert is_timebound(text, "")


@pytest.mark.parametrize(
    "text",
    [
        "About 3/4 of the affected orders were re-validated.",  # fractions
        "About 3/4 of the orders were re-validated.",
        "Rescan certificates issued on 10/29.",  # dates that select the population acted on
        "Rescan all certificates issued before 2031-01-01 with the new lint.",
    ],
)
def test_fractions_and_population_selectors_are_not_anchors(text: str) -> None:
    assert not is_timebound(text, "")
