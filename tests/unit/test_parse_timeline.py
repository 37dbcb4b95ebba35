"""Timeline extraction."""

from datetime import datetime

from ca_incidents.parse import lint_document


def stamps(text: str, posted: datetime | None = None) -> list[str]:
    return [t["timestamp"] for t in lint_document(text, posted)["timeline"]]


def test_day_headers_with_time_bullets_and_section_zone() -> None:
    text = (
        "### Timeline\nAll times are UTC.\n\n2024-03-01:\n- 09:15 alert fired\n- 10:00 fix deployed\n\n"
        "2024-03-02:\n- 08:00 report posted\n"
    )
    assert stamps(text) == ["2024-03-01T09:15Z", "2024-03-01T10:00Z", "2024-03-02T08:00Z"]


def test_mixed_forms_zones_ranges_and_dates_only() -> None:
    text = (
        "Timeline\n"
        "- 14.02.2022 23:30 CET: job failed\n"
        "- March 3, 2022: vendor confirmed\n"
        "- 2022-03-04 to 2022-03-06: revocations\n"
        "- 2022-03-07 08:00 (local): closed\n"
        "- 2022-03-08 09:00 +05:30 note\n"
    )
    assert stamps(text) == ["2022-02-14T22:30Z", "2022-03-03", "2022-03-04", "2022-03-07T08:00", "2022-03-08T03:30Z"]


def test_table_timeline_with_zone_in_header() -> None:
    text = "## Timeline\n| Time (CEST) | Event |\n|---|---|\n| 2023-06-01 12:00 | x |\n| 2023-06-02 | y |\n"
    out = lint_document(text)["timeline"]
    assert [t["timestamp"] for t in out] == ["2023-06-01T10:00Z", "2023-06-02"]
    assert out[0]["has_zone"] and not out[1]["has_time"]


def test_offsets_point_at_the_entry() -> None:
    text = "### Timeline\n- 2024-01-05 07:00 UTC: first\n"
    ev = lint_document(text)["timeline"][0]
    assert text[ev["start"] : ev["end"]].startswith("- 2024-01-05 07:00 UTC")
