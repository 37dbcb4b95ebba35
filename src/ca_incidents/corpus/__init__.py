"""The corpus store: a DuckDB database of harvested bugs, plus normalisation and snapshots."""

from __future__ import annotations

from typing import Any

from ca_incidents.corpus.owners import OwnerMatch, parse_ca_owner
from ca_incidents.corpus.store import connect, corpus_path
from ca_incidents.corpus.whiteboard import Whiteboard, parse_whiteboard

_SNAPSHOT_API = ("Manifest", "SnapshotError", "export_snapshot", "import_snapshot", "verify_snapshot")

__all__ = [
    "Manifest",
    "OwnerMatch",
    "SnapshotError",
    "Whiteboard",
    "connect",
    "corpus_path",
    "export_snapshot",
    "import_snapshot",
    "parse_ca_owner",
    "parse_whiteboard",
    "verify_snapshot",
]


def __getattr__(name: str) -> Any:
    """Load the snapshot API (and pyarrow) only when asked for, so the CLI starts fast."""
    if name in _SNAPSHOT_API:
        from ca_incidents.corpus import snapshot

        return getattr(snapshot, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
