"""parse_report / lint_document contract (the `lint` command itself lives in the score stage)."""

import json

from ca_incidents.parse import lint_document, parse_report

KEYS = {"era", "report_type", "sections", "root_causes", "action_items", "timeline", "findings"}
TEXT = (
    "## Full Incident Report\n### Summary\nx\n### Timeline\n- 2025-05-01 10:00 UTC: y\n### Action Items\n"
    "| Action Item | Kind | Due Date |\n|---|---|---|\n| fix | Prevent | Q3 2025 |\n"
)


def test_lint_json_shape() -> None:
    out = lint_document(TEXT, None)
    assert set(out) >= KEYS
    assert out["findings"] == []
    assert set(out["action_items"][0]) >= {"text", "start", "end", "kind", "due_text", "due_date", "status"}
    assert set(out["timeline"][0]) >= {"timestamp", "has_time", "has_zone", "text", "start", "end"}
    assert out["timeline"][0]["timestamp"] == "2025-05-01T10:00Z"
    json.dumps(out)


def test_era_override() -> None:
    assert lint_document(TEXT, era="v3.1")["era"] == "v3.1"


def test_broken_table_gives_items_and_a_warning() -> None:
    text = "### Action Items\n| Action Item | Kind | Due Date |\n|---|---|\n| a thing | Prevent | | 2025-01-01 | x |\n"
    rep = parse_report(text)
    assert rep.action_items and rep.warnings


def test_posted_at_sets_era_and_report_type() -> None:
    from datetime import datetime

    out = lint_document(TEXT, datetime(2025, 5, 3))
    assert (out["era"], out["era_in_force"], out["report_type"]) == ("v3.0", "v3.0", "full")


def test_empty_text_is_a_clean_result() -> None:
    out = lint_document("")
    assert out["report_type"] == "other" and out["sections"] == [] and out["warnings"] == []
