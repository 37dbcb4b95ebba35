"""Score every parsed report into ``findings`` and ``report_scores``, incrementally.

A report is re-scored only when its text hash, the parser version or the rubric version changed since it
was last scored; unchanged reports cost one dictionary lookup, so a re-run over an unchanged corpus takes
seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from ca_incidents.corpus.store import stage_schema_sql
from ca_incidents.score import nlp as nlp_loader
from ca_incidents.score.nlp import DocCache
from ca_incidents.score.rules import catalogue
from ca_incidents.score.scorer import ReportInput, ScoredReport, score_reports
from ca_incidents.score.stored import stored_parses
from ca_incidents.utc import utc_now

CRITERIA = ("root_cause", "actions", "timeline", "conformance", "thoroughness", "candour")
_CHUNK = 200  # reports per transaction and per spaCy pass
_ROWS_PER_INSERT = 500
_INSERT_SCORE = "INSERT INTO report_scores VALUES (" + ",".join("?" * 18) + ")"  # noqa: S608 - fixed text
_INSERT_FINDING = "INSERT INTO findings VALUES (" + ",".join("?" * 11) + ")"  # noqa: S608 - fixed text


@dataclass
class ScoreStats:
    """What one `score_corpus` run did."""

    reports_seen: int = 0
    reports_scored: int = 0
    reports_unchanged: int = 0
    reports_removed: int = 0
    findings: int = 0
    characters: int = 0
    nlp_texts: int = 0  # action items and root causes the NLP detectors looked at
    nlp_parsed: int = 0  # of those, texts spaCy had to parse (the rest were repeats)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the score tables if missing; a store from before texts that are no report got a NULL composite
    has its NOT NULL constraint lifted."""
    con.execute(stage_schema_sql("score"))
    con.execute("ALTER TABLE report_scores ALTER COLUMN composite DROP NOT NULL")


def _todo(con: duckdb.DuckDBPyConnection, rubric: str, force: bool) -> tuple[list[tuple[Any, ...]], int, list[int]]:
    reports = con.execute(
        "SELECT comment_id, bug_id, text_sha256, parser_version, era FROM reports ORDER BY comment_id"
    ).fetchall()
    done = {
        r[0]: (r[1], r[2], r[3])
        for r in con.execute(
            "SELECT comment_id, text_sha256, parser_version, rubric_version FROM report_scores"
        ).fetchall()
    }
    todo = [r for r in reports if force or done.get(r[0]) != (r[2], r[3], rubric)]
    current = {r[0] for r in reports}
    removed = [cid for cid in done if cid not in current]
    return todo, len(reports) - len(todo), removed


def _rows(
    cid: int, bug_id: int, sha: str, parser_version: str, result: ScoredReport
) -> tuple[list[Any], list[list[Any]]]:
    cat = catalogue()
    by_name = {c.criterion: c.score for c in result.score.criteria}
    breakdown = [
        {"criterion": c.criterion, "score": c.score, "weight": c.weight, "rules": list(c.findings)}
        for c in result.score.criteria
    ]
    errors = sum(1 for f in result.findings if f.severity == "error")
    warnings = sum(1 for f in result.findings if f.severity == "warning")
    score_row = [
        cid,
        bug_id,
        sha,
        parser_version,
        cat.rubric_version,
        result.era,
        result.report_type,
        result.score.composite,
        *(by_name.get(c) for c in CRITERIA),
        json.dumps(breakdown),
        errors,
        warnings,
        utc_now(),
    ]
    finding_rows = [
        [
            cid,
            i,
            bug_id,
            f.rule,
            f.severity,
            cat.rule(f.rule).criterion,
            f.message,
            f.start,
            f.end,
            f.section,
            cat.rubric_version,
        ]
        for i, f in enumerate(result.findings)
    ]
    return score_row, finding_rows


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[list[Any]]) -> None:
    """Many rows per statement: DuckDB's ``executemany`` costs about a millisecond a row."""
    for i in range(0, len(rows), _ROWS_PER_INSERT):
        part = rows[i : i + _ROWS_PER_INSERT]
        marks = "(" + ",".join("?" * len(part[0])) + ")"
        con.execute(f"INSERT INTO {table} VALUES " + ",".join([marks] * len(part)), [v for r in part for v in r])  # noqa: S608


def _write(con: duckdb.DuckDBPyConnection, batch: list[tuple[list[Any], list[list[Any]]]]) -> None:
    ids = [row[0] for row, _ in batch]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM findings WHERE comment_id IN (SELECT unnest(?::BIGINT[]))", [ids])
        con.execute("DELETE FROM report_scores WHERE comment_id IN (SELECT unnest(?::BIGINT[]))", [ids])
        _insert(con, "report_scores", [row for row, _ in batch])
        _insert(con, "findings", [f for _, fs in batch for f in fs])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def score_corpus(
    con: duckdb.DuckDBPyConnection,
    *,
    model: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
    cache_chars: int = 500_000,
) -> ScoreStats:
    """Score every report of the parse tables whose text, parser or rubric changed since the last run.

    Reports go in chunks: one query for the parse stage's stored parse and text of each
    (:mod:`ca_incidents.score.stored`; nothing is parsed again), one spaCy pass over the item texts of the
    whole chunk, one write. A parse older than the comments raises ``StaleParse`` naming `ca-incidents parse`.
    Parses of item texts (up to ``cache_chars`` characters of them; 0: none) are remembered across chunks;
    every run starts with none.
    """
    from ca_incidents.parse.corpus import ensure_schema as ensure_parse_schema

    ensure_parse_schema(con)
    ensure_schema(con)
    stats = ScoreStats()
    todo, stats.reports_unchanged, removed = _todo(con, catalogue().rubric_version, force)
    stats.reports_seen = len(todo) + stats.reports_unchanged
    if removed:
        con.execute("DELETE FROM findings WHERE comment_id IN (SELECT unnest(?::BIGINT[]))", [removed])
        con.execute("DELETE FROM report_scores WHERE comment_id IN (SELECT unnest(?::BIGINT[]))", [removed])
        stats.reports_removed = len(removed)
    docs = DocCache(lambda: nlp_loader.load(model), max_chars=cache_chars)
    for first in range(0, len(todo), _CHUNK):
        chunk = todo[first : first + _CHUNK]
        stored = stored_parses(con, [r[0] for r in chunk])
        inputs = [
            ReportInput(stored[cid].text, stored[cid].parsed, stored[cid].posted_at, era)
            for cid, _, _, _, era in chunk
        ]
        results = score_reports(inputs, docs)
        _write(con, [_rows(*r[:4], result) for r, result in zip(chunk, results, strict=True)])
        stats.reports_scored += len(chunk)
        stats.findings += sum(len(r.findings) for r in results)
        stats.characters += sum(len(i.text) for i in inputs)
        if progress is not None:
            for n in range(first + 1, first + len(chunk) + 1):
                progress(n, len(todo))
    stats.nlp_texts, stats.nlp_parsed = docs.requested, docs.parsed
    return stats
