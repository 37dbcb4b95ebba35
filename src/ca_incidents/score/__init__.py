"""Score stage: quality rules with evidence spans, per-criterion and composite scores."""

from ca_incidents.score.corpus import ScoreStats, score_corpus
from ca_incidents.score.lint import lint_text
from ca_incidents.score.model import CriterionScore, Finding, ReportScore
from ca_incidents.score.rules import Catalogue, Rule, catalogue
from ca_incidents.score.scorer import ScoredReport, score_report

__all__ = [
    "Catalogue",
    "CriterionScore",
    "Finding",
    "ReportScore",
    "Rule",
    "ScoreStats",
    "ScoredReport",
    "catalogue",
    "lint_text",
    "score_corpus",
    "score_report",
]
