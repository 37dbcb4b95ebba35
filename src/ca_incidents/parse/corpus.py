"""Fill the parse tables from the raw corpus, incrementally.

First ``normalised_bugs`` (CA owner, whiteboard fields) is rebuilt whole from the raw ``bugs``; then a bug is
re-parsed only when its context changed: a comment's text hash, the assignee, the CA owner or the parser
version. Roles depend on the whole bug (who posted reports, open questions), so the unit of work is the bug;
unchanged bugs cost one hash comparison.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

from ca_incidents.corpus.store import stage_schema_sql
from ca_incidents.parse.eras import acceptable_eras
from ca_incidents.parse.model import ParsedReport
from ca_incidents.parse.normalise import NormaliseStats, normalise_bugs
from ca_incidents.parse.report import PARSER_VERSION
from ca_incidents.parse.roles import REPORT_ROLES, ROLES_VERSION, CommentRole, classify_bug
from ca_incidents.utc import to_naive_utc

PARSE_TABLES = (
    "comment_roles",
    "reports",
    "sections",
    "root_causes",
    "timeline_events",
    "action_items",
    "references",
)


@dataclass
class ParseStats:
    """What one `parse_corpus` run did."""

    bugs_seen: int = 0
    bugs_parsed: int = 0
    comments_parsed: int = 0
    comments_skipped: int = 0
    reports: int = 0
    warnings: int = 0
    owners: NormaliseStats | None = None  # how the CA owners of normalised_bugs were found


def parse_schema_sql() -> str:
    """DDL of the parse tables."""
    return stage_schema_sql("parse")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the parse tables if missing (and give a store parsed before ``ca_accounts`` existed the column;
    its bugs are re-parsed because ``ROLES_VERSION`` is part of each bug's context hash)."""
    con.execute(parse_schema_sql())
    con.execute("ALTER TABLE parse_bugs ADD COLUMN IF NOT EXISTS ca_accounts VARCHAR[]")


def sha256(text: str) -> str:
    """Hex SHA-256 of a text (UTF-8, surrogates replaced)."""
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _context_hash(bug: tuple[Any, ...], comments: list[tuple[Any, ...]]) -> str:
    parts = [PARSER_VERSION, ROLES_VERSION, str(bug[1] or ""), str(bug[2] or "")]
    parts += [f"{c[0]}:{c[3]}:{sha256(c[4])}" for c in comments]
    return sha256("\n".join(parts))


def _utc_naive(value: datetime | date | None) -> tuple[datetime | None, date | None]:
    if value is None:
        return None, None
    if isinstance(value, datetime):
        v = to_naive_utc(value)
        return v, v.date()
    return datetime(value.year, value.month, value.day), value


def _insert_report(
    con: duckdb.DuckDBPyConnection,
    cid: int,
    bug_id: int,
    count: int,
    when: datetime | None,
    role: CommentRole,
    text_hash: str,
) -> int:
    rep: ParsedReport = role.report  # type: ignore[assignment]
    acceptable = rep.era in acceptable_eras(when) if (rep.era and when) else None
    f = rep.facts
    con.execute(
        "INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            cid,
            bug_id,
            count,
            role.role,
            rep.report_type,
            rep.era,
            rep.era_in_force,
            acceptable,
            role.is_ca_side,
            when,
            text_hash,
            PARSER_VERSION,
            rep.warnings,
            f.total_certificates,
            f.remaining_valid,
            f.issuance_stopped,
            f.disclosure_source,
            len(rep.sections),
            len(rep.action_items),
            len(rep.timeline),
        ],
    )
    rows: dict[str, list[list[Any]]] = {
        "sections": [[cid, i, s.name, s.parent, s.heading, s.start, s.end] for i, s in enumerate(rep.sections)],
        "root_causes": [
            [cid, i, r.title, r.description, r.timeline, r.detection, r.interaction, r.start, r.end]
            for i, r in enumerate(rep.root_causes)
        ],
        "timeline_events": [
            [cid, i, *_utc_naive(t.timestamp), t.has_time, t.has_zone, t.raw_time, t.text, t.start, t.end]
            for i, t in enumerate(rep.timeline)
        ],
        "action_items": [
            [
                cid,
                i,
                a.text,
                a.kind,
                a.root_causes,
                a.evaluation_criteria,
                a.due_text,
                a.due_date,
                a.status,
                a.start,
                a.end,
            ]
            for i, a in enumerate(rep.action_items)
        ],
        '"references"': [[cid, i, r.kind, r.value, r.start, r.end] for i, r in enumerate(rep.references)],
    }
    for table, values in rows.items():
        if values:
            marks = ",".join("?" * len(values[0]))
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", values)  # noqa: S608 - fixed table names
    return len(rep.warnings)


