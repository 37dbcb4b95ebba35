"""`ca-incidents lint`: linter-style output, JSON findings, exit codes and bad input without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from typer.testing import CliRunner

from ca_incidents.cli import app
from ca_incidents.parse import report as report_module
from ca_incidents.score.lint import lint_text

GOLD = Path(__file__).resolve().parents[2] / "src" / "ca_incidents" / "data" / "gold" / "parser" / "dev"
DRAFT = """## Preliminary Incident Report

### Summary
- **Incident description:** Larkspur Trust issued 3 certificates with an expired CAA check result
  between 2025-09-01 and 2025-09-02; issuance from the affected path is stopped.
- **Relevant policies:** TLS BR 3.2.2.8
- **Source of incident disclosure:** Self Reported
"""

runner = CliRunner()


def _lint(tmp_path: Path, content: bytes | str, *args: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "draft.md"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path, runner.invoke(app, ["lint", str(path), *args])


def test_clean_draft_exits_zero(tmp_path: Path) -> None:
    _, result = _lint(tmp_path, DRAFT, "--posted-at", "2025-09-03")
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_error_finding_exits_one_with_linter_lines(tmp_path: Path) -> None:
    draft = (
        DRAFT.replace("- **Source of incident disclosure:** Self Reported\n", "") + "\nThis has no security impact.\n"
    )
    path, result = _lint(tmp_path, draft.replace("### Summary", "### Notes"), "--posted-at", "2025-09-03")
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{path}:") and " error missing-section " in first
    line = draft[: draft.index("This has no")].count("\n") + 1
    assert f"{path}:{line}:1: warning unsubstantiated-claim" in result.output


def test_json_findings_have_positions(tmp_path: Path) -> None:
    text = DRAFT + "\nThis has no security impact.\n"
    _, result = _lint(tmp_path, text, "--format", "json", "--era", "v3.1")
    data = json.loads(result.output)
    claim = next(f for f in data["findings"] if f["rule"] == "unsubstantiated-claim")
    assert set(claim) >= {"rule", "severity", "message", "start", "end", "line", "column"}
    assert text[claim["start"] : claim["end"]] == "This has no security impact."
    assert claim["line"] == text[: claim["start"]].count("\n") + 1 and claim["column"] == 1
    assert data["rules_era"] == "v3.1" and "sections" in data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "looks binary"),
        (b"caf\xe9 report", "not valid UTF-8"),
    ],
)
def test_bad_input_gives_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    _, result = _lint(tmp_path, content)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_empty_and_huge_files_give_a_clean_result(tmp_path: Path) -> None:
    _, empty = _lint(tmp_path, b"")
    assert empty.exit_code == 0 and "not a report: the document is empty" in empty.output
    big = ("Some free text about a certificate problem, with no template at all. " * 15000)[:1_000_000]
    _, result = _lint(tmp_path, big)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["lint", str(tmp_path / "nope.md")])
    assert missing.exit_code == 2 and "not a readable file" in missing.output


def test_bad_options_are_rejected(tmp_path: Path) -> None:
    _, era = _lint(tmp_path, DRAFT, "--era", "v9")
    _, when = _lint(tmp_path, DRAFT, "--posted-at", "yesterday")
    assert era.exit_code == 2 and "--era" in era.output
    assert when.exit_code == 2 and "--posted-at" in when.output


def test_lint_is_deterministic_on_a_gold_report() -> None:
    path = sorted(GOLD.glob("*.md"))[21]
    outputs = {runner.invoke(app, ["lint", str(path), "--format", "json"]).output for _ in range(2)}
    assert len(outputs) == 1


def test_lint_parses_its_file_once() -> None:
    """One parse serves the lint JSON and the scorer."""
    with mock.patch.object(report_module, "_parse", wraps=report_module._parse) as parse:
        data = lint_text("## Preliminary Incident Report\n### Summary\nA CRL expired.\n", era="v3.1")
    assert parse.call_count == 1
    assert data["era"] == "v3.1" and data["report_type"] == "preliminary"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "the document is empty"),
        (b"  \n\n\t\n", "the document is empty"),
        (b"Thanks for the pointer, I will read the linked thread tomorrow.\n", "template not recognised"),
    ],
)
def test_a_document_that_is_no_report_gets_no_score(tmp_path: Path, content: bytes, why: str) -> None:
    path, text = _lint(tmp_path, content)
    assert text.exit_code == 0
    (line,) = text.output.strip().splitlines()
    assert line.startswith(f"{path}: not a report: {why}") and line.endswith("nothing was scored")
    assert "composite" not in line
    _, as_json = _lint(tmp_path, content, "--format", "json")
    data = json.loads(as_json.output)
    assert as_json.exit_code == 0
    assert (data["is_report"], data["scores"]["composite"], data["scores"]["criteria"], data["findings"]) == (
        False,
        None,
        {},
        [],
    )
    assert data["message"].startswith(f"not a report: {why}")


WEAK_PROSE = """Dear community,

Some of our certificates were issued with an incorrect organisation name. This happened because an operator made a
typing mistake when entering the order.

We will remind our staff to pay more attention and we will improve our procedures.
"""


def test_an_informal_report_is_scored_on_the_causes_and_steps_read_from_its_prose(tmp_path: Path) -> None:
    _, result = _lint(tmp_path, WEAK_PROSE, "--posted-at", "2019-02-06", "--format", "json")
    data = json.loads(result.output)
    assert (data["report_type"], data["is_report"], data["rules_era"]) == ("informal", True, None)
    assert set(data["scores"]["criteria"]) == {"root_cause", "actions", "candour"}
    assert data["scores"]["composite"] is not None and data["scores"]["composite"] < 100
    by_rule: dict[str, list[str]] = {}
    for f in data["findings"]:
        by_rule.setdefault(f["rule"], []).append(" ".join(WEAK_PROSE[f["start"] : f["end"]].split()))
    assert by_rule["human-error-root-cause"] == ["This happened because an operator made a typing mistake when "
                                                 "entering the order."]  # fmt: skip
    assert "we will improve our procedures." in by_rule["vague-action"]
    assert "missing-timebound" in by_rule
    assert result.exit_code == 1
    _, text = _lint(tmp_path, WEAK_PROSE, "--posted-at", "2019-02-06")
    assert "draft.md: informal report, no template;" in text.output
