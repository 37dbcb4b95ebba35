"""The parse stage's stored result, read back as the reports score scores: the only parse scoring uses.

Each report comment was parsed once, by `ca-incidents parse`, from its own text: ``raw_text`` with the quoted
spans of earlier comments blanked out (same length, so offsets still point into ``raw_text``). Score reads
that parse and scores that same text, so a quote of someone else's report is never scored as the CA's words.
A store whose parse is older than its comments (or than the parser) is refused with the command to run.
Timeline timestamps come back as stored (UTC, naive); no detector reads them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from ca_incidents.parse import PARSER_VERSION
from ca_incidents.parse.corpus import sha256
from ca_incidents.parse.lines import mask_spans
from ca_incidents.parse.model import ActionItem, Facts, ParsedReport, Reference, RootCause, Section, TimelineEvent


class StaleParse(RuntimeError):
    """The parse tables do not match the comments (or the parser): run `ca-incidents parse` first."""


@dataclass(frozen=True)
class StoredReport:
    """One report as the parse stage read it: its own text, posting time and parse."""

    text: str
    posted_at: datetime | None
    parsed: ParsedReport


_PARTS = {
    "sections": ('name, "start", "end", heading, parent', Section),
    "root_causes": ('title, "start", "end", description, timeline, detection, interaction', RootCause),
    "action_items": (
        'text, "start", "end", kind, root_causes, evaluation_criteria, due_text, due_date, status',
        ActionItem,
    ),
    '"references"': ('kind, value, "start", "end"', Reference),
}

_EVENT_COLUMNS = 'event_time, event_date, has_time, has_zone, raw_time, text, "start", "end"'


def _rows(con: duckdb.DuckDBPyConnection, table: str, columns: str, ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for cid, *values in con.execute(
        f"SELECT comment_id, {columns} FROM {table} "  # noqa: S608 - fixed table and column names
        "WHERE comment_id IN (SELECT unnest(?::BIGINT[])) ORDER BY comment_id, seq",
        [ids],
    ).fetchall():
        out[cid].append(tuple(values))
    return out


def _heads(con: duckdb.DuckDBPyConnection, ids: list[int]) -> list[tuple[Any, ...]]:
    """Report rows with the comment text, its time and quoted spans; ``StaleParse`` when any is out of date."""
    heads = con.execute(
        "SELECT r.comment_id, r.report_type, r.era, r.era_in_force, r.warnings, r.total_certificates, "
        "r.remaining_valid, r.issuance_stopped, r.disclosure_source, r.text_sha256, r.parser_version, "
        "coalesce(c.raw_text, c.text, ''), c.creation_time, q.quoted_spans FROM reports r "
        "JOIN comments c ON c.id = r.comment_id JOIN comment_roles q ON q.comment_id = r.comment_id "
        "WHERE r.comment_id IN (SELECT unnest(?::BIGINT[])) ORDER BY r.comment_id",
        [ids],
    ).fetchall()
    stale = [h[0] for h in heads if h[10] != PARSER_VERSION or h[9] != sha256(h[11])]
    if stale or len(heads) != len(set(ids)):
        missing = len(set(ids)) - len(heads)
        raise StaleParse(
            f"{len(stale) + missing} reports were parsed from other comment texts or by another parser version "
            f"(e.g. comment {(stale or [None])[0]}): run `ca-incidents parse` first"
        )
    return heads


def stored_parses(con: duckdb.DuckDBPyConnection, ids: Sequence[int]) -> dict[int, StoredReport]:
    """Each report comment's own text, posting time and stored parse (``StaleParse`` when out of date)."""
    heads = _heads(con, list(ids))
    if not heads:
        return {}
    keep = [h[0] for h in heads]
    parts = {table: (_rows(con, table, columns, keep), kind) for table, (columns, kind) in _PARTS.items()}
    events = _rows(con, "timeline_events", _EVENT_COLUMNS, keep)
    out = {}
    for cid, report_type, era, in_force, warnings, total, remaining, stopped, source, _, _, raw, when, quoted in heads:
        built: dict[str, Sequence[Any]] = {
            table.strip('"'): [kind(*v) for v in rows[cid]] for table, (rows, kind) in parts.items()
        }
        parsed = ParsedReport(
            era=era,
            report_type=report_type,
            era_in_force=in_force,
            timeline=[
                TimelineEvent(at if has_time else day, has_time, has_zone, text, start, end, raw_time or "")
                for at, day, has_time, has_zone, raw_time, text, start, end in events[cid]
            ],
            facts=Facts(total, remaining, stopped, source),
            warnings=list(warnings or []),
            **built,  # type: ignore[arg-type]
        )
        spans = [(int(q["start"]), int(q["end"])) for q in json.loads(quoted or "[]")]
        out[cid] = StoredReport(mask_spans(raw, spans), when, parsed)
    return out
