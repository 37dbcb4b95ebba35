"""Open the corpus database and make sure the raw tables exist."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

CORPUS_FILE = "corpus.duckdb"
# Derived columns older stores kept in ``bugs``; they now live in the parse stage's ``normalised_bugs``.
_LEGACY_BUG_COLUMNS = ("ca_owner", "ca_owner_raw", "whiteboard_tags", "next_update", "next_update_raw")


def corpus_path(data_dir: Path | str) -> Path:
    """Where the corpus database of a data directory lives."""
    return Path(data_dir) / CORPUS_FILE


def stage_schema_sql(stage: str) -> str:
    """The DDL a stage package ships as ``schema.sql`` (the single source of truth for its tables' columns)."""
    return resources.files(f"ca_incidents.{stage}").joinpath("schema.sql").read_text(encoding="utf-8")


def raw_schema_sql() -> str:
    """The DDL of the raw tables written by the harvester."""
    return stage_schema_sql("corpus")


def connect(data_dir: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open ``<data_dir>/corpus.duckdb``, creating the directory and the raw tables when writable."""
    path = corpus_path(data_dir)
    if read_only:
        if not path.exists():
            raise FileNotFoundError(
                f"no corpus at {path}: run `ca-incidents harvest` (or `snapshot import`) first"
            )
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(raw_schema_sql())
    for column in _LEGACY_BUG_COLUMNS:  # a store from before raw stayed raw: drop what parse now derives
        con.execute(f"ALTER TABLE bugs DROP COLUMN IF EXISTS {column}")
    return con
