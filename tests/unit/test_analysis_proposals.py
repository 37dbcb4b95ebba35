"""Proposals: schema errors name the line; each check judges reports as documented; the CLI prints a table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ca_incidents.analysis.loaders import Corpus
from ca_incidents.analysis.proposals import VOCABULARY, ProposalError, evaluate, load_proposal, parse_proposal
from ca_incidents.cli import app

PROPOSALS_DIR = Path(__file__).resolve().parents[2] / "proposals"
T = pd.Timestamp


def _corpus() -> Corpus:
    """Two bugs of two CAs: bug 1 (v3.1) a model report, bug 2 (legacy) a weak one."""
    bugs = pd.DataFrame({
        "id": [1, 2], "ca_owner": ["Alpha CA", "Beta CA"], "status": ["RESOLVED", "RESOLVED"],
        "creation_time": [T("2025-08-01 10:00"), T("2019-05-01 10:00")],
        "cf_last_resolved": [T("2025-12-01"), T("2019-09-01")],
        "whiteboard_tags": [["ca-compliance", "crl-failure"], ["ca-compliance"]],
    })  # fmt: skip
    reports = pd.DataFrame({
        "comment_id": [11, 12, 21], "bug_id": [1, 1, 2], "count": [1, 3, 2],
        "role": ["full", "update", "legacy"], "report_type": ["full", "update", "legacy"],
        "era": ["v3.1", "v3.1", "legacy"], "era_in_force": ["v3.1", "v3.1", "legacy"], "is_ca_side": [True] * 3,
        "creation_time": [T("2025-08-05 09:00"), T("2025-09-10"), T("2019-05-30")],
        "total_certificates": [10, None, None], "disclosure_source": ["self", None, None],
    })  # fmt: skip
    sections = pd.DataFrame({"comment_id": [11, 11, 11, 21], "seq": [0, 1, 2, 0],
                             "name": ["root_cause", "action_items", "lessons_learned", "root_cause"]})  # fmt: skip
    items = pd.DataFrame({
        "comment_id": [11, 11, 21, 21], "seq": [0, 1, 0, 1], "text": ["a", "b", "c", "d"],
        "kind": ["prevent", "detect", None, None], "root_causes": ["1", "2", None, None],
        "evaluation_criteria": ["x", "y", None, None], "status": ["ongoing", "ongoing", None, None],
        "due_date": [T("2025-09-15"), T("2025-10-20"), T("2019-07-01"), None],
    })  # fmt: skip
    causes = pd.DataFrame({"comment_id": [11, 11, 21], "seq": [0, 1, 0]})
    events = pd.DataFrame({"comment_id": [11, 11, 21], "seq": [0, 1, 0], "has_time": [True, True, False],
                           "has_zone": [True, True, False]})  # fmt: skip
    roles = pd.DataFrame({
        "comment_id": [10, 11, 12, 13, 20, 21], "bug_id": [1, 1, 1, 1, 2, 2], "count": [0, 1, 3, 4, 0, 2],
        "role": ["other", "full", "update", "update", "other", "legacy"], "is_ca_side": [True] * 6,
        "creation_time": [T("2025-08-01 10:00"), T("2025-08-05 09:00"), T("2025-09-10"), T("2025-11-30"),
                          T("2019-05-01 10:00"), T("2019-05-30")],
    })  # fmt: skip
    history = pd.DataFrame(
        {
            "bug_id": [1, 1],
            "seq": [0, 1],
            "field_name": ["whiteboard", "whiteboard"],
            "added": ["[ca-compliance] Next update 2025-08-20", "[ca-compliance] Next update 2025-09-12"],
        }
    )
    tables = {"bugs": bugs, "reports": reports, "sections": sections, "action_items": items, "root_causes": causes,
              "timeline_events": events, "comment_roles": roles, "history": history}  # fmt: skip
    return Corpus(tables, "0" * 64, "test")


def _evaluate(text: str) -> pd.DataFrame:
    return evaluate(parse_proposal(text, "p.yaml"), _corpus()).units.set_index("bug_id")


def test_every_example_proposal_is_valid_and_covers_the_required_ideas():
    files = sorted(PROPOSALS_DIR.glob("*.yaml"))
    assert len(files) >= 5
    checks = {load_proposal(f).check for f in files}
    assert {"action_items_have", "section_present", "auto_next_update", "report_within", "root_causes_mapped"} <= checks


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("name: x\ntitle: t\nrule:\n  section_present: {section: lessons_learned\n", 5, "invalid YAML"),
        ("name: x\ntitle: t\nrule:\n  section_present:\n    section: a\n   bad: 1\n", 6, "invalid YAML"),
        ("name: x\ntitle: t\nrule:\n  no_such_check: {}\n", 4, "unknown check 'no_such_check'"),
        ("name: x\ntitle: t\nrule:\n  report_within:\n    days: seven\n", 5, "expected int"),
        ("name: x\ntitle: t\nrule:\n  report_within: {}\n", 4, "needs option 'days'"),
        ("name: x\ntitle: t\napplies_to:\n  eras: [v9]\nrule:\n  section_present: {section: a}\n", 4, "'v9'"),
        ("name: Bad Name\ntitle: t\nrule:\n  section_present: {section: a}\n", 1, "lower-case"),
        ("name: x\ntitle: t\nsurprise: 1\nrule:\n  section_present: {section: a}\n", 3, "unknown key 'surprise'"),
        ("name: x\ntitle: t\n", 1, "missing required key 'rule'"),
        ("", 1, "empty"),
    ],
)
def test_malformed_proposal_error_names_the_line(text, line, fragment):
    with pytest.raises(ProposalError) as info:
        parse_proposal(text, "p.yaml")
    message = str(info.value)
    assert message.startswith(f"p.yaml:{line}:"), message
    assert fragment in message


def test_section_present_judges_each_report_and_counts_the_burden():
    units = _evaluate("name: ll\ntitle: t\napplies_to: {report_types: [full, legacy]}\n"
                      "rule: {section_present: {section: lessons_learned}}\n")  # fmt: skip
    assert bool(units.loc[1, "passes"]) and not bool(units.loc[2, "passes"])
    assert units.loc[2, "reason"] == "no 'lessons_learned' section"
    assert (units.loc[1, "sections_to_add"], units.loc[2, "sections_to_add"]) == (0, 1)


def test_action_items_have_due_dates():
    units = _evaluate("name: d\ntitle: t\nrule: {action_items_have: {fields: [due_date]}}\n")
    assert bool(units.loc[1, "passes"])
    assert units.loc[2, "reason"] == "1 of 2 action items lack due_date"
    assert units.loc[2, "items_to_complete"] == 1


def test_root_causes_mapped_to_prevent_actions():
    units = _evaluate("name: p\ntitle: t\nrule: {root_causes_mapped: {action_kind: prevent}}\n")
    assert not bool(units.loc[1, "passes"])  # cause 2 only has a detect item
    assert units.loc[1, "reason"] == "root cause(s) 2 have no prevent action item"
    assert not bool(units.loc[2, "passes"])  # legacy: items reference no cause


def test_report_within_days():
    units = _evaluate("name: f\ntitle: t\nrule: {report_within: {days: 7}}\n")
    assert bool(units.loc[1, "passes"])  # 3.96 days
    assert not bool(units.loc[2, "passes"])  # 28.6 days
    assert units.loc[2, "days_to_bring_forward"] == 22
    assert units.loc[2, "reason"] == "full/legacy/audit report after 28.6 days"


def test_auto_next_update_walks_the_open_due_dates():
    units = _evaluate("name: a\ntitle: t\nrule: {auto_next_update: {}}\n")
    bug1 = units.loc[1]
    # open items due 2025-09-15 and 2025-10-20: two automatic dates; posts on 09-10 (meets the first) and
    # 11-30 (after the second): one missed
    assert bug1["auto_checkpoints"] == 2 and bug1["met"] == 1 and bug1["updates_missed"] == 1
    assert bug1["ca_updates_posted"] == 2 and bug1["manual_next_updates"] == 2
    assert not bool(bug1["passes"])
    assert bug1["reason"] == "1 of 2 automatic Next update dates passed with no CA post"
    assert units.loc[2, "auto_checkpoints"] == 1  # legacy item due 2019-07-01, no post by then


def test_auto_next_update_stops_at_items_completed_in_a_later_revision():
    corpus = _corpus()
    revision = pd.DataFrame({
        "comment_id": [12, 12], "seq": [0, 1], "text": ["a", "b"], "kind": ["prevent", "detect"],
        "root_causes": ["1", "2"], "evaluation_criteria": ["x", "y"], "status": ["ongoing", "complete"],
        "due_date": [T("2025-09-15"), T("2025-10-20")],
    })  # fmt: skip
    corpus.tables["action_items"] = pd.concat([corpus.tables["action_items"], revision], ignore_index=True)
    proposal = parse_proposal("name: a\ntitle: t\nrule: {auto_next_update: {}}\n")
    bug1 = evaluate(proposal, corpus).units.set_index("bug_id").loc[1]
    assert (bug1["auto_checkpoints"], bug1["met"]) == (1, 1)  # the 10-20 item was done by 09-10
    assert bool(bug1["passes"]) and bug1["updates_saved"] == 1


def test_compliance_tables_by_era_and_ca():
    result = evaluate(parse_proposal("name: d\ntitle: t\nrule: {action_items_have: {fields: [due_date]}}\n"), _corpus())
    overall = result.compliance()
    assert overall.loc[0, "units"] == 2 and overall.loc[0, "passing"] == 1
    assert 0 < overall.loc[0, "ci_low"] < 0.5 < overall.loc[0, "ci_high"] < 1
    assert result.compliance("era")["era"].tolist() == ["legacy", "v3.1"]
    assert result.compliance("ca_owner")["ca_owner"].tolist() == ["Alpha CA", "Beta CA"]
    assert result.failing()["link"].tolist() == ["https://bugzilla.mozilla.org/show_bug.cgi?id=2#c2"]


def test_finding_absent_without_score_stage_says_what_to_run():
    with pytest.raises(ProposalError, match="ca-incidents score"):
        _evaluate("name: f\ntitle: t\nrule: {finding_absent: {rule: vague-action}}\n")


def test_vocabulary_is_documented_in_the_readme():
    readme = (PROPOSALS_DIR / "README.md").read_text(encoding="utf-8")
    for check in VOCABULARY:
        assert f"`{check}`" in readme, check


def test_cli_reports_malformed_file_with_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntitle: t\nrule:\n  section_present: [oops\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["proposal", "evaluate", str(bad), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{bad}:5:" in result.output
    assert "Traceback" not in result.output


def test_cli_without_a_corpus_names_the_missing_step(tmp_path):
    proposal = PROPOSALS_DIR / "lessons-learned.yaml"
    result = CliRunner().invoke(app, ["proposal", "evaluate", str(proposal), "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 2  # a missing stage is a usage error (tests/unit/test_stage_prerequisites.py)
    assert "ca-incidents harvest" in result.output
    assert "Traceback" not in result.output


def test_report_without_a_corpus_names_the_missing_step(tmp_path):
    result = CliRunner().invoke(app, ["report", "--data-dir", str(tmp_path / "none"), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "ca-incidents harvest" in result.output
