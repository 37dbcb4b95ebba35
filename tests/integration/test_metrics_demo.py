"""Metrics on the demo corpus, served by the devserver, harvested and parsed like a live corpus.

The planted behaviours in data/demo-corpus/bugs/*.yaml are the ground truth: per kind, the set the metrics
report must equal the set planted (found, and nothing unplanted).
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ca_incidents.bundled import bundled_dir
from ca_incidents.cli import app
from ca_incidents.corpus import parse_whiteboard
from ca_incidents.metrics.build import Metrics, compute, write_metrics
from ca_incidents.metrics.deadlines import MISSED_UPDATE_RULES
from ca_incidents.metrics.digest import build_digest, render_html, render_text, source_base
from ca_incidents.metrics.dossier import build_dossier
from ca_incidents.metrics.dossier import render_html as dossier_html
from tests.conftest import copy_store

pytestmark = pytest.mark.integration
DEMO = bundled_dir("demo-corpus")
AS_OF = datetime(2026, 11, 29, 23, 59, 59)  # the demo corpus's "today" (README: open_state)


@pytest.fixture(scope="session")
def metrics_store(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared demo store with its metrics rewritten as of the demo corpus's day (not the harvest's clock)."""
    from ca_incidents.corpus import connect

    data_dir = copy_store(demo_store, tmp_path_factory.mktemp("demo-metrics"))
    con = connect(data_dir)
    write_metrics(con, compute(con, AS_OF))
    con.close()
    return data_dir


@pytest.fixture(scope="session")
def demo(metrics_store: Path):
    from ca_incidents.corpus import connect

    con = connect(metrics_store, read_only=True)
    yield con, compute(con, AS_OF)
    con.close()


def _planted() -> dict[str, list[tuple[int, dict]]]:
    out: dict[str, list[tuple[int, dict]]] = {}
    for path in sorted((DEMO / "bugs").glob("*.yaml")):
        bug = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in bug.get("planted") or []:
            out.setdefault(item["kind"], []).append((int(bug["id"]), item))
    return out


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _counts(m: Metrics) -> dict[int, int]:
    return {c.id: c.count for b in m.bugs for c in b.comments}


def _found(kind: str, m: Metrics) -> set[tuple]:
    """What the metrics report for one planted kind, in the planted items' own keys."""
    count = _counts(m)
    qs = m.questions
    if kind == "late_answer":
        late = [q for q in qs if q["is_answered"] and q["status"] == "missed"]
        return {(q["bug_id"], q["question_count"], q["answer_count"]) for q in late}
    if kind == "unanswered_question":
        return {(q["bug_id"], q["question_count"]) for q in qs if not q["is_answered"]}
    if kind == "answer_after_reminder":
        after = [q for q in qs if q["is_after_reminder"]]
        return {(q["bug_id"], q["question_count"], q["reminder_counts"][0], q["answer_count"]) for q in after}
    if kind == "missed_update":
        return {
            (d.bug_id, _day(d.due_date), count.get(d.done_comment_id))
            for d in m.deadlines
            if d.rule in MISSED_UPDATE_RULES and d.status == "missed"
        }
    if kind in ("late_preliminary", "late_full_report"):
        rule = "first_report" if kind == "late_preliminary" else "full_report"
        return {
            (d.bug_id, count[d.done_comment_id])
            for d in m.deadlines
            if d.rule == rule and d.status == "missed" and d.done_comment_id
        }
    if kind == "slipped_due_date":
        return {(c.bug_id, c.old_value, c.new_value, c.comment_count) for c in m.item_changes if c.change == "slipped"}
    if kind == "dropped_action_item":
        return {(c.bug_id, c.comment_count) for c in m.item_changes if c.change == "dropped"}
    if kind in ("unexplained_count_change", "explained_count_change"):
        want = kind == "explained_count_change"
        return {(c.bug_id, c.from_count, c.to_count, c.comment_count) for c in m.counts if c.is_explained == want}
    if kind == "disclosure_disagreement":
        return {d.bug_id for d in m.disclosures if d.is_disagreement}
    if kind == "recurrence":
        return {(r.bug_id, r.earlier_bug_id, r.is_named) for r in m.recurrences if r.kind == "same_ca"}
    if kind == "copied_passage":
        return {(p.bug_id, p.comment_count, p.source_bug_id, p.source_comment_count) for p in m.pairs}
    raise AssertionError(kind)


