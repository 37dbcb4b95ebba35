"""The incremental, resumable harvest of Bugzilla CA compliance bugs into the corpus store.

One run: read the server clock, search (paged by bug id), then fetch comments, history and attachment
metadata for the bugs whose ``last_change_time`` differs from their last complete sync, many bugs per request.
Each batch is written in one transaction together with its sync marks, and the cursor (the run's ``db_time``)
counts only once the run completes, so a run killed at any point resumes without loss or duplicates.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ca_incidents.corpus import connect
from ca_incidents.harvest import replay
from ca_incidents.harvest.client import (
    BugzillaClient,
    ClientConfig,
    OfflineCacheMiss,
    batch_request,
)
from ca_incidents.harvest.replay import RunRecord
from ca_incidents.harvest.store import (
    Batch,
    decode_attachment,
    load_sync,
    table_counts,
    to_api_time,
    to_time,
    write_batch,
)
from ca_incidents.utc import utc_now

log = logging.getLogger(__name__)

DEFAULT_PRODUCTS = ("CA Program", "NSS")
DEFAULT_COMPONENTS = ("CA Certificate Compliance",)
SEARCH_FIELDS = (
    "id", "summary", "product", "component", "status", "resolution", "creation_time", "last_change_time",
    "cf_last_resolved", "whiteboard", "creator", "assigned_to", "keywords", "see_also", "depends_on", "blocks",
)  # fmt: skip
MAX_SEARCH_RESULTS = 10_000  # BMO's max_search_results: a larger limit is silently clamped
MAX_BATCH = 500  # ids per comment/history call; ~1,000 seven-digit ids already hit BMO's 8 KiB URL limit
MAX_BODY_BYTES = 10 * 1024 * 1024
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class HarvestConfig:
    """What to harvest and into which store; ``client`` says from where and how politely."""

    data_dir: Path
    client: ClientConfig
    products: tuple[str, ...] = DEFAULT_PRODUCTS
    components: tuple[str, ...] = DEFAULT_COMPONENTS
    since: dt.datetime | None = None  # naive UTC; None = incremental from the last complete run
    attachment_bodies: bool = False
    page_size: int = 500
    batch_size: int = 100
    concurrency: int = 4
    overlap: dt.timedelta = dt.timedelta(minutes=5)
    progress: Progress | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_SEARCH_RESULTS:
            raise ValueError(f"page size must be 1..{MAX_SEARCH_RESULTS} (BMO clamps larger pages silently)")
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise ValueError(f"batch size must be 1..{MAX_BATCH} (longer URLs get 414 from BMO)")
        if not 1 <= self.concurrency <= 16:
            raise ValueError("concurrency must be 1..16")
        if not self.products or not self.components:
            raise ValueError("at least one product and one component are needed")
        if self.offline and self.since is not None:
            raise ValueError("--since cannot be combined with --offline: a replay uses the recorded runs")

    @property
    def offline(self) -> bool:
        return self.client.offline

    @property
    def base_url(self) -> str:
        return self.client.base_url

    @property
    def cache_path(self) -> Path:
        return self.client.cache_dir


@dataclass
class HarvestResult:
    """What a harvest did (also the ``--quiet`` JSON line)."""

    offline: bool
    harvest_ids: list[int] = field(default_factory=list)
    db_time: str | None = None
    since: str | None = None
    runs: int = 0
    bugs_seen: int = 0
    bugs_fetched: int = 0
    comments_added: int = 0
    history_added: int = 0
    attachments_added: int = 0
    requests_made: int = 0
    cache_hits: int = 0
    rate_limit_pauses: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dict (machine-readable summary)."""
        return {"ok": True, **asdict(self), "seconds": round(self.seconds, 3)}


