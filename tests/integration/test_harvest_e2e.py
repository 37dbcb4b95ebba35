"""End-to-end harvests against the local Bugzilla server: the 827 real records with synthetic activity.

Each test compares whole tables, so any lost, duplicated or stale row fails it.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from ca_incidents.corpus import connect
from ca_incidents.devserver import TRANSIENT_MIX, Faults, FixtureCorpus, serve, synthetic_activity
from ca_incidents.harvest import (
    ClientConfig,
    HarvestConfig,
    HarvestError,
    OfflineCacheMiss,
    RetryPolicy,
    default_cache_dir,
    harvest,
)

pytestmark = pytest.mark.integration

FAST = RetryPolicy(
    timeout=(2.0, 0.5), max_attempts=10, backoff_initial=0.01, backoff_max=0.05, rate_limit_pause=0.02,
    max_rate_limit_pauses=10_000,
)  # fmt: skip
RAW_TABLES = {
    "bugs": "id",
    "comments": "id",
    "history": "bug_id, seq",
    "attachments": "id",
}
ACTIVITY = ("comment", "history", "attachment")


def corpus_of(records: list[dict]) -> FixtureCorpus:
    return FixtureCorpus.from_records(records, synthetic_activity)


def config(
    url: str, data_dir: Path, *, cache_dir: Path | None = None, offline: bool = False, api_key: str | None = None,
    retry: RetryPolicy = FAST, **overrides,
) -> HarvestConfig:
    client = ClientConfig(cache_dir=cache_dir or default_cache_dir(data_dir), base_url=url, offline=offline,
                          api_key=api_key, rate_limit=1e6, retry=retry)  # fmt: skip
    return HarvestConfig(data_dir, client, **overrides)


def tables(data_dir: Path) -> dict[str, list[tuple]]:
    """Every raw table's full content (plus the sync marks, without their wall-clock stamp)."""
    con = connect(data_dir, read_only=True)
    try:
        out = {t: con.execute(f"SELECT * FROM {t} ORDER BY {order}").fetchall() for t, order in RAW_TABLES.items()}
        out["bug_sync"] = con.execute("SELECT bug_id, last_change_time FROM bug_sync ORDER BY 1").fetchall()
    finally:
        con.close()
    return out


def activity_requests(server) -> int:
    return sum(server.requests[k] for k in ACTIVITY)


@pytest.fixture(scope="module")
def baseline(real_bug_records, tmp_path_factory):
    """An uninterrupted, fault-free harvest of the real records: the corpus every other run must equal."""
    data_dir = tmp_path_factory.mktemp("baseline")
    with serve(corpus_of(real_bug_records)) as server:
        result = harvest(config(server.url, data_dir))
        counts = dict(server.requests)
    return data_dir, result, counts


def test_all_827_real_records_land_in_bugs_with_their_activity(baseline, real_bug_records):
    data_dir, result, counts = baseline
    got = tables(data_dir)
    assert sorted(r[0] for r in got["bugs"]) == sorted(r["id"] for r in real_bug_records)
    assert result.bugs_seen == result.bugs_fetched == len(real_bug_records)
    expected_comments = sum(len(synthetic_activity(r)["comments"]) for r in real_bug_records)
    assert len(got["comments"]) == result.comments_added == expected_comments
    con = connect(data_dir, read_only=True)
    summaries = dict(con.execute("SELECT id, summary FROM bugs").fetchall())
    whiteboards = dict(con.execute("SELECT id, whiteboard FROM bugs").fetchall())
    columns = {row[0] for row in con.execute("DESCRIBE bugs").fetchall()}
    runs = con.execute("SELECT finished_at IS NOT NULL, bugs_seen, requests_made FROM harvests").fetchall()
    con.close()
    assert all(summaries[r["id"]] == r["summary"] and whiteboards[r["id"]] == r["whiteboard"] for r in real_bug_records)
    assert not columns & {"ca_owner", "whiteboard_tags", "next_update"}  # raw stays raw: parse derives these
    assert runs == [(True, len(real_bug_records), result.requests_made)]
    # batching: 100 bugs per comment/history/attachment call instead of one call per bug
    assert counts["comment"] == counts["history"] == counts["attachment"] == 9
    assert counts["search"] == 2 and counts["time"] == 1


def test_rerun_with_nothing_changed_asks_only_time_and_search(real_bug_records, tmp_path):
    with serve(corpus_of(real_bug_records)) as server:
        harvest(config(server.url, tmp_path))
        first = tables(tmp_path)
        server.reset_log()
        result = harvest(config(server.url, tmp_path))
        assert activity_requests(server) == 0
        assert dict(server.requests) == {"time": 1, "search": 1}
        search = next(r for r in server.log if r.kind == "search")
        assert search.params["last_change_time"][0].endswith("Z")
    assert result.bugs_fetched == 0 and tables(tmp_path) == first


