"""Metrics over the real bug records of ../shared (metadata only), served by the devserver with comments and
history written here: no crash, and every metric is computed or marked missing with a reason."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.shared]

ROOT = "reviewer@root-program.example"
OTHER = "watcher@community.example"
REPORT = """## Incident Report

### Summary
A profile change let {n} certificates out with a field the profile does not allow. We were informed by this bug.

### Impact
{n} certificates are affected.

### Action Items
| Action Item | Kind | Due Date |
|---|---|---|
| Add a lint for the field before issuance | Prevent | {due1} |
| Review every profile change with a second engineer | Detect | {due2} |
"""
LINES = (
    "Please explain why the pre-issuance linter did not catch this, and by when it will?",
    "(In reply to {root} from comment #{q})\nThe linter ran an old rule set; the new one is deployed.",
    "Weekly update: work on the action items continues. The total is now {n2} certificates because a second "
    "issuing CA was found in scope.",
    "No update this week; the action items are on track.",
    "Final call for comments; I intend to close this bug on or about {close}.",
)
BOARDS = ("Next update {d:%Y-%m-%d}", "Next Update {d:%m/%d/%Y}", "next update {d:%d-%b-%Y}", "Next update soon")


def _t(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def activity(record: dict[str, Any]) -> dict[str, Any]:
    """Comments, whiteboard history and needinfo flags in our own words, deterministic per bug id."""
    rng = random.Random(int(record["id"]))
    start = datetime.strptime(str(record.get("creation_time") or "2020-01-01T00:00:00Z")[:19], "%Y-%m-%dT%H:%M:%S")
    owner = str(record.get("summary") or "ca").split(":")[0].lower()
    ca = "incidents@" + ("".join(ch for ch in owner if ch.isalnum())[:20] or "ca") + ".example"
    at = lambda days: start + timedelta(days=days, hours=rng.randint(0, 20))  # noqa: E731
    n = rng.randint(1, 5000)
    comments = [{"author": ca if rng.random() < 0.6 else OTHER, "time": _t(start),
                 "text": REPORT.format(n=n, due1=f"{at(20):%Y-%m-%d}", due2=f"{at(40):%Y-%m-%d}")}]  # fmt: skip
    day, history = 0.0, []
    for i in range(rng.randint(2, 6)):
        day += rng.uniform(1, 12)
        who = ROOT if i % 2 == 0 else ca
        text = LINES[(i + rng.randint(0, 4)) % len(LINES)].format(
            root=ROOT, q=max(1, i), n2=n + rng.randint(0, 9), close=f"{at(day + 7):%Y-%m-%d}"
        )
        comments.append({"author": who, "time": _t(at(day)), "text": text})
        if who == ROOT and rng.random() < 0.5:
            board = (record.get("whiteboard") or "[ca-compliance]") + " " + rng.choice(BOARDS).format(d=at(day + 7))
            history.append({"when": _t(at(day)), "who": ROOT, "changes": [
                {"field_name": "whiteboard", "removed": "", "added": board},
                {"field_name": "flagtypes.name", "removed": "", "added": f"needinfo?({ca})"},
            ]})  # fmt: skip
    if rng.random() < 0.5:  # a revised table: one item done, the other moved
        table = REPORT.split("### Action Items")[1].format(due1=f"{at(20):%Y-%m-%d}", due2=f"{at(60):%Y-%m-%d}")
        comments.append({"author": ca, "time": _t(at(day + 3)), "text": "Revised action items:\n" + table})
    comments.sort(key=lambda c: c["time"])
    history.sort(key=lambda h: h["when"])
    return {"comments": comments, "history": history, "assigned_to": ca}


@pytest.fixture(scope="module")
def real_store(real_bug_records: list[dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ca_incidents.corpus import connect
    from ca_incidents.devserver import FixtureCorpus, serve
    from ca_incidents.harvest import ClientConfig, HarvestConfig, default_cache_dir, harvest
    from ca_incidents.metrics.build import build_metrics
    from ca_incidents.parse import parse_corpus

    data_dir = tmp_path_factory.mktemp("real-metrics")
    with serve(FixtureCorpus.from_records(real_bug_records, activity=activity)) as server:
        client = ClientConfig(cache_dir=default_cache_dir(data_dir), base_url=server.url, rate_limit=1e6)
        harvest(HarvestConfig(data_dir, client))
    con = connect(data_dir)
    parse_corpus(con)
    build_metrics(con, datetime(2026, 4, 1))
    con.close()
    return data_dir


def test_every_bug_gets_a_row_and_every_gap_a_reason(real_store: Path, real_bug_records: list[dict]) -> None:
    from ca_incidents.corpus import connect

    con = connect(real_store, read_only=True)
    n_bugs = con.execute("SELECT count(*) FROM bugs").fetchone()[0]
    assert n_bugs == len(real_bug_records) == con.execute("SELECT count(*) FROM incident_metrics").fetchone()[0]
    frame = con.execute("SELECT * FROM incident_metrics").df()
    reasoned = ("first_response_hours", "first_report_hours", "full_report_days", "median_answer_hours",
                "disclosure_stated", "ca_owner")  # fmt: skip
    for _, row in frame.iterrows():
        for column in reasoned:
            value = row[column]
            if value is None or value != value:
                assert any(r.startswith(column + ":") for r in row["missing_reasons"]), (row["bug_id"], column)
    # the synthetic activity exercises the detail tables (its sentences are shared by every CA owner, so
    # boilerplate treats them as template wording: that table exists but stays empty)
    for table in ("deadline_checks", "qa_ledger", "action_item_changes", "count_changes"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
    assert con.execute("SELECT count(*) FROM boilerplate_pairs").fetchone()[0] == 0
    missing = con.execute("SELECT count(*) FROM deadline_checks WHERE status = 'missing' AND reason IS NULL")
    assert missing.fetchone()[0] == 0
    owners = con.execute("SELECT count(*) FROM ca_metrics WHERE period = 'all'").fetchone()[0]
    assert owners == con.execute("SELECT count(DISTINCT coalesce(ca_owner, '')) FROM normalised_bugs").fetchone()[0]
    con.close()
