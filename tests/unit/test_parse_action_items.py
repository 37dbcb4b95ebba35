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


def test_table_without_separator_row() -> None:
    text = (
        "### Action Items\n| Action Item | Due Date | Status |\n"
        "| Recheck CAA before issuance | 2024-07-01 | Ongoing |\n"
        "| Retire the legacy ordering API | 2024-08-01 | Complete |\n"
    )
    assert items(text) == [
        ("Recheck CAA before issuance", None, "2024-07-01", "ongoing"),
        ("Retire the legacy ordering API", None, "2024-08-01", "complete"),
    ]


def test_space_aligned_plain_text_table() -> None:
    text = (
        "### Action Items\nAction                              Due          Status\n"
        "Recheck CAA before issuance         2024-07-01   Ongoing\n"
        "Retire the legacy ordering API      2024-08-01   Complete\n"
    )
    assert items(text) == [
        ("Recheck CAA before issuance", None, "2024-07-01", "ongoing"),
        ("Retire the legacy ordering API", None, "2024-08-01", "complete"),
    ]


def test_task_list_checkboxes() -> None:
    text = (
        "### Action Items\n- [x] Rotate the issuing key (2024-05-02)\n"
        "- [ ] Lint OU values before signing by 2024-09-30\n"
    )
    assert items(text) == [
        ("Rotate the issuing key", None, "2024-05-02", "complete"),
        ("Lint OU values before signing", None, "2024-09-30", None),
    ]


def test_bold_labelled_items_on_one_line() -> None:
    text = (
        "### Action Items\n**Action 1:** Recheck CAA before issuance. **Due:** 2024-07-01. **Status:** Ongoing\n\n"
        "Action Item 2: Retire the legacy ordering API. Due: 2024-08-01. Status: Complete.\n"
    )
    assert [(t.rstrip("."), k, d, s) for t, k, d, s in items(text)] == [
        ("Recheck CAA before issuance", None, "2024-07-01", "ongoing"),
        ("Retire the legacy ordering API", None, "2024-08-01", "complete"),
    ]


def test_title_lines_with_field_lines_below() -> None:
    text = (
        "### Action Items\n**Recheck CAA before issuance**\nKind: Prevent\nDue Date: 2024-07-01\nStatus: Ongoing\n\n"
        "#### Action Item 2\n- Description: Retire the legacy ordering API\n- Kind: Mitigate\n- Due Date: 2024-08-01\n"
        "- Status: Complete\n"
    )
    assert items(text) == [
        ("Recheck CAA before issuance", "prevent", "2024-07-01", "ongoing"),
        ("Retire the legacy ordering API", "mitigate", "2024-08-01", "complete"),
    ]


def test_numbered_items_wrapped_over_lines() -> None:
    text = (
        "### Action Items\n1. Recheck CAA before issuance for every\nwildcard name we validate. Due 2024-07-01.\n"
        "2. Retire the legacy ordering API that allowed\nskipping the check (done 2024-05-20).\n\n"
        "We will report progress weekly.\n"
    )
    assert items(text) == [
        ("Recheck CAA before issuance for every wildcard name we validate.", None, "2024-07-01", None),
        ("Retire the legacy ordering API that allowed skipping the check", None, "2024-05-20", "complete"),
    ]


def test_bold_kind_group_labels_and_status_after_colon() -> None:
    text = (
        "### Action Items\n**Prevent**\n- Recheck CAA before issuance (2024-07-01)\n"
        "- **Retire the legacy ordering API**: Complete, 2024-05-20\n\n**Detect**\n- Daily CAA audit job (2024-09-01)\n"
    )
    assert items(text) == [
        ("Recheck CAA before issuance", "prevent", "2024-07-01", None),
        ("Retire the legacy ordering API", "prevent", "2024-05-20", "complete"),
        ("Daily CAA audit job", "detect", "2024-09-01", None),
    ]


def test_dash_status_with_month_due() -> None:
    text = "### Action Items\n- Escalate to management a month before each deadline — Ongoing, end of June 2024\n"
    assert items(text) == [("Escalate to management a month before each deadline", None, "2024-06-30", "ongoing")]


def test_legacy_answer_and_verbless_sentences() -> None:
    legacy = (
        "Q1: How did you become aware?\nA: A customer wrote to us on 2020-02-03.\n\nQ7: Steps to prevent?\n"
        "A: Remove OU support from our profiles (by 2020-03-31). Add negative tests for subject fields (2020-02-28).\n"
    )
    assert [(t, d) for t, _, d, _ in items(legacy)] == [
        ("Remove OU support from our profiles", "2020-03-31"),
        ("Add negative tests for subject fields", "2020-02-28"),
    ]
    audit = (
        "Remediation Plan for this Issue\nKey ceremony script now covers HSM disposal, done 2023-09-15. "
        "Refresher for witnesses, done 2023-09-20. Internal review of HSM lifecycle records, Q4 2023.\n"
    )
    assert items(audit) == [
        ("Key ceremony script now covers HSM disposal", None, "2023-09-15", "complete"),
        ("Refresher for witnesses", None, "2023-09-20", "complete"),
        ("Internal review of HSM lifecycle records", None, "2023-12-31", None),
    ]


def test_prose_date_comma_is_not_a_tail() -> None:
    text = "### Remediation\nWe will deploy a CAA recheck by July 15, 2024. The outage was short.\n"
    assert items(text) == [("We will deploy a CAA recheck by July 15, 2024.", None, "2024-07-15", None)]


def test_update_comment_bullets_with_statuses() -> None:
    text = (
        "Weekly update\n\n- Repeat the skipped quarterly sample: done on 2024-03-12, nothing new found.\n"
        "- Audit tool files its results as tickets: in progress, on track for 2024-04-30.\n"
        "- Checklist covers the compliance tools: done.\n\nNothing else this week.\n"
    )
    assert items(text) == [
        ("Repeat the skipped quarterly sample", None, "2024-03-12", "complete"),
        ("Audit tool files its results as tickets", None, "2024-04-30", "ongoing"),
        ("Checklist covers the compliance tools", None, None, "complete"),
    ]


def test_update_comment_bullets_without_statuses_are_not_items() -> None:
    text = (
        "Weekly update\n\n- We looked at the logs again.\n- Nothing new was found.\n"
        "- 2024-06-03: revocation completed\n\nNext update 2024-06-10.\n"
    )
    assert items(text) == []


def test_lead_in_line_of_a_bare_update_is_not_a_section() -> None:
    text = (
        "Update on the action items:\n\n| Action Item | Kind | Due Date | Status |\n|---|---|---|---|\n"
        "| Sign-check every response | Prevent | 2025-04-30 | Complete |\n"
    )
    rep = parse_report(text, POSTED)
    assert rep.sections == [] and items(text) == [("Sign-check every response", "prevent", "2025-04-30", "complete")]
