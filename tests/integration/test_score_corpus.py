"""Scoring end to end: spans inside their sections on every gold report, determinism, incremental runs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from ca_incidents.corpus import connect
from ca_incidents.parse.corpus import parse_corpus
from ca_incidents.score.corpus import score_corpus
from ca_incidents.score.scorer import score_report

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
GOLD_REPORTS = sorted((ROOT / "tests" / "gold" / "parser").glob("*/*.md"))
DEMO = sorted((ROOT / "data" / "demo-corpus" / "bugs").glob("*.yaml"))


def _posted(md: Path) -> datetime | None:
    meta = json.loads(md.with_suffix(".json").read_text(encoding="utf-8"))
    return datetime.fromisoformat(meta["posted_at"].replace("Z", "")) if meta.get("posted_at") else None


@pytest.mark.parametrize("md", GOLD_REPORTS, ids=lambda p: p.stem)
def test_every_finding_lies_inside_its_section_and_scoring_is_deterministic(md: Path) -> None:
    text = md.read_text(encoding="utf-8")
    first = score_report(text, posted_at=_posted(md))
    assert first.parsed is not None
    for f in first.findings:
        assert 0 <= f.start < f.end <= len(text), f
        if f.section is not None:
            assert any(s.name == f.section and s.start <= f.start and f.end <= s.end for s in first.parsed.sections), f
    again = score_report(text, posted_at=_posted(md))
    assert again.findings == first.findings and again.score == first.score


def _load_demo(con, files: list[Path]) -> None:  # type: ignore[no-untyped-def]
    cid = 1
    for path in files:
        bug = yaml.safe_load(path.read_text(encoding="utf-8"))
        con.execute(
            "INSERT INTO bugs (id, summary, creation_time, assigned_to) VALUES (?, ?, ?, ?)",
            [bug["id"], bug["summary"], bug["creation_time"], bug.get("assigned_to")],
        )
        for count, c in enumerate(bug["comments"]):
            con.execute(
                "INSERT INTO comments (id, bug_id, count, creator, creation_time, text, raw_text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [cid, bug["id"], count, c["author"], c["time"], c["text"], c["text"]],
            )
            cid += 1


def test_score_is_incremental(tmp_path: Path) -> None:
    con = connect(tmp_path)
    _load_demo(con, DEMO[:12])
    parse_corpus(con)
    first = score_corpus(con)
    assert first.reports_scored > 0 and first.reports_scored == first.reports_seen
    rows = con.execute("SELECT count(*), min(composite), max(composite) FROM report_scores").fetchone()
    assert rows[0] == first.reports_scored and 0 <= rows[1] <= rows[2] <= 100
    n_findings = con.execute("SELECT count(*) FROM findings").fetchone()[0]
    assert n_findings == first.findings

    second = score_corpus(con)
    assert second.reports_scored == 0 and second.reports_unchanged == first.reports_scored

    cid = con.execute("SELECT comment_id FROM reports ORDER BY comment_id LIMIT 1").fetchone()[0]
    con.execute("UPDATE comments SET raw_text = raw_text || '\nThis has no security impact.' WHERE id = ?", [cid])
    parse_corpus(con)
    third = score_corpus(con)
    assert third.reports_scored >= 1 and third.reports_scored < first.reports_scored
    rules = {r[0] for r in con.execute("SELECT rule FROM findings WHERE comment_id = ?", [cid]).fetchall()}
    assert "unsubstantiated-claim" in rules
    con.close()
