"""Reviewer digest: what needs a root program's attention on one day, replayable for any past date.

Computed from the data visible at ``as_of`` (comments and history up to then): updates overdue (Next
update date, 7-day default, revocation cadence), questions unanswered past their 7 days, action items past
their due date, bugs with no CA report 72 hours after disclosure, and closure reports awaiting review.
Every line links to the bug and the comment it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from ca_incidents.metrics.build import Metrics, compute
from ca_incidents.metrics.context import Bug
from ca_incidents.metrics.deadlines import MISSED_UPDATE_RULES
from ca_incidents.metrics.dossier import html_env, template
from ca_incidents.metrics.updates import CLOSED_STATUSES

DEFAULT_BASE = "https://bugzilla.mozilla.org"
SECTIONS = {
    "update_overdue": "Updates overdue",
    "question_unanswered": "Questions unanswered for more than 7 days",
    "action_item_overdue": "Action items past their due date",
    "no_report": "No CA report 72 hours after disclosure",
    "closure_review": "Closure reports awaiting review",
}


@dataclass(frozen=True)
class Line:
    """One digest line."""

    section: str
    bug_id: int
    ca_owner: str | None
    comment_count: int | None
    since: datetime | None  # when it became due (or was posted, for closure reviews)
    text: str

    def url(self, base: str) -> str:
        anchor = f"#c{self.comment_count}" if self.comment_count is not None else ""
        return f"{base.rstrip('/')}/show_bug.cgi?id={self.bug_id}{anchor}"


def source_base(con: duckdb.DuckDBPyConnection) -> str:
    """The Bugzilla the corpus was harvested from (latest harvest), else bugzilla.mozilla.org."""
    try:
        row = con.execute("SELECT source_url FROM harvests ORDER BY id DESC LIMIT 1").fetchone()
    except duckdb.Error:
        row = None
    return (row[0] if row and row[0] else DEFAULT_BASE).rstrip("/")


def _count(bug: Bug, comment_id: int | None) -> int | None:
    return next((c.count for c in bug.comments if c.id == comment_id), None)


def _lines_for(bug: Bug, m: Metrics) -> list[Line]:
    days = lambda t: (m.as_of - t).days  # noqa: E731
    out = []
    for d in (d for d in m.deadlines if d.bug_id == bug.id):
        if d.rule in MISSED_UPDATE_RULES and d.status == "missed" and d.done_time is None:
            last = _count(bug, d.start_comment_id)
            out.append(Line("update_overdue", bug.id, bug.ca_owner, last, d.due_time,
                            f"{d.rule} update due {d.due_date} ({days(d.due_time)} days overdue)"))  # fmt: skip
        if d.rule == "first_report" and d.status == "missed" and d.done_time is None:
            out.append(Line("no_report", bug.id, bug.ca_owner, 0, d.due_time,
                            f"no CA report since disclosure on {d.start_time:%Y-%m-%d %H:%M} UTC"))  # fmt: skip
    for q in (q for q in m.questions if q["bug_id"] == bug.id and not q["is_answered"]):
        if q["due_time"] is not None and q["due_time"] < m.as_of:
            asked = q["asked_time"]
            text = f"question from {q['asker']} asked {asked:%Y-%m-%d}, {days(asked)} days unanswered"
            out.append(Line("question_unanswered", bug.id, bug.ca_owner, q["question_count"], q["due_time"], text))
    for t in m.tracks.get(bug.id, []):
        last = t.last
        if t.is_open and not t.is_dropped and last.due_date is not None and last.due_date < m.as_of.date():
            text = f"'{last.text[:80]}' due {last.due_date}, last status {last.status or 'not given'}"
            out.append(Line("action_item_overdue", bug.id, bug.ca_owner, last.count, None, text))
    closures = [c for c in bug.comments if c.is_ca and c.role == "closure"]
    if closures:
        out.append(Line("closure_review", bug.id, bug.ca_owner, closures[-1].count, closures[-1].time,
                        f"closure report posted {closures[-1].time:%Y-%m-%d}"))  # fmt: skip
    return out


def digest_lines(m: Metrics) -> list[Line]:
    """Lines for every bug open at ``m.as_of``."""
    out = []
    for bug in m.bugs:
        if bug.status_now.upper() not in CLOSED_STATUSES:
            out.extend(_lines_for(bug, m))
    return sorted(out, key=lambda line: (list(SECTIONS).index(line.section), line.ca_owner or "", line.bug_id))


def build_digest(con: duckdb.DuckDBPyConnection, as_of: datetime | None = None) -> tuple[Metrics, list[Line]]:
    """Metrics replayed at ``as_of`` and the digest lines."""
    m = compute(con, as_of)
    return m, digest_lines(m)


def render_text(lines: list[Line], as_of: datetime, base: str) -> str:
    """Plain-text digest."""
    out = [f"Reviewer digest as of {as_of:%Y-%m-%d %H:%M} UTC ({len(lines)} items)"]
    for key, title in SECTIONS.items():
        part = [line for line in lines if line.section == key]
        out.append(f"\n{title} ({len(part)})")
        out += [f"  - {line.ca_owner or '?'}: bug {line.bug_id}: {line.text}  {line.url(base)}" for line in part]
    return "\n".join(out) + "\n"


def render_html(lines: list[Line], as_of: datetime, base: str) -> str:
    """HTML digest (autoescaped: every text from Bugzilla is escaped)."""
    page = html_env().from_string(template("digest.html.j2"))
    return page.render(lines=lines, as_of=f"{as_of:%Y-%m-%d %H:%M}", base=base, sections=SECTIONS)
