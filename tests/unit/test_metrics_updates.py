"""Update deadlines: Next update dates over time, the 7-day default, revocation cadence, closure."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ca_incidents.metrics.updates import Stamp, UpdateInputs, update_checks

WB = "[ca-compliance] [ov-misissuance]"


def _run(opened: datetime, posts: list[datetime], boards: list[tuple[datetime, str]], **kw) -> list:
    """Run the rules; unless told otherwise the bug is resolved one minute after the last CA post."""
    kw.setdefault("status", [Stamp(posts[-1] + timedelta(minutes=1), None, "RESOLVED")])
    return update_checks(
        UpdateInputs(
            opened=opened,
            ca_posts=[Stamp(t, i) for i, t in enumerate(posts)],
            whiteboard=[Stamp(t, i, v) for i, (t, v) in enumerate(boards)],
            **kw,
        )
    )


def _missed(checks: list) -> list[tuple[str, date]]:
    return [(c.rule, c.due_date) for c in checks if c.status == "missed"]


# -- Next update dates (every era: a root store's explicit date) ----------------------------------------------
def test_next_update_met_on_the_day_and_missed_after_the_grace() -> None:
    opened = datetime(2020, 4, 2, 11)
    boards = [(opened, WB), (datetime(2020, 4, 3), f"{WB} Next update 2020-06-30")]
    on_time = _run(opened, [opened, datetime(2020, 7, 1, 11, 59)], boards)
    assert [(c.rule, c.status) for c in on_time] == [("next_update", "met")]
    late = _run(opened, [opened, datetime(2020, 7, 1, 12, 1)], boards)
    assert _missed(late) == [("next_update", date(2020, 6, 30))]
    assert late[0].done_ref == 1 and late[0].set_ref == 1


def test_next_update_changed_the_day_before_it_fell_due_is_superseded() -> None:
    opened = datetime(2024, 5, 6, 8)
    boards = [
        (opened, f"{WB} Next update 2024-06-14"),
        (datetime(2024, 6, 13, 9), f"{WB} Next update 2024-06-28"),
    ]
    checks = _run(opened, [opened, datetime(2024, 6, 27, 10)], boards)
    assert [(c.rule, c.due_date, c.status) for c in checks] == [
        ("next_update", date(2024, 6, 14), "superseded"),
        ("next_update", date(2024, 6, 28), "met"),
    ]


def test_next_update_changed_after_it_fell_due_is_still_missed() -> None:
    opened = datetime(2024, 5, 6, 8)
    boards = [
        (opened, f"{WB} Next update 2024-06-14"),
        (datetime(2024, 6, 16, 9), f"{WB} Next update 2024-06-28"),
    ]
    checks = _run(opened, [opened, datetime(2024, 6, 20, 10)], boards)
    assert _missed(checks) == [("next_update", date(2024, 6, 14))]
    assert checks[-1].done_time == datetime(2024, 6, 20, 10)


def test_a_used_date_left_on_the_whiteboard_does_not_count_twice() -> None:
    opened = datetime(2020, 4, 2, 11)
    boards = [(opened, f"{WB} Next update 2020-05-15")]
    checks = _run(opened, [opened, datetime(2020, 5, 14), datetime(2020, 8, 1)], boards)
    assert [(c.rule, c.status) for c in checks] == [("next_update", "met")]  # legacy era: no 7-day default


# -- the 7-day default (from 2023-05-02) ---------------------------------------------------------------------
def test_weekly_default_exactly_seven_days() -> None:
    opened = datetime(2023, 6, 7, 15, 30)
    ok = _run(opened, [opened, opened + timedelta(days=7)], [(opened, WB)])
    assert [(c.rule, c.status) for c in ok] == [("weekly", "met")]
    late = _run(opened, [opened, opened + timedelta(days=7, minutes=1)], [(opened, WB)])
    assert _missed(late) == [("weekly", date(2023, 6, 14))]


def test_weekly_default_starts_on_2023_05_02_for_older_bugs() -> None:
    opened = datetime(2023, 4, 18, 12)
    checks = _run(opened, [opened, datetime(2023, 5, 9, 0, 0)], [(opened, WB)])
    assert [(c.rule, c.status, c.due_time) for c in checks] == [("weekly", "met", datetime(2023, 5, 9))]
    late = _run(opened, [opened, datetime(2023, 5, 9, 0, 1)], [(opened, WB)])
    assert _missed(late) == [("weekly", date(2023, 5, 9))]


def test_no_weekly_default_before_2023_05_02() -> None:
    opened = datetime(2022, 1, 3)
    assert _run(opened, [opened, datetime(2022, 3, 1)], [(opened, WB)]) == []


def test_next_update_date_replaces_the_weekly_default() -> None:
    opened = datetime(2024, 5, 6, 8)
    boards = [(opened, f"{WB} Next update 2024-05-24")]
    checks = _run(opened, [opened, datetime(2024, 5, 20)], boards)
    assert (checks[0].rule, checks[0].status) == ("next_update", "met")


def test_resolution_before_the_due_time_waives_the_update() -> None:
    opened = datetime(2024, 1, 9, 8)
    status = [Stamp(datetime(2024, 1, 12), 5, "RESOLVED")]
    checks = _run(opened, [opened], [(opened, WB)], status=status, as_of=datetime(2025, 1, 1))
    assert checks == []
    later = [Stamp(datetime(2024, 1, 20), 5, "RESOLVED")]
    checks = _run(opened, [opened], [(opened, WB)], status=later, as_of=datetime(2025, 1, 1))
    assert [(c.rule, c.status, c.done_time) for c in checks] == [("weekly", "missed", None)]


def test_closure_announcement_waives_the_default_but_not_a_next_update_date() -> None:
    opened = datetime(2024, 1, 9, 8)
    announce = [Stamp(datetime(2024, 1, 12), 9)]
    checks = _run(opened, [opened, datetime(2024, 1, 30)], [(opened, WB)], closure_announcements=announce)
    assert [(c.rule, c.status) for c in checks] == [("weekly", "waived")]
    dated = [(opened, f"{WB} Next update 2024-01-19")]
    checks = _run(opened, [opened, datetime(2024, 1, 30)], dated, closure_announcements=announce)
    assert _missed(checks) == [("next_update", date(2024, 1, 19))]


def test_pending_until_due() -> None:
    opened = datetime(2024, 1, 9, 8)
    checks = _run(opened, [opened], [(opened, WB)], as_of=datetime(2024, 1, 12), status=[])
    assert [(c.rule, c.status) for c in checks] == [("weekly", "pending")]


# -- revocation delay (v3.0+) ---------------------------------------------------------------------------------
REV = "[ca-compliance] [leaf-revocation-delay]"


def test_revocation_cadence_three_days_should_seven_days_must() -> None:
    opened = datetime(2025, 4, 13, 15, 20)
    posts = [opened, opened + timedelta(days=3), opened + timedelta(days=3 + 5)]
    checks = _run(opened, posts, [(opened, REV)], as_of=opened + timedelta(days=8))
    assert [(c.rule, c.status, c.is_must_missed) for c in checks] == [
        ("revocation", "met", None),
        ("revocation", "missed", False),
    ]
    posts = [opened, opened + timedelta(days=8)]
    checks = _run(opened, posts, [(opened, REV)], as_of=opened + timedelta(days=8))
    assert [(c.rule, c.status, c.is_must_missed) for c in checks] == [("revocation", "missed", True)]


def test_revocation_cadence_not_before_v3() -> None:
    opened = datetime(2024, 7, 8, 16)
    checks = _run(opened, [opened, opened + timedelta(days=5)], [(opened, REV)])
    assert [(c.rule, c.status) for c in checks] == [("weekly", "met")]


def test_closure_report_ends_default_updates_from_v3() -> None:
    opened = datetime(2025, 5, 12, 7)
    closure = datetime(2025, 6, 1, 9)
    posts = [opened, datetime(2025, 5, 18), closure]
    status = [Stamp(datetime(2025, 6, 20), 3, "RESOLVED")]
    checks = _run(
        opened, posts, [(opened, WB)], closure_reports=[Stamp(closure, 2)], status=status, as_of=datetime(2026, 1, 1)
    )
    assert _missed(checks) == [("weekly", date(2025, 5, 25))]  # the gap before the closure report only
    # before v3.0 the same closure post does not end the obligation
    old = opened.replace(year=2024)
    posts = [old, old + timedelta(days=6), old + timedelta(days=12)]
    status = [Stamp(old + timedelta(days=30), 3, "RESOLVED")]
    checks = _run(
        old, posts, [(old, WB)], closure_reports=[Stamp(posts[-1], 2)], status=status, as_of=datetime(2026, 1, 1)
    )
    assert _missed(checks) == [("weekly", (posts[-1] + timedelta(days=7)).date())]
