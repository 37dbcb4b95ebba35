"""Detector families. Each module exposes ``RULES`` (the ids it can emit) and ``detect(ctx) -> findings``.

Detectors share one :class:`Context` so that span bookkeeping (which section an offset lies in, clipping a
span to its section) is written once and every finding is built the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from ca_incidents.parse.model import ParsedReport, Section
from ca_incidents.score.model import SEVERITIES, Finding
from ca_incidents.score.rules import catalogue

if TYPE_CHECKING:
    from spacy.language import Language

    from ca_incidents.score.nlp import DocCache

# report types that carry a full analysis (root causes, actions), as opposed to preliminaries and updates
ANALYSED_TYPES = ("full", "legacy", "audit")
# below this model probability a learned detector's verdict is a suggestion (one severity step milder)
CONFIDENT = 0.75


@dataclass
class Context:
    """One report being scored: its text, its parse, the era whose rules apply, and the NLP pipeline."""

    text: str
    parsed: ParsedReport
    era: str | None
    posted_at: datetime | date | None = None
    nlp: Callable[[], Language | DocCache] | None = None
    _masked: str | None = field(default=None, repr=False)

    @property
    def report_type(self) -> str:
        return self.parsed.report_type

    def sections(self, name: str) -> list[Section]:
        """All sections with this canonical name, in order."""
        return [s for s in self.parsed.sections if s.name == name]

    def section_text(self, name: str) -> str:
        """The text of every section with this name, joined (empty when absent)."""
        return "\n".join(self.text[s.start : s.end] for s in self.sections(name))

    def section_at(self, start: int, end: int) -> Section | None:
        """The innermost section containing ``[start, end)``."""
        inside = [s for s in self.parsed.sections if s.start <= start and end <= s.end]
        return min(inside, key=lambda s: s.end - s.start) if inside else None

    def finding(
        self, rule_id: str, message: str, start: int, end: int, section: str | None = None, *, unsure: bool = False
    ) -> Finding:
        """A finding with the catalogue's severity (one step milder when the detector is ``unsure``); the span is
        clipped to the text and made non-empty."""
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        if end == start and n:
            start, end = (start, start + 1) if start < n else (n - 1, n)
        severity = catalogue().rule(rule_id).severity
        if unsure:
            severity = SEVERITIES[min(len(SEVERITIES) - 1, SEVERITIES.index(severity) + 1)]
        return Finding(rule_id, severity, message, start, end, section)

    def in_section(
        self,
        rule_id: str,
        message: str,
        sec: Section,
        start: int | None = None,
        end: int | None = None,
        *,
        unsure: bool = False,
    ) -> Finding:
        """A finding about part of a section, clipped so it never leaves the section."""
        s = sec.start if start is None else max(sec.start, min(start, sec.end - 1))
        e = sec.end if end is None else max(s + 1, min(end, sec.end))
        return self.finding(rule_id, message, s, e, sec.name, unsure=unsure)

    def first_line_end(self, start: int, end: int) -> int:
        """Where the first line of ``[start, end)`` ends: findings about a block point at its opening line."""
        nl = self.text.find("\n", start)
        return end if nl < 0 else min(nl, end)

    def heading_span(self) -> tuple[int, int]:
        """The report's first non-blank line: where whole-report findings (a missing section) point."""
        m = re.search(r"\S[^\n]*", self.text)
        return (m.start(), m.end()) if m else (0, 0)


_SENTENCE_RE = re.compile(r"[^\n.!?]+(?:[.!?]+(?=\s|$)|(?=\n)|$)")


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (document offsets) of ``text[start:end]``; quoted lines (``> ...``) are skipped."""
    end = len(text) if end is None else end
    out = []
    for m in _SENTENCE_RE.finditer(text, start, end):
        s, e = m.start(), m.end()
        line_start = text.rfind("\n", 0, s) + 1
        if text[line_start:s].lstrip().startswith(">") or not m.group(0).strip():
            continue
        s += len(m.group(0)) - len(m.group(0).lstrip())
        out.append((s, e))
    return out