def plan_batches(
    found: Sequence[Mapping[str, Any]],
    synced: Mapping[int, dt.datetime],
    batch_size: int,
    overlap: dt.timedelta,
) -> list[tuple[list[Mapping[str, Any]], str | None]]:
    """Group the bugs that need fetching into batches, each with the ``new_since`` it is fetched with.

    Bugs are cut into fixed chunks by their position in the id-sorted search result, so a resumed run asks
    for the same URLs as the interrupted one. Within a chunk, never-synced bugs are fetched in full, changed
    bugs with ``new_since`` = their oldest sync time minus the overlap (strict ``>``; upserts absorb overlap).
    """
    ordered = sorted(found, key=lambda b: int(b["id"]))
    plan: list[tuple[list[Mapping[str, Any]], str | None]] = []
    for start in range(0, len(ordered), batch_size):
        chunk = ordered[start : start + batch_size]
        fresh = [b for b in chunk if int(b["id"]) not in synced]
        changed = [
            b for b in chunk if int(b["id"]) in synced and synced[int(b["id"])] != to_time(b["last_change_time"])
        ]
        if fresh:
            plan.append((fresh, None))
        if changed:
            oldest = min(synced[int(b["id"])] for b in changed)
            plan.append((changed, to_api_time(oldest - overlap)))
    return plan


def search_params(run: RunRecord, offset: int) -> list[tuple[str, str]]:
    """One search page, ordered by bug id (BMO's only stable order for offset paging)."""
    params = [("product", p) for p in run.products] + [("component", c) for c in run.components]
    if run.since:
        params.append(("last_change_time", run.since))
    params += [
        ("include_fields", ",".join(SEARCH_FIELDS)),
        ("order", "bug_id"),
        ("limit", str(run.page_size)),
        ("offset", str(offset)),
    ]
    return params


def _is_text(attachment: Mapping[str, Any]) -> bool:
    kind = str(attachment.get("content_type") or "").lower()
    size = int(attachment.get("size") or 0)
    return (kind.startswith("text/") or kind in ("application/csv", "application/json")) and size <= MAX_BODY_BYTES


def _fetch_batch(
    client: BugzillaClient,
    bugs: list[Mapping[str, Any]],
    new_since: str | None,
    bodies_known: Mapping[int, dt.datetime | None] | None,
) -> Batch:
    """Comments, history and attachment metadata for many bugs: three requests, whatever the batch size."""
    ids = [int(b["id"]) for b in bugs]
    batch = Batch(bugs=[dict(b) for b in bugs], new_since=new_since)
    body = client.get(*batch_request("comment", ids, new_since=new_since))
    batch.comments = {int(k): v.get("comments", []) for k, v in (body.get("bugs") or {}).items()}
    body = client.get(*batch_request("history", ids, new_since=new_since))
    batch.history = {int(entry["id"]): entry.get("history", []) for entry in body.get("bugs") or []}
    body = client.get(*batch_request("attachment", ids))
    batch.attachments = {int(k): v for k, v in (body.get("bugs") or {}).items()}
    if bodies_known is not None:
        for atts in batch.attachments.values():
            for att in atts:
                att_id = int(att["id"])
                known = att_id in bodies_known and bodies_known[att_id] == to_time(att.get("last_change_time"))
                if _is_text(att) and not att.get("is_private") and not known:
                    batch.bodies[att_id] = decode_attachment(client.get(f"/rest/bug/attachment/{att_id}"), att_id)
    return batch


