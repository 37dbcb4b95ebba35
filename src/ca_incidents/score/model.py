"""Findings and scores: what the scorer says about a report, always with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem found in a report: a rule id, a one-line message and the span of text it is about.

    ``start``/``end`` are character offsets into the text that was parsed (a comment's ``raw_text`` or the
    linted file); ``section`` names the canonical section the span lies in (None for whole-report rules
    such as a missing section, whose span is the report heading or the place the section should be).
    """

    rule: str
    severity: str
    message: str
    start: int
    end: int
    section: str | None = None


@dataclass(frozen=True)
class CriterionScore:
    """A 0-100 score for one criterion, with the findings that lowered it."""

    criterion: str
    score: float
    weight: float
    findings: tuple[str, ...] = ()  # rule ids


@dataclass
class ReportScore:
    """Per-criterion scores and the composite; the composite is never shown without this breakdown.

    ``composite`` is None for a text that is not a report (:attr:`ParsedReport.is_report`): nothing was scored.
    """

    composite: float | None
    criteria: list[CriterionScore] = field(default_factory=list)
    rubric_version: str = ""
