"""A local Bugzilla-compatible REST server for tests, benchmarks and the demo (loopback only).

from ca_incidents.devserver import FixtureCorpus, serve
with serve(FixtureCorpus.from_dir("data/demo-corpus"), latency=0.05) as server:
    harvest(HarvestConfig(data_dir, ClientConfig(cache_dir=..., base_url=server.url)))
    server.requests["comment"]      # requests seen, by endpoint kind
    server.corpus.touch(1900001, comment="...")   # change a bug between runs
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ca_incidents.devserver.app import BugzillaServer, LoggedRequest
from ca_incidents.devserver.faults import FAULT_KINDS, TRANSIENT_MIX, Faults, RateLimitEmulator
from ca_incidents.devserver.fixtures import FixtureCorpus
from ca_incidents.devserver.synthetic import synthetic_activity

__all__ = [
    "FAULT_KINDS",
    "TRANSIENT_MIX",
    "BugzillaServer",
    "Faults",
    "FixtureCorpus",
    "LoggedRequest",
    "RateLimitEmulator",
    "serve",
    "start",
    "synthetic_activity",
]


def start(
    corpus: FixtureCorpus | Path | str, *, host: str = "127.0.0.1", port: int = 0, **kwargs: Any
) -> BugzillaServer:
    """Start a server in a daemon thread; stop it with ``server.shutdown(); server.server_close()``.

    ``corpus`` is a FixtureCorpus or a demo-corpus folder; ``kwargs`` go to BugzillaServer (faults, latency,
    max_search_results, rate_limit, insider_keys).
    """
    if not isinstance(corpus, FixtureCorpus):
        corpus = FixtureCorpus.from_dir(corpus)
    server = BugzillaServer(corpus, (host, port), **kwargs)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server


@contextmanager
def serve(corpus: FixtureCorpus | Path | str, **kwargs: Any) -> Iterator[BugzillaServer]:
    """Run a server for the duration of a ``with`` block (see ``start`` for the arguments)."""
    server = start(corpus, **kwargs)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
