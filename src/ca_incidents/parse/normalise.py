"""The ``normalised_bugs`` table: each bug's CA owner and whiteboard fields, derived from the raw ``bugs`` row.

Rebuilt whole on every `ca-incidents parse` (a few milliseconds per thousand bugs), so an edit of the alias
table or of the whiteboard reader takes effect without a new harvest, and the raw tables keep only what
Bugzilla returned.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ca_incidents.corpus.owners import resolve_owners
from ca_incidents.corpus.whiteboard import parse_whiteboard

_STR = pa.string()
_SCHEMA = pa.schema(
    [("bug_id", pa.int64()), ("ca_owner", _STR), ("ca_owner_raw", _STR), ("owner_source", _STR),
     ("ca_brand", _STR), ("whiteboard_tags", pa.list_(_STR)), ("next_update", pa.date32()),
     ("next_update_raw", _STR), ("next_update_problem", _STR)]
)  # fmt: skip


@dataclass(frozen=True)
class NormaliseStats:
    """How the owners of one rebuild were found."""

    bugs: int
    alias: int
    prefix: int
    none: int


def normalise_bugs(con: duckdb.DuckDBPyConnection) -> NormaliseStats:
    """Rebuild ``normalised_bugs`` from ``bugs`` with the current alias table (one transaction)."""
    rows = con.execute("SELECT id, summary, whiteboard FROM bugs ORDER BY id").fetchall()
    owners = resolve_owners(summary for _, summary, _ in rows)
    boards = [parse_whiteboard(whiteboard) for _, _, whiteboard in rows]
    columns = [
        [r[0] for r in rows], [o.owner for o in owners], [o.raw for o in owners], [o.source for o in owners],
        [o.brand for o in owners], [b.tags for b in boards], [b.next_update for b in boards],
        [b.next_update_raw for b in boards], [b.problem for b in boards],
    ]  # fmt: skip
    table = pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, _SCHEMA, strict=True)],
                                 schema=_SCHEMA)  # fmt: skip
    con.register("_normalised_rows", table)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM normalised_bugs")
        con.execute("INSERT INTO normalised_bugs SELECT * FROM _normalised_rows")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_normalised_rows")
    sources = [o.source for o in owners]
    return NormaliseStats(len(rows), sources.count("alias"), sources.count("prefix"), sources.count("none"))