def _delete_bug(con: duckdb.DuckDBPyConnection, bug_id: int) -> None:
    for table in PARSE_TABLES:
        quoted = f'"{table}"'
        if table == "comment_roles":
            con.execute("DELETE FROM comment_roles WHERE bug_id = ?", [bug_id])
        else:
            con.execute(
                f"DELETE FROM {quoted} WHERE comment_id IN (SELECT id FROM comments WHERE bug_id = ?)",  # noqa: S608
                [bug_id],
            )
    con.execute("DELETE FROM reports WHERE bug_id = ?", [bug_id])


def _parse_bug(
    con: duckdb.DuckDBPyConnection, bug: tuple[Any, ...], comments: list[tuple[Any, ...]], stats: ParseStats
) -> list[str]:
    """Write one bug's parse rows; return its CA accounts."""
    bug_id, assignee, ca_owner = bug
    items = [{"text": c[4], "author": c[2], "count": c[3], "posted_at": c[1]} for c in comments]
    classified = classify_bug(items, assignee=assignee, ca_owner=ca_owner)
    _delete_bug(con, bug_id)
    for (cid, when, creator, count, text), role in zip(comments, classified.roles, strict=True):
        text_hash = sha256(text)
        quoted = json.dumps(
            [
                {"start": q.start, "end": q.end, "author": q.author, "comment_count": q.comment_count}
                for q in role.quoted
            ]
        )
        con.execute(
            "INSERT INTO comment_roles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                cid,
                bug_id,
                count,
                creator,
                when,
                role.role,
                role.is_ca_side,
                quoted,
                role.own_chars,
                text_hash,
                PARSER_VERSION,
            ],
        )
        if role.role in REPORT_ROLES and role.report is not None:
            stats.reports += 1
            stats.warnings += _insert_report(con, cid, bug_id, count, when, role, text_hash)
        stats.comments_parsed += 1
    return sorted(classified.ca_accounts)


def parse_corpus(
    con: duckdb.DuckDBPyConnection, *, progress: Callable[[int, int], None] | None = None, force: bool = False
) -> ParseStats:
    """Rebuild ``normalised_bugs``, then parse every bug whose comments (or assignee / CA owner / parser
    version) changed since the last run."""
    ensure_schema(con)
    stats = ParseStats(owners=normalise_bugs(con))
    bugs = con.execute(
        "SELECT b.id, b.assigned_to, n.ca_owner FROM bugs b LEFT JOIN normalised_bugs n ON n.bug_id = b.id "
        "ORDER BY b.id"
    ).fetchall()
    known = set(b[0] for b in bugs)
    orphan_ids = [r[0] for r in con.execute("SELECT DISTINCT bug_id FROM comments").fetchall() if r[0] not in known]
    bugs += [(b, None, None) for b in sorted(orphan_ids)]
    state = dict(con.execute("SELECT bug_id, context_sha256 FROM parse_bugs").fetchall())
    for n, bug in enumerate(bugs, start=1):
        stats.bugs_seen += 1
        comments = [
            (cid, when, creator, count, raw if raw is not None else (text or ""))
            for cid, when, creator, count, raw, text in con.execute(
                "SELECT id, creation_time, creator, count, raw_text, text FROM comments "
                "WHERE bug_id = ? ORDER BY count, id",
                [bug[0]],
            ).fetchall()
        ]
        ctx = _context_hash(bug, comments)
        if not force and state.get(bug[0]) == ctx:
            stats.comments_skipped += len(comments)
        else:
            con.execute("BEGIN TRANSACTION")
            try:
                accounts = _parse_bug(con, bug, comments, stats)
                con.execute("DELETE FROM parse_bugs WHERE bug_id = ?", [bug[0]])
                con.execute(
                    "INSERT INTO parse_bugs (bug_id, context_sha256, parser_version, parsed_at, ca_accounts) "
                    "VALUES (?, ?, ?, now(), ?)",
                    [bug[0], ctx, PARSER_VERSION, accounts],
                )
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
            stats.bugs_parsed += 1
        if progress is not None:
            progress(n, len(bugs))
    return stats