class _Run:
    """One harvest run (online or replayed) against an open corpus and client."""

    def __init__(self, config: HarvestConfig, con: duckdb.DuckDBPyConnection, client: BugzillaClient):
        self.config, self.con, self.client = config, con, client

    def _progress(self, stage: str, done: int, total: int | None) -> None:
        if self.config.progress:
            self.config.progress(stage, done, total)

    def search(self, run: RunRecord) -> list[dict[str, Any]]:
        """Page through the search until a short page (no total or truncation flag comes back)."""
        found: dict[int, dict[str, Any]] = {}
        offset = 0
        while True:
            page = self.client.get("/rest/bug", search_params(run, offset)).get("bugs") or []
            for bug in page:
                found[int(bug["id"])] = bug
            self._progress("search", len(found), None)
            if len(page) < run.page_size:
                return [found[i] for i in sorted(found)]
            offset += run.page_size

    def execute(self, run: RunRecord, harvest_id: int, *, tolerant: bool) -> dict[str, int]:
        """Search, fetch and write; ``tolerant`` replays an interrupted run, skipping batches never fetched."""
        before = table_counts(self.con)
        found = self.search(run)
        plan = plan_batches(found, load_sync(self.con), run.batch_size, dt.timedelta(seconds=run.overlap_seconds))
        known = self._bodies_known() if run.attachment_bodies else None
        total = sum(len(bugs) for bugs, _ in plan)
        done = 0
        self._progress("fetch", 0, total)
        pool = ThreadPoolExecutor(max_workers=self.config.concurrency, thread_name_prefix="harvest")
        try:
            futures: list[Future[Batch]] = [
                pool.submit(_fetch_batch, self.client, bugs, since, known) for bugs, since in plan
            ]
            for future in as_completed(futures):
                try:
                    batch = future.result()
                except OfflineCacheMiss:
                    if tolerant:
                        continue
                    raise
                write_batch(self.con, batch, harvest_id)
                done += len(batch.bugs)
                self._progress("fetch", done, total)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if run.attachment_bodies:
            self._missing_bodies(tolerant=tolerant)
        after = table_counts(self.con)
        return {
            "bugs_seen": len(found),
            "bugs_fetched": done,
            **{f"{t}_added": after[t] - before[t] for t in ("comments", "history", "attachments")},
        }

    def _bodies_known(self) -> dict[int, dt.datetime | None]:
        rows = self.con.execute("SELECT id, last_change_time FROM attachments WHERE data IS NOT NULL").fetchall()
        return {int(i): t for i, t in rows}

    def _missing_bodies(self, *, tolerant: bool) -> None:
        """Bodies of text attachments of bugs synced before ``--attachment-bodies`` was first used."""
        rows = self.con.execute(
            "SELECT id, content_type, size FROM attachments WHERE data IS NULL ORDER BY id"
        ).fetchall()
        for att_id, content_type, size in rows:
            if not _is_text({"content_type": content_type, "size": size}):
                continue
            try:
                body = self.client.get(f"/rest/bug/attachment/{att_id}")
            except OfflineCacheMiss:
                if tolerant:
                    continue
                raise
            self.con.execute("UPDATE attachments SET data = ? WHERE id = ?", [decode_attachment(body, att_id), att_id])


def _start_row(con: duckdb.DuckDBPyConnection, run: RunRecord, *, offline: bool, authenticated: bool) -> int:
    row = con.execute("SELECT coalesce(max(id), 0) + 1 FROM harvests").fetchone()
    harvest_id = int(row[0]) if row else 1
    query = {
        "run": run.run_id,
        "product": list(run.products),
        "component": list(run.components),
        "include_fields": list(SEARCH_FIELDS),
        "order": "bug_id",
        "page_size": run.page_size,
        "batch_size": run.batch_size,
        "user_since": run.user_since,
        "attachment_bodies": run.attachment_bodies,
    }
    con.execute(
        "INSERT INTO harvests (id, started_at, source_url, query, db_time, since, is_offline, is_authenticated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [harvest_id, utc_now(), run.base_url, json.dumps(query), to_time(run.db_time), to_time(run.since), offline,
         authenticated],
    )  # fmt: skip
    return harvest_id


def _finish_row(con: duckdb.DuckDBPyConnection, harvest_id: int, counts: Mapping[str, int], requests: int) -> None:
    con.execute(
        "UPDATE harvests SET finished_at = ?, bugs_seen = ?, bugs_fetched = ?, comments_added = ?, "
        "history_added = ?, attachments_added = ?, requests_made = ? WHERE id = ?",
        [utc_now(), counts["bugs_seen"], counts["bugs_fetched"], counts["comments_added"], counts["history_added"],
         counts["attachments_added"], requests, harvest_id],
    )  # fmt: skip



def _harvest_runs(con: duckdb.DuckDBPyConnection) -> list[tuple[dict[str, Any], str, dt.datetime, bool]]:
    rows = con.execute("SELECT query, source_url, db_time, finished_at IS NOT NULL FROM harvests ORDER BY id")
    return [(json.loads(q) if q else {}, url, t, done) for q, url, t, done in rows.fetchall()]


