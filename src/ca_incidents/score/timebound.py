"""Whether an action item carries a calendar anchor for its due or completion date, read anywhere in the item:
its text and its Due Date cell (labelling guideline: a date in any format, a month or a quarter).

Not anchors: no date, "Done"/"Complete" without a date, TBD, ASAP, "Ongoing", relative phrases ("in the coming
weeks", "within 30 days") and bare frequencies ("Quarterly"). A date that only selects what the item acts on
("certificates issued before 2019-03-01", "expiring after 2021") is not a due or completion date either; "since
<date>" is one (from when the change has been in force).

Regular expressions rather than a date parser: a fuzzy parser (dateutil) finds a "date" in nearly any sentence,
while the question here is only whether a written calendar reference is present, and where (the evidence span).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19|20)\d\d"
_DAY = r"(?:[0-2]?\d|3[01])(?:st|nd|rd|th)?"
_ANCHOR = re.compile(
    "|".join(
        (
            rf"\b{_YEAR}[-/.](?:0?[1-9]|1[0-2])[-/.](?:[0-2]?\d|3[01])(?!\d)",  # 2024-03-05, 2024/3/5
            rf"\b{_YEAR}-(?:0[1-9]|1[0-2])(?![-/.]?\d)",  # 2024-03
            rf"\b{_DAY}[-/.](?:[0-2]?\d|3[01])[-/.](?:{_YEAR}|\d\d)\b(?! ?(?:months?|weeks?|days?|years?)\b)",  # 5.3.24
            rf"\b{_YEAR}[-/ ]{_MONTH}[-/ ]{_DAY}\b",  # 2023-Oct-27
            rf"\b{_DAY}(?: of)?[- ]{_MONTH}(?:,?[- ]{_YEAR})?\b",  # 17th March 2018, 10-Jan
            rf"\b{_DAY}/{_MONTH}/(?:{_YEAR}|\d\d)\b",  # 5/Oct/22
            # month/day with no year, after "on"/"by"/"until"/"before"/"due" or opening a line: on 10/29, by 11-01
            r"\b(?:on|by|until|before|due)\s+(?:0?[1-9]|1[0-2])[-/](?:[0-2]?\d|3[01])\b(?![-/.]\d)(?! of\b)",
            r"(?:^|(?<=\n))(?:0?[1-9]|1[0-2])/(?:[0-2]?\d|3[01])\b(?![-/.]\d)(?! of\b)",
            rf"\b{_MONTH} {_DAY}\b(?:,? {_YEAR}\b)?",  # Jan 10th, January 10, 2024
            rf"\b{_MONTH},?[- ]{_YEAR}\b",  # March 2024, Mar-2024
            rf"\b(?:end|middle|mid|beginning|start|close) of {_MONTH}(?![a-z])",  # end of June
            rf"\b(?:by|in|until|before|during|for|from|within|through) (?:early |late |mid-?)?{_MONTH}(?![a-z])",
            rf"\bq[1-4]\b(?:[ -/]?{_YEAR})?|\b{_YEAR}[ -]?q[1-4]\b|\bh[12][ -/]?{_YEAR}\b",  # Q3 2025, 2025Q3, H1 2026
            rf"\b(?:first|second|third|fourth|1st|2nd|3rd|4th|last) (?:quarter|half)(?: of)?(?: {_YEAR})?\b",
            rf"\b(?:by|in|until|before|during|end of|within|through|throughout) (?:the )?(?:end of )?(?:calendar )?"
            rf"(?:year )?{_YEAR}\b(?![-/.]\d)",  # by 2025, end of 2025
            r"\b(?:end of (?:the |this )?(?:calendar |fiscal )?(?:year|quarter|month)|(?:year|quarter|month)[- ]end)\b",
        )
    ),
    re.I,
)

# in a Due Date cell a bare year is a (coarse) due date too
_CELL_ANCHOR = re.compile(rf"{_ANCHOR.pattern}|\b{_YEAR}\b", re.I)


def _modal_may(found: str) -> bool:
    """Lower-case "may" followed by no day or year is the modal verb ("we may revise"), not the month."""
    return bool(re.fullmatch(r"(?:(?:by|in|until|before|during|for|from|within|through) )?may", found))


# words right before a date that make it select the population acted on, not date the action ("since <date>" is
# not one: it says from when a change has been in force, which dates its completion)
_SELECTOR = re.compile(
    r"(?:issued|created|generated|valid|validated|expir\w*|between|dated|signed|published|from|after|"
    r"prior to|older than|starting)\s+(?:on\s+|in\s+|before\s+|after\s+|from\s+|between\s+|the\s+)?$",
    re.I,
)


@dataclass(frozen=True)
class Anchor:
    """A calendar reference: where it is in the string it was found in, and what it says."""

    start: int
    end: int
    value: str


# Unicode hyphens, dashes, slashes and spaces that word processors put into dates ("2025\u201112\u201119"), mapped
# one character to one, so offsets into the original text stay valid
_ASCII_PUNCT = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"}
    | {c: "/" for c in "\u2044\u2215\uff0f"}
    | {c: " " for c in "\u00a0\u2007\u202f"}
)


def _scan(text: str, pattern: re.Pattern[str], *, skip_selectors: bool) -> list[Anchor]:
    text = text.translate(_ASCII_PUNCT)
    out = []
    for m in pattern.finditer(text):
        if _modal_may(m.group(0)):
            continue
        if skip_selectors and _SELECTOR.search(text[max(0, m.start() - 30) : m.start()]):
            continue
        out.append(Anchor(m.start(), m.end(), m.group(0)))
    return out


def anchors(text: str) -> list[Anchor]:
    """Calendar references in an item's text (offsets into it), selectors excluded."""
    return _scan(text or "", _ANCHOR, skip_selectors=True)


def calendar_references(text: str) -> list[Anchor]:
    """Every calendar reference in a text, selectors included (what a date-free reading of it must blank)."""
    return _scan(text or "", _ANCHOR, skip_selectors=False)


def item_anchors(text: str, due_text: str | None) -> list[Anchor]:
    """The anchors of an item: its Due Date cell first (a date there is a due date whatever surrounds it)."""
    return _scan(due_text or "", _CELL_ANCHOR, skip_selectors=False) + anchors(text)


def is_timebound(text: str, due_text: str | None) -> bool:
    """The guideline's ``has_timebound``: a calendar anchor anywhere in the item or its Due Date cell."""
    return bool(item_anchors(text, due_text))
