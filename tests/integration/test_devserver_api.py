"""The local Bugzilla server behaves like BMO where the harvester depends on it (shapes, quirks, faults)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from ca_incidents.devserver import Faults, FixtureCorpus, RateLimitEmulator, serve, synthetic_activity

BUGS = [
    {
        "id": 1900001,
        "summary": "Example Trust: late revocation",
        "creation_time": "2024-03-04T09:12:00Z",
        "creator": "ops@example-trust.example",
        "whiteboard": "[ca-compliance] [leaf-revocation-delay]",
        "comments": [
            {"author": "ops@example-trust.example", "time": "2024-03-04T09:12:00Z", "text": "Preliminary report."},
            {"author": "insider@root.example", "time": "2024-03-05T10:00:00Z", "text": "hidden", "is_private": True},
            {"author": "reviewer@root.example", "time": "2024-03-06T10:00:00Z", "text": "Please add a timeline."},
        ],
        "history": [
            {
                "when": "2024-03-05T08:00:00Z",
                "who": "reviewer@root.example",
                "changes": [{"field_name": "status", "removed": "NEW", "added": "ASSIGNED"}],
            },
        ],
        "attachments": [
            {
                "file_name": "serials.csv",
                "summary": "Serials",
                "content_type": "text/csv",
                "creation_time": "2024-03-07T00:00:00Z",
                "creator": "ops@example-trust.example",
                "data": "a,b\n",
            },
        ],
    },
    {"id": 1900002, "summary": "Other CA: audit delay", "product": "NSS", "creation_time": "2023-01-01T00:00:00Z"},
    {
        "id": 1900003,
        "summary": "Hidden CA: security bug",
        "groups": ["core-security"],
        "creation_time": "2023-02-01T00:00:00Z",
    },
]


@pytest.fixture
def server():
    with serve(FixtureCorpus(BUGS)) as s:
        yield s


def get(server, path, **params):
    return requests.get(server.url + path, params=params, timeout=5)


def test_search_filters_orders_pages_and_hides_private_bugs(server):
    body = get(
        server,
        "/rest/bug",
        product=["CA Program", "NSS"],
        include_fields="id,summary",
        order="bug_id",
        limit="1",
        offset="1",
    ).json()
    assert body == {"bugs": [{"id": 1900002, "summary": "Other CA: audit delay"}], "faults": []}
    ids = [b["id"] for b in get(server, "/rest/bug", product="CA Program", order="bug_id").json()["bugs"]]
    assert ids == [1900001]
    assert get(server, "/rest/bug", count_only="1").json() == {"bug_count": 2}


def test_search_since_is_inclusive_and_limit_is_capped():
    with serve(FixtureCorpus(BUGS), max_search_results=1) as server:
        assert len(get(server, "/rest/bug", order="bug_id", limit="50").json()["bugs"]) == 1
    with serve(FixtureCorpus(BUGS)) as server:
        found = get(server, "/rest/bug", last_change_time="2024-03-07T00:00:00Z").json()["bugs"]
        assert [b["id"] for b in found] == [1900001]  # last_change_time derived from the attachment


def test_offset_without_limit_is_an_error(server):
    r = get(server, "/rest/bug", offset="10")
    assert r.status_code == 400 and r.json()["error"] is True


def test_comments_merge_ids_honour_new_since_strictly_and_drop_private_ones(server):
    r = get(server, "/rest/bug/1900002/comment", ids=["1900001", "1900002"])
    body = r.json()
    assert set(body["bugs"]) == {"1900001", "1900002"} and body["comments"] == {}
    comments = body["bugs"]["1900001"]["comments"]
    assert [c["count"] for c in comments] == [0, 2]
    first = comments[0]
    for key in (
        "id",
        "bug_id",
        "count",
        "text",
        "raw_text",
        "creator",
        "author",
        "time",
        "creation_time",
        "is_private",
        "attachment_id",
    ):
        assert key in first
    newer = get(server, "/rest/bug/1900001/comment", new_since="2024-03-04T09:12:00Z").json()
    assert [c["count"] for c in newer["bugs"]["1900001"]["comments"]] == [2]


def test_an_invisible_bug_fails_the_batch_unless_skip_private(server):
    r = get(server, "/rest/bug/1900001/comment", ids="1900003")
    assert r.status_code == 401 and r.json()["code"] == 102
    r = get(server, "/rest/bug/1900001/history", ids="1900003", skip_private="1")
    assert r.status_code == 200 and [b["id"] for b in r.json()["bugs"]] == [1900001]
    r = get(server, "/rest/bug/1900001/attachment", ids="1900003", skip_private="1")
    assert r.status_code == 401
    assert get(server, "/rest/bug/42").status_code == 404


def test_attachments_exclude_data_and_single_attachment_has_base64(server):
    atts = get(server, "/rest/bug/1900001/attachment", exclude_fields="data").json()["bugs"]["1900001"]
    assert "data" not in atts[0] and atts[0]["size"] == 4
    one = get(server, f"/rest/bug/attachment/{atts[0]['id']}").json()["attachments"][str(atts[0]["id"])]
    assert one["data"] == "YSxiCg=="


def test_touch_adds_activity_and_moves_last_change_time(server):
    before = get(server, "/rest/bug/1900002").json()["bugs"][0]["last_change_time"]
    new_time = server.corpus.touch(1900002, comment="Any update?", whiteboard="[ca-compliance] Next update 2026-01-01")
    bug = get(server, "/rest/bug/1900002").json()["bugs"][0]
    assert bug["last_change_time"] == new_time > before
    assert bug["whiteboard"] == "[ca-compliance] Next update 2026-01-01"
    history = get(server, "/rest/bug/1900002/history", new_since=before).json()["bugs"][0]["history"]
    assert history[-1]["changes"][0]["added"] == "[ca-compliance] Next update 2026-01-01"


def test_request_log_counts_by_kind_and_records_batch_ids(server):
    get(server, "/rest/time")
    get(server, "/rest/bug/1900001/comment", ids="1900002")
    assert server.requests["time"] == 1 and server.requests["comment"] == 1
    assert server.requested_ids("comment") == {1900001, 1900002}


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("502", 502), ("503", 503), ("429-html", 429)])
def test_scripted_faults(kind, status):
    with serve(FixtureCorpus(BUGS), faults=Faults(script=[kind])) as server:
        r = get(server, "/rest/time")
        assert r.status_code == status and "Retry-After" not in r.headers
        assert get(server, "/rest/time").status_code == 200


def test_429_with_retry_after_truncated_body_and_timeout():
    faults = Faults(script=["429", "truncated", "timeout"], retry_after=7, timeout_seconds=0.5)
    with serve(FixtureCorpus(BUGS), faults=faults) as server:
        assert get(server, "/rest/time").headers["Retry-After"] == "7"
        r = get(server, "/rest/bug", order="bug_id")
        assert r.status_code == 200
        with pytest.raises(ValueError):
            r.json()
        with pytest.raises(requests.Timeout):
            requests.get(server.url + "/rest/time", timeout=0.2)


def test_fault_rate_is_roughly_respected_and_seeded():
    with serve(FixtureCorpus(BUGS), faults=Faults(rate=0.5, kinds=("503",), seed=3)) as server:
        statuses = [get(server, "/rest/time").status_code for _ in range(40)]
    assert 8 <= statuses.count(503) <= 32


def test_rate_limit_emulation_blocks_after_the_limit_and_extends_the_block():
    with serve(FixtureCorpus(BUGS), rate_limit=RateLimitEmulator(limit=2, window=60, block=0.3)) as server:
        codes = [get(server, "/rest/bug/1900001/comment").status_code for _ in range(3)]
        assert codes == [200, 200, 400]
        assert get(server, "/rest/bug/1900001/comment").status_code == 429  # blocked, HTML
        time.sleep(0.35)
        assert get(server, "/rest/time").status_code == 200  # block expired; /rest/time is not limited


def test_added_latency():
    with serve(FixtureCorpus(BUGS), latency=0.1) as server:
        start = time.monotonic()
        get(server, "/rest/time")
        assert time.monotonic() - start >= 0.1


def test_from_dir_loads_yaml_fixtures(tmp_path: Path):
    folder = tmp_path / "bugs"
    folder.mkdir()
    (folder / "1900010.yaml").write_text(
        "id: 1900010\nsummary: 'Sample CA: wrong key usage'\nproduct: CA Program\n"
        "component: CA Certificate Compliance\n"
        "status: RESOLVED\nresolution: FIXED\ncreation_time: 2024-03-04T09:12:00Z\ncf_last_resolved: null\n"
        "creator: a@sample.example\ncomments:\n  - author: a@sample.example\n    time: 2024-03-04T09:12:00Z\n"
        "    text: |\n      Our report.\nplanted:\n  - {kind: late_answer, question: 1, answer: 2}\n",
        encoding="utf-8",
    )
    corpus = FixtureCorpus.from_dir(tmp_path)
    bug = corpus.bug(1900010)
    assert bug is not None and bug["creation_time"] == "2024-03-04T09:12:00Z" and "planted" not in bug
    assert bug["last_change_time"] == "2024-03-04T09:12:00Z"
    assert corpus.comments(1900010)[0]["raw_text"] == "Our report.\n"


def test_synthetic_activity_is_deterministic_and_ordered():
    record = {"id": 1262610, "creation_time": "2016-04-06T20:56:43Z", "whiteboard": "[ca-compliance]"}
    first, second = synthetic_activity(record), synthetic_activity(record)
    assert first == second
    times = [c["time"] for c in first["comments"]]
    assert times == sorted(times) and len(times) >= 2
