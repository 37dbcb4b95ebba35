"""Benchmark: the batched harvester against a naive per-bug client, on the local server with 50 ms latency.

Both run in the same process against the same server, serving the 827 real records of ../shared with synthetic
comments. The harvester runs with its default settings (60 requests/min client-side limit, 4 threads, 100 bugs
per batch); the naive client asks for comments, history and attachments one bug at a time, as python-bugzilla
does over REST, with the same 4 threads and no rate limit (at 60/min it would take ~41 minutes).

    .venv/bin/python benchmarks/harvest.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from ca_incidents.devserver import FixtureCorpus, serve, synthetic_activity
from ca_incidents.harvest import ClientConfig, HarvestConfig, default_cache_dir, harvest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bmo-ca-compliance-bugs-2026-03-even.json"
LATENCY = 0.05
BMO_LIMIT = 75  # anonymous requests per 60 s, per rate-limited method (get_bug, get_comments, get_attachments)
LIMITED_GROUPS = {
    "bug": "get_bug",
    "comment": "get_comments",
    "attachment": "get_attachments",
    "attachment_get": "get_attachments",
}


def naive_harvest(url: str, workers: int = 4) -> None:
    """One search, then one request per bug for comments, one for history, one for attachments."""
    session = requests.Session()
    ids, offset = [], 0
    while True:
        page = session.get(f"{url}/rest/bug", params={"order": "bug_id", "limit": 500, "offset": offset}).json()
        ids += [b["id"] for b in page["bugs"]]
        if len(page["bugs"]) < 500:
            break
        offset += 500
    paths = [f"/rest/bug/{i}/{kind}" for i in ids for kind in ("comment", "history", "attachment")]
    with ThreadPoolExecutor(workers) as pool:
        for response in pool.map(lambda p: session.get(url + p, timeout=30), paths):
            response.raise_for_status()


def peak_per_minute(log, groups: dict[str, str]) -> dict[str, int]:
    """The most requests of each rate-limited group seen in any 60 s window."""
    times: dict[str, list[float]] = {}
    for entry in log:
        if entry.kind in groups:
            times.setdefault(groups[entry.kind], []).append(entry.at)
    peaks = {}
    for group, stamps in times.items():
        stamps.sort()
        start, best = 0, 0
        for end, t in enumerate(stamps):
            while stamps[start] <= t - 60:
                start += 1
            best = max(best, end - start + 1)
        peaks[group] = best
    return peaks


def main() -> int:
    if not SHARED.exists():
        print(f"skipped: needs the real records at {SHARED} (../shared is absent)")
        return 0
    records = json.loads(SHARED.read_text(encoding="utf-8"))["bugs"]
    corpus = FixtureCorpus.from_records(records, synthetic_activity)
    with serve(corpus, latency=LATENCY) as server, tempfile.TemporaryDirectory() as tmp:
        config = HarvestConfig(Path(tmp), ClientConfig(cache_dir=default_cache_dir(Path(tmp)), base_url=server.url))
        start = time.monotonic()
        result = harvest(config)
        ours_time, ours_log = time.monotonic() - start, list(server.log)
        server.reset_log()
        start = time.monotonic()
        naive_harvest(server.url)
        naive_time, naive_log = time.monotonic() - start, list(server.log)
    ours, naive = len(ours_log), len(naive_log)
    print(f"corpus: {len(records)} bugs, {result.comments_added} comments; server latency {LATENCY * 1000:.0f} ms")
    settings = f"rate limit {config.rate_limit:g}/min, concurrency {config.concurrency}, batch {config.batch_size}"
    print(f"harvester: {ours} requests {dict(Counter(e.kind for e in ours_log))}, {ours_time:.2f} s ({settings})")
    print(f"naive:     {naive} requests {dict(Counter(e.kind for e in naive_log))}, {naive_time:.2f} s "
          "(4 threads, unthrottled)")  # fmt: skip
    print(f"ratio requests harvester/naive: {ours / naive:.4f} (1/{naive / ours:.0f}; target <= 1/20)")
    print(f"ratio wall time harvester/naive: {ours_time / naive_time:.3f}")
    print(f"naive at the same 60/min limit would need >= {naive / config.rate_limit:.0f} min")
    peaks = peak_per_minute(ours_log, LIMITED_GROUPS)
    print(f"harvester peak requests per 60 s by BMO limit group: {peaks} (BMO anonymous limit {BMO_LIMIT})")
    ok = ours * 20 <= naive and all(v <= BMO_LIMIT for v in peaks.values())
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
