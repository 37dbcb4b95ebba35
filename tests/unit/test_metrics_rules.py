"""Deadline rules per era, with their boundaries (exact limits, era starts, time zones)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from ca_incidents.metrics.rules import (
    RULES,
    answer_check,
    first_report_check,
    full_report_check,
    next_update_due,
    rules_at,
)
from ca_incidents.utc import to_naive_utc

FAR = datetime(2030, 1, 1)


@pytest.mark.parametrize(
    ("moment", "period"),
    [
        (date(2019, 5, 1), "legacy"),
        (date(2023, 2, 14), "legacy"),
        (date(2023, 2, 15), "v1.0"),
        (date(2023, 5, 1), "v1.0"),
        (date(2023, 5, 2), "v1.0-weekly"),
        (date(2023, 10, 16), "v1.0-weekly"),
        (date(2023, 10, 17), "v2.0"),
        (date(2025, 2, 28), "v2.0"),
        (date(2025, 3, 1), "v3.0"),
        (date(2025, 7, 14), "v3.0"),
        (date(2025, 7, 15), "v3.1"),
        (date(2026, 3, 19), "v3.1"),
        (date(2026, 3, 20), "v3.2"),
        (datetime(2023, 10, 16, 23, 59), "v1.0-weekly"),
        (datetime(2023, 10, 17, 0, 0), "v2.0"),
    ],
)
def test_period_boundaries(moment: date, period: str) -> None:
    assert rules_at(moment).period == period


def test_rule_table_matches_the_spec() -> None:
    by = {r.period: r for r in RULES}
    assert [r.period for r in RULES] == ["legacy", "v1.0", "v1.0-weekly", "v2.0", "v3.0", "v3.1", "v3.2"]
    assert all(r.full_report_days == 14 and r.answer_days == 7 for r in RULES)
    assert [by[p].first_report_hours for p in by] == [None, None, None, 72, 72, 72, 72]
    assert [by[p].weekly_updates for p in by] == [False, False, True, True, True, True, True]
    assert [by[p].action_item_update_days for p in by] == [None] * 5 + [3, 3]
    assert [(by[p].revocation_should_days, by[p].revocation_must_days) for p in by][3:] == [
        (None, None), (3, 7), (3, 7), (3, 7)
    ]  # fmt: skip
    assert [by[p].closure_report_required for p in by] == [False] * 4 + [True] * 3
    assert tuple(sorted(RULES, key=lambda r: r.start)) == RULES


# -- first report (72 h from v2.0) ---------------------------------------------------------------------------
def test_first_report_exactly_72_hours_is_on_time() -> None:
    t0 = datetime(2024, 2, 5, 14, 20)
    assert first_report_check(t0, t0 + timedelta(hours=72), FAR).status == "met"
    late = first_report_check(t0, t0 + timedelta(hours=72, seconds=1), FAR)
    assert late.status == "missed"
    assert late.late_hours == pytest.approx(1 / 3600, abs=0.01)
    assert late.due_time == datetime(2024, 2, 8, 14, 20)


@pytest.mark.parametrize("era_day", [datetime(2019, 1, 1), datetime(2023, 3, 1), datetime(2023, 9, 1)])
def test_first_report_has_no_hour_limit_before_v2(era_day: datetime) -> None:
    check = first_report_check(era_day, era_day + timedelta(days=9), FAR)
    assert check.status == "waived" and "no hour limit" in (check.reason or "")


@pytest.mark.parametrize("era_day", [datetime(2023, 10, 17), datetime(2025, 3, 1), datetime(2025, 7, 15)])
def test_first_report_limit_applies_from_v2_on(era_day: datetime) -> None:
    assert first_report_check(era_day, era_day + timedelta(hours=73), FAR).status == "missed"
    assert first_report_check(era_day, era_day + timedelta(hours=71), FAR).status == "met"


def test_first_report_rule_follows_the_disclosure_date_not_the_report_date() -> None:
    # disclosed the day before v2.0 took effect: no 72-hour rule even though the report came under v2.0
    disclosed = datetime(2023, 10, 16, 23, 0)
    assert first_report_check(disclosed, datetime(2023, 10, 25), FAR).status == "waived"


def test_pending_and_missing() -> None:
    t0 = datetime(2024, 5, 1, 12)
    assert first_report_check(t0, None, t0 + timedelta(hours=71)).status == "pending"
    assert first_report_check(t0, None, t0 + timedelta(hours=73)).status == "missed"
    assert first_report_check(None, None, FAR).status == "missing"
    assert full_report_check(None, None, FAR).reason == "disclosure time unknown"


# -- full report (two weeks, every era) ----------------------------------------------------------------------
@pytest.mark.parametrize("era_day", [datetime(2018, 6, 4, 8), datetime(2023, 3, 1, 8), datetime(2025, 8, 4, 10)])
def test_full_report_exactly_14_days(era_day: datetime) -> None:
    assert full_report_check(era_day, era_day + timedelta(days=14), FAR).status == "met"
    assert full_report_check(era_day, era_day + timedelta(days=14, minutes=1), FAR).status == "missed"


# -- answers (one week) ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("era_day", [datetime(2018, 3, 19), datetime(2024, 5, 8), datetime(2025, 11, 10)])
def test_answer_within_seven_days(era_day: datetime) -> None:
    assert answer_check(era_day, era_day + timedelta(days=7), FAR).status == "met"
    assert answer_check(era_day, era_day + timedelta(days=7, seconds=1), FAR).status == "missed"
    assert answer_check(era_day, None, era_day + timedelta(days=6)).status == "pending"


# -- Next update dates and time zones -----------------------------------------------------------------------
def test_next_update_falls_due_at_the_end_of_the_day_anywhere_on_earth() -> None:
    assert next_update_due(date(2024, 6, 14)) == datetime(2024, 6, 15, 12, 0)


def test_time_zone_offsets_are_converted_to_utc() -> None:
    # 23:30 on the due day in California is 06:30 UTC the next day: still on time
    pacific = datetime(2024, 6, 14, 23, 30, tzinfo=timezone(timedelta(hours=-7)))
    assert to_naive_utc(pacific) == datetime(2024, 6, 15, 6, 30)
    assert to_naive_utc(pacific) <= next_update_due(date(2024, 6, 14))
    # 00:30 the next day in Tokyo is 15:30 UTC on the due day
    tokyo = datetime(2024, 6, 15, 0, 30, tzinfo=timezone(timedelta(hours=9)))
    assert to_naive_utc(tokyo) == datetime(2024, 6, 14, 15, 30)
    # an answer posted at +05:30 is judged in UTC
    asked = datetime(2024, 5, 8, 14, 0)
    answered = datetime(2024, 5, 15, 19, 29, tzinfo=timezone(timedelta(hours=5, minutes=30)))  # 13:59 UTC
    assert answer_check(asked, to_naive_utc(answered), FAR).status == "met"
