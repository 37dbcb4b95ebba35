"""Loading a period and CA filter, the manifest hash, escaping in notebook tables, quality with findings."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ca_incidents.analysis import loaders
from ca_incidents.analysis.loaders import Corpus, era_of, parse_ca_filter, parse_date
from ca_incidents.analysis.misclass import Corrector
from ca_incidents.analysis.notebook import show
from ca_incidents.analysis.quality import clause_compliance, defect_counts, defect_examples, report_frame
from ca_incidents.score.accuracy import load_outcomes

T = pd.Timestamp


def _tables() -> dict[str, pd.DataFrame]:
    bugs = pd.DataFrame({"id": [2, 1, 3], "ca_owner": ["B", "A", "A"], "status": ["NEW"] * 3,
                         "creation_time": [T("2024-01-01"), T("2022-06-30 23:00"), T("2025-01-01")],
                         "whiteboard_tags": [[], [], []]})  # fmt: skip
    comments = pd.DataFrame({"id": [10, 20, 30], "bug_id": [1, 2, 3], "count": [0, 0, 0],
                             "raw_text": ["## Root cause\nHuman error.", "x", "y"], "text": ["", "", ""]})  # fmt: skip
    reports = pd.DataFrame({"comment_id": [10, 20, 30], "bug_id": [1, 2, 3], "count": [0, 0, 0],
                            "report_type": ["full"] * 3, "era": ["legacy", "v2.0", "v2.0"],
                            "era_in_force": ["legacy", "v2.0", "v2.0"], "is_ca_side": [True] * 3,
                            "creation_time": [T("2022-07-01"), T("2024-01-02"), T("2025-01-02")]})  # fmt: skip
    return {"bugs": bugs, "comments": comments, "reports": reports}


def test_filter_by_period_and_ca_keeps_child_rows_of_kept_bugs():
    out = loaders._filter(_tables(), date(2022, 6, 30), date(2024, 12, 31), ("A",))
    assert out["bugs"]["id"].tolist() == [1]  # the end date is inclusive of its whole day, A only
    assert out["comments"]["id"].tolist() == [10]
    assert out["reports"]["comment_id"].tolist() == [10]


def test_parameters_accept_empty_values_lists_and_strings():
    assert parse_date("") is None and parse_date(None) is None
    assert parse_date("2023-02-15") == date(2023, 2, 15)
    assert parse_ca_filter("B, A,,") == ("A", "B") == parse_ca_filter(["A", "B", " "])
    assert parse_ca_filter("") == ()


@pytest.mark.parametrize(("day", "era"), [("2023-02-14", "legacy"), ("2023-02-15", "v1.0"), ("2025-07-15", "v3.1"),
                                           ("2026-03-20", "v3.2"), ("2019-01-01", "legacy")])  # fmt: skip
def test_era_of_uses_the_effective_dates(day, era):
    assert era_of(T(day)) == era


def test_manifest_hash_of_a_store_equals_its_snapshot(tmp_path):
    from ca_incidents.corpus import connect, export_snapshot

    con = connect(tmp_path / "store")
    con.close()
    digest = loaders.corpus_manifest_sha256(tmp_path / "store")
    assert digest == export_snapshot(tmp_path / "store", tmp_path / "snap").manifest_sha256
    assert len(digest) == 64


def test_show_escapes_every_cell_and_header_and_links_bugzilla():
    table = pd.DataFrame({"<b>col</b>": ["<script>x()</script>"],
                          "link": ["https://bugzilla.mozilla.org/show_bug.cgi?id=1#c2"]})  # fmt: skip
    html = show(table, caption="<i>cap</i>").data
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;col&lt;/b&gt;" in html and "&lt;i&gt;cap&lt;/i&gt;" in html
    assert '<a href="https://bugzilla.mozilla.org/show_bug.cgi?id=1#c2">1#c2</a>' in html


def test_quality_uses_findings_and_scores_when_the_score_stage_has_run():
    tables = _tables()
    tables["findings"] = pd.DataFrame(
        {
            "comment_id": [10, 10, 20],
            "bug_id": [1, 1, 2],
            "rule": ["human-error-root-cause", "no-summary", "no-summary"],
            "severity": ["error", "warning", "warning"],
            "message": ["m1", "m2", "m3"],
            "start": [14, 0, 0],
            "end": [26, 1, 1],
        }
    )
    tables["report_scores"] = pd.DataFrame({"comment_id": [10, 20, 30], "bug_id": [1, 2, 3],
                                            "composite": [35.0, 85.0, 100.0], "root_cause_score": [20.0, 80.0, 100.0],
                                            "actions_score": [50.0, 90.0, None], "n_errors": [1, 0, 0]})  # fmt: skip
    corpus = Corpus(tables, "0" * 64, "test")
    rf = report_frame(corpus)
    assert rf.set_index("comment_id").loc[10, ["composite", "score_root_cause", "n_findings", "n_errors"]].tolist() == [
        35.0,
        20.0,
        2,
        1,
    ]
    corrector = Corrector(load_outcomes(split=None).iloc[:0], seed=1)
    counts = defect_counts(corpus, rf, corrector).set_index("rule")
    assert counts.loc["no-summary", "reports_with_finding"] == 2
    assert counts.loc["no-summary", "reports_applicable"] == 3
    assert counts.loc["no-summary", "correction"].startswith("no real-text accuracy for this rule")
    assert counts.loc["human-error-root-cause", "correction"] == (
        "no real-text accuracy measured yet for human-error-root-cause")
    assert ((counts["ci_low"] >= 0) & (counts["ci_low"] <= counts["share"]) & (counts["ci_high"] <= 1)).all()
    examples = defect_examples(corpus, ["human-error-root-cause"])
    assert examples.loc[0, "excerpt"] == "Human error."
    assert examples.loc[0, "link"] == "https://bugzilla.mozilla.org/show_bug.cgi?id=1#c0"
    clauses = clause_compliance(corpus, rf, corrector).set_index("rule")
    assert clauses.loc["no-summary", "meeting_clause"] == 1 and clauses.loc["no-summary", "reports"] == 3
