"""Parse stage: comment roles, template eras, sections, timelines, action items, facts and references."""

from ca_incidents.parse.corpus import ParseStats, parse_corpus
from ca_incidents.parse.eras import acceptable_eras, detect_era, era_in_force
from ca_incidents.parse.model import (
    ActionItem,
    Facts,
    ParsedReport,
    Reference,
    RootCause,
    Section,
    TimelineEvent,
)
from ca_incidents.parse.report import PARSER_VERSION, lint_document, parse_report
from ca_incidents.parse.roles import CommentRole, QuotedSpan, classify_bug, classify_comment

__all__ = [
    "PARSER_VERSION",
    "ActionItem",
    "CommentRole",
    "Facts",
    "ParseStats",
    "ParsedReport",
    "QuotedSpan",
    "Reference",
    "RootCause",
    "Section",
    "TimelineEvent",
    "acceptable_eras",
    "classify_bug",
    "classify_comment",
    "detect_era",
    "era_in_force",
    "lint_document",
    "parse_corpus",
    "parse_report",
]