def test_touching_5_bugs_refetches_exactly_those_and_matches_a_fresh_harvest(real_bug_records, tmp_path):
    touched = sorted(r["id"] for r in real_bug_records[100:600:100])
    assert len(touched) == 5
    with serve(corpus_of(real_bug_records)) as server:
        harvest(config(server.url, tmp_path / "inc"))
        for n, bug_id in enumerate(touched):
            whiteboard = "[ca-compliance] Next update 2026-12-01" if n % 2 else None
            server.corpus.touch(bug_id, comment=f"Update {n}: remediation is on track.", whiteboard=whiteboard)
        server.reset_log()
        result = harvest(config(server.url, tmp_path / "inc"))
        for kind in ACTIVITY:
            assert server.requested_ids(kind) == set(touched), kind
        assert all("new_since" in r.params for r in server.log if r.kind in ("comment", "history"))
        assert result.bugs_fetched == 5 and result.comments_added == 5 and result.history_added == 2
        harvest(config(server.url, tmp_path / "fresh"))
    assert tables(tmp_path / "inc") == tables(tmp_path / "fresh")


def test_offline_replay_into_a_fresh_dir_makes_no_requests_and_gives_the_same_corpus(real_bug_records, tmp_path):
    online, cache = tmp_path / "online", tmp_path / "online" / "http-cache"
    with serve(corpus_of(real_bug_records)) as server:
        harvest(config(server.url, online))
        for bug_id in (real_bug_records[3]["id"], real_bug_records[500]["id"]):
            server.corpus.touch(bug_id, comment="A later question from the community.")
        harvest(config(server.url, online))
        url = server.url
        server.reset_log()
        result = harvest(config(url, tmp_path / "replay", cache_dir=cache, offline=True))
        assert sum(server.requests.values()) == 0
        again = harvest(config(url, tmp_path / "replay", cache_dir=cache, offline=True))
        assert sum(server.requests.values()) == 0
    assert result.runs == 2 and result.requests_made == 0 and result.cache_hits > 0
    assert again.runs == 0
    assert tables(tmp_path / "replay") == tables(online)


def test_offline_cache_miss_names_the_url_and_says_to_go_online(real_bug_records, tmp_path):
    with serve(corpus_of(real_bug_records[:50])) as server:
        harvest(config(server.url, tmp_path / "a", batch_size=10))
        url = server.url
    cache = tmp_path / "a" / "http-cache"
    with pytest.raises(OfflineCacheMiss, match="no recorded online harvest"):
        harvest(config(url, tmp_path / "b", cache_dir=tmp_path / "empty", offline=True))
    for entry in cache.glob("*.json"):  # drop one recorded comment batch
        if "/comment" in json.loads(entry.read_text())["url"]:
            entry.unlink()
            break
    with pytest.raises(OfflineCacheMiss, match=r"/rest/bug/\d+/comment.*run the same harvest online first"):
        harvest(config(url, tmp_path / "c", cache_dir=cache, offline=True, concurrency=1))


def test_twenty_percent_transient_faults_still_give_the_fault_free_corpus(baseline, real_bug_records, tmp_path):
    faults = Faults(rate=0.2, kinds=TRANSIENT_MIX, seed=11, retry_after=0, timeout_seconds=1.0)
    with serve(corpus_of(real_bug_records), faults=faults) as server:
        result = harvest(config(server.url, tmp_path, batch_size=50))
        injected = [r.fault for r in server.log if r.fault]
    assert len(set(injected)) >= 4, injected  # a real mix of 429s, 5xx, timeouts and truncated bodies
    assert result.bugs_fetched == len(real_bug_records)
    assert tables(tmp_path) == tables(baseline[0])
    for entry in (tmp_path / "http-cache").glob("*.json"):  # nothing truncated or erroneous was recorded
        assert json.loads(entry.read_text())["status_code"] == 200


