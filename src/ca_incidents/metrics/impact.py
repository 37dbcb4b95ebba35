"""Impact corrections: how the affected-certificate count stated by the CA changes across its comments,
and whether each change is explained where it is made.

A CA comment *states* a count when the parser read a total from its report, or when its own text uses a
whole-population phrase ("the total is now N", "all N affected certificates", "the N affected
certificates", "Known impact so far: N", "Incident description: N ...", a line opening "N certificates,").
Sub-populations ("the N delayed/additional/remaining certificates", "N of M") are not counts of the
incident. A new figure that the comment stating the previous one already mentioned (e.g. a preliminary
revocation-delay report naming both the misissued and the delayed certificates) is not a change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ca_incidents.metrics.context import Bug, Comment

_N = r"(\d{1,3}(?:,\d{3})+|\d+)"
_SUBSET = r"(?!(?:delayed|additional|more|remaining|other|new|replaced|further)\b)"
STATED = (
    re.compile(rf"\btotal (?:is|was|of)?\s*(?:therefore |now |thus )*(?:about )?{_N}\b(?! of)", re.I),
    re.compile(rf"\ball {_N} {_SUBSET}(?:[\w-]+ )?certificates\b", re.I),
    re.compile(rf"\bthe {_N} affected certificates\b", re.I),
    re.compile(rf"\b(?:known|current) impact(?: so far)?:?\s*{_N}\b", re.I),
    re.compile(rf"incident description\W*{_N} ", re.I),
    re.compile(rf"^\s*(?:\d+\.\s+)?{_N} {_SUBSET}(?:[\w-]+ )?certificates?(?:,| (?:are|were) affected)", re.I | re.M),
)
MENTIONED = re.compile(rf"(?<![\d.,#-]){_N}\s+(?:[\w/-]+\s+){{0,3}}certificates?\b", re.I)
EXPLAINED = re.compile(
    r"\b(?:instead of|more certificates|\d+ more\b|additional certificates|correct(?:ion|ed)? (?:of the )?(?:total|"
    r"figure|count|number|impact)|(?:was|were) wrong|previously (?:reported|stated|given)|the correct total|"
    r"(?:first|earlier|initial|preliminary) (?:report|query|search|scan|figure|count)\b|the difference|"
    r"not included in the first|(?:missed|overlooked) (?:by|in) (?:the|our) (?:first|initial))",
    re.I,
)


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def stated_count(c: Comment) -> int | None:
    """The incident's certificate count as this CA comment states it (None: it states none)."""
    if c.total_certificates is not None:
        return c.total_certificates
    own = c.own_text
    found = [(m.start(), _int(m.group(1))) for p in STATED for m in p.finditer(own)]
    return min(found)[1] if found else None


def mentioned(c: Comment) -> set[int]:
    """Every certificate figure the comment mentions, population or not."""
    return {_int(m.group(1)) for m in MENTIONED.finditer(c.own_text)} | (
        {c.total_certificates} if c.total_certificates is not None else set()
    )


@dataclass(frozen=True)
class CountChange:
    """One row of ``count_changes``."""

    bug_id: int
    from_count: int
    to_count: int
    from_comment_id: int
    from_count_pos: int  # comment number (``count``) that stated the previous figure
    comment_id: int
    comment_count: int
    is_explained: bool
    explanation: str | None  # the phrase found, quoted from the comment


def bug_count_changes(bug: Bug) -> list[CountChange]:
    """Each change of the stated count, in comment order."""
    out: list[CountChange] = []
    last: tuple[int, Comment] | None = None
    for c in bug.comments:
        if not c.is_ca:
            continue
        value = stated_count(c)
        if value is None:
            continue
        if last is not None and value != last[0] and value not in mentioned(last[1]):
            hit = EXPLAINED.search(c.own_text)
            out.append(CountChange(bug.id, last[0], value, last[1].id, last[1].count, c.id, c.count, hit is not None,
                                   hit.group(0) if hit else None))  # fmt: skip
        last = (value, c)
    return out
