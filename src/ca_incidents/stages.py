"""Which pipeline stages a store has been through: what a command may read, and what `run` may skip.

A stage has run when every table its package's ``schema.sql`` declares exists (the harvest also needs a bug or
a completed harvest, so an empty store left behind by an old version does not count). Checks open the store
read-only and never create it, so a command refused for a missing stage leaves no file behind.

`run` skips a stage whose inputs have not changed since it last ran there: the inputs are the tables of every
earlier stage (content hashes computed by DuckDB), recorded per stage in ``<data_dir>/pipeline-state.json``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import duckdb

from ca_incidents.corpus.store import corpus_path, stage_schema_sql

PIPELINE = ("harvest", "parse", "score", "metrics")
_SCHEMA_PACKAGE = {"harvest": "corpus", "parse": "parse", "score": "score", "metrics": "metrics"}
_DONE = {"harvest": "harvested", "parse": "parsed", "score": "scored", "metrics": "measured"}
# Run bookkeeping of the harvester: which run fetched what, and when. Later stages read only the server time
# of the latest complete harvest (metrics measure "as of" it), which the fingerprint includes instead.
_HARVEST_BOOKKEEPING = ("harvests", "bug_sync")
STATE_FILE = "pipeline-state.json"


class StageMissing(Exception):
    """A command needs a stage that has not run on this data dir; the message names the command to run."""

    def __init__(self, data_dir: Path, step: str):
        self.step = step
        super().__init__(
            f"{data_dir} has not been {_DONE[step]} yet: run `ca-incidents {step} --data-dir {data_dir}` first"
        )


@cache
def stage_tables(stage: str) -> tuple[str, ...]:
    """The tables a stage writes, as its ``schema.sql`` declares them."""
    sql = stage_schema_sql(_SCHEMA_PACKAGE[stage])
    return tuple(re.findall(r'CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?', sql, flags=re.IGNORECASE))


def first_missing(con: duckdb.DuckDBPyConnection, needed: str) -> str | None:
    """The earliest stage up to ``needed`` whose tables are missing from the store; None when all are there."""
    have = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    for stage in PIPELINE[: PIPELINE.index(needed) + 1]:
        if not set(stage_tables(stage)) <= have:
            return stage
        if stage == "harvest" and not _harvested(con):
            return stage
    return None


def _harvested(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute(
        "SELECT (SELECT count(*) FROM bugs) + (SELECT count(*) FROM harvests WHERE finished_at IS NOT NULL)"
    ).fetchall()
    return rows[0][0] > 0


def require(data_dir: Path, needed: str) -> None:
    """Raise ``StageMissing`` unless ``needed`` and every stage before it have run on ``data_dir``.

    Opens the store read-only and only when its file exists, so the check itself never creates anything.
    """
    path = corpus_path(data_dir)
    if not path.is_file():
        raise StageMissing(data_dir, "harvest")
    con = duckdb.connect(str(path), read_only=True)
    try:
        step = first_missing(con, needed)
    finally:
        con.close()
    if step is not None:
        raise StageMissing(data_dir, step)


def inputs_fingerprint(con: duckdb.DuckDBPyConnection, stage: str, extra: Iterable[str] = ()) -> str:
    """A hash of everything ``stage`` reads: the tables of the stages before it, the corpus time, and
    ``extra`` (e.g. the package version, the spaCy model, the report folder)."""
    from ca_incidents.metrics.build import corpus_time

    earlier = PIPELINE[: PIPELINE.index(stage)] if stage in PIPELINE else PIPELINE
    have = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    digest = hashlib.sha256()
    for name in sorted(t for s in earlier for t in stage_tables(s) if t in have and t not in _HARVEST_BOOKKEEPING):
        query = f'SELECT count(*), bit_xor(hash(t)) FROM "{name}" AS t'  # noqa: S608 (names from schema.sql)
        count, content = con.execute(query).fetchall()[0]
        digest.update(f"{name}:{count}:{content}\n".encode())
    if "harvests" in have:
        digest.update(f"corpus_time:{corpus_time(con)}\n".encode())
    for item in extra:
        digest.update(f"{item}\n".encode())
    return digest.hexdigest()


def read_state(data_dir: Path) -> dict[str, str]:
    """The fingerprint each stage last completed with in this data dir (empty when none is recorded)."""
    path = Path(data_dir) / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_state(data_dir: Path, state: dict[str, str]) -> None:
    """Record the stages' fingerprints (written after each stage, so an interrupted run resumes there)."""
    path = Path(data_dir) / STATE_FILE
    path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
