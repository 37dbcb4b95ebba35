"""One gold unit presented the way a report presents it, so accuracy is measured through the same path ``lint``
takes (parse, then detectors) rather than by calling a classifier on bare strings.

An action item becomes the single row of a v3 Action Items table (its own Due Date and Status cells, empty
when it had none); a root-cause passage goes under a Root Cause Analysis heading, after a Summary whose
incident description is the bug's title. A detector's decision is whether its rule fired on the unit's span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ca_incidents.score.nlp import DocCache
from ca_incidents.score.scorer import ReportInput, score_reports

_TABLE_HEAD = (
    "## Action Items\n\n"
    "| Action Item | Kind | Corresponding Root Cause(s) | Evaluation Criteria | Due Date | Status |\n"
    "|---|---|---|---|---|---|\n"
)


@dataclass(frozen=True)
class UnitDocument:
    """A document and the span of the unit inside it."""

    text: str
    start: int
    end: int


def _cell(value: str) -> str:
    """Table-cell text: one line, pipes escaped."""
    return " ".join(value.split()).replace("|", "\\|")


def action_item_document(text: str, due_text: str = "", status: str = "") -> UnitDocument:
    """A v3 Action Items table with this item as its only row."""
    item = _cell(text)
    row_start = len(_TABLE_HEAD) + 2
    doc = f"{_TABLE_HEAD}| {item} | | | | {_cell(due_text)} | {_cell(status)} |\n"
    return UnitDocument(doc, row_start, row_start + len(item))


def root_cause_document(text: str, incident_title: str = "") -> UnitDocument:
    """A Summary naming the incident, then the passage under a Root Cause Analysis heading."""
    head = f"## Summary\n\n- Incident description: {' '.join(incident_title.split())}\n\n## Root Cause Analysis\n\n"
    body = text.strip()
    return UnitDocument(f"{head}{body}\n", len(head), len(head) + len(body))


def fired(docs: Sequence[UnitDocument], rules: Sequence[str], cache: DocCache) -> list[dict[str, int]]:
    """For each document, whether each rule fired on a span overlapping the unit (1) or not (0)."""
    scored = score_reports([ReportInput(d.text) for d in docs], cache)
    out = []
    for d, s in zip(docs, scored, strict=True):
        hits = {f.rule for f in s.findings if f.start < d.end and d.start < f.end}
        out.append({r: int(r in hits) for r in rules})
    return out
