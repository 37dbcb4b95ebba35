"""The parse stage's stored result, read back as :class:`ParsedReport`s, so scoring need not parse again.

A stored parse is used only where it is the parse the scorer would make itself: the report's text hash and the
parser version match, and the comment quotes nothing. The parse stage parses a comment's own text (quotes
blanked out) while the scorer parses the whole text; without quotes the two texts are the same string, and
``parse_report`` is a pure function of text and posting time (the comment's ``creation_time`` in both stages).
Timeline timestamps come back as stored (UTC, naive); no detector reads them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import duckdb

from ca_incidents.parse import PARSER_VERSION
from ca_incidents.parse.corpus import sha256
from ca_incidents.parse.model import ActionItem, Facts, ParsedReport, Reference, RootCause, Section, TimelineEvent

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


def stored_parses(con: duckdb.DuckDBPyConnection, texts: dict[int, str]) -> dict[int, ParsedReport]:
    """The stored parse of each report comment (id -> its current text) where it equals a fresh parse."""
    ids = list(texts)
    heads = con.execute(
        "SELECT r.comment_id, r.report_type, r.era, r.era_in_force, r.warnings, r.total_certificates, "
        "r.remaining_valid, r.issuance_stopped, r.disclosure_source, r.text_sha256 FROM reports r "
        "JOIN comment_roles q ON q.comment_id = r.comment_id "
        "WHERE r.comment_id IN (SELECT unnest(?::BIGINT[])) AND r.parser_version = ? AND q.parser_version = ? "
        "AND CAST(q.quoted_spans AS VARCHAR) = '[]'",
        [ids, PARSER_VERSION, PARSER_VERSION],
    ).fetchall()
    usable = [h for h in heads if h[9] == sha256(texts[h[0]])]
    if not usable:
        return {}
    keep = [h[0] for h in usable]
    parts = {table: (_rows(con, table, columns, keep), kind) for table, (columns, kind) in _PARTS.items()}
    events = _rows(con, "timeline_events", _EVENT_COLUMNS, keep)
    out = {}
    for cid, report_type, era, in_force, warnings, total, remaining, stopped, source, _ in usable:
        built: dict[str, Sequence[Any]] = {
            table.strip('"'): [kind(*v) for v in rows[cid]] for table, (rows, kind) in parts.items()
        }
        out[cid] = ParsedReport(
            era=era,
            report_type=report_type,
            era_in_force=in_force,
            timeline=[
                TimelineEvent(when if has_time else day, has_time, has_zone, text, start, end, raw or "")
                for when, day, has_time, has_zone, raw, text, start, end in events[cid]
            ],
            facts=Facts(total, remaining, stopped, source),
            warnings=list(warnings or []),
            **built,  # type: ignore[arg-type]
        )
    return out