def _expected(kind: str, items: list[tuple[int, dict]]) -> set[tuple]:
    keys = {
        "late_answer": ("question", "answer"), "unanswered_question": ("question",),
        "answer_after_reminder": ("question", "reminder", "answer"), "late_preliminary": ("report",),
        "late_full_report": ("report",), "dropped_action_item": ("comment",),
        "unexplained_count_change": ("from", "to", "comment"), "explained_count_change": ("from", "to", "comment"),
        "recurrence": ("earlier_bug", "listed_in_related"),
        "copied_passage": ("comment", "source_bug", "source_comment"),
    }  # fmt: skip
    out: set[tuple] = set()
    for bug, item in items:
        if kind == "missed_update":
            out.add((bug, _day(item["due"]), item["next_ca_comment"]))
        elif kind == "slipped_due_date":
            out.add((bug, _day(item["from"]), _day(item["to"]), item["comment"]))
        elif kind == "disclosure_disagreement":
            out.add(bug)
        elif kind == "copied_passage":
            out.add((bug, item["comment"], item["source_bug"], item["source_comment"]))
        else:
            out.add((bug, *(item[k] for k in keys[kind])))
    return out


KINDS = [
    "late_answer", "unanswered_question", "answer_after_reminder", "missed_update", "late_preliminary",
    "late_full_report", "dropped_action_item", "unexplained_count_change", "explained_count_change",
    "disclosure_disagreement", "copied_passage", "slipped_due_date", "recurrence",
]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_planted_behaviour_is_found_and_nothing_else(kind: str, demo) -> None:
    _, m = demo
    expected = _expected(kind, _planted().get(kind, []))
    assert expected, f"the demo corpus plants no {kind}"
    assert _found(kind, m) == expected


def test_planted_items_name_the_right_action_items(demo) -> None:
    _, m = demo
    changes = {(c.bug_id, c.comment_count, c.change): c.item.lower() for c in m.item_changes}
    for kind, change in (("slipped_due_date", "slipped"), ("dropped_action_item", "dropped")):
        for bug, item in _planted()[kind]:
            text = changes.get((bug, item["comment"], change))
            if text is not None:
                assert text.startswith(item["item"].lower()[:25]), (bug, text)


def test_tables_are_written_with_counts_beside_rates(demo) -> None:
    con, m = demo
    names = [r[0] for r in con.execute("DESCRIBE ca_metrics").fetchall()]
    for name in names:
        if name.startswith("rate_"):
            assert any(n.startswith("n_") for n in names)
    row = con.execute(
        "SELECT n_incidents, n_questions, n_questions_late, rate_questions_late FROM ca_metrics "
        "WHERE ca_owner = 'Meridian Digital Identity' AND period = 'all'"
    ).fetchone()
    meridian = [r for r in m.incidents if r["ca_owner"] == "Meridian Digital Identity"]
    assert row[0] == len(meridian) and row[1] == sum(r["n_questions"] for r in meridian)
    assert row[2] == sum(r["n_questions_late"] for r in meridian) >= 3
    assert row[3] == pytest.approx(row[2] / row[1], abs=1e-4)
    years = con.execute(
        "SELECT sum(n_incidents) FROM ca_metrics WHERE ca_owner = 'Meridian Digital Identity' AND period <> 'all'"
    ).fetchone()[0]
    assert years == len(meridian)
    assert con.execute("SELECT count(*) FROM incident_metrics").fetchone()[0] == len(m.bugs)


def test_every_null_metric_says_why(demo) -> None:
    con, _ = demo
    frame = con.execute("SELECT * FROM incident_metrics").df()
    for _, row in frame.iterrows():
        for column in ("first_response_hours", "first_report_hours", "full_report_days", "median_answer_hours",
                       "disclosure_stated"):  # fmt: skip
            if row[column] is None or row[column] != row[column]:
                assert any(r.startswith(column + ":") for r in row["missing_reasons"]), (row["bug_id"], column)


# -- traceability ----------------------------------------------------------------------------------------------
def test_deadline_rows_lead_back_to_the_comments_and_history_they_cite(demo) -> None:
    con, m = demo
    rows = [d for d in m.deadlines if d.rule in MISSED_UPDATE_RULES and d.status in ("met", "missed")]
    assert len(rows) > 20
    for d in rows[::3]:
        if d.done_comment_id is not None:
            creator, time, bug = con.execute(
                "SELECT creator, creation_time, bug_id FROM comments WHERE id = ?", [d.done_comment_id]
            ).fetchone()
            assert bug == d.bug_id and time == d.done_time
            assert (time <= d.due_time) == (d.status == "met")
            assert "root-program" not in creator and "community" not in creator
        if d.rule == "next_update" and d.set_history_seq is not None:
            added = con.execute(
                "SELECT added FROM history WHERE bug_id = ? AND seq = ?", [d.bug_id, d.set_history_seq]
            ).fetchone()[0]
            assert parse_whiteboard(added).next_update == d.due_date


