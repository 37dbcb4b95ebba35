"""One bug as the metrics see it: comments (with parser roles and whose side), history, reports.

Loaded once per bug from the raw and parse tables, optionally cut at an ``as_of`` time so a digest can
replay what a reviewer could have seen that day (comments and history after it are left out, and the bug's
whiteboard and status are rebuilt from history). Whose side a comment is on comes from the parse stage
(``comment_roles.is_ca_side``, ``parse_bugs.ca_accounts``), settled over the whole bug.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from ca_incidents.parse.lines import mask_spans
from ca_incidents.parse.roles import is_root_program

REPORT_KINDS = ("preliminary", "full", "closure", "audit", "legacy")
_CLOSURE_CALL = re.compile(
    r"final call|(?:intend|plan|expect|going) to (?:close|resolve)|will (?:close|resolve) this|"
    r"(?:closing|close this(?: bug)?|resolve this) on or about",
    re.IGNORECASE,
)


@dataclass
class Comment:
    """A comment with the parser's role and side."""

    id: int
    count: int
    creator: str
    time: datetime
    text: str
    role: str = "other"
    is_ca: bool = False
    quoted: list[tuple[int, int, int | None]] = field(default_factory=list)  # start, end, quoted comment
    total_certificates: int | None = None
    disclosure_source: str | None = None
    n_action_items: int = 0

    @property
    def own_text(self) -> str:
        """The comment without quoted text (quotes belong to earlier authors), as the parser read it."""
        return mask_spans(self.text, [(start, end) for start, end, _ in self.quoted])

    @property
    def replies_to(self) -> set[int]:
        """The comment numbers this comment quotes under a reply header (``(In reply to X from comment #N)``)."""
        return {count for _, _, count in self.quoted if count is not None}

    @property
    def is_report(self) -> bool:
        return self.role in REPORT_KINDS


@dataclass
class Change:
    """One history row."""

    seq: int
    time: datetime
    who: str
    field: str
    removed: str
    added: str


@dataclass
class Bug:
    """Everything one bug contributes to the metrics."""

    id: int
    ca_owner: str | None
    summary: str
    creator: str
    assigned_to: str
    creation_time: datetime
    whiteboard_now: str
    status_now: str
    tags: list[str]
    comments: list[Comment]
    history: list[Change]
    ca_accounts: set[str] = field(default_factory=set)
    whiteboard_initial: str | None = None  # value before the first whiteboard change (even one after as_of)

    def changes(self, name: str) -> list[Change]:
        return [c for c in self.history if c.field == name]

    def whiteboard_values(self) -> list[tuple[datetime, int | None, str]]:
        """(time, history seq, value) from creation on; the first value is the one at creation."""
        changes = self.changes("whiteboard")
        first = self.whiteboard_initial if self.whiteboard_initial is not None else self.whiteboard_now
        return [(self.creation_time, None, first or "")] + [(c.time, c.seq, c.added or "") for c in changes]

    @property
    def is_filed_by_ca(self) -> bool:
        return self.creator.lower() in self.ca_accounts

    def closure_calls(self) -> list[Comment]:
        """Root-program comments announcing the bug will be closed (the weekly default stops then)."""
        return [c for c in self.comments if not c.is_ca and is_root_program(c.creator) and _CLOSURE_CALL.search(c.text)]


_BUG_SQL = """
SELECT b.id, n.ca_owner, b.summary, b.creator, b.assigned_to, b.creation_time, b.whiteboard, b.status,
       coalesce(n.whiteboard_tags, []), coalesce(p.ca_accounts, [])
FROM bugs b LEFT JOIN normalised_bugs n ON n.bug_id = b.id LEFT JOIN parse_bugs p ON p.bug_id = b.id
WHERE $as_of IS NULL OR b.creation_time <= $as_of ORDER BY b.id
"""
_COMMENT_SQL = """
SELECT c.id, c.bug_id, c.count, c.creator, c.creation_time, coalesce(c.raw_text, c.text, ''),
       r.role, r.is_ca_side, r.quoted_spans, p.total_certificates, p.disclosure_source, p.n_action_items
FROM comments c LEFT JOIN comment_roles r ON r.comment_id = c.id LEFT JOIN reports p ON p.comment_id = c.id
WHERE $as_of IS NULL OR c.creation_time <= $as_of ORDER BY c.bug_id, c.count
"""


def _quoted(raw: Any) -> list[tuple[int, int, int | None]]:
    spans = json.loads(raw) if isinstance(raw, str) else raw or []
    return [(int(s["start"]), int(s["end"]), s.get("comment_count")) for s in spans]


def _rebuild_state(bug: Bug) -> None:
    """Whiteboard, tags and status as they stood at the cut-off (history after it was dropped)."""
    from ca_incidents.corpus.whiteboard import parse_whiteboard

    values = bug.whiteboard_values()
    bug.whiteboard_now = values[-1][2]
    bug.tags = parse_whiteboard(bug.whiteboard_now).tags
    statuses = bug.changes("status")
    bug.status_now = statuses[-1].added if statuses else "NEW"


def load_bugs(con: duckdb.DuckDBPyConnection, as_of: datetime | None = None) -> list[Bug]:
    """Every bug with its comments and history (only what existed at ``as_of`` when given)."""
    params = {"as_of": as_of}
    bugs = {
        row[0]: Bug(row[0], row[1], row[2] or "", row[3] or "", row[4] or "", row[5], row[6] or "", row[7] or "",
                    list(row[8]), [], [], set(row[9]))
        for row in con.execute(_BUG_SQL, params).fetchall()
    }  # fmt: skip
    rows = con.execute(_COMMENT_SQL, params).fetchall()
    for cid, bug_id, count, creator, time, text, role, side, quoted, total, source, n_items in rows:
        if bug_id not in bugs:
            continue
        bugs[bug_id].comments.append(
            Comment(cid, count, creator or "", time, text, role or "other", bool(side), _quoted(quoted), total,
                    source, n_items or 0)
        )  # fmt: skip
    history = con.execute(
        "SELECT bug_id, seq, change_time, who, field_name, coalesce(removed, ''), coalesce(added, '') FROM history "
        "WHERE $as_of IS NULL OR change_time <= $as_of ORDER BY bug_id, seq",
        params,
    ).fetchall()
    initial = dict(
        con.execute(
            "SELECT bug_id, arg_min(coalesce(removed, ''), seq) FROM history WHERE field_name = 'whiteboard' GROUP BY 1"
        ).fetchall()
    )
    by_bug: dict[int, list[Change]] = defaultdict(list)
    for bug_id, *rest in history:
        by_bug[bug_id].append(Change(*rest))
    for bug in bugs.values():
        bug.history = by_bug.get(bug.id, [])
        bug.whiteboard_initial = initial.get(bug.id)
        if as_of is not None:
            _rebuild_state(bug)
    return list(bugs.values())
