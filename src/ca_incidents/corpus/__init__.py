"""The corpus store: a DuckDB database of harvested bugs, plus normalisation and snapshots."""

from ca_incidents.corpus.store import connect, corpus_path

__all__ = ["connect", "corpus_path"]