def test_the_api_key_never_reaches_cache_db_or_logs_and_private_comments_are_not_stored(tmp_path, caplog):
    key = "bmo-KEY-5f1c2e9a7d"
    bugs = [
        {"id": 1900001 + i, "summary": f"Sample CA {i}: issue", "creation_time": "2024-01-01T00:00:00Z",
         "comments": [{"author": "a@ca.example", "time": "2024-01-01T00:00:00Z", "text": "report"},
                      {"author": "insider@root.example", "time": "2024-01-02T00:00:00Z", "text": "private note",
                       "is_private": True}]}
        for i in range(3)
    ]  # fmt: skip
    caplog.set_level(logging.DEBUG)
    with serve(FixtureCorpus(bugs), insider_keys=(key,), faults=Faults(script=["503"])) as server:
        harvest(config(server.url, tmp_path, api_key=key))
        assert all(r.authenticated for r in server.log)
        assert all(key not in r.path and key not in json.dumps(r.params) for r in server.log)
    con = connect(tmp_path, read_only=True)
    assert con.execute("SELECT count(*) FROM comments").fetchone() == (3,)
    assert con.execute("SELECT is_authenticated FROM harvests").fetchone() == (True,)
    con.close()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    assert "REDACTED" in "".join(p.read_text() for p in (tmp_path / "http-cache").glob("*.json"))
    assert key not in caplog.text


def test_sigkill_mid_run_then_rerun_equals_the_uninterrupted_harvest(baseline, real_bug_records, tmp_path):
    data_dir = tmp_path / "killed"
    with serve(corpus_of(real_bug_records), latency=0.03) as server:
        cmd = [sys.executable, "-c", "from ca_incidents.cli import app; app()", "harvest", "--base-url", server.url,
               "--data-dir", str(data_dir), "--rate-limit", "100000", "--batch-size", "20", "--concurrency", "2",
               "--quiet"]  # fmt: skip
        env = {**os.environ, "BUGZILLA_API_KEY": ""}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 60
        while activity_requests(server) < 45 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        con = connect(data_dir, read_only=True)
        synced = {r[0] for r in con.execute("SELECT bug_id FROM bug_sync").fetchall()}
        unfinished = con.execute("SELECT count(*) FROM harvests WHERE finished_at IS NULL").fetchone()[0]
        con.close()
        assert 0 < len(synced) < len(real_bug_records) and unfinished == 1
        server.reset_log()
        server.latency = 0
        harvest(config(server.url, data_dir, batch_size=20))
        assert not synced & server.requested_ids("comment")  # finished batches are not fetched again
        server.reset_log()
        replayed = tmp_path / "replayed"  # the killed run and its resumption, replayed offline
        result = harvest(config(server.url, replayed, cache_dir=data_dir / "http-cache", offline=True))
        assert sum(server.requests.values()) == 0 and result.runs == 2
    assert tables(data_dir) == tables(baseline[0])
    assert tables(replayed) == tables(baseline[0])


def test_cli_quiet_prints_one_json_line_and_uses_documented_exit_codes(tmp_path):
    bugs = [{"id": 1900001, "summary": "Sample CA: issue", "creation_time": "2024-01-01T00:00:00Z"}]
    base = [sys.executable, "-c", "from ca_incidents.cli import app; app()", "harvest", "--data-dir", str(tmp_path)]
    env = {**os.environ, "BUGZILLA_API_KEY": ""}
    with serve(FixtureCorpus(bugs)) as server:
        ok = subprocess.run([*base, "--base-url", server.url, "--quiet"], capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    lines = ok.stdout.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["bugs_seen"] == 1 and json.loads(lines[0])["corpus"]["bugs"] == 1
    usage = subprocess.run([*base, "--offline", "--since", "2024-01-01", "--quiet"], capture_output=True, text=True)
    assert usage.returncode == 2
    miss = subprocess.run([*base, "--offline", "--cache-dir", str(tmp_path / "none"), "--quiet"],
                          capture_output=True, text=True)  # fmt: skip
    assert miss.returncode == 3 and json.loads(miss.stdout)["ok"] is False


def test_a_persistent_rate_limit_stops_the_harvest_after_the_allowed_pauses(tmp_path):
    from ca_incidents.devserver import RateLimitEmulator

    bugs = [{"id": 1900001 + i, "summary": f"S{i}: x", "creation_time": "2024-01-01T00:00:00Z"} for i in range(6)]
    policy = replace(FAST, rate_limit_pause=0.4, max_rate_limit_pauses=2)
    with serve(FixtureCorpus(bugs), rate_limit=RateLimitEmulator(limit=1, window=60, block=0.3)) as server:
        with pytest.raises(HarvestError, match="still rate-limiting"):
            harvest(config(server.url, tmp_path, batch_size=1, concurrency=1, retry=policy))
        faults = [r.fault for r in server.log if r.fault]
    assert "blocked" not in faults  # nobody knocked while blocked: the pause covered the block
    assert faults.count("rate_limit") == 3  # one per pause allowed, plus the one that made us stop
