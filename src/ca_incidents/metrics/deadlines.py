"""Deadline checks of one bug: first response, first report (72 h), full report (14 days), every update.

Disclosure is the bug's creation: either the CA filed it (its own disclosure) or the CA was told by the bug.
The rows cite the comments that started and met each clock and the history row that set a Next update date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ca_incidents.metrics.context import Bug, Comment
from ca_incidents.metrics.followthrough import Track
from ca_incidents.metrics.rules import Check, first_report_check, full_report_check, next_update_due, rules_at
from ca_incidents.metrics.updates import CLOSED_STATUSES, Stamp, UpdateCheck, UpdateInputs, update_checks

MISSED_UPDATE_RULES = ("next_update", "weekly", "revocation", "action_item")
NO_FULL_REPORT = "no full report recognised (a CA full, legacy or audit report listing action items)"


@dataclass(frozen=True)
class DeadlineRow:
    """One row of ``deadline_checks``."""

    bug_id: int
    rule: str
    status: str
    period: str | None
    start_time: datetime | None
    start_comment_id: int | None
    due_time: datetime | None
    due_date: object
    done_time: datetime | None
    done_comment_id: int | None
    late_hours: float | None
    set_history_seq: int | None = None
    must_due_time: datetime | None = None
    is_must_missed: bool | None = None
    reason: str | None = None


def first_report(bug: Bug) -> Comment | None:
    """The CA's first report; from v3.0 a CA reply to a third-party report counts too."""
    ca = [c for c in bug.comments if c.is_ca]
    if not ca:
        return None
    if not bug.is_filed_by_ca and rules_at(bug.creation_time).third_party_reply_counts:
        return ca[0]
    return next((c for c in ca if c.is_report), None)


def full_report(bug: Bug) -> Comment | None:
    """The CA's first complete report: a full, legacy or audit report that lists action items."""
    complete = ("full", "legacy", "audit")
    return next((c for c in bug.comments if c.is_ca and c.role in complete and c.n_action_items), None)


def _row(bug: Bug, check: Check, start: Comment | None, done: Comment | None) -> DeadlineRow:
    return DeadlineRow(
        bug.id, check.rule, check.status, rules_at(check.start_time).period if check.start_time else None,
        check.start_time, start.id if start else None, check.due_time, check.due_date, check.done_time,
        done.id if done else None, check.late_hours, reason=check.reason,
    )  # fmt: skip


def update_inputs(bug: Bug, as_of: datetime) -> UpdateInputs:
    """The update engine's view of a bug."""
    return UpdateInputs(
        opened=bug.creation_time,
        ca_posts=[Stamp(c.time, c.id) for c in bug.comments if c.is_ca],
        whiteboard=[Stamp(t, seq, v) for t, seq, v in bug.whiteboard_values()],
        status=[Stamp(c.time, c.seq, c.added) for c in bug.changes("status")],
        closure_announcements=[Stamp(c.time, c.id) for c in bug.closure_calls()],
        closure_reports=[Stamp(c.time, c.id) for c in bug.comments if c.is_ca and c.role == "closure"],
        as_of=as_of,
    )


def _update_row(bug: Bug, u: UpdateCheck) -> DeadlineRow:
    return DeadlineRow(
        bug.id, u.rule, u.status, rules_at(u.start_time).period, u.start_time, u.start_ref, u.due_time, u.due_date,
        u.done_time, u.done_ref, u.late_hours, u.set_ref, u.must_due_time, u.is_must_missed,
    )  # fmt: skip


def _closed_at(bug: Bug) -> datetime | None:
    return next((c.time for c in bug.changes("status") if c.added.upper() in CLOSED_STATUSES), None)


def action_item_checks(bug: Bug, tracks: list[Track], as_of: datetime) -> list[DeadlineRow]:
    """v3.1+: an action item still open when its due date passes has slipped, and the CA must update
    within 3 days (due at the end of the third day, anywhere on Earth). Met by any CA post from the due day
    on; not applicable once the bug is resolved or a Closure Report was posted."""
    out = []
    closed = _closed_at(bug)
    closure = next((c.time for c in bug.comments if c.is_ca and c.role == "closure"), None)
    for t in tracks:
        day = t.last.due_date
        days = rules_at(day).action_item_update_days if day else None
        if day is None or days is None or not t.is_open or t.is_dropped:
            continue
        start = datetime.combine(day, datetime.min.time())
        due = next_update_due(day + timedelta(days=days))
        if any(x is not None and x <= due for x in (closed, closure)) or t.last.time > due:
            continue
        post = next((c for c in bug.comments if c.is_ca and c.time >= start), None)
        status = "met" if post and post.time <= due else "missed" if post or as_of > due else "pending"
        done = post if status != "pending" else None
        out.append(DeadlineRow(bug.id, "action_item", status, rules_at(day).period, start, t.last.comment_id, due,
                               day + timedelta(days=days), done.time if done else None, done.id if done else None,
                               round((done.time - due).total_seconds() / 3600, 2) if done else None,
                               reason=f"item due {day}: {t.last.text[:80]}"))  # fmt: skip
    return out


def bug_deadlines(bug: Bug, as_of: datetime, tracks: list[Track] | None = None) -> list[DeadlineRow]:
    """Every deadline check of one bug (``tracks``: its action items, for the v3.1+ 3-day rule)."""
    disclosed = bug.creation_time
    first_ca = next((c for c in bug.comments if c.is_ca), None)
    opener = bug.comments[0] if bug.comments else None
    rows = []
    first = first_report(bug)
    rows.append(_row(bug, first_report_check(disclosed, first.time if first else None, as_of), opener, first))
    full = full_report(bug)
    check = full_report_check(disclosed, full.time if full else None, as_of)
    if full is None and check.status == "missed":
        check = replace(check, status="missing", reason=NO_FULL_REPORT)
    rows.append(_row(bug, check, opener, full))
    if first_ca is not None:
        hours = round((first_ca.time - disclosed).total_seconds() / 3600, 2)
        rows.append(
            DeadlineRow(bug.id, "first_response", "measured", rules_at(disclosed).period, disclosed,
                        opener.id if opener else None, None, None, first_ca.time, first_ca.id, hours)
        )  # fmt: skip
    rows.extend(_update_row(bug, u) for u in update_checks(update_inputs(bug, as_of)))
    rows.extend(action_item_checks(bug, tracks or [], as_of))
    return rows
