"""Question-and-answer ledger: what was asked of the CA, when it first responded, when it really answered.

A question is a non-CA comment the parser marks as a question (or a report-shaped comment that asks
something), or a needinfo flag set on a CA account with no question posted with it. A later non-CA comment
that only repeats an open question is a *reminder*, not a new question. A CA comment answers a question when
it replies to it ("In reply to ... comment #N" naming the question or its reminder), when the parser marks it
an answer with no reply header, or when it is the report the question asked for; a status update that
ignores the question does not answer it. A short CA reply promising an answer later is an acknowledgement:
it stops the 7-day clock (allowed from v2.0) but the ledger still waits for the substantive answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ca_incidents.metrics.context import Bug, Comment
from ca_incidents.metrics.rules import answer_check

_REQUEST = re.compile(
    r"\?|\bplease\s+(?:provide|explain|confirm|clarify|describe|share|post|list|answer|respond|correct|add|include|"
    r"update|give|state)\b",
    re.IGNORECASE,
)
_REMINDER = re.compile(
    r"\bremind|\bstill (?:open|wait|unanswered|outstanding)|\b(?:answer|respond to|address) the questions? in\b|"
    r"\bnot (?:yet )?(?:been )?answered|\bfollow(?:ing)? up on (?:the|my|our) question|\bping\b",
    re.IGNORECASE,
)
_MENTION = re.compile(r"\bcomment\s*#?\s*(\d+)", re.IGNORECASE)
_ACK = re.compile(
    r"\b(?:we|i)(?: will|'ll| are going to) (?:respond|reply|answer|provide|follow up|get back|post)|"
    r"\backnowledge|\blooking into (?:this|it|the question)",
    re.IGNORECASE,
)
_NEEDINFO = re.compile(r"needinfo\?\(([^)]+)\)")
_SAME_TIME = timedelta(minutes=10)


@dataclass
class Question:
    """One ledger row."""

    bug_id: int
    asked_time: datetime
    asker: str
    comment_id: int | None  # None: a needinfo flag alone
    comment_count: int | None
    source: str  # comment | needinfo
    needinfo_seq: int | None = None
    text: str = ""  # the question's own words (requests for a report are met by the report)
    reminders: list[Comment] = field(default_factory=list)
    ack: Comment | None = None
    answer: Comment | None = None

    @property
    def first_response(self) -> Comment | None:
        return self.ack or self.answer

    def is_answered_after_reminder(self) -> bool:
        return self.answer is not None and any(r.time < self.answer.time for r in self.reminders)


def _is_question(c: Comment) -> bool:
    if c.is_ca or c.count == 0:
        return False
    return c.role == "question" or bool(_REQUEST.search(c.own_text))


def _answers(c: Comment, q: Question) -> bool:
    """Whether CA comment ``c`` answers question ``q`` (see the module docstring)."""
    targets = {q.comment_count, *[r.count for r in q.reminders]}
    if c.replies_to:
        return bool(targets & c.replies_to)
    if c.role == "answer":
        return True
    return c.is_report and "report" in q.text.lower()


def _is_ack(c: Comment) -> bool:
    own = c.own_text.strip()
    return len(own) < 600 and bool(_ACK.search(own)) and not c.is_report


def _needinfo_questions(bug: Bug, asked: list[Question]) -> list[Question]:
    """Needinfo flags on a CA account set by someone else with no question comment beside them."""
    out = []
    for ch in bug.changes("flagtypes.name"):
        targets = [t.lower() for t in _NEEDINFO.findall(ch.added or "") if t not in (ch.removed or "")]
        if not any(t in bug.ca_accounts for t in targets) or ch.who.lower() in bug.ca_accounts:
            continue
        near = [q for q in asked if abs(q.asked_time - ch.time) <= _SAME_TIME]
        if near:
            near[0].needinfo_seq = ch.seq
            continue
        beside = [
            c for c in bug.comments if abs(c.time - ch.time) <= _SAME_TIME and c.creator.lower() == ch.who.lower()
        ]
        if beside and beside[0].count == 0:
            continue  # a needinfo on the filing comment asks for the report: the first-report rule covers it
        if beside:  # a request posted with the flag ("please provide a report") is the question
            c = beside[0]
            out.append(Question(bug.id, c.time, c.creator, c.id, c.count, "needinfo", ch.seq, c.own_text))
        else:
            out.append(Question(bug.id, ch.time, ch.who, None, None, "needinfo", ch.seq))
    return out


def _reminder_of(c: Comment, open_qs: list[Question]) -> list[Question]:
    """The open questions a non-CA comment reminds of (named by comment number, else all of them)."""
    if not open_qs or not _REMINDER.search(c.own_text):
        return []
    named = {int(n) for n in _MENTION.findall(c.own_text)}
    hit = [q for q in open_qs if q.comment_count in named]
    return hit or open_qs


def _walk(bug: Bug, questions: list[Question]) -> None:
    """Assign reminders, acknowledgements and answers in time order."""
    pending = sorted(questions, key=lambda q: q.asked_time)
    for c in bug.comments:
        open_qs = [q for q in pending if q.asked_time < c.time and q.answer is None]
        if c.is_ca:
            for q in open_qs:
                if _answers(c, q):
                    q.answer = c
                elif q.ack is None and _is_ack(c):
                    q.ack = c
        else:
            for q in _reminder_of(c, open_qs):
                q.reminders.append(c)


def bug_questions(bug: Bug) -> list[Question]:
    """The ledger of one bug."""
    asked: list[Question] = []
    open_count = 0
    for c in bug.comments:
        if not _is_question(c):
            continue
        earlier = [q for q in asked if q.asked_time < c.time]
        if open_count and _REMINDER.search(c.own_text) and earlier:
            continue  # reminders are attached in _walk
        asked.append(Question(bug.id, c.time, c.creator, c.id, c.count, "comment", text=c.own_text))
        open_count += 1
    asked += _needinfo_questions(bug, asked)
    _walk(bug, asked)
    return sorted(asked, key=lambda q: q.asked_time)


def ledger_row(q: Question, as_of: datetime) -> dict[str, object]:
    """A ``qa_ledger`` row: times, the comments cited, and the era's 7-day check."""
    first = q.first_response
    check = answer_check(q.asked_time, first.time if first else None, as_of)
    hours = lambda c: round((c.time - q.asked_time).total_seconds() / 3600, 2) if c else None  # noqa: E731
    return {
        "bug_id": q.bug_id, "question_comment_id": q.comment_id, "question_count": q.comment_count,
        "needinfo_history_seq": q.needinfo_seq, "source": q.source, "asker": q.asker, "asked_time": q.asked_time,
        "ack_comment_id": q.ack.id if q.ack else None, "ack_time": q.ack.time if q.ack else None,
        "answer_comment_id": q.answer.id if q.answer else None,
        "answer_count": q.answer.count if q.answer else None,
        "answer_time": q.answer.time if q.answer else None,
        "first_response_hours": hours(first), "answer_hours": hours(q.answer),
        "reminder_comment_ids": [r.id for r in q.reminders], "reminder_counts": [r.count for r in q.reminders],
        "is_after_reminder": q.is_answered_after_reminder(), "status": check.status,
        "due_time": check.due_time, "is_answered": q.answer is not None,
    }  # fmt: skip
