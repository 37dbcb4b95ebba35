"""Load the corpus tables a notebook needs, for one period and CA filter, and say exactly which data they are.

Every notebook starts here: ``load_corpus`` reads a snapshot directory (verified first) or a live
``corpus.duckdb``, keeps the bugs filed in the period and by the chosen CA owners, cuts every other table down
to those bugs, and records the snapshot's ``manifest_sha256``. For a live store the hash is computed by
exporting a snapshot into a temporary directory, so the same corpus gives the same hash either way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from ca_incidents.parse.eras import ERA_STARTS, era_in_force
from ca_incidents.settings import load_settings

BUGZILLA_URL = "https://bugzilla.mozilla.org"
# wide columns nobody analyses: dropped on load to keep memory small on the real corpus
_DROP_COLUMNS = {"bugs": ("raw_json",), "attachments": ("data",)}
_BOOKKEEPING = ("bug_sync", "parse_bugs", "harvests")


class CorpusNotReady(RuntimeError):
    """A table the analysis needs is missing; the message names the pipeline step that writes it."""


@dataclass
class Corpus:
    """The tables of one period and CA filter, with the identity of the data they came from."""

    tables: dict[str, pd.DataFrame]
    manifest_sha256: str
    source: str
    date_from: date | None = None
    date_to: date | None = None
    ca_filter: tuple[str, ...] = ()
    table_rows: dict[str, int] = field(default_factory=dict)  # before filtering

    def table(self, name: str) -> pd.DataFrame:
        """A table, or an empty frame when the stage that writes it has not run."""
        return self.tables.get(name, pd.DataFrame())

    def has(self, name: str) -> bool:
        """Whether the corpus holds this table with at least one row."""
        return name in self.tables and not self.tables[name].empty

    def require(self, name: str, step: str) -> pd.DataFrame:
        """A table that must be there; ``CorpusNotReady`` naming the step that writes it otherwise."""
        if name not in self.tables:
            raise CorpusNotReady(f"table {name!r} is missing: run `ca-incidents {step}` first")
        return self.tables[name]

    @property
    def period(self) -> str:
        """The date range as text ("all dates" when unbounded, open ends shown as "start"/"end")."""
        if not self.date_from and not self.date_to:
            return "at any date"
        return f"from {self.date_from or 'the start'} to {self.date_to or 'the end'}"

    def provenance(self) -> str:
        """The note stamped on every figure: manifest hash, period and CA filter.

        No path or machine name: the same snapshot must give byte-identical figures anywhere.
        """
        cas = f"; CAs: {', '.join(self.ca_filter)}" if self.ca_filter else ""
        return f"corpus manifest sha256 {self.manifest_sha256[:16]}; bugs filed {self.period}{cas}"

    def summary(self) -> pd.DataFrame:
        """Row counts per table, before and after the period/CA filter (shown at the top of each notebook)."""
        rows = [
            {"table": name, "rows_in_corpus": self.table_rows.get(name, len(df)), "rows_selected": len(df)}
            for name, df in sorted(self.tables.items())
        ]
        return pd.DataFrame(rows, columns=["table", "rows_in_corpus", "rows_selected"])


def parse_date(value: str | date | datetime | None) -> date | None:
    """A parameter date ('' or None means an open end)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def parse_ca_filter(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """CA owners from a parameter: a list, or one comma-separated string; empty means every CA."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(sorted({item.strip() for item in items if item and item.strip()}))


def era_of(day: date | datetime | pd.Timestamp | None) -> str | None:
    """The CCADB template era in force on a day (``parse.eras.era_in_force`` for a frame cell, NaT-safe)."""
    if day is None or pd.isna(day):
        return None
    return era_in_force(pd.Timestamp(day).date())


ERA_ORDER = [era for era, _ in ERA_STARTS]
VERSION_DATES = {era: start for era, start in ERA_STARTS[1:]}  # the CCADB versions' effective dates


def bug_url(bug_id: int, comment_count: int | None = None) -> str:
    """Link to a bug (and comment) on Bugzilla, so every example can be checked at its source."""
    url = f"{BUGZILLA_URL}/show_bug.cgi?id={int(bug_id)}"
    return url if comment_count is None or pd.isna(comment_count) else f"{url}#c{int(comment_count)}"


def _read_duckdb(data_dir: Path) -> dict[str, pd.DataFrame]:
    from ca_incidents.corpus import connect

    con = connect(data_dir, read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary ORDER BY 1"
        ).fetchall()]  # fmt: skip
        tables = {}
        for name in names:
            if name in _BOOKKEEPING:
                continue
            drop = _DROP_COLUMNS.get(name, ())
            cols = [c[0] for c in con.execute(f'DESCRIBE "{name}"').fetchall() if c[0] not in drop]
            select = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
            tables[name] = con.execute(f'SELECT {select} FROM "{name}"').df()  # noqa: S608 (catalogue names)
        return tables
    finally:
        con.close()


def _read_snapshot(snapshot: Path) -> tuple[dict[str, pd.DataFrame], str]:
    from ca_incidents.corpus.snapshot import SnapshotError, read_manifest, verify_snapshot

    problems = verify_snapshot(snapshot)
    if problems:
        raise SnapshotError(f"snapshot {snapshot} failed verification:\n  " + "\n  ".join(problems))
    manifest = read_manifest(snapshot)
    tables = {}
    for name, entry in sorted(manifest.tables.items()):
        if name in _BOOKKEEPING:
            continue
        df = pd.read_parquet(snapshot / entry.file)
        tables[name] = df.drop(columns=[c for c in _DROP_COLUMNS.get(name, ()) if c in df.columns])
    return tables, manifest.manifest_sha256


def corpus_manifest_sha256(data_dir: Path | str) -> str:
    """The ``manifest_sha256`` a snapshot of this store would have (exported to a temporary directory)."""
    from ca_incidents.corpus.snapshot import export_snapshot

    with tempfile.TemporaryDirectory(prefix="ca-incidents-hash-") as tmp:
        return export_snapshot(data_dir, Path(tmp) / "snapshot").manifest_sha256


def _sort_stably(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Rows in key order, whatever the storage order: the same corpus gives the same tables."""
    keys = [c for c in ("bug_id", "id", "comment_id", "seq", "ca_owner", "year", "rule") if c in df.columns]
    if name == "comments":
        keys = ["id"]
    return df.sort_values(keys, kind="mergesort").reset_index(drop=True) if keys else df


def _with_normalised(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``bugs`` with each bug's owner and whiteboard fields beside it, from the parse stage's
    ``normalised_bugs`` (folded in, so analyses read ``bugs["ca_owner"]`` while the stored bugs stay raw)."""
    if "bugs" not in tables:
        raise FileNotFoundError("the corpus has no bugs table: run `ca-incidents harvest` first")
    if "normalised_bugs" not in tables:
        raise CorpusNotReady("table 'normalised_bugs' is missing: run `ca-incidents parse` first")
    out = dict(tables)
    derived = out.pop("normalised_bugs").rename(columns={"bug_id": "id"})
    out["bugs"] = out["bugs"].merge(derived, on="id", how="left", validate="one_to_one")
    return out


def _filter(tables: dict[str, pd.DataFrame], start: date | None, end: date | None, cas: tuple[str, ...]):
    bugs = tables["bugs"]
    keep = pd.Series(True, index=bugs.index)
    created = pd.to_datetime(bugs["creation_time"])
    if start is not None:
        keep &= created >= pd.Timestamp(start)
    if end is not None:
        keep &= created < pd.Timestamp(end) + pd.Timedelta(days=1)
    if cas:
        keep &= bugs["ca_owner"].isin(cas)
    bug_ids = set(bugs.loc[keep, "id"].tolist())
    comments = tables.get("comments", pd.DataFrame(columns=["id", "bug_id"]))
    comment_ids = set(comments.loc[comments["bug_id"].isin(bug_ids), "id"].tolist())
    out = {}
    for name, df in tables.items():
        if name == "bugs":
            out[name] = df[keep]
        elif name == "comments" or "bug_id" in df.columns:
            out[name] = df[df["bug_id"].isin(bug_ids)]
        elif "comment_id" in df.columns:
            out[name] = df[df["comment_id"].isin(comment_ids)]
        elif "ca_owner" in df.columns and cas:
            out[name] = df[df["ca_owner"].isin(cas)]
        else:
            out[name] = df
    return out


def load_corpus(
    data_dir: Path | str | None = None,
    snapshot: Path | str | None = None,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    ca_filter: str | Iterable[str] | None = None,
) -> Corpus:
    """Load the corpus (a verified snapshot when given, else ``<data_dir>/corpus.duckdb``, by default the
    settings' data dir) for a period and CAs.

    The period selects bugs by their filing date (both ends inclusive); every derived table follows its bugs.
    """
    start, end = parse_date(date_from), parse_date(date_to)
    cas = parse_ca_filter(ca_filter)
    if snapshot:
        path = Path(snapshot)
        tables, digest = _read_snapshot(path)
        source = f"snapshot {path.name}"
    else:
        path = Path(data_dir) if data_dir is not None else load_settings().data_dir
        tables = _read_duckdb(path)
        digest = corpus_manifest_sha256(path)
        source = f"{path.name}/corpus.duckdb"
    tables = _with_normalised(tables)
    rows = {name: len(df) for name, df in tables.items()}
    selected = {name: _sort_stably(name, df) for name, df in _filter(tables, start, end, cas).items()}
    return Corpus(selected, digest, source, start, end, cas, rows)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path | str) -> list[Path]:
    """Write a notebook's key tables as CSV (sorted keys, fixed float format) so two runs can be compared."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in sorted(tables.items()):
        path = out / f"{name}.csv"
        df.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
        paths.append(path)
    return paths
