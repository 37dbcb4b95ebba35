"""Unit tests of the harvester's planning, search paging parameters, run log and store writes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
import typer

from ca_incidents.corpus import connect
from ca_incidents.harvest import replay
from ca_incidents.harvest.client import ClientConfig, default_cache_dir
from ca_incidents.harvest.commands import parse_rate, parse_since
from ca_incidents.harvest.harvester import HarvestConfig, plan_batches, search_params
from ca_incidents.harvest.replay import RunRecord
from ca_incidents.harvest.store import Batch, load_sync, write_batch
from ca_incidents.settings import load_settings

T0 = dt.datetime(2024, 5, 1, 12, 0, 0)
FIVE_MIN = dt.timedelta(minutes=5)


def bug(bug_id: int, changed: str = "2024-05-01T12:00:00Z", **extra):
    return {"id": bug_id, "summary": f"Example CA: problem {bug_id}", "last_change_time": changed, **extra}


def run_record(**overrides) -> RunRecord:
    fields = dict(
        run_id="r1",
        base_url="http://127.0.0.1:1",
        products=("CA Program", "NSS"),
        components=("CA Certificate Compliance",),
        db_time="2024-05-02T00:00:00Z",
        since=None,
        user_since=False,
        page_size=500,
        batch_size=100,
        overlap_seconds=300,
        attachment_bodies=False,
    )
    return RunRecord(**{**fields, **overrides})


def test_plan_fetches_only_new_and_changed_bugs_in_fixed_id_chunks():
    found = [bug(i) for i in (7, 3, 5, 1, 9)]
    synced = {3: T0, 5: T0 - dt.timedelta(days=1), 9: T0 - dt.timedelta(days=3)}
    plan = plan_batches(found, synced, batch_size=2, overlap=FIVE_MIN)
    as_ids = [([b["id"] for b in bugs], since) for bugs, since in plan]
    # chunks by position in the id-sorted result: [1,3] [5,7] [9]; 3 is unchanged
    assert as_ids == [
        ([1], None),
        ([7], None),
        ([5], "2024-04-30T11:55:00Z"),
        ([9], "2024-04-28T11:55:00Z"),
    ]


def test_plan_uses_the_oldest_sync_time_of_a_chunk_minus_the_overlap():
    found = [bug(1, "2024-06-01T00:00:00Z"), bug(2, "2024-06-02T00:00:00Z")]
    synced = {1: T0, 2: T0 - dt.timedelta(hours=2)}
    [(bugs, since)] = plan_batches(found, synced, batch_size=10, overlap=FIVE_MIN)
    assert [b["id"] for b in bugs] == [1, 2]
    assert since == "2024-05-01T09:55:00Z"


def test_plan_is_empty_when_nothing_changed():
    found = [bug(i) for i in range(1, 6)]
    assert plan_batches(found, dict.fromkeys(range(1, 6), T0), 2, FIVE_MIN) == []


def test_search_params_page_by_bug_id_with_z_times():
    params = search_params(run_record(since="2024-05-01T11:55:00Z", page_size=250), offset=500)
    assert params[:3] == [("product", "CA Program"), ("product", "NSS"), ("component", "CA Certificate Compliance")]
    assert ("last_change_time", "2024-05-01T11:55:00Z") in params
    assert ("order", "bug_id") in params
    assert ("limit", "250") in params and ("offset", "500") in params
    fields = dict(params)["include_fields"].split(",")
    for name in ("id", "summary", "whiteboard", "last_change_time", "cf_last_resolved", "see_also", "blocks"):
        assert name in fields


def test_config_rejects_pages_above_the_bmo_cap_and_offline_with_since():
    client = ClientConfig(cache_dir=default_cache_dir(Path("x")))
    with pytest.raises(ValueError, match="page size"):
        HarvestConfig(Path("x"), client, page_size=10_001)
    with pytest.raises(ValueError, match="offline"):
        HarvestConfig(Path("x"), replace(client, offline=True), since=T0)
    with pytest.raises(ValueError, match="rate limit"):
        replace(client, rate_limit=0)
    assert HarvestConfig(Path("x"), client).cache_path == Path("x/http-cache")


def test_the_client_comes_from_the_settings_with_the_legacy_key_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CA_INCIDENTS_API_KEY", raising=False)
    monkeypatch.setenv("BUGZILLA_API_KEY", "legacy-key")
    monkeypatch.setenv("CA_INCIDENTS_BASE_URL", "http://127.0.0.1:8765/")
    client = ClientConfig.from_settings(load_settings(data_dir=Path("d")), offline=True)
    assert client == ClientConfig(cache_dir=Path("d/http-cache"), base_url="http://127.0.0.1:8765", offline=True,
                                  api_key="legacy-key")  # fmt: skip
    assert "legacy-key" not in repr(client)


def test_run_log_round_trip_marks_completed_runs_and_skips_torn_lines(tmp_path: Path):
    first, second = run_record(run_id="a"), run_record(run_id="b", since="2024-05-01T00:00:00Z")
    replay.append(tmp_path, "start", first)
    replay.append(tmp_path, "complete", first)
    replay.append(tmp_path, "start", second)
    with (tmp_path / replay.LOG_FILE).open("a") as fh:
        fh.write('{"event": "complete", "run_id": "b"')  # torn by a kill
    runs = replay.read_runs(tmp_path)
    assert [(r.run_id, r.completed, r.since) for r in runs] == [("a", True, None), ("b", False, second.since)]
    assert runs[0].same_query("http://127.0.0.1:1/", ("CA Program", "NSS"), ("CA Certificate Compliance",))


def test_parse_rate_and_since():
    assert parse_rate("60") == 60.0
    assert parse_rate("60/min") == 60.0
    assert parse_rate("2/s") == 120.0
    with pytest.raises(typer.BadParameter):
        parse_rate("fast")
    assert parse_since("2024-05-01") == dt.datetime(2024, 5, 1)
    assert parse_since("2024-05-01T12:00:00+02:00") == dt.datetime(2024, 5, 1, 10, 0)


def _comment(cid: int, bug_id: int, count: int, when: str, private: bool = False):
    return {"id": cid, "bug_id": bug_id, "count": count, "creator": "a@ca.example", "author": "a@ca.example",
            "time": when, "creation_time": when, "text": f"c{cid}", "raw_text": f"c{cid}", "is_private": private,
            "attachment_id": None}  # fmt: skip


def _history(when: str, added: str):
    return {
        "when": when,
        "who": "r@root.example",
        "changes": [{"field_name": "whiteboard", "removed": "", "added": added}],
    }


def _rows(con, table: str, order: str):
    return con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


def test_write_batch_is_idempotent_and_never_stores_private_comments(tmp_path: Path):
    con = connect(tmp_path)
    batch = Batch(bugs=[bug(1, whiteboard="[ca-compliance]")], new_since=None)
    batch.comments = {1: [_comment(11, 1, 0, "2024-01-01T00:00:00Z"), _comment(12, 1, 1, "2024-01-02T00:00:00Z", True)]}
    batch.history = {1: [_history("2024-01-01T01:00:00Z", "[ca-compliance]")]}
    when = "2024-01-01T00:00:00Z"
    attachment = {"id": 51, "file_name": "a.csv", "content_type": "text/csv", "size": 3, "creation_time": when}
    batch.attachments = {1: [{**attachment, "last_change_time": when}]}
    write_batch(con, batch, harvest_id=1)
    first = {t: _rows(con, t, "1") for t in ("bugs", "comments", "history", "attachments")}
    write_batch(con, batch, harvest_id=2)
    assert {t: _rows(con, t, "1") for t in first} == first
    assert [r[0] for r in first["comments"]] == [11]
    assert load_sync(con) == {1: T0}
    assert json.loads(first["bugs"][0][-1])["id"] == 1


def test_incremental_history_keeps_old_positions_and_replaces_the_overlap(tmp_path: Path):
    con = connect(tmp_path)
    full = Batch(bugs=[bug(1)], new_since=None)
    full.history = {1: [_history("2024-01-01T00:00:00Z", "a"), _history("2024-03-01T00:00:00Z", "b")]}
    write_batch(con, full, 1)
    # the server's answer to new_since=2024-02-01: the entry after it (already stored) plus a new one
    later = Batch(bugs=[bug(1, "2024-06-01T00:00:00Z")], new_since="2024-02-01T00:00:00Z")
    later.history = {1: [_history("2024-03-01T00:00:00Z", "b"), _history("2024-06-01T00:00:00Z", "c")]}
    later.comments = {1: [_comment(13, 1, 2, "2024-06-01T00:00:00Z")]}
    write_batch(con, later, 2)
    rows = con.execute("SELECT seq, added FROM history WHERE bug_id = 1 ORDER BY seq").fetchall()
    assert rows == [(0, "a"), (1, "b"), (2, "c")]
    assert load_sync(con) == {1: dt.datetime(2024, 6, 1)}


def test_a_failing_batch_leaves_nothing_behind(tmp_path: Path):
    con = connect(tmp_path)
    batch = Batch(bugs=[bug(1), bug(2)], new_since=None)
    batch.comments = {1: [_comment(11, 1, 0, "2024-01-01T00:00:00Z")], 2: [{"id": 12}]}  # malformed second comment
    with pytest.raises(KeyError):
        write_batch(con, batch, 1)
    assert _rows(con, "bugs", "1") == [] and _rows(con, "comments", "1") == [] and load_sync(con) == {}