def _cursor(con: duckdb.DuckDBPyConnection, config: HarvestConfig) -> dt.datetime | None:
    """``db_time`` of the latest complete run of the same query (runs with a user ``--since`` do not count)."""
    times = [
        t
        for q, url, t, done in _harvest_runs(con)
        if done
        and url == config.base_url
        and tuple(q.get("product", ())) == config.products
        and tuple(q.get("component", ())) == config.components
        and not q.get("user_since")
    ]
    return max(times) if times else None


def _apply(
    config: HarvestConfig,
    con: duckdb.DuckDBPyConnection,
    client: BugzillaClient,
    run: RunRecord,
    result: HarvestResult,
    requests_before: int = 0,
) -> None:
    """Run one recorded (or just started) run; ``requests_before`` marks where its requests began."""
    harvest_id = _start_row(con, run, offline=config.offline, authenticated=client.is_authenticated)
    if not config.offline:
        replay.append(config.cache_path, "start", run)
    tolerant = config.offline and not run.completed
    try:
        counts = _Run(config, con, client).execute(run, harvest_id, tolerant=tolerant)
    except OfflineCacheMiss:
        if not tolerant:
            raise
        log.warning("interrupted run %s was killed before its search finished; skipped", run.run_id)
        return
    if tolerant:
        log.warning("replayed interrupted run %s as far as the cache allows", run.run_id)
    else:
        _finish_row(con, harvest_id, counts, client.requests_made - requests_before)
    if not config.offline:
        replay.append(config.cache_path, "complete", run)
    result.harvest_ids.append(harvest_id)
    result.runs += 1
    result.db_time, result.since = run.db_time, run.since
    for key, value in counts.items():
        setattr(result, key, getattr(result, key) + value)


def _online(
    config: HarvestConfig, con: duckdb.DuckDBPyConnection, client: BugzillaClient, result: HarvestResult
) -> None:
    requests_before = client.requests_made
    db_time = to_api_time(to_time(client.get("/rest/time")["db_time"]) or utc_now())
    if config.since is not None:
        since: str | None = to_api_time(config.since)
    else:
        cursor = _cursor(con, config)
        since = to_api_time(cursor - config.overlap) if cursor else None
    run = RunRecord(
        run_id=uuid.uuid4().hex,
        base_url=config.base_url,
        products=config.products,
        components=config.components,
        db_time=db_time,
        since=since,
        user_since=config.since is not None,
        page_size=config.page_size,
        batch_size=config.batch_size,
        overlap_seconds=int(config.overlap.total_seconds()),
        attachment_bodies=config.attachment_bodies,
    )
    _apply(config, con, client, run, result, requests_before)


def _offline(
    config: HarvestConfig, con: duckdb.DuckDBPyConnection, client: BugzillaClient, result: HarvestResult
) -> None:
    recorded = [
        r
        for r in replay.read_runs(config.cache_path)
        if r.same_query(config.base_url, config.products, config.components)
    ]
    if not recorded:
        raise OfflineCacheMiss(
            f"offline: {config.cache_path} holds no recorded online harvest of {config.base_url} for these products "
            "and components; run the harvest online first"
        )
    applied = {q.get("run") for q, *_ in _harvest_runs(con)}
    positions = [i for i, r in enumerate(recorded) if r.run_id in applied]
    for run in recorded[positions[-1] + 1 if positions else 0 :]:
        _apply(config, con, client, run, result, client.requests_made)
    if not result.runs:
        log.info("the cache holds no run newer than this corpus; nothing to replay")


def harvest(config: HarvestConfig) -> HarvestResult:
    """Harvest (or, offline, replay) the configured bugs into ``<data_dir>/corpus.duckdb``."""
    started = time.monotonic()
    result = HarvestResult(offline=config.offline)
    con = connect(config.data_dir)
    try:
        with BugzillaClient(config.client) as client:
            try:
                (_offline if config.offline else _online)(config, con, client, result)
            finally:
                result.requests_made = client.requests_made
                result.cache_hits = client.cache_hits
                result.rate_limit_pauses = client.pauses
    finally:
        con.close()
    result.seconds = time.monotonic() - started
    return result
