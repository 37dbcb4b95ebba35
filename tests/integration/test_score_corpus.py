"""Scoring end to end: spans inside their sections on every gold report, determinism, incremental runs, and the
batched corpus path (stored parses, one spaCy pass per chunk, remembered parses) giving the per-report results."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from unittest import mock

import pytest
import yaml

from ca_incidents.corpus import connect
from ca_incidents.parse import parse_report
from ca_incidents.parse.corpus import parse_corpus
from ca_incidents.parse.lines import mask_spans
from ca_incidents.score import corpus as score_corpus_module
from ca_incidents.score.corpus import score_corpus
from ca_incidents.score.nlp import DocCache, load
from ca_incidents.score.scorer import ReportInput, ScoredReport, score_report, score_reports
from ca_incidents.score.stored import StaleParse, stored_parses

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
GOLD_REPORTS = sorted((ROOT / "src" / "ca_incidents" / "data" / "gold" / "parser").glob("*/*.md"))
GOLD_DEV = sorted((ROOT / "src" / "ca_incidents" / "data" / "gold" / "parser" / "dev").glob("*.md"))
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


def _load_demo(con, files: list[Path], id_offset: int = 0) -> None:  # type: ignore[no-untyped-def]
    cid = (con.execute("SELECT max(id) FROM comments").fetchone()[0] or 0) + 1
    for path in files:
        bug = yaml.safe_load(path.read_text(encoding="utf-8"))
        bug_id = bug["id"] + id_offset
        con.execute(
            "INSERT INTO bugs (id, summary, creation_time, assigned_to) VALUES (?, ?, ?, ?)",
            [bug_id, bug["summary"], bug["creation_time"], bug.get("assigned_to")],
        )
        for count, c in enumerate(bug["comments"]):
            con.execute(
                "INSERT INTO comments (id, bug_id, count, creator, creation_time, text, raw_text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [cid, bug_id, count, c["author"], c["time"], c["text"], c["text"]],
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


def _verdict(result: ScoredReport) -> tuple[object, ...]:
    return (result.era, result.report_type, result.findings, result.score)


def test_batched_scoring_gives_the_per_report_results_on_the_gold_reports() -> None:
    """``score_reports`` (one spaCy pass over many reports, parses remembered) == ``score_report`` one by one."""
    reports = [ReportInput(md.read_text(encoding="utf-8"), posted_at=_posted(md)) for md in GOLD_DEV]
    expected = [_verdict(score_report(r.text, posted_at=r.posted_at)) for r in reports]
    remembering = DocCache(load)
    assert [_verdict(r) for r in score_reports(reports, remembering)] == expected
    parsed = remembering.parsed
    assert parsed > 0 and parsed < remembering.requested  # gold reports repeat some items
    assert [_verdict(r) for r in score_reports(reports[::-1], remembering)] == expected[::-1]
    assert remembering.parsed == parsed  # the second pass came from memory
    forgetting = DocCache(load, max_chars=0)
    assert [_verdict(r) for r in score_reports(reports, forgetting)] == expected


QUOTE = "(In reply to Root Store from comment #1)\n> Please say when this was fixed.\n\n"


@pytest.fixture(scope="module")
def scored_demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo corpus plus a second copy of some bugs (repeated texts across chunks), one report quoting a
    comment (its own text is what the parse stage parsed), scored by ``score_corpus`` in small chunks."""
    con = connect(tmp_path_factory.mktemp("scored"))
    _load_demo(con, DEMO)
    _load_demo(con, DEMO[:8], id_offset=10**6)
    parse_corpus(con)
    quoted = con.execute("SELECT min(comment_id) FROM reports WHERE report_type = 'full'").fetchone()[0]
    con.execute("UPDATE comments SET raw_text = ? || raw_text WHERE id = ?", [QUOTE, quoted])
    parse_corpus(con)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(score_corpus_module, "_CHUNK", 37)
        stats = score_corpus(con)
    yield con, stats, quoted
    con.close()


def _reference(con, cid: int) -> tuple[str, datetime, ScoredReport]:  # type: ignore[no-untyped-def]
    """What ``score_report`` says about the comment's own text (quotes blanked, as the parse stage read it)."""
    era = con.execute("SELECT era FROM reports WHERE comment_id = ?", [cid]).fetchone()[0]
    text, when, spans = con.execute(
        "SELECT c.raw_text, c.creation_time, q.quoted_spans FROM comments c "
        "JOIN comment_roles q ON q.comment_id = c.id WHERE c.id = ?",
        [cid],
    ).fetchone()
    own = mask_spans(text, [(q["start"], q["end"]) for q in json.loads(spans)])
    return own, when, score_report(own, posted_at=when, era=era)


