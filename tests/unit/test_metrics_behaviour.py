"""Q&A ledger, action-item follow-through, count changes and disclosure on small hand-built bugs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ca_incidents.metrics.context import Bug, Change, Comment
from ca_incidents.metrics.disclosure import bug_disclosure
from ca_incidents.metrics.followthrough import Item, follow, kind_mix
from ca_incidents.metrics.impact import bug_count_changes
from ca_incidents.metrics.questions import bug_questions, ledger_row

CA = "ops@ca.example"
ROOT = "reviewer@root-program.example"
FAN = "fan@community.example"
T0 = datetime(2024, 5, 6, 8)


def _bug(comments: list[tuple[str, float, str, str]], *, creator: str = CA, history=(), tags=()) -> Bug:
    """comments: (author, days after T0, role, text)."""
    made = [
        Comment(1000 + i, i, who, T0 + timedelta(days=d), text, role, who == CA)
        for i, (who, d, role, text) in enumerate(comments)
    ]
    return Bug(1, "Example CA", "Example CA: thing", creator, CA, T0, "", "ASSIGNED", list(tags), made,
               list(history), {CA})  # fmt: skip


# -- questions --------------------------------------------------------------------------------------------------
def test_late_answer_and_acknowledgement() -> None:
    bug = _bug([(CA, 0, "full", "report"), (ROOT, 1, "question", "Why did the linter miss it?"),
                (CA, 9, "answer", "Because the rule was disabled.")])  # fmt: skip
    (q,) = bug_questions(bug)
    row = ledger_row(q, T0 + timedelta(days=30))
    assert (row["question_count"], row["answer_count"], row["status"]) == (1, 2, "missed")
    acked = _bug([(CA, 0, "full", "report"), (ROOT, 1, "question", "Why did the linter miss it?"),
                  (CA, 3, "other", "We will respond by Friday next week."),
                  (CA, 9, "answer", "Because the rule was disabled.")])  # fmt: skip
    (q,) = bug_questions(acked)
    row = ledger_row(q, T0 + timedelta(days=30))
    assert row["ack_comment_id"] == 1002 and row["answer_count"] == 3 and row["status"] == "met"


def test_status_update_does_not_answer_and_reminder_is_not_a_new_question() -> None:
    bug = _bug([(CA, 0, "full", "report"), (ROOT, 1, "question", "Please explain the delay."),
                (CA, 2, "update", "Update: 40 of 60 revoked."),
                (ROOT, 5, "question", "Please answer the question in comment #1."),
                (CA, 6, "answer", "(In reply to reviewer from comment #1)\nThey asked for time.")])  # fmt: skip
    (q,) = bug_questions(bug)
    assert q.answer.count == 4 and [r.count for r in q.reminders] == [3] and q.is_answered_after_reminder()


def test_unanswered_and_needinfo_only() -> None:
    flag = Change(3, T0 + timedelta(days=4), ROOT, "flagtypes.name", "", f"needinfo?({CA})")
    bug = _bug([(CA, 0, "full", "report"), (ROOT, 1, "question", "What about the other CA?"),
                (CA, 2, "update", "Update: nothing new.")], history=[flag])  # fmt: skip
    qs = bug_questions(bug)
    assert [(q.source, q.comment_count, q.answer) for q in qs] == [("comment", 1, None), ("needinfo", None, None)]
    assert ledger_row(qs[1], T0 + timedelta(days=20))["needinfo_history_seq"] == 3


# -- follow-through ---------------------------------------------------------------------------------------------
def _item(count: int, seq: int, text: str, due: date, status: str | None, kind: str = "prevent") -> Item:
    return Item(2000 + count, count, T0 + timedelta(days=count * 10), seq, text, kind, due, status)


def test_slip_drop_and_replacement() -> None:
    items = [
        _item(1, 0, "Add a lint for the field", date(2024, 6, 1), "ongoing"),
        _item(1, 1, "Second reviewer for profile changes", date(2024, 6, 15), "ongoing", "detect"),
        _item(1, 2, "Review every other profile", date(2024, 6, 30), "ongoing"),
        _item(2, 0, "Lint for the field", date(2024, 7, 1), "ongoing"),  # reworded and moved
        _item(2, 1, "Second reviewer for profile changes", date(2024, 6, 15), "complete", "detect"),
    ]
    changes, tracks = follow(1, items)
    got = {(c.change, c.comment_count, c.old_value, c.new_value) for c in changes}
    assert ("slipped", 2, "2024-06-01", "2024-07-01") in got
    assert ("dropped", 2, "ongoing", None) in got  # "Review every other profile" vanished while ongoing
    assert ("completed_late", 2, "2024-06-15", "2024-05-26") not in got
    assert kind_mix(tracks) == {"prevent": 2, "detect": 1, "mitigate": 0, "unknown": 0}
    # a comment mentioning one new item is not a revision: nothing is dropped
    partial = [*items[:3], _item(2, 0, "Publish a new CPS section on profiles", date(2024, 8, 1), "ongoing")]
    changes, _ = follow(1, partial)
    assert [c.change for c in changes] == ["added"]


# -- impact -----------------------------------------------------------------------------------------------------
def test_count_changes_explained_or_not() -> None:
    bug = _bug([(CA, 0, "full", "Impact: 14 certificates, issued in October."),
                (CA, 3, "answer", "The 19 affected certificates were revoked.")])  # fmt: skip
    bug.comments[0].total_certificates = 14
    (change,) = bug_count_changes(bug)
    assert (change.from_count, change.to_count, change.is_explained) == (14, 19, False)
    bug.comments[1].text = "We found 5 more certificates on a second CA. The total is now 19 instead of 14."
    (change,) = bug_count_changes(bug)
    assert change.is_explained and change.explanation in bug.comments[1].text
    bug.comments[1].text = "Update: 8 of 14 revoked; all 14 certificates will be revoked by Friday."
    assert bug_count_changes(bug) == []


# -- disclosure -------------------------------------------------------------------------------------------------
def test_disclosure_disagreement() -> None:
    report = "We self-identified the problem during an internal review."
    bug = _bug([(FAN, 0, "other", "These certificates look wrong."), (CA, 1, "full", report)], creator=FAN)
    d = bug_disclosure(bug)
    assert (d.stated, d.filer, d.is_disagreement) == ("self", "third_party", True)
    own = _bug([(CA, 0, "full", report)])
    assert not bug_disclosure(own).is_disagreement
    told = _bug([(FAN, 0, "other", "x"), (CA, 1, "full", "We were informed by this bug.")], creator=FAN)
    assert bug_disclosure(told).stated == "third_party" and not bug_disclosure(told).is_disagreement
