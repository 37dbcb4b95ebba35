"""Reproducible corpus snapshots: one Parquet file per table plus a manifest of row counts and hashes.

A snapshot lets any stage start without a live harvest, years later, and lets two people check they hold the
same corpus: the same database always gives byte-identical Parquet files (rows ordered by primary key, one
row group, fixed writer options, no wall-clock metadata), so their sha256s and the manifest's
``manifest_sha256`` (a hash of everything except ``created_at``) identify the corpus.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow
import pyarrow.parquet as pq

from ca_incidents import __version__
from ca_incidents.corpus.store import CORPUS_FILE, connect, corpus_path

MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
# Fixed writer options: any change here changes every snapshot hash, so it goes with a FORMAT_VERSION bump.
_PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "store_schema": False,
}


class SnapshotError(RuntimeError):
    """A snapshot cannot be written, read or trusted; the message says why."""


@dataclass(frozen=True)
class TableEntry:
    """One exported table: its file, row count, content hash and DDL (to recreate later stages' tables)."""

    file: str
    rows: int
    sha256: str
    ddl: str


@dataclass(frozen=True)
class Manifest:
    """What a snapshot holds and where it came from (the latest harvest's source, query and server time)."""

    created_at: str
    toolkit_version: str
    source_url: str | None
    query: Any
    db_time: str | None
    tables: dict[str, TableEntry] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    parquet_writer: str = ""  # pyarrow version: byte-identical output is promised per writer version
    manifest_sha256: str = ""

    def content_sha256(self) -> str:
        """Hash of the manifest without ``created_at`` and itself: equal for equal corpora."""
        content = asdict(self)
        del content["created_at"], content["manifest_sha256"]
        return hashlib.sha256(_canonical_json(content).encode()).hexdigest()

    def to_json(self) -> str:
        """The manifest.json text (sorted keys, so it is reproducible too)."""
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Read a parsed manifest.json; raises ``SnapshotError`` on a missing or malformed field."""
        try:
            tables = {name: TableEntry(**entry) for name, entry in data["tables"].items()}
            return cls(**{**data, "tables": tables})
        except (KeyError, TypeError, AttributeError) as exc:
            raise SnapshotError(f"{MANIFEST_FILE} is malformed: {exc}") from exc


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in blocks (snapshots can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    query = "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
    rows = con.execute(query + " ORDER BY table_name").fetchall()
    return [row[0] for row in rows]


def _order_by(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Primary-key order, or every column when there is no key, so row order never depends on storage."""
    rows = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE schema_name = 'main' AND table_name = ? AND constraint_type = 'PRIMARY KEY'",
        [table],
    ).fetchall()
    return ", ".join(_quote(col) for col in rows[0][0]) if rows else "ALL"


def _ddl(con: duckdb.DuckDBPyConnection, table: str) -> str:
    # fetchall, not fetchone: DuckDB 2 refuses further relation queries while a result is left unfinished
    rows = con.execute(
        "SELECT sql FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [table]
    ).fetchall()
    return rows[0][0] if rows else ""


def _latest_harvest(con: duckdb.DuckDBPyConnection, tables: list[str]) -> tuple[str | None, Any, str | None]:
    if "harvests" not in tables:
        return None, None, None
    rows = con.execute(
        "SELECT source_url, query, db_time FROM harvests ORDER BY started_at DESC NULLS LAST, id DESC LIMIT 1"
    ).fetchall()
    if not rows:
        return None, None, None
    source_url, query, db_time = rows[0]
    if isinstance(query, str):
        with contextlib.suppress(ValueError):
            query = json.loads(query)
    return source_url, query, db_time.isoformat() if isinstance(db_time, datetime | date) else db_time


