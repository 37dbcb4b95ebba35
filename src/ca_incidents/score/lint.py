"""``ca-incidents lint``: the scorer's findings on one draft, as linter lines or as the parser's lint JSON.

Input is checked before parsing so that an empty, binary, huge or non-UTF-8 file gets a one-line error
instead of a traceback.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ca_incidents.parse.report import lint_json, parse_report
from ca_incidents.score.scorer import score_report

MAX_LINT_BYTES = 5_000_000


class LintInputError(ValueError):
    """The file cannot be linted; the message says why and what to do."""


def read_document(path: Path) -> str:
    """The file as text, or :class:`LintInputError` for missing, binary, huge or non-UTF-8 files."""
    if not path.is_file():
        raise LintInputError(f"{path} is not a readable file")
    size = path.stat().st_size
    if size > MAX_LINT_BYTES:
        raise LintInputError(f"{path} is {size} bytes; lint accepts reports up to {MAX_LINT_BYTES} bytes")
    data = path.read_bytes()
    if b"\x00" in data:
        raise LintInputError(f"{path} looks binary (it contains NUL bytes); lint expects a Markdown report")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LintInputError(f"{path} is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from exc


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts


def lint_text(
    text: str, posted_at: datetime | date | None = None, era: str | None = None, model: str | None = None
) -> dict[str, Any]:
    """The parser's lint JSON for ``text`` with ``findings`` filled (1-based line and column); one parse
    serves both the JSON and the scorer."""
    parsed = parse_report(text, posted_at)
    data = lint_json(parsed, era)
    result = score_report(text, parsed, posted_at=posted_at, era=era, model=model)
    starts = _line_starts(text)
    findings = []
    for f in result.findings:
        line = bisect.bisect_right(starts, f.start) - 1
        findings.append(
            {
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
                "start": f.start,
                "end": f.end,
                "line": line + 1,
                "column": f.start - starts[line] + 1,
                "section": f.section,
            }
        )
    data["findings"] = findings
    data["scores"] = {
        "rubric_version": result.score.rubric_version,
        "composite": result.score.composite,
        "criteria": {
            c.criterion: {"score": c.score, "weight": c.weight, "rules": list(c.findings)}
            for c in result.score.criteria
        },
    }
    data["rules_era"] = result.era
    if not data["is_report"]:
        data["message"] = not_a_report_message(text)
    return data


def not_a_report_message(text: str) -> str:
    """Why a document got no score, in words a CA can act on."""
    if not text.strip():
        return "not a report: the document is empty; nothing was scored"
    return (
        "not a report: template not recognised (no report headings, legacy questions, sections, cause statements "
        "or remediation steps were found); nothing was scored"
    )


def format_text(name: str, data: dict[str, Any]) -> list[str]:
    """``FILE:LINE:COL: severity rule-id message`` lines, then a one-line summary."""
    if not data["is_report"]:
        return [f"{name}: {data['message']}"]
    lines = [f"{name}:{f['line']}:{f['column']}: {f['severity']} {f['rule']} {f['message']}" for f in data["findings"]]
    counts = {s: sum(1 for f in data["findings"] if f["severity"] == s) for s in ("error", "warning", "info")}
    scores = data["scores"]
    lines.append(
        f"{name}: {data['report_type']} report, {data['rules_era'] or 'no'} template; "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info; "
        f"composite {scores['composite']} (rubric {scores['rubric_version']})"
    )
    return lines