def test_ledger_and_counts_lead_back_to_their_comments(demo) -> None:
    con, m = demo
    for q in [q for q in m.questions if q["answer_comment_id"]][::2]:
        asked = con.execute("SELECT creation_time, creator FROM comments WHERE id = ?", [q["question_comment_id"]])
        asked_time, asker = asked.fetchone()
        answered = con.execute("SELECT creation_time FROM comments WHERE id = ?", [q["answer_comment_id"]])
        assert asked_time == q["asked_time"] and asker == q["asker"]
        assert answered.fetchone()[0] - asked_time == q["answer_time"] - q["asked_time"]
    for c in m.counts:
        text = con.execute("SELECT raw_text FROM comments WHERE id = ?", [c.comment_id]).fetchone()[0]
        assert f"{c.to_count:,}" in text or str(c.to_count) in text
        if c.explanation:
            assert c.explanation in text
    for p in m.pairs:
        a = con.execute("SELECT raw_text FROM comments WHERE id = ?", [p.comment_id]).fetchone()[0]
        b = con.execute("SELECT raw_text FROM comments WHERE id = ?", [p.source_comment_id]).fetchone()[0]
        words = re.findall(r"[a-z]{5,}", a[p.start : p.end].lower())
        assert words and sum(w in b.lower() for w in words) >= 0.8 * len(words)


# -- digest and dossier -----------------------------------------------------------------------------------------
def test_digest_replays_a_past_day(demo) -> None:
    con, _ = demo
    m, lines = build_digest(con, datetime(2024, 6, 17, 23, 59))
    overdue = [(line.bug_id, line.section) for line in lines if line.section == "update_overdue"]
    assert overdue == [(9000117, "update_overdue")]  # Next update 2024-06-14 passed; the CA posts on 06-20
    assert all(c.time <= m.as_of for b in m.bugs for c in b.comments)
    assert max(b.creation_time for b in m.bugs) <= m.as_of
    # a day later the CA has posted: the item is gone
    _, later = build_digest(con, datetime(2024, 6, 21))
    assert (9000117, "update_overdue") not in [(line.bug_id, line.section) for line in later]
    # the unanswered audit question of 9000105 shows while that bug is open, with a link to the question
    _, then = build_digest(con, datetime(2023, 6, 1))
    hit = [line for line in then if line.section == "question_unanswered" and line.bug_id == 9000105]
    assert hit and hit[0].comment_count == 1
    base = source_base(con)
    text = render_text(then, datetime(2023, 6, 1), base)
    assert f"{base}/show_bug.cgi?id=9000105#c1" in text
    page = render_html(then, datetime(2023, 6, 1), base)
    assert f'href="{base}/show_bug.cgi?id=9000105#c1"' in page


def test_late_preliminary_shows_in_the_digest_only_before_the_report(demo) -> None:
    con, _ = demo
    _, lines = build_digest(con, datetime(2024, 2, 9))
    assert [line.bug_id for line in lines if line.section == "no_report"] == [9000114]
    _, lines = build_digest(con, datetime(2024, 2, 11))
    assert 9000114 not in [line.bug_id for line in lines if line.section == "no_report"]


def test_html_escapes_bugzilla_text(demo) -> None:
    con, m = demo
    bug = next(b for b in m.bugs if b.ca_owner == "Aurora PKI")
    bug.summary = 'Aurora PKI: <script>alert("x")</script>'
    page = dossier_html(build_dossier(con, m, "Aurora PKI", "https://bugzilla.example"))
    assert "<script>" not in page and html.escape("<script>") in page


def test_cli_metrics_dossier_digest(demo_store: Path, tmp_path: Path) -> None:
    demo_store = copy_store(demo_store, tmp_path)  # metrics writes to it
    runner = CliRunner()
    out = runner.invoke(app, ["metrics", "--data-dir", str(demo_store)])
    assert out.exit_code == 0, out.output
    assert "incident_metrics: 64 rows" in out.output or "incident_metrics:" in out.output
    page = tmp_path / "d.html"
    out = runner.invoke(app, ["dossier", "Tessera Certification", "--html", str(page), "--data-dir", str(demo_store)])
    assert out.exit_code == 0, out.output
    assert "bug 9000107" in out.output and "Deadlines missed" in out.output
    assert "<h1>Dossier: Tessera Certification</h1>" in page.read_text()
    out = runner.invoke(app, ["digest", "--as-of", "2020-07-01", "--data-dir", str(demo_store)])
    assert out.exit_code == 0, out.output
    assert "bug 9000011" in out.output  # Next update 2020-06-30 passed with no CA post
    out = runner.invoke(app, ["dossier", "No Such CA", "--data-dir", str(demo_store)])
    assert out.exit_code == 1


OPEN_STATES = {
    "overdue_for_update": "update_overdue",
    "unanswered_question_over_7_days": "question_unanswered",
    "action_item_past_due": "action_item_overdue",
    "closure_summary_awaiting_review": "closure_review",
}


def test_digest_on_the_demo_day_lists_exactly_the_planted_open_states(demo) -> None:
    con, _ = demo
    _, lines = build_digest(con, AS_OF)
    planted = _planted()
    expected = {(bug, OPEN_STATES[item["state"]]) for bug, item in planted["open_state"]}
    expected |= {(bug, "update_overdue") for bug, item in planted["missed_update"] if item["next_ca_comment"] is None}
    assert {(line.bug_id, line.section) for line in lines} == expected
