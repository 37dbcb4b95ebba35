"""Comment roles and the CA's side."""

from datetime import datetime

from ca_incidents.parse import classify_bug, classify_comment

CA = "pki@widget-ca.example"
REPORT = "## Preliminary Incident Report\n### Summary\n- **Incident description**: a CRL expired.\n"


def test_question_from_root_program_and_answer_from_ca() -> None:
    comments = [
        {"count": 0, "author": CA, "text": REPORT, "posted_at": datetime(2025, 5, 1)},
        {
            "count": 1,
            "author": "ben@mozilla.com",
            "text": "Please explain why monitoring missed it.",
            "posted_at": None,
        },
        {
            "count": 2,
            "author": CA,
            "text": "(In reply to Ben from comment #1)\n> Please explain why\n\nThe monitor only checked HTTP status.",
            "posted_at": None,
        },
    ]
    roles = classify_bug(comments, assignee=CA, ca_owner="Widget CA").roles
    assert [(r.role, r.is_ca_side) for r in roles] == [("preliminary", True), ("question", False), ("answer", True)]
    quoted = roles[2].quoted
    assert [q.comment_count for q in quoted] == [1, 1] and quoted[0].author == "ben@mozilla.com"


def test_quoted_report_is_not_this_comments_report() -> None:
    text = "(In reply to X from comment #2)\n> ## Full Incident Report\n> ### Summary\n> ### Timeline\n\nThanks."
    role = classify_comment(text, author="someone@else.example", assignee=CA)
    assert role.role == "other" and role.report is not None and role.report.sections == []


def test_alias_that_posted_reports_counts_as_ca_side() -> None:
    alias = "anon-123@users.example"
    comments = [
        {"count": 0, "author": "reporter@somewhere.example", "text": "Widget CA issued a bad cert?", "posted_at": None},
        {
            "count": 1,
            "author": alias,
            "text": "## Full Incident Report\n### Summary\nx\n### Impact\ny\n### Timeline\n"
            "2025-05-01 10:00 UTC z\n### Root Cause Analysis\nw",
            "posted_at": datetime(2025, 5, 2),
        },
        {"count": 2, "author": alias, "text": "Weekly update: all action items on track.", "posted_at": None},
    ]
    roles = classify_bug(comments, assignee="nobody@mozilla.org").roles
    assert [r.role for r in roles] == ["question", "full", "update"]
    assert roles[2].is_ca_side


def test_on_behalf_signature() -> None:
    role = classify_comment(
        "We will post the report tomorrow.\n\nJane, on behalf of Widget CA", author="jane@x.example"
    )
    assert role.is_ca_side


def test_ca_side_is_settled_per_account_for_the_whole_bug() -> None:
    """A report posted by a third party looks CA-side on its own; the bug's CA accounts decide instead."""
    full = "## Full Incident Report\n### Summary\nx\n### Impact\ny\n### Timeline\n2025-05-01 10:00 UTC z\n"
    comments = [
        {"count": 0, "author": "finder@research.example", "text": full, "posted_at": datetime(2025, 5, 1)},
        {"count": 1, "author": CA, "text": full, "posted_at": datetime(2025, 5, 2)},
        {"count": 2, "author": "ops@widget-ca.example", "text": "Status update: on track.", "posted_at": None},
        {"count": 3, "author": "ben@mozilla.com", "text": "When will the fix ship?", "posted_at": None},
    ]
    first_alone = classify_comment(full, author="finder@research.example", assignee=CA)
    assert first_alone.is_ca_side  # the per-comment guess ...
    result = classify_bug(comments, assignee=CA)
    assert [r.is_ca_side for r in result.roles] == [False, True, True, False]  # ... is overruled
    assert result.ca_accounts == {CA, "ops@widget-ca.example"}
