"""The run log beside the HTTP cache: what each online harvest asked for, so ``--offline`` can replay it.

The cache keeps only the latest answer per URL, and ``/rest/time`` changes every run, so a replay cannot
rediscover a run's ``db_time`` and ``since`` from the cache: they are recorded here, one JSON line per event.
Given these parameters and the corpus state, a run's URLs are deterministic, so replaying every recorded run
in order into an empty data directory requests exactly the URLs the online runs did.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

LOG_FILE = "harvest-runs.jsonl"


@dataclass(frozen=True)
class RunRecord:
    """The parameters that fix a harvest run's sequence of requests."""

    run_id: str
    base_url: str
    products: tuple[str, ...]
    components: tuple[str, ...]
    db_time: str
    since: str | None
    user_since: bool
    page_size: int
    batch_size: int
    overlap_seconds: int
    attachment_bodies: bool
    completed: bool = False

    def same_query(self, base_url: str, products: tuple[str, ...], components: tuple[str, ...]) -> bool:
        """Whether this run harvested the same server, products and components."""
        return (self.base_url, self.products, self.components) == (base_url.rstrip("/"), products, components)


def append(cache_dir: Path, event: str, run: RunRecord) -> None:
    """Add a ``start`` or ``complete`` line, flushed to disk before the harvest goes on."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"event": event, **asdict(run)}, sort_keys=True)
    with (cache_dir / LOG_FILE).open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_runs(cache_dir: Path) -> list[RunRecord]:
    """Recorded runs in start order, ``completed`` set for those that finished (torn last lines ignored)."""
    path = cache_dir / LOG_FILE
    if not path.exists():
        return []
    runs: dict[str, RunRecord] = {}
    completed: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue  # a line torn by a kill
        event = data.pop("event", None)
        data.pop("completed", None)
        data["products"], data["components"] = tuple(data["products"]), tuple(data["components"])
        if event == "start":
            runs[data["run_id"]] = RunRecord(**data)
        elif event == "complete":
            completed.add(data["run_id"])
    return [RunRecord(**{**asdict(r), "completed": r.run_id in completed}) for r in runs.values()]
