"""Era in force (with grace and early adoption) and era detection from text."""

from datetime import date

from ca_incidents.parse.eras import acceptable_eras, detect_era, era_in_force


def test_era_in_force_by_date() -> None:
    assert era_in_force(date(2020, 1, 1)) == "legacy"
    assert era_in_force(date(2023, 2, 15)) == "v1.0"
    assert era_in_force(date(2023, 10, 17)) == "v2.0"
    assert era_in_force(date(2025, 7, 14)) == "v3.0"
    assert era_in_force(date(2026, 3, 20)) == "v3.2"
    assert era_in_force(None) is None


def test_grace_period_allows_predecessor_for_30_days_after_2025_07_15() -> None:
    assert "v3.1" in acceptable_eras(date(2026, 4, 19))
    assert "v3.1" not in acceptable_eras(date(2026, 4, 20))


def test_early_adoption_windows() -> None:
    assert "v2.0" in acceptable_eras(date(2023, 9, 1))
    assert "v3.0" in acceptable_eras(date(2024, 12, 1))
    assert "v3.0" not in acceptable_eras(date(2024, 10, 1))


def test_numbered_questions_split_by_posting_date() -> None:
    assert detect_era("x", numbered_questions=6, section_names=["summary"], posted_at=date(2022, 1, 1)) == "legacy"
    assert detect_era("x", numbered_questions=6, section_names=["summary"], posted_at=date(2023, 5, 1)) == "v1.0"


def test_v3_markers_win() -> None:
    text = "## Full Incident Report\n**Contributing Factor #1: x**"
    assert detect_era(text, numbered_questions=0, section_names=["summary"], posted_at=date(2025, 8, 1)) == "v3.1"
