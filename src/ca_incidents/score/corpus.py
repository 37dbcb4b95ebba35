"""Score every parsed report into ``findings`` and ``report_scores``, incrementally.

A report is re-scored only when its text hash, the parser version or the rubric version changed since it
was last scored; unchanged reports cost one dictionary lookup, so a re-run over an unchanged corpus takes
seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import duckdb

from ca_incidents.score.rules import catalogue
from ca_incidents.score.scorer import ScoredReport, score_report

CRITERIA = ("root_cause", "actions", "timeline", "conformance", "thoroughness", "candour")
_CHUNK = 200  # reports per transaction
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


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the score tables if missing."""
    con.execute(resources.files("ca_incidents.score").joinpath("schema.sql").read_text(encoding="utf-8"))


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
        datetime.now(UTC).replace(tzinfo=None),
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


def _write(con: duckdb.DuckDBPyConnection, batch: list[tuple[list[Any], list[list[Any]]]]) -> None:
    ids = [[row[0]] for row, _ in batch]
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany("DELETE FROM findings WHERE comment_id = ?", ids)
        con.executemany("DELETE FROM report_scores WHERE comment_id = ?", ids)
        con.executemany(_INSERT_SCORE, [row for row, _ in batch])
        rows = [f for _, fs in batch for f in fs]
        if rows:
            con.executemany(_INSERT_FINDING, rows)
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
) -> ScoreStats:
    """Score every report of the parse tables whose text, parser or rubric changed since the last run."""
    from ca_incidents.parse.corpus import ensure_schema as ensure_parse_schema

    ensure_parse_schema(con)
    ensure_schema(con)
    stats = ScoreStats()
    todo, stats.reports_unchanged, removed = _todo(con, catalogue().rubric_version, force)
    stats.reports_seen = len(todo) + stats.reports_unchanged
    if removed:
        con.executemany("DELETE FROM findings WHERE comment_id = ?", [[c] for c in removed])
        con.executemany("DELETE FROM report_scores WHERE comment_id = ?", [[c] for c in removed])
        stats.reports_removed = len(removed)
    batch: list[tuple[list[Any], list[list[Any]]]] = []
    for n, (cid, bug_id, sha, parser_version, era) in enumerate(todo, start=1):
        raw, text, when = con.execute(
            "SELECT raw_text, text, creation_time FROM comments WHERE id = ?", [cid]
        ).fetchone() or (None, "", None)
        body = raw if raw is not None else (text or "")
        result = score_report(body, posted_at=when, era=era, model=model)
        batch.append(_rows(cid, bug_id, sha, parser_version, result))
        stats.reports_scored += 1
        stats.findings += len(result.findings)
        stats.characters += len(body)
        if len(batch) >= _CHUNK:
            _write(con, batch)
            batch = []
        if progress is not None:
            progress(n, len(todo))
    if batch:
        _write(con, batch)
    return stats
