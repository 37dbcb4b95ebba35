"""parse_corpus over a tiny store: incremental re-runs, warnings kept, `show` readable."""

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_incidents.cli import app
from ca_incidents.corpus import connect
from ca_incidents.parse import parse_corpus

pytestmark = pytest.mark.integration
CA = "pki@northwind.example"
FULL = (
    "## Full Incident Report\n### Summary\nNorthwind Trust let a CRL expire.\n### Impact\n- **Total number of "
    "certificates**: 12\n### Timeline\n- 2025-04-01 10:00 UTC: CRL expired\n### Root Cause Analysis\n"
    "**Contributing Factor #1: cron entry lost**\n- **Description**: migration dropped it\n### Action Items\n"
    "| Action Item | Kind | Due Date | Status |\n|---|---|---|---|\n"
    "| Monitor nextUpdate | Detect | 2025-05-01 | Complete |\n"
)
BROKEN = (
    "## Full Incident Report\n### Summary\nx\n### Action Items\n| Action Item | Kind | Due Date |\n|---|\n| a | b\n"
)


def _fill(data_dir: Path) -> None:
    con = connect(data_dir)
    con.execute(
        "INSERT INTO bugs (id, summary, assigned_to) VALUES (1900001, 'Northwind Trust: CRL', ?)",
        [CA],
    )
    rows = [
        (11, 0, CA, datetime(2025, 4, 2), FULL),
        (12, 1, "lead@mozilla.com", datetime(2025, 4, 3), "When will the monitor be live?"),
        (13, 2, CA, datetime(2025, 4, 4), "(In reply to Lead from comment #1)\n> When will\n\nIt is live now."),
        (14, 3, CA, datetime(2025, 4, 5), BROKEN),
    ]
    for cid, count, who, when, text in rows:
        con.execute(
            "INSERT INTO comments (id, bug_id, count, creator, creation_time, text, raw_text) "
            "VALUES (?, 1900001, ?, ?, ?, ?, ?)",
            [cid, count, who, when, text, text],
        )
    con.close()


def test_incremental_parse_and_show(tmp_path: Path) -> None:
    _fill(tmp_path)
    con = connect(tmp_path)
    first = parse_corpus(con)
    assert first.comments_parsed == 4 and first.reports == 2
    second = parse_corpus(con)
    assert second.comments_parsed == 0 and second.comments_skipped == 4
    roles = con.execute("SELECT count, role, is_ca_side FROM comment_roles ORDER BY count").fetchall()
    assert roles == [(0, "full", True), (1, "question", False), (2, "answer", True), (3, "full", True)]
    warnings = con.execute("SELECT warnings FROM reports WHERE comment_id = 14").fetchone()[0]
    assert warnings and con.execute("SELECT count(*) FROM action_items WHERE comment_id = 14").fetchone()[0] == 1
    item = con.execute('SELECT "start", "end", due_date FROM action_items WHERE comment_id = 11').fetchone()
    assert FULL[item[0] : item[1]].startswith("| Monitor nextUpdate")
    con.execute("UPDATE comments SET raw_text = raw_text || '\nedited' WHERE id = 13")
    assert parse_corpus(con).bugs_parsed == 1
    con.close()
    res = CliRunner().invoke(app, ["show", "1900001", "--data-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for expected in ("question", "Action items", "Monitor nextUpdate", "warning", "timeline".title()):
        assert expected in res.output
