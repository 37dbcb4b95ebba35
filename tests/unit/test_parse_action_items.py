"""Action items from tables, lists and prose."""

from datetime import datetime

from ca_incidents.parse import parse_report

POSTED = datetime(2024, 6, 1)


def items(text: str) -> list[tuple]:
    return [
        (a.text, a.kind, a.due_date and a.due_date.isoformat(), a.status)
        for a in parse_report(text, POSTED).action_items
    ]


def test_v3_table_with_all_columns() -> None:
    text = (
        "### Action Items\n"
        "| Action Item | Kind | Corresponding Root Cause(s) | Evaluation Criteria | Due Date | Status |\n"
        "|---|---|---|---|---|---|\n| Add CT check | Detect | CF #1 | job runs hourly | Q3 2024 | Ongoing |\n"
    )
    rep = parse_report(text, POSTED)
    a = rep.action_items[0]
    assert (a.text, a.kind, a.due_date.isoformat(), a.status) == ("Add CT check", "detect", "2024-09-30", "ongoing")
    assert a.root_causes == "CF #1" and a.evaluation_criteria == "job runs hourly"


def test_shifted_and_merged_cells_are_realigned() -> None:
    text = (
        "### Action Items\n| Action Item | Kind | Evaluation Criteria | Due Date | Status |\n|---|---|---|---|---|\n"
        "| Retire the old script | Prevent | Complete |\n| Page on-call | Detect | | 2024-08-15 |\n"
    )
    assert items(text) == [
        ("Retire the old script", "prevent", None, "complete"),
        ("Page on-call", "detect", "2024-08-15", None),
    ]
    assert parse_report(text, POSTED).warnings  # the short rows are reported


def test_bullets_with_inline_and_indented_fields() -> None:
    text = (
        "Action items:\n- Rotate the signing key (Due: end of July 2024)\n- Publish the new CPS - done 2024-05-02\n"
        "- Add a second reviewer\n  Status: In progress\n  Date: 2024-09-01\n"
        "- Train the RA staff — Mitigate — H2 2024 — Delayed: vendor late\n"
    )
    assert items(text) == [
        ("Rotate the signing key", None, "2024-07-31", None),
        ("Publish the new CPS", None, "2024-05-02", "complete"),
        ("Add a second reviewer", None, "2024-09-01", "ongoing"),
        ("Train the RA staff", "mitigate", "2024-12-31", "delayed"),
    ]


def test_kind_grouped_lists() -> None:
    text = "### Action Items\n- Prevent:\n  - block old profile\n  - review diffs\n- Detect:\n  - nightly scan\n"
    assert [(t, k) for t, k, _, _ in items(text)] == [
        ("block old profile", "prevent"),
        ("review diffs", "prevent"),
        ("nightly scan", "detect"),
    ]


def test_legacy_prose_sentences() -> None:
    text = "### Action Items\nWe have deployed a fix on 2019-03-05. We will add a linter by end of April 2019.\n"
    got = items(text)
    assert [g[2] for g in got] == ["2019-03-05", "2019-04-30"]
