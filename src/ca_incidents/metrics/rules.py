"""Incident-handling deadlines per era, as data, and the pure functions that check them.

The rules come from ``shared/spec/incident-report-formats.md`` §2. A rule is taken from the period in force
at the moment its clock starts (disclosure for first/full report, the question for an answer, the last CA
update for periodic updates), so a bug that spans an era change is judged by the rule its CA saw then.

Conventions (all times naive UTC, as stored):

* a deadline given in hours or days is met when the CA posts at or before ``start + delta`` (exactly 72 h
  is on time);
* a whiteboard "Next update YYYY-MM-DD" date names a calendar day without a time zone, so it falls due at
  the end of that day anywhere on Earth (UTC-12, i.e. ``D + 1 day 12:00 UTC``): a CA that posts on the day in
  its own zone is on time;
* a Next update date replaced before it fell due is ``superseded``, never missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

NEXT_UPDATE_GRACE = timedelta(days=1, hours=12)  # end of the named day at UTC-12


@dataclass(frozen=True)
class EraRules:
    """The measurable obligations of one period (an era, or part of one when a rule changed mid-era)."""

    period: str
    start: date
    first_report_hours: int | None  # initial report after disclosure (NEW@v2.0)
    full_report_days: int  # full report after disclosure (two weeks in every era)
    answer_days: int  # first response to a question (one week; unverified before v2.0)
    weekly_updates: bool  # 7-day default when no Next update date is set (added 2023-05-02, v1.0)
    default_update_days: int  # the default cadence when weekly updates apply
    action_item_update_days: int | None  # update after an action item changes or slips (NEW@v3.1)
    revocation_should_days: int | None  # revocation-delay cadence SHOULD (NEW@v3.0)
    revocation_must_days: int | None  # revocation-delay cadence MUST (NEW@v3.0)
    closure_report_ends_updates: bool  # v3.0: the moderator takes over; v3.1 states it outright
    closure_report_required: bool  # the CA posts a Closure Report (NEW@v3.0)
    third_party_reply_counts: bool  # replying to a third-party preliminary meets the first-report rule (v3.0)
    source: str  # where the rule is written


RULES: tuple[EraRules, ...] = (
    EraRules("legacy", date(2017, 1, 1), None, 14, 7, False, 7, None, None, None, False, False, False,
             "wiki Responding_To_An_Incident; MRSP 2.7-2.8 (7-day answers unverified)"),
    EraRules("v1.0", date(2023, 2, 15), None, 14, 7, False, 7, None, None, None, False, False, False,
             "CCADB IRG v1.0"),
    EraRules("v1.0-weekly", date(2023, 5, 2), None, 14, 7, True, 7, None, None, None, False, False, False,
             "CCADB IRG v1.0 as amended 2023-05-02 (weekly updates)"),
    EraRules("v2.0", date(2023, 10, 17), 72, 14, 7, True, 7, None, None, None, False, False, False,
             "CCADB IRG v2.0"),
    EraRules("v3.0", date(2025, 3, 1), 72, 14, 7, True, 7, None, 3, 7, True, True, True, "CCADB IRG v3.0"),
    EraRules("v3.1", date(2025, 7, 15), 72, 14, 7, True, 7, 3, 3, 7, True, True, True, "CCADB IRG v3.1"),
    EraRules("v3.2", date(2026, 3, 20), 72, 14, 7, True, 7, 3, 3, 7, True, True, True, "CCADB IRG v3.2"),
)  # fmt: skip


def rules_at(moment: datetime | date) -> EraRules:
    """The rules in force at a moment (UTC); moments before the first period get the earliest rules."""
    day = moment.date() if isinstance(moment, datetime) else moment
    current = RULES[0]
    for rules in RULES:
        if day >= rules.start:
            current = rules
    return current


def period_start(period: str) -> datetime:
    """First instant of a named period (used to start a clock for a rule that began mid-window)."""
    rules = next(r for r in RULES if r.period == period)
    return datetime.combine(rules.start, time())


def next_update_due(day: date) -> datetime:
    """When a whiteboard "Next update" day falls due (end of the day at UTC-12)."""
    return datetime.combine(day, time()) + NEXT_UPDATE_GRACE


@dataclass(frozen=True)
class Check:
    """One deadline: when it fell due and what happened.

    ``status``: ``met`` | ``missed`` | ``pending`` (not yet due at the evaluation time) | ``superseded``
    (a Next update date replaced before it fell due) | ``waived`` (the obligation ended before it fell due) |
    ``missing`` (the clock cannot be started: ``reason`` says why).
    """

    rule: str
    status: str
    start_time: datetime | None = None
    due_time: datetime | None = None
    due_date: date | None = None  # the day as written (Next update) or the day of due_time
    done_time: datetime | None = None
    reason: str | None = None

    @property
    def late_hours(self) -> float | None:
        """Hours past the deadline (negative: early); None when nothing was done."""
        if self.due_time is None or self.done_time is None:
            return None
        return round((self.done_time - self.due_time).total_seconds() / 3600, 2)


def check_within(rule: str, start: datetime | None, done: datetime | None, limit: timedelta, as_of: datetime) -> Check:
    """A deadline ``limit`` after ``start``: met when ``done <= start + limit`` (the boundary is on time)."""
    if start is None:
        return Check(rule, "missing", reason="no start time")
    due = start + limit
    if done is not None and done <= due:
        status = "met"
    elif done is not None or as_of > due:
        status = "missed"
    else:
        status = "pending"
    return Check(rule, status, start, due, due.date(), done)


def first_report_check(disclosed: datetime | None, first_report: datetime | None, as_of: datetime) -> Check:
    """Initial (preliminary or full) report within the era's hour limit of disclosure (from v2.0)."""
    if disclosed is None:
        return Check("first_report", "missing", reason="disclosure time unknown")
    hours = rules_at(disclosed).first_report_hours
    if hours is None:
        return Check("first_report", "waived", disclosed, reason=f"no hour limit in {rules_at(disclosed).period}")
    return check_within("first_report", disclosed, first_report, timedelta(hours=hours), as_of)


def full_report_check(disclosed: datetime | None, full_report: datetime | None, as_of: datetime) -> Check:
    """Full report within two weeks (14 days) of disclosure, in every era."""
    if disclosed is None:
        return Check("full_report", "missing", reason="disclosure time unknown")
    days = rules_at(disclosed).full_report_days
    return check_within("full_report", disclosed, full_report, timedelta(days=days), as_of)


def answer_check(asked: datetime, first_response: datetime | None, as_of: datetime) -> Check:
    """A question to the CA gets a response (an acknowledgement with a date counts) within the era's days."""
    return check_within("answer", asked, first_response, timedelta(days=rules_at(asked).answer_days), as_of)
