"""parse_report / lint_document contract and the `lint` command."""

import json
from pathlib import Path

from typer.testing import CliRunner

from ca_incidents.cli import app
from ca_incidents.parse import lint_document, parse_report

KEYS = {"era", "report_type", "sections", "root_causes", "action_items", "timeline", "findings"}
TEXT = "## Full Incident Report\n### Summary\nx\n### Timeline\n- 2025-05-01 10:00 UTC: y\n### Action Items\n" \
       "| Action Item | Kind | Due Date |\n|---|---|---|\n| fix | Prevent | Q3 2025 |\n"


def test_lint_json_shape() -> None:
    out = lint_document(TEXT, None)
    assert KEYS <= set(out) and out["findings"] == []
    assert set(out["action_items"][0]) >= {"text", "start", "end", "kind", "due_text", "due_date", "status"}
    assert set(out["timeline"][0]) >= {"timestamp", "has_time", "has_zone", "text", "start", "end"}
    assert out["timeline"][0]["timestamp"] == "2025-05-01T10:00Z"
    json.dumps(out)


def test_era_override() -> None:
    assert lint_document(TEXT, era="v3.1")["era"] == "v3.1"


def test_broken_table_gives_items_and_a_warning() -> None:
    text = "### Action Items\n| Action Item | Kind | Due Date |\n|---|---|\n| a thing | Prevent | | 2025-01-01 | x |\n"
    rep = parse_report(text)
    assert rep.action_items and rep.warnings


def test_cli_lint_json_and_bad_inputs(tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "r.md"
    good.write_text(TEXT, encoding="utf-8")
    res = runner.invoke(app, ["lint", str(good), "--posted-at", "2025-05-03", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["era"] == "v3.0" and data["report_type"] == "full"
    for name, payload in (("bin.md", b"\x00\x01\x02"), ("latin.md", b"caf\xe9")):
        bad = tmp_path / name
        bad.write_bytes(payload)
        res = runner.invoke(app, ["lint", str(bad), "--format", "json"])
        assert res.exit_code == 2 and "Traceback" not in res.output
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    res = runner.invoke(app, ["lint", str(empty), "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.output)["report_type"] == "other"
