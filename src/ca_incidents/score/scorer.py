"""Score one report: run every detector family that applies to its era, then per-criterion and composite
scores with their breakdown.

Scoring rule: each criterion starts at 100 and loses points per rule that fired (error 30, warning 12,
info 4), with repeats of the same rule counting half each up to twice the first penalty - so one vague item
in ten costs less than ten. The composite is the weighted mean over the criteria that apply to the
report's type and era (a preliminary report is not marked down for having no action items).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import ModuleType
from typing import Any

from ca_incidents.parse.model import ERAS, ParsedReport
from ca_incidents.parse.report import parse_report
from ca_incidents.score import nlp as nlp_loader
from ca_incidents.score.detectors import (
    Context,
    actions,
    candour,
    conformance,
    coverage,
    root_cause,
    thoroughness,
    timeline,
)
from ca_incidents.score.model import CriterionScore, Finding, ReportScore
from ca_incidents.score.nlp import DocCache
from ca_incidents.score.rules import catalogue

FAMILIES = (conformance, timeline, coverage, thoroughness, candour, actions, root_cause)
NLP_FAMILIES = (actions, root_cause)  # the ones that parse text with spaCy; each has ``nlp_texts(ctx)``
PENALTY = {"error": 30.0, "warning": 12.0, "info": 4.0}
_CRITERIA_BY_TYPE = {
    "full": None,  # all
    "legacy": None,
    "audit": None,
    "preliminary": ("conformance", "thoroughness", "candour"),
    "closure": ("conformance", "actions", "candour"),
    "update": ("actions", "candour"),
    "informal": ("root_cause", "actions", "candour"),  # prose: only what its sentences could be read for
    "other": ("candour",),
}


@dataclass
class ScoredReport:
    """Everything the scorer says about one text."""

    era: str | None
    report_type: str
    findings: list[Finding] = field(default_factory=list)
    score: ReportScore = field(default_factory=lambda: ReportScore(100.0))
    parsed: ParsedReport | None = None


def effective_era(parsed: ParsedReport, override: str | None = None) -> str | None:
    """The era whose rules apply: the one asked for, else the template the report was written in."""
    return override if override in ERAS else parsed.era


def criteria_for(report_type: str) -> tuple[str, ...]:
    """The criteria the composite of a report of this type averages (``ca-incidents rules`` lists them)."""
    return _CRITERIA_BY_TYPE.get(report_type, ("candour",)) or tuple(catalogue().criteria)


def _criterion_scores(findings: list[Finding], era: str | None, report_type: str) -> list[CriterionScore]:
    cat = catalogue()
    wanted = criteria_for(report_type)
    applicable = {r.criterion for r in cat.rules.values() if r.applies(era)}
    counts = Counter(f.rule for f in findings)
    out = []
    for name, (weight, _title) in cat.criteria.items():
        if name not in wanted or name not in applicable:
            continue
        rules = sorted(r for r in counts if cat.rule(r).criterion == name)
        lost = 0.0
        for rule_id in rules:
            base = max(PENALTY[f.severity] for f in findings if f.rule == rule_id)
            lost += min(2 * base, base * (1 + 0.5 * (counts[rule_id] - 1)))
        out.append(CriterionScore(name, round(max(0.0, 100.0 - lost), 1), weight, tuple(rules)))
    return out


def composite(criteria: list[CriterionScore]) -> float:
    """Weighted mean of the applicable criteria (100 when none applies)."""
    total = sum(c.weight for c in criteria)
    return round(sum(c.score * c.weight for c in criteria) / total, 1) if total else 100.0


def _context(
    text: str, parsed: ParsedReport | None, posted_at: datetime | date | None, era: str | None, nlp: Callable[[], Any]
) -> Context:
    parsed = parsed if parsed is not None else parse_report(text, posted_at)
    return Context(text, parsed, effective_era(parsed, era), posted_at, nlp=nlp)


def _families(era: str | None) -> list[ModuleType]:
    """The detector families with at least one rule for this era."""
    cat = catalogue()
    return [f for f in FAMILIES if any(cat.rule(r).applies(era) for r in f.RULES)]


def _score(ctx: Context) -> ScoredReport:
    cat = catalogue()
    if not ctx.parsed.is_report:
        return ScoredReport(ctx.era, ctx.report_type, [], ReportScore(None, [], cat.rubric_version), ctx.parsed)
    found: set[Finding] = set()
    for family in _families(ctx.era):
        found.update(f for f in family.detect(ctx) if cat.rule(f.rule).applies(ctx.era))
    findings = sorted(found, key=lambda f: (f.start, f.end, f.rule, f.message))
    criteria = _criterion_scores(findings, ctx.era, ctx.report_type)
    score = ReportScore(composite(criteria), criteria, cat.rubric_version)
    return ScoredReport(ctx.era, ctx.report_type, findings, score, ctx.parsed)


def score_report(
    text: str,
    parsed: ParsedReport | None = None,
    *,
    posted_at: datetime | date | None = None,
    era: str | None = None,
    model: str | None = None,
) -> ScoredReport:
    """Findings and scores for one report text (parsed here unless a parse is passed in)."""
    return _score(_context(text, parsed, posted_at, era, lambda: nlp_loader.load(model)))


@dataclass(frozen=True)
class ReportInput:
    """One report for :func:`score_reports`; the arguments of :func:`score_report`."""

    text: str
    parsed: ParsedReport | None = None
    posted_at: datetime | date | None = None
    era: str | None = None


def score_reports(reports: Sequence[ReportInput], docs: DocCache) -> list[ScoredReport]:
    """What :func:`score_report` says about each report, with one batched spaCy pass over the item texts of all
    of them (through ``docs``, which also remembers the parses for later calls)."""
    contexts = [_context(r.text, r.parsed, r.posted_at, r.era, lambda: docs) for r in reports]
    docs.prefetch(t for ctx in contexts for f in _families(ctx.era) if f in NLP_FAMILIES for t in f.nlp_texts(ctx))
    return [_score(ctx) for ctx in contexts]
