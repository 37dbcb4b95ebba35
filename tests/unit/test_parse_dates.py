"""Date, time and due-date normalisation."""

from datetime import date, datetime

import pytest

from ca_incidents.parse.dates import build_stamp, find_dates, parse_due


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01 13:45 UTC", "2024-05-01T13:45Z"),
        ("01.05.2024 13:45 CET", "2024-05-01T12:45Z"),
        ("May 1, 2024", "2024-05-01"),
        ("2024-05-01T13:45:00+02:00", "2024-05-01T11:45Z"),
        ("2024-05-01 13:45", "2024-05-01T13:45"),
        ("3 June 2023 at 9:05 PM PDT", "2023-06-04T04:05Z"),
        ("2025-09-22 12:00 UTC - 180 more revoked", "2025-09-22T12:00Z"),
    ],
)
def test_stamps_normalise_to_utc_when_zoned(text: str, expected: str) -> None:
    dm = find_dates(text)[0]
    stamp = build_stamp(dm, text)
    assert stamp is not None
    assert stamp.iso() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q3 2024", date(2024, 9, 30)),
        ("end of May 2024", date(2024, 5, 31)),
        ("by March 2025", date(2025, 3, 31)),
        ("H1 2025", date(2025, 6, 30)),
        ("end of Q4 2023", date(2023, 12, 31)),
        ("31/12/2020", date(2020, 12, 31)),
        ("~~2024-05-31~~ 2024-06-30", date(2024, 6, 30)),
        ("Q3 2026 (done early, 2026-06-19)", date(2026, 9, 30)),
        ("TBD", None),
        ("ASAP", None),
    ],
)
def test_due_dates_normalise_to_end_of_period(text: str, expected: date | None) -> None:
    assert parse_due(text, datetime(2024, 1, 10)) == expected


def test_due_without_year_takes_posting_year() -> None:
    assert parse_due("end of June", datetime(2024, 3, 1)) == date(2024, 6, 30)


def test_dotted_dates_are_day_first_and_slashes_follow_the_hint() -> None:
    assert (find_dates("04.05.2024")[0].month, find_dates("04.05.2024")[0].day) == (5, 4)
    assert find_dates("04/05/2024")[0].month == 4
    assert find_dates("04/05/2024", dayfirst=True)[0].month == 5