def test_score_corpus_stores_what_score_report_says_about_each_report(scored_demo) -> None:  # type: ignore[no-untyped-def]
    con, stats, quoted = scored_demo
    ids = [r[0] for r in con.execute("SELECT comment_id FROM reports ORDER BY comment_id").fetchall()]
    assert stats.reports_scored == len(ids) > 37 * 3 and quoted in ids
    assert 0 < stats.nlp_parsed < stats.nlp_texts
    for cid in ids:
        _, _, ref = _reference(con, cid)
        findings = con.execute('SELECT rule, severity, message, "start", "end", section FROM findings '
                               "WHERE comment_id = ? ORDER BY seq", [cid]).fetchall()  # fmt: skip
        assert findings == [(f.rule, f.severity, f.message, f.start, f.end, f.section) for f in ref.findings], cid
        era, report_type, comp, breakdown, errors = con.execute(
            "SELECT era, report_type, composite, breakdown, n_errors FROM report_scores WHERE comment_id = ?", [cid]
        ).fetchone()
        assert (era, report_type, comp) == (ref.era, ref.report_type, ref.score.composite), cid
        assert [(c["criterion"], c["score"], tuple(c["rules"])) for c in json.loads(breakdown)] == [
            (c.criterion, c.score, c.findings) for c in ref.score.criteria
        ], cid
        assert errors == sum(f.severity == "error" for f in ref.findings)
    quoted_findings = con.execute('SELECT "start" FROM findings WHERE comment_id = ?', [quoted]).fetchall()
    assert quoted_findings and all(start >= len(QUOTE) for (start,) in quoted_findings)  # none in the quote


def test_score_reads_the_stored_parse_and_never_parses_again(scored_demo) -> None:  # type: ignore[no-untyped-def]
    con, _, quoted = scored_demo
    ids = [r[0] for r in con.execute("SELECT comment_id FROM reports ORDER BY comment_id").fetchall()]
    with mock.patch("ca_incidents.parse.report._parse") as parse:
        stats = score_corpus(con, force=True)
        stored = stored_parses(con, ids)
    assert parse.call_count == 0  # parse_report swallows errors, so count calls rather than raise
    assert stats.reports_scored == len(ids) == len(stored)
    own, raw = stored[quoted].text, con.execute("SELECT raw_text FROM comments WHERE id = ?", [quoted]).fetchone()[0]
    assert own[: len(QUOTE)].strip() == "" and own[len(QUOTE) :] == raw[len(QUOTE) :]  # offsets unchanged
    for cid in [*ids[:20], quoted]:
        fresh = parse_report(stored[cid].text, stored[cid].posted_at)
        kept = stored[cid].parsed
        kept.timeline = fresh.timeline  # timestamps come back as stored (UTC, naive); no detector reads them
        assert kept == fresh, cid


def test_score_refuses_a_parse_older_than_the_comments(tmp_path: Path) -> None:
    con = connect(tmp_path)
    _load_demo(con, DEMO[:3])
    parse_corpus(con)
    cid = con.execute("SELECT min(comment_id) FROM reports").fetchone()[0]
    con.execute("UPDATE comments SET raw_text = raw_text || ' edited' WHERE id = ?", [cid])
    with pytest.raises(StaleParse, match="run `ca-incidents parse` first"):
        score_corpus(con)
    parse_corpus(con)
    assert score_corpus(con).reports_scored > 0


def test_a_comment_that_is_no_report_is_stored_without_a_composite(tmp_path: Path) -> None:
    """A CA comment the roles count as an update but that holds no report gets a row with a NULL composite (and no
    findings) instead of a perfect 100, also in a store whose table was created before the column was nullable."""
    con = connect(tmp_path)
    con.execute(
        "CREATE TABLE report_scores (comment_id BIGINT PRIMARY KEY, bug_id BIGINT NOT NULL, text_sha256 VARCHAR NOT "
        "NULL, parser_version VARCHAR NOT NULL, rubric_version VARCHAR NOT NULL, era VARCHAR, report_type VARCHAR "
        "NOT NULL, composite DOUBLE NOT NULL, root_cause_score DOUBLE, actions_score DOUBLE, timeline_score DOUBLE, "
        "conformance_score DOUBLE, thoroughness_score DOUBLE, candour_score DOUBLE, breakdown JSON, n_errors INTEGER "
        "NOT NULL, n_warnings INTEGER NOT NULL, scored_at TIMESTAMP)"
    )
    ca = "pki@larkspur.example"
    con.execute("INSERT INTO bugs (id, summary, creation_time, assigned_to) VALUES (1, 'Larkspur: x', ?, ?)",
                [datetime(2024, 5, 1), ca])  # fmt: skip
    texts = [
        "We are still waiting for the vendor's answer; we will post the next update on Friday.",
        "The outage was caused by a full disk. We moved the logs to a larger volume on 2024-05-02.",
    ]
    for count, text in enumerate(texts):
        con.execute(
            "INSERT INTO comments (id, bug_id, count, creator, creation_time, text, raw_text) VALUES (?,1,?,?,?,?,?)",
            [count + 1, count, ca, datetime(2024, 5, 2 + count), text, text],
        )
    parse_corpus(con)
    score_corpus(con)
    rows = con.execute(
        "SELECT s.comment_id, r.role, s.report_type, s.composite, s.breakdown, s.n_errors FROM report_scores s "
        "JOIN reports r USING (comment_id) ORDER BY 1"
    ).fetchall()
    assert [(cid, role, kind) for cid, role, kind, *_ in rows] == [(1, "update", "other"), (2, "informal", "informal")]
    assert rows[0][3:] == (None, "[]", 0)
    assert rows[1][3] is not None
    assert con.execute("SELECT count(*) FROM findings WHERE comment_id = 1").fetchone()[0] == 0
    con.close()
