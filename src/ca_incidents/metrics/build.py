"""Compute every metric from the store and write the metrics tables.

``compute`` is the single pass the CLI, the dossier and the digest share; ``build_metrics`` writes its
result. With ``as_of`` only comments and history up to that time are used, so a past day can be replayed.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from ca_incidents.corpus.store import stage_schema_sql
from ca_incidents.metrics.aggregate import ca_rows
from ca_incidents.metrics.boilerplate import Pair, find_pairs
from ca_incidents.metrics.context import Bug, load_bugs
from ca_incidents.metrics.deadlines import MISSED_UPDATE_RULES, DeadlineRow, bug_deadlines
from ca_incidents.metrics.disclosure import Disclosure, bug_disclosure
from ca_incidents.metrics.followthrough import ItemChange, Track, follow, kind_mix, load_items
from ca_incidents.metrics.impact import CountChange, bug_count_changes
from ca_incidents.metrics.questions import bug_questions, ledger_row
from ca_incidents.metrics.recurrence import Recurrence, find_recurrences

METRIC_TABLES = (
    "deadline_checks", "qa_ledger", "action_item_changes", "count_changes", "recurrences", "boilerplate_pairs",
    "disclosure", "incident_metrics", "ca_metrics",
)  # fmt: skip
NEEDED = ("bugs", "comments", "history", "comment_roles", "reports", "action_items")


@dataclass
class Metrics:
    """Everything computed in one pass (rows as dataclasses or dicts, ready for the tables)."""

    as_of: datetime
    bugs: list[Bug]
    deadlines: list[DeadlineRow] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    item_changes: list[ItemChange] = field(default_factory=list)
    tracks: dict[int, list[Track]] = field(default_factory=dict)
    counts: list[CountChange] = field(default_factory=list)
    recurrences: list[Recurrence] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    disclosures: list[Disclosure] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    cas: list[dict[str, Any]] = field(default_factory=list)


def _check_tables(con: duckdb.DuckDBPyConnection) -> None:
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    missing = [t for t in NEEDED if t not in have]
    if missing:
        raise RuntimeError(f"the store lacks {', '.join(missing)}: run `ca-incidents harvest` and `parse` first")


def compute(con: duckdb.DuckDBPyConnection, as_of: datetime | None = None) -> Metrics:
    """All metrics of the store (as seen at ``as_of``, default: now)."""
    _check_tables(con)
    bugs = load_bugs(con, as_of)
    m = Metrics(as_of or datetime.now().replace(microsecond=0), bugs)
    for bug in bugs:
        changes, tracks = follow(bug.id, [i for i in load_items(con, bug) if i.time <= m.as_of])
        m.item_changes.extend(changes)
        m.tracks[bug.id] = tracks
        m.deadlines.extend(bug_deadlines(bug, m.as_of, tracks))
        m.questions.extend(ledger_row(q, m.as_of) for q in bug_questions(bug))
        m.counts.extend(bug_count_changes(bug))
        m.disclosures.append(bug_disclosure(bug))
    m.recurrences = find_recurrences(bugs)
    m.pairs = find_pairs(bugs)
    m.incidents = [incident_row(bug, m) for bug in bugs]
    m.cas = ca_rows(m.incidents)
    return m


def _by_bug(rows: list[Any], bug_id: int) -> list[Any]:
    return [r for r in rows if (r["bug_id"] if isinstance(r, dict) else r.bug_id) == bug_id]


def _deadline_part(bug: Bug, checks: list[DeadlineRow], missing: list[str]) -> dict[str, Any]:
    first = next(c for c in checks if c.rule == "first_report")
    full = next(c for c in checks if c.rule == "full_report")
    response = next((c for c in checks if c.rule == "first_response"), None)
    updates = [c for c in checks if c.rule in MISSED_UPDATE_RULES and c.status in ("met", "missed")]
    hours = lambda c: round((c.done_time - bug.creation_time).total_seconds() / 3600, 2) if c.done_time else None  # noqa: E731
    out = {
        "first_response_hours": response.late_hours if response else None,
        "first_report_status": first.status, "first_report_hours": hours(first),
        "full_report_status": full.status,
        "full_report_days": round(hours(full) / 24, 2) if hours(full) is not None else None,
        "n_update_deadlines": len(updates), "n_updates_missed": sum(c.status == "missed" for c in updates),
    }  # fmt: skip
    if response is None:
        missing.append("first_response_hours: no CA comment")
    if out["first_report_hours"] is None:
        missing.append(f"first_report_hours: {first.reason or 'no CA report'}")
    if out["full_report_days"] is None:
        missing.append(f"full_report_days: {full.reason or 'no full report yet'}")
    return out


def incident_row(bug: Bug, m: Metrics) -> dict[str, Any]:
    """One ``incident_metrics`` row; NULL metrics say why in ``missing_reasons``."""
    missing: list[str] = []
    qs = _by_bug(m.questions, bug.id)
    answered = [q["answer_hours"] for q in qs if q["answer_hours"] is not None]
    if not answered:
        missing.append("median_answer_hours: " + ("no questions to the CA" if not qs else "no question answered"))
    changes = _by_bug(m.item_changes, bug.id)
    mix = kind_mix(m.tracks.get(bug.id, []))
    counts = _by_bug(m.counts, bug.id)
    disclosure = next(d for d in m.disclosures if d.bug_id == bug.id)
    if disclosure.stated is None:
        missing.append("disclosure_stated: no source field and no disclosure wording in CA comments")
    rec = [r for r in _by_bug(m.recurrences, bug.id) if r.kind == "same_ca"]
    row = {
        "bug_id": bug.id, "ca_owner": bug.ca_owner, "year": bug.creation_time.year,
        "period": next(c.period for c in m.deadlines if c.bug_id == bug.id and c.rule == "first_report"),
        "status": bug.status_now, "disclosed_time": bug.creation_time,
        **_deadline_part(bug, _by_bug(m.deadlines, bug.id), missing),
        "n_questions": len(qs), "n_questions_late": sum(q["status"] == "missed" for q in qs),
        "n_questions_unanswered": sum(not q["is_answered"] for q in qs),
        "n_answers_after_reminder": sum(q["is_after_reminder"] for q in qs),
        "median_answer_hours": round(statistics.median(answered), 2) if answered else None,
        "n_action_items": len(m.tracks.get(bug.id, [])),
        "n_items_slipped": sum(c.change == "slipped" for c in changes),
        "n_items_dropped": sum(c.change == "dropped" for c in changes),
        "n_items_completed_late": sum(c.change == "completed_late" for c in changes),
        "n_prevent": mix["prevent"], "n_detect": mix["detect"], "n_mitigate": mix["mitigate"],
        "n_count_changes": len(counts), "n_unexplained_count_changes": sum(not c.is_explained for c in counts),
        "disclosure_stated": disclosure.stated, "is_disclosure_disagreement": disclosure.is_disagreement,
        "n_earlier_similar": len(rec), "n_earlier_listed": sum(r.is_named for r in rec),
        "n_copied_passages": len(_by_bug(m.pairs, bug.id)),
    }  # fmt: skip
    if bug.ca_owner is None:
        missing.append("ca_owner: summary has no recognised CA owner prefix")
    row["missing_reasons"] = missing
    return row


def _frame(rows: list[Any]) -> pd.DataFrame:
    return pd.DataFrame([r if isinstance(r, dict) else asdict(r) for r in rows])


def schema_sql() -> str:
    """DDL of the metrics tables."""
    return stage_schema_sql("metrics")


def write_metrics(con: duckdb.DuckDBPyConnection, m: Metrics) -> dict[str, int]:
    """Replace the metrics tables with ``m``; returns row counts."""
    renames = {"from_count_pos": "from_comment_count"}
    tables = {
        "deadline_checks": m.deadlines, "qa_ledger": m.questions, "action_item_changes": m.item_changes,
        "count_changes": m.counts, "recurrences": m.recurrences, "boilerplate_pairs": m.pairs,
        "disclosure": m.disclosures, "incident_metrics": m.incidents, "ca_metrics": m.cas,
    }  # fmt: skip
    con.execute("BEGIN")
    try:
        for name in METRIC_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute(schema_sql())
        for name, rows in tables.items():
            if rows:
                frame = _frame(rows).rename(columns=renames)  # noqa: F841 - read by DuckDB below
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame")  # noqa: S608 - names from METRIC_TABLES
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return {name: len(rows) for name, rows in tables.items()}


def corpus_time(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The server time of the latest complete harvest: the moment the corpus describes.

    Measuring "as of" this time rather than the wall clock makes the same snapshot give the same metrics
    whenever it is processed.
    """
    rows = con.execute("SELECT max(db_time) FROM harvests WHERE finished_at IS NOT NULL").fetchall()
    return rows[0][0] if rows else None


def build_metrics(con: duckdb.DuckDBPyConnection, as_of: datetime | None = None) -> dict[str, int]:
    """Compute and write ``incident_metrics``, ``ca_metrics`` and the detail tables.

    ``as_of`` defaults to the corpus time (see ``corpus_time``), falling back to now for a store with no
    recorded harvest.
    """
    return write_metrics(con, compute(con, as_of or corpus_time(con)))
