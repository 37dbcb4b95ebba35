"""The store's time convention: one helper converts every time to naive UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ca_incidents.utc import parse_utc, to_naive_utc, utc_now


def test_aware_times_are_converted_and_naive_ones_kept() -> None:
    tokyo = datetime(2024, 6, 15, 0, 30, tzinfo=timezone(timedelta(hours=9)))
    assert to_naive_utc(tokyo) == datetime(2024, 6, 14, 15, 30)
    assert to_naive_utc(datetime(2024, 6, 14, 15, 30)) == datetime(2024, 6, 14, 15, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10)), ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10)),
     (" 2024-05-01 ", datetime(2024, 5, 1)), ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10))],
)  # fmt: skip
def test_parse_utc(text: str, expected: datetime) -> None:
    assert parse_utc(text) == expected and parse_utc(text).tzinfo is None


def test_parse_utc_rejects_non_iso_text() -> None:
    with pytest.raises(ValueError, match="Invalid isoformat"):
        parse_utc("May 1st")


def test_utc_now_is_naive() -> None:
    assert utc_now().tzinfo is None
