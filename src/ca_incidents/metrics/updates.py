"""Periodic-update deadlines of one bug: whiteboard "Next update" dates, the 7-day default and the
revocation-delay cadence, replayed window by window between the CA's posts.

Pure: the caller passes times and whiteboard values; nothing here reads the store. Each window starts at a
CA post (or the bug's creation) and ends at the next CA post; the deadline that applies in it is chosen in
this order: a Next update date set on the whiteboard and not yet used, the revocation-delay cadence (v3.0+,
whiteboard contains "revocation-delay"), then the 7-day default (from 2023-05-02). Whiteboard changes inside
the window move an unexpired deadline (``superseded``); a resolution, a closure announcement by a root
program or a Closure Report (v3.0+) ends the default obligations (``waived``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ca_incidents.corpus.whiteboard import parse_whiteboard
from ca_incidents.metrics.rules import next_update_due, period_start, rules_at

CLOSED_STATUSES = frozenset({"RESOLVED", "VERIFIED", "CLOSED"})
UPDATE_RULES = ("next_update", "weekly", "revocation")


@dataclass(frozen=True)
class Stamp:
    """A time with the row it came from (comment id or history seq), for traceability."""

    time: datetime
    ref: int | None = None
    value: str | None = None  # whiteboard text or status


@dataclass(frozen=True)
class UpdateInputs:
    """Everything the update rules need about one bug (times naive UTC, lists sorted by time)."""

    opened: datetime
    ca_posts: list[Stamp]  # every CA-side comment (ref = comment id)
    whiteboard: list[Stamp]  # whiteboard values over time, first one the value at creation (ref = history seq)
    status: list[Stamp] = field(default_factory=list)  # status changes (value = new status)
    closure_announcements: list[Stamp] = field(default_factory=list)  # root program: considering closure
    closure_reports: list[Stamp] = field(default_factory=list)  # CA Closure Reports (ref = comment id)
    as_of: datetime = datetime.max


@dataclass(frozen=True)
class UpdateCheck:
    """One update deadline and its outcome (see ``rules.Check`` for the status values)."""

    rule: str  # next_update | weekly | revocation
    status: str
    start_time: datetime  # the CA post (or creation) that started the clock
    start_ref: int | None
    due_time: datetime
    due_date: date  # the Next update day as written, else the day of due_time
    done_time: datetime | None = None  # the CA post that met (or, late, ended) it
    done_ref: int | None = None
    set_ref: int | None = None  # history seq of the whiteboard change that set the Next update date
    must_due_time: datetime | None = None  # revocation cadence: the 7-day MUST limit
    is_must_missed: bool | None = None

    @property
    def late_hours(self) -> float | None:
        if self.done_time is None:
            return None
        return round((self.done_time - self.due_time).total_seconds() / 3600, 2)


@dataclass(frozen=True)
class _Deadline:
    rule: str
    due: datetime
    due_date: date
    set_ref: int | None = None
    must_due: datetime | None = None


def _value_at(stamps: list[Stamp], moment: datetime) -> Stamp | None:
    current = None
    for stamp in stamps:
        if stamp.time <= moment:
            current = stamp
        else:
            break
    return current


def _is_open(inputs: UpdateInputs, moment: datetime) -> bool:
    stamp = _value_at(inputs.status, moment)
    return stamp is None or (stamp.value or "").upper() not in CLOSED_STATUSES


def _deadline(inputs: UpdateInputs, start: datetime, at: datetime, used: set[date]) -> _Deadline | None:
    """The deadline for a window whose clock started at ``start``, given the state at ``at``."""
    board = _value_at(inputs.whiteboard, at)
    parsed = parse_whiteboard(board.value if board else None)
    day = parsed.next_update
    if day is not None and day not in used and next_update_due(day) > start:
        return _Deadline("next_update", next_update_due(day), day, board.ref if board else None)
    rules = rules_at(start)
    text = (board.value or "").lower() if board else ""
    if rules.revocation_should_days and rules.revocation_must_days and "revocation-delay" in text:
        due = start + timedelta(days=rules.revocation_should_days)
        return _Deadline("revocation", due, due.date(), must_due=start + timedelta(days=rules.revocation_must_days))
    weekly_start = period_start("v1.0-weekly")
    clock = max(start, weekly_start)
    if rules_at(clock).weekly_updates:
        due = clock + timedelta(days=rules_at(clock).default_update_days)
        return _Deadline("weekly", due, due.date())
    return None


def _ends_defaults(inputs: UpdateInputs, start: Stamp) -> bool:
    """A Closure Report at the window start ends default updates from v3.0 (the moderator takes over)."""
    return any(r.time == start.time for r in inputs.closure_reports) and rules_at(
        start.time
    ).closure_report_ends_updates


def _events(inputs: UpdateInputs, after: datetime, before: datetime) -> list[tuple[datetime, str, Stamp]]:
    found = [(s.time, "whiteboard", s) for s in inputs.whiteboard if after < s.time < before]
    found += [(s.time, "status", s) for s in inputs.status if after < s.time < before]
    found += [(s.time, "announce", s) for s in inputs.closure_announcements if after < s.time < before]
    return sorted(found, key=lambda e: e[0])


def _outcome(
    deadline: _Deadline, start: Stamp, end: Stamp | None, as_of: datetime, *, status: str | None = None
) -> UpdateCheck:
    done = end.time if end else None
    if status is None:
        if done is not None and done <= deadline.due:
            status = "met"
        elif done is not None or as_of > deadline.due:
            status = "missed"
        else:
            status = "pending"
    must_missed = None
    if deadline.must_due is not None and status == "missed":
        must_missed = done is None or done > deadline.must_due
    return UpdateCheck(
        deadline.rule, status, start.time, start.ref, deadline.due, deadline.due_date,
        done if status in ("met", "missed") else None, end.ref if end and status in ("met", "missed") else None,
        deadline.set_ref, deadline.must_due, must_missed,
    )  # fmt: skip


def _window(
    inputs: UpdateInputs, start: Stamp, end: Stamp | None, used: set[date]
) -> list[UpdateCheck]:
    """Checks of one window [start, end): at most one final outcome plus any superseded dates."""
    stop = end.time if end else inputs.as_of
    defaults_off = _ends_defaults(inputs, start)
    deadline = _deadline(inputs, start.time, start.time, used)
    if deadline is not None and defaults_off and deadline.rule != "next_update":
        deadline = None
    out: list[UpdateCheck] = []
    for moment, kind, stamp in _events(inputs, start.time, stop):
        if deadline is not None and moment > deadline.due:
            break
        if kind == "status" and not _is_open(inputs, moment):
            return out + ([_outcome(deadline, start, None, inputs.as_of, status="waived")] if deadline else [])
        if kind == "announce" and deadline is not None and deadline.rule != "next_update":
            return out + [_outcome(deadline, start, None, inputs.as_of, status="waived")]
        if kind == "whiteboard":
            new = _deadline(inputs, start.time, moment, used)
            if new is not None and defaults_off and new.rule != "next_update":
                new = None
            if deadline is not None and new != deadline and deadline.rule == "next_update":
                out.append(_outcome(deadline, start, None, inputs.as_of, status="superseded"))
            deadline = new
    if deadline is None:
        return out
    if deadline.rule == "next_update":
        used.add(deadline.due_date)
    closed_at = next((s.time for s in inputs.status if start.time < s.time and not _is_open(inputs, s.time)), None)
    if end is None and closed_at is not None and closed_at <= deadline.due:
        return [*out, _outcome(deadline, start, None, inputs.as_of, status="waived")]
    as_of = min(inputs.as_of, closed_at) if end is None and closed_at else inputs.as_of
    return [*out, _outcome(deadline, start, end, as_of)]


def update_checks(inputs: UpdateInputs) -> list[UpdateCheck]:
    """Every update deadline of a bug, in time order."""
    posts = [p for p in inputs.ca_posts if p.time <= inputs.as_of]
    starts = [Stamp(inputs.opened, None), *[p for p in posts if p.time > inputs.opened]]
    used: set[date] = set()
    out: list[UpdateCheck] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else None
        if not _is_open(inputs, start.time):
            reopened = next((s for s in inputs.status if s.time > start.time and _is_open(inputs, s.time)), None)
            if reopened is None or (end is not None and reopened.time >= end.time):
                continue
            start = Stamp(reopened.time, None)
        out.extend(_window(inputs, start, end, used))
    return out
