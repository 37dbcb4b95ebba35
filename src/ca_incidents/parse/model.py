"""The structure the parser extracts from one report, with character offsets into the original text.

Every item keeps ``start``/``end`` offsets into the text it was parsed from (a comment's ``raw_text`` or a
file read by ``lint``), so scorers and reviewers can point at the evidence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

ERAS = ("legacy", "v1.0", "v2.0", "v3.0", "v3.1", "v3.2")
# "informal": prose with no template, whose causes and steps were read from its sentences; "other": no report
REPORT_TYPES = ("preliminary", "full", "closure", "audit", "legacy", "update", "informal", "other")
SECTION_NAMES = (
    "summary",
    "impact",
    "timeline",
    "related_incidents",
    "root_cause",
    "lessons_learned",
    "went_well",
    "didnt_go_well",
    "lucky",
    "other",
    "action_items",
    "appendix",
    "closure_summary",
)
ACTION_KINDS = ("prevent", "detect", "mitigate")
ACTION_STATUSES = ("ongoing", "complete", "delayed", "canceled")


@dataclass(frozen=True)
class Section:
    """A canonical section; ``start`` is the heading's first character, ``end`` is exclusive."""

    name: str
    start: int
    end: int
    heading: str = ""
    parent: str | None = None  # e.g. "lessons_learned" for "went_well"


@dataclass(frozen=True)
class RootCause:
    """One root cause (a v3 "Contributing Factor" block, or the whole root-cause section before v3)."""

    title: str
    start: int
    end: int
    description: str = ""
    timeline: str = ""
    detection: str = ""
    interaction: str = ""


@dataclass(frozen=True)
class TimelineEvent:
    """One timeline entry; ``timestamp`` is UTC when a zone or offset was given, else naive local."""

    timestamp: datetime | date | None
    has_time: bool
    has_zone: bool
    text: str
    start: int
    end: int
    raw_time: str = ""


@dataclass(frozen=True)
class ActionItem:
    """One committed action; ``due_date`` is the normalised end of the period the due text names."""

    text: str
    start: int
    end: int
    kind: str | None = None  # one of ACTION_KINDS
    root_causes: str | None = None
    evaluation_criteria: str | None = None
    due_text: str | None = None
    due_date: date | None = None
    status: str | None = None  # one of ACTION_STATUSES


@dataclass(frozen=True)
class Reference:
    """A cited policy section, related bug, or crt.sh link."""

    kind: str  # "bug" | "policy" | "crtsh"
    value: str  # e.g. "1886876", "BR 7.1.2.3", "https://crt.sh/?id=123"
    start: int
    end: int


@dataclass(frozen=True)
class Facts:
    """Figures a reviewer looks for first."""

    total_certificates: int | None = None
    remaining_valid: int | None = None
    issuance_stopped: bool | None = None
    disclosure_source: str | None = None  # "self" | "third_party" | "audit" as stated in the report


@dataclass
class ParsedReport:
    """Everything parsed out of one report text."""

    era: str | None  # template the text follows (one of ERAS), None when not a report
    report_type: str  # one of REPORT_TYPES
    era_in_force: str | None = None  # era required by the posting date (with grace and early adoption)
    sections: list[Section] = field(default_factory=list)
    root_causes: list[RootCause] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_report(self) -> bool:
        """Whether the text reads as an incident report at all: a recognised report type, a section, or causes
        and steps read from its prose. Anything else (an empty text, a thank-you note) is not scored: a score
        for it would say "perfect report" about something that is no report."""
        return self.report_type != "other" or bool(self.sections)

    def section(self, name: str) -> Section | None:
        """The first section with this canonical name, if any."""
        return next((s for s in self.sections if s.name == name), None)

    def to_json(self) -> dict[str, Any]:
        """The `lint --format json` shape (findings are added by the scorer)."""

        def _plain(value: Any) -> Any:
            if isinstance(value, datetime | date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: _plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [_plain(v) for v in value]
            return value

        return _plain(
            {
                "era": self.era,
                "era_in_force": self.era_in_force,
                "report_type": self.report_type,
                "is_report": self.is_report,
                "sections": [asdict(s) for s in self.sections],
                "root_causes": [asdict(r) for r in self.root_causes],
                "action_items": [asdict(a) for a in self.action_items],
                "timeline": [asdict(t) for t in self.timeline],
                "references": [asdict(r) for r in self.references],
                "facts": asdict(self.facts),
                "warnings": list(self.warnings),
                "findings": [],
            }
        )
