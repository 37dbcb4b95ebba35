"""Periodic-update deadlines of one bug: whiteboard "Next update" dates, the 7-day default and the
revocation-delay cadence.

Pure: the caller passes times and whiteboard values; nothing here reads the store. Two passes:

* every Next update date set on the whiteboard is one deadline: met by a CA post after it was set and by
  its due time; replaced before it fell due with no post, it is ``superseded``; resolved first, no row;
* between two CA posts, while no Next update date is pending, the default cadence runs from the later of
  the post and the end of the last Next update date: 3 days (SHOULD; 7 days MUST) when the whiteboard says
  "revocation-delay" (v3.0+), else 7 days (from 2023-05-02). One gap gives at most one missed default. A
  root program's closure announcement ends it (``waived``); after a Closure Report (v3.0+) none starts.
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
class _Date:
    day: date
    set_time: datetime
    set_ref: int | None
    until: datetime  # replaced (or the evaluation end)


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


def _closed_after(inputs: UpdateInputs, moment: datetime) -> datetime | None:
    return next((s.time for s in inputs.status if s.time > moment and not _is_open(inputs, s.time)), None)


def _dates(inputs: UpdateInputs) -> list[_Date]:
    """Each Next update date with when it was set and when it was replaced."""
    out: list[_Date] = []
    for i, stamp in enumerate(inputs.whiteboard):
        day = parse_whiteboard(stamp.value).next_update
        if out and out[-1].until == datetime.max and day == out[-1].day:
            continue
        if out and out[-1].until == datetime.max:
            out[-1] = _Date(out[-1].day, out[-1].set_time, out[-1].set_ref, stamp.time)
        if day is not None and (i == 0 or stamp.time <= inputs.as_of):
            out.append(_Date(day, stamp.time, stamp.ref, datetime.max))
    return out


def _first_post(inputs: UpdateInputs, after: datetime, until: datetime | None = None) -> Stamp | None:
    return next((p for p in inputs.ca_posts if after < p.time and (until is None or p.time <= until)), None)


def _status(due: datetime, done: datetime | None, as_of: datetime) -> str:
    if done is not None and done <= due:
        return "met"
    return "missed" if done is not None or as_of > due else "pending"


def next_update_checks(inputs: UpdateInputs) -> list[UpdateCheck]:
    """One check per Next update date set on the whiteboard."""
    out = []
    for d in _dates(inputs):
        due = next_update_due(d.day)
        post = _first_post(inputs, d.set_time, min(due, d.until))
        closed = _closed_after(inputs, d.set_time)
        if post is None and d.until <= due:
            status, post = "superseded", None
        elif post is None and closed is not None and closed <= due:
            continue
        else:
            post = post or _first_post(inputs, due)
            end = min(inputs.as_of, closed) if closed else inputs.as_of
            status = _status(due, post.time if post else None, end)
        done = post.time if post and status in ("met", "missed") else None
        start = _value_at([Stamp(p.time, p.ref) for p in inputs.ca_posts], d.set_time)
        out.append(UpdateCheck("next_update", status, d.set_time, start.ref if start else None, due, d.day, done,
                               post.ref if done else None, d.set_ref))  # fmt: skip
    return out


def _pending_date_until(dates: list[_Date], moment: datetime) -> datetime | None:
    """If a Next update date is in force at ``moment`` (set, not replaced, not yet due), its due time."""
    for d in dates:
        due = next_update_due(d.day)
        if d.set_time <= moment < d.until and moment < due:
            return due
    return None


def _cadence(inputs: UpdateInputs, clock: datetime) -> tuple[str, int, int | None] | None:
    rules = rules_at(clock)
    board = _value_at(inputs.whiteboard, clock)
    text = (board.value or "").lower() if board else ""
    if rules.revocation_should_days and "revocation-delay" in text:
        return "revocation", rules.revocation_should_days, rules.revocation_must_days
    if rules.weekly_updates:
        return "weekly", rules.default_update_days, None
    return None


def _default_clock(
    inputs: UpdateInputs, dates: list[_Date], start: datetime, stop: datetime
) -> tuple[datetime | None, bool]:
    """When the default cadence starts counting in [start, stop): after any pending Next update date and
    not before the weekly rule existed; and whether a Next update date moved it."""
    clock = max(start, period_start("v1.0-weekly")) if not rules_at(start).weekly_updates else start
    moved = False
    for _ in range(len(dates) + 1):
        until = _pending_date_until(dates, clock)
        if until is None:
            break
        clock, moved = until, True
    return (clock if clock < stop else None), moved


def _default_window(inputs: UpdateInputs, dates: list[_Date], start: Stamp, end: Stamp | None) -> UpdateCheck | None:
    closed = _closed_after(inputs, start.time)
    stop = min(end.time if end else inputs.as_of, closed or datetime.max)
    clock, moved = _default_clock(inputs, dates, start.time, stop)
    cadence = _cadence(inputs, clock) if clock else None
    if clock is None or cadence is None:
        return None
    rule, days, must_days = cadence
    if moved and clock is not None and (end is None or end.time > clock):
        return None  # a Next update date fell due in this gap unmet: one missed update per gap
    due = clock + timedelta(days=days)
    later_date = next((d for d in dates if clock < d.set_time <= min(due, stop)), None)
    if later_date is not None:
        return None  # a Next update date was set before the default fell due: it governs
    announce = next((a for a in inputs.closure_announcements if start.time < a.time <= due), None)
    done = end.time if end else None
    if announce is not None and (done is None or done > announce.time):
        return UpdateCheck(rule, "waived", clock, start.ref, due, due.date())
    if done is None and closed is not None and closed <= due:
        return None  # resolved before it fell due
    status = _status(due, done, stop if end is None else inputs.as_of)
    must = clock + timedelta(days=must_days) if must_days else None
    must_missed = (done is None or done > must) if must and status == "missed" else None
    return UpdateCheck(rule, status, clock, start.ref, due, due.date(), done if status != "pending" else None,
                       end.ref if end and status != "pending" else None, None, must, must_missed)  # fmt: skip


def default_checks(inputs: UpdateInputs) -> list[UpdateCheck]:
    """The default cadence between consecutive CA posts (none after a v3.0+ Closure Report)."""
    dates = _dates(inputs)
    posts = [p for p in inputs.ca_posts if inputs.opened < p.time <= inputs.as_of]
    starts = [Stamp(inputs.opened, None), *posts]
    closures = {c.time for c in inputs.closure_reports}
    out = []
    for i, start in enumerate(starts):
        if start.time in closures and rules_at(start.time).closure_report_ends_updates:
            continue
        if not _is_open(inputs, start.time):
            continue
        check = _default_window(inputs, dates, start, starts[i + 1] if i + 1 < len(starts) else None)
        if check is not None:
            out.append(check)
    return out


def update_checks(inputs: UpdateInputs) -> list[UpdateCheck]:
    """Every update deadline of a bug, in due order."""
    return sorted(next_update_checks(inputs) + default_checks(inputs), key=lambda c: (c.due_time, c.rule))
