"""Whether an action item is time-bound (guidelines T1-T6): a real calendar bound, completed, or a closure
commitment. Rules over the Due Date and Status cells, plus a parse of the item text for completed work."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    rf"\b(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])(?:[-/.]\d{{1,2}})?\b|\b\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:19|20)?\d\d\b|"
    rf"\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH}\b|\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?\b|\b{_MONTH},? (?:19|20)\d\d\b|"
    rf"\b(?:end|middle|mid|beginning|start) of {_MONTH}|\b(?:by|in|until|before|during) {_MONTH}\b|"
    rf"\bq[1-4]\b|\bh[12]\b|\b(?:first|second|third|fourth) (?:quarter|half)\b|\b(?:19|20)\d\d\b|"
    rf"\b(?:by|before|until) (?:the )?end of (?:the |this )?(?:year|quarter|month|week)\b|^{_MONTH}$",
    re.I,
)
# phrases that are not a calendar bound even though they mention time (T5)
_NOT_A_BOUND = re.compile(
    r"\bafter (?:closure|the (?:report|incident)|completion)\b|\bnext\b|\bcoming\b|\blater\b|\bsoon\b|\basap\b|"
    r"\bas soon as\b|\bimmediate\w*|\bongoing\b|\bcontinu\w+|\bin progress\b|\b(?:weekly|daily|monthly|quarterly|"
    r"annually|yearly|periodic\w*)\b|\btbd\b|\btba\b|\bto be (?:defined|determined|confirmed)\b|\bn/?a\b|\bpending\b|"
    r"\bdependent\b|\beta\b|\bsprint\b|\bwithin\b|\bnone\b",
    re.I,
)
_DONE = re.compile(r"^\W*(?:done|complete[d]?|deployed|implemented|finished|closed|achieved|in place)\W*$", re.I)
_DONE_STATUS = re.compile(r"\b(?:complete[d]?|done|deployed|implemented|finished|achieved)\b", re.I)
_IN_TEXT_DONE = re.compile(
    r"\b(?:is|are) (?:now )?(?:in production|live|in place|in use)\b|\bnow (?:shows?|"
    r"rejects?|blocks?|requires?|checks?|uses?)\b|\b(?:was|were) (?:deployed|completed|"
    r"implemented|introduced|added|enabled|fixed|released)\b",
    re.I,
)


def is_calendar_bound(due: str | None) -> bool:
    """A due text naming a calendar bound (date, month, quarter, half, year, end of a period)."""
    if not due or not due.strip():
        return False
    has_date = bool(_DATE.search(due))
    if not has_date:
        return False
    # a relative phrase only disqualifies when no explicit date anchors it ("Quarterly, first run 2024-03-31")
    explicit = re.search(r"\b(?:19|20)\d\d\b|\bq[1-4]\b|\bh[12]\b|\bend of\b", due, re.I)
    return explicit is not None or not _NOT_A_BOUND.search(due)


def completed_in_text(doc: Doc) -> bool:
    """The item reports finished work ("has been informed", "is in production") rather than a plan."""
    if _IN_TEXT_DONE.search(doc.text):
        return True
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.tag_ not in ("VBN", "VBD"):
        return False
    if any(c.lower_ in ("will", "shall", "would", "should", "to", "must") for c in root.children):
        return False
    perfect = any(c.lower_ in ("has", "have", "had") for c in root.children if c.dep_ in ("aux", "auxpass"))
    return perfect or root.tag_ == "VBD"


def is_timebound(doc: Doc, due_text: str | None, status: str | None, in_closure: bool) -> bool:
    """T1-T6: a calendar bound, completion (status, due cell or text), or a closure commitment."""
    if in_closure:
        return True
    if status and _DONE_STATUS.search(status):
        return True
    if due_text and _DONE.match(due_text):
        return True
    if is_calendar_bound(due_text):
        return True
    if due_text and due_text.strip() and not re.fullmatch(r"\W*", due_text):
        return bool(_IN_TEXT_DONE.search(doc.text))
    return is_calendar_bound(_date_phrase(doc.text)) or completed_in_text(doc)


def _date_phrase(text: str) -> str | None:
    """A due phrase inside an item's text ("... by 2020-04-15", "by the end of March")."""
    m = re.search(
        r"\b(?:by|before|until|in|on|from|deployed|completed|expected in|due)\s+(?:the\s+)?(?:end of\s+"
        r"(?:the\s+)?)?[\w ,.-]{2,25}",
        text,
        re.I,
    )
    return m.group(0) if m and _DATE.search(m.group(0)) else None