def _write_table(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> int:
    # identifiers come from DuckDB's own catalogue and are quoted
    query = f"SELECT * FROM {_quote(table)} ORDER BY {_order_by(con, table)}"  # noqa: S608
    arrow = con.sql(query).to_arrow_table()
    arrow = arrow.combine_chunks().replace_schema_metadata(None)
    pq.write_table(arrow, path, row_group_size=max(arrow.num_rows, 1), **_PARQUET_OPTIONS)
    return arrow.num_rows


def export_snapshot(data_dir: Path | str, out_dir: Path | str) -> Manifest:
    """Write every table of ``<data_dir>/corpus.duckdb`` to ``out_dir`` (new or empty) plus manifest.json."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise SnapshotError(f"{out} is not empty: export into a new or empty directory")
    out.mkdir(parents=True, exist_ok=True)
    con = connect(data_dir, read_only=True)
    try:
        names = _table_names(con)
        entries = {}
        for name in names:
            file = f"{name}.parquet"
            rows = _write_table(con, name, out / file)
            entries[name] = TableEntry(
                file=file, rows=rows, sha256=file_sha256(out / file), ddl=_ddl(con, name)
            )
        source_url, query, db_time = _latest_harvest(con, names)
    finally:
        con.close()
    manifest = Manifest(
        created_at=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        toolkit_version=__version__,
        source_url=source_url,
        query=query,
        db_time=db_time,
        tables=entries,
        parquet_writer=f"pyarrow {pyarrow.__version__}",
    )
    manifest = Manifest(
        **{**asdict(manifest), "tables": entries, "manifest_sha256": manifest.content_sha256()}
    )
    (out / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def read_manifest(snapshot_dir: Path | str) -> Manifest:
    """The manifest of a snapshot directory; ``SnapshotError`` when absent or unreadable."""
    path = Path(snapshot_dir) / MANIFEST_FILE
    if not path.is_file():
        raise SnapshotError(
            f"{path} not found: not a snapshot directory (see `ca-incidents snapshot export`)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SnapshotError(f"{path} is malformed: expected a JSON object")
    return Manifest.from_dict(data)


def _check_table(directory: Path, name: str, entry: TableEntry) -> list[str]:
    path = directory / entry.file
    if not path.is_file():
        return [f"{entry.file}: missing (table {name!r}, {entry.rows} rows expected)"]
    problems = []
    actual = file_sha256(path)
    if actual != entry.sha256:
        problems.append(f"{entry.file}: sha256 mismatch, the file changed after export "
                        f"(manifest {entry.sha256[:12]}…, file {actual[:12]}…)")  # fmt: skip
    try:
        rows = pq.read_metadata(path).num_rows
    except Exception as exc:  # any reader error means an unreadable file, which is what we report
        problems.append(f"{entry.file}: not a readable Parquet file ({type(exc).__name__}: {exc})")
    else:
        if rows != entry.rows:
            problems.append(f"{entry.file}: {rows} rows, manifest says {entry.rows}")
    return problems


def verify_snapshot(snapshot_dir: Path | str) -> list[str]:
    """Problems found in a snapshot (empty when it is intact): changed, missing or unexpected files."""
    directory = Path(snapshot_dir)
    try:
        manifest = read_manifest(directory)
    except SnapshotError as exc:
        return [str(exc)]
    problems = []
    if manifest.format_version != FORMAT_VERSION:
        problems.append(f"{MANIFEST_FILE}: format_version {manifest.format_version} is not {FORMAT_VERSION}")
    if manifest.content_sha256() != manifest.manifest_sha256:
        problems.append(f"{MANIFEST_FILE}: manifest_sha256 does not match its content (manifest edited)")
    for name, entry in sorted(manifest.tables.items()):
        problems.extend(_check_table(directory, name, entry))
    expected = {entry.file for entry in manifest.tables.values()} | {MANIFEST_FILE}
    for path in sorted(directory.iterdir()):
        if path.name not in expected:
            problems.append(f"{path.name}: unexpected file, not listed in {MANIFEST_FILE}")
    return problems


def import_snapshot(snapshot_dir: Path | str, data_dir: Path | str, *, replace: bool = False) -> Manifest:
    """Verify a snapshot, then load it into a fresh ``<data_dir>/corpus.duckdb`` (atomically)."""
    directory = Path(snapshot_dir)
    problems = verify_snapshot(directory)
    if problems:
        raise SnapshotError("snapshot failed verification:\n  " + "\n  ".join(problems))
    manifest = read_manifest(directory)
    target = corpus_path(data_dir)
    if target.exists() and not replace:
        raise SnapshotError(f"{target} already exists: move it away or import with --replace")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".snapshot-import-", dir=target.parent))
    try:
        con = connect(staging)
        try:
            existing = set(_table_names(con))
            for name, entry in sorted(manifest.tables.items()):
                if name not in existing:
                    con.execute(entry.ddl)
                insert = f"INSERT INTO {_quote(name)} BY NAME SELECT * FROM read_parquet(?)"  # noqa: S608
                con.execute(insert, [str(directory / entry.file)])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        os.replace(staging / CORPUS_FILE, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest
