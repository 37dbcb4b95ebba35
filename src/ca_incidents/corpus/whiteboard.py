"""Whiteboard tags and the "Next update" date set by root stores, as real whiteboards write them.

Tags: lower case, trimmed, inner spaces/underscores turned into hyphens ("[disclosure failure]" and
"[ca compliance]" are real), known misspellings fixed, duplicates dropped, order kept; bare known tags written
without brackets are recognised too.

"Next update" dates, in the forms seen on BMO (current whiteboards and their history):

* ``YYYY-MM-DD`` (also ``/`` or ``.``, one-digit month/day, ``YYYYMMDD``): year-month-day;
* a month written as a name, with the day and a four-digit year around it in any order (``31-Oct-2023``,
  ``31 October 2023``, ``Oct 31, 2023``, ``2023-Oct-27``, ``2023 October 27th``): never ambiguous, read by
  :mod:`dateutil` once the span holding one day, one month name and one year has been found;
* ``D-M-YYYY`` / ``M-D-YYYY`` (or ``/``): a part above 12 is the day; when both parts are 12 or less the
  **US month-day** reading is used (BMO's root-store staff are US-based and wrote e.g. "Next update
  3-1-2023" for a bug opened in June 2022, when other root-store whiteboards used ISO dates), and
  ``assumption`` says so, so the reading is never silent;
* two-digit years are 20YY.

Anything else (no date, two different dates, no year, an impossible date) leaves ``next_update`` empty, keeps
the text in ``next_update_raw`` and says why in ``problem``: reported, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from dateutil import parser as dateparser

if TYPE_CHECKING:
    import duckdb

KNOWN_TAGS = frozenset(
    {
        "ca-compliance", "auditor-compliance", "audit-delay", "audit-failure", "audit-finding", "covid-19",
        "delayed-revocation-leaf", "delayed-revocation-ca", "leaf-revocation-delay", "ca-revocation-delay",
        "ca-misissuance", "dv-misissuance", "ov-misissuance", "ev-misissuance", "smime-misissuance",
        "crl-failure", "ocsp-failure", "policy-failure", "disclosure-failure", "external", "uncategorized",
    }
)  # fmt: skip
# Misspellings and variants, after lower-casing and hyphenation.
TAG_VARIANTS = {
    "ca-complaince": "ca-compliance",
    "ca-compliace": "ca-compliance",
    "ca-compilance": "ca-compliance",
    "cacompliance": "ca-compliance",
    "covid19": "covid-19",
    "disclosure-failures": "disclosure-failure",
    "policy-failures": "policy-failure",
    "audit-findings": "audit-finding",
    "s/mime-misissuance": "smime-misissuance",
}

_NEXT_UPDATE = re.compile(r"next[\s_:-]*(?:update|udpate|updte)d?", re.IGNORECASE)
_LEAD = re.compile(r"^(?:[\s:=>\-–—,.]|on\b|by\b|is\b|due\b|date\b)+", re.IGNORECASE)
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
# A month name between two numbers (day and year either way round) or before both; dateutil reads the span.
_NUM = r"\d{1,4}(?:st|nd|rd|th)?"
_SEP = r"[\s\-/.,]*"
_NAMED = re.compile(
    rf"(?<![\w.])(?:{_NUM}{_SEP}(?:of\s+)?{_MON}{_SEP}{_NUM}|{_MON}{_SEP}{_NUM}{_SEP}{_NUM})(?!\w)", re.IGNORECASE
)
_DAY_OF_NAMED = re.compile(r"(?<!\d)\d{1,2}(?!\d)")
_YEAR_OF_NAMED = re.compile(r"(?<!\d)\d{4}(?!\d)")
_NUMERIC = re.compile(
    r"(?<![\d.\-/])(?P<a>\d{1,2})(?P<s>[-/.])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?![\d.\-/])"
)
_PARTIAL = re.compile(rf"\d|{_MON}", re.IGNORECASE)
US_RULE = "day and month both 12 or less: read as US month-day"


@dataclass(frozen=True)
class Whiteboard:
    """Parsed whiteboard: normalised tags and the "Next update" date (or why it could not be read)."""

    tags: list[str] = field(default_factory=list)
    next_update: date | None = None
    next_update_raw: str | None = None
    problem: str | None = None
    assumption: str | None = None  # set when a documented rule resolved an ambiguous date


def normalise_tag(text: str) -> str | None:
    """One tag in canonical form, or ``None`` when empty."""
    tag = unicodedata.normalize("NFKC", text).strip().lower().strip("-_ ")
    tag = re.sub(r"[\s_]+", "-", tag)
    return TAG_VARIANTS.get(tag, tag) or None


def _next_update_spans(text: str) -> list[tuple[int, int]]:
    """Each "Next update" phrase runs from its keyword to the next bracket (or the end)."""
    spans = []
    for match in _NEXT_UPDATE.finditer(text):
        if spans and match.start() < spans[-1][1]:
            continue
        stop = re.compile(r"[\[\]]").search(text, match.end())
        spans.append((match.start(), stop.start() if stop else len(text)))
    return spans


def _tags(text: str) -> list[str]:
    """Tags in order: bracketed ones (closing bracket optional) and bare known tag names."""
    found: list[tuple[int, str]] = []
    for match in re.finditer(r"\[([^\[\]]*)(\]?)", text):
        content = match.group(1) if match.group(2) else (match.group(1).split() or [""])[0]
        tag = normalise_tag(content)
        if tag:
            found.append((match.start(), tag))
    outside = re.sub(r"\[[^\[\]]*\]?", lambda m: " " * len(m.group(0)), text)
    for match in re.finditer(r"[^\s,;]+", outside):
        tag = normalise_tag(match.group(0))
        if tag in KNOWN_TAGS:
            found.append((match.start(), tag))
    return list(dict.fromkeys(tag for _, tag in sorted(found)))


def _make_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _numeric_date(match: re.Match[str]) -> tuple[date | None, str | None]:
    """D-M-Y or M-D-Y: the part above 12 is the day; otherwise the US rule (reported as an assumption)."""
    a, b, y = int(match["a"]), int(match["b"]), int(match["y"])
    y = y + 2000 if y < 100 else y
    if a > 12 >= b:
        return _make_date(y, b, a), None
    if a == b or b > 12:
        return _make_date(y, a, b), None
    return _make_date(y, a, b), US_RULE


def _named_date(span: str) -> date | bool | None:
    """A span around a month name as a date; ``None`` when impossible, ``False`` unless it holds exactly one
    day (1-2 digits) and one four-digit year, so "July 27" (no year) is never completed with a guess."""
    words = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", span, flags=re.IGNORECASE)
    if len(_DAY_OF_NAMED.findall(words)) != 1 or len(_YEAR_OF_NAMED.findall(words)) != 1:
        return False
    try:
        return dateparser.parse(re.sub(r"[\-/.,]+|\bof\b", " ", words, flags=re.IGNORECASE)).date()
    except (ValueError, OverflowError):
        return None


def _find_dates(text: str) -> tuple[list[date | None], str | None]:
    """All dates written in ``text`` (``None`` for impossible ones) and any rule used to read them."""
    found: list[tuple[int, date | None]] = []
    assumption = None
    for pattern in (_ISO, _COMPACT, _NAMED, _NUMERIC):
        for match in pattern.finditer(text):
            if pattern is _NUMERIC:
                value, rule = _numeric_date(match)
                assumption = assumption or rule
            elif pattern is _NAMED:
                named = _named_date(match.group(0))
                if named is False:
                    continue
                value = named
            else:
                value = _make_date(int(match["y"]), int(match["m"]), int(match["d"]))
            found.append((match.start(), value))
            text = text[: match.start()] + " " * len(match.group(0)) + text[match.end() :]
    return [value for _, value in sorted(found, key=lambda item: item[0])], assumption


def _read_next_update(phrases: list[str]) -> tuple[date | None, str | None, str | None]:
    """(date, problem, assumption) for the "Next update" phrases of one whiteboard."""
    rests = [_LEAD.sub("", _NEXT_UPDATE.sub("", phrase, count=1)).strip() for phrase in phrases]
    dates: list[date | None] = []
    assumption = None
    for rest in rests:
        found, rule = _find_dates(rest)
        dates.extend(found)
        assumption = assumption or rule
    if None in dates:
        return None, "not a calendar date", None
    distinct = sorted(set(dates), key=lambda d: d.toordinal() if d else 0)
    if len(distinct) > 1:
        return None, f"several dates ({', '.join(d.isoformat() for d in distinct if d)})", None
    if distinct:
        return distinct[0], None, assumption
    if not any(rests):
        return None, "no date given", None
    if any(_PARTIAL.search(rest) for rest in rests):
        return None, "date not in a recognised form (or no year)", None
    return None, "no date given", None


def parse_whiteboard(text: str | None) -> Whiteboard:
    """Tags and "Next update" of a whiteboard; never raises, unreadable dates are reported in ``problem``."""
    if not isinstance(text, str) or not text.strip():
        return Whiteboard()
    spans = _next_update_spans(text)
    phrases = list(dict.fromkeys(" ".join(text[start:end].split()).strip(" ,;") for start, end in spans))
    masked = text
    for start, end in spans:
        masked = masked[:start] + " " * (end - start) + masked[end:]
    tags = _tags(masked)
    if not phrases:
        return Whiteboard(tags=tags)
    next_update, problem, assumption = _read_next_update(phrases)
    return Whiteboard(
        tags=tags,
        next_update=next_update,
        next_update_raw=" | ".join(phrases),
        problem=problem,
        assumption=assumption,
    )


@dataclass(frozen=True)
class NextUpdateIssue:
    """A "Next update" text that could not be read (or was read by the ambiguous-date rule)."""

    bug_id: int
    changed_at: datetime | None  # None: the bug's current whiteboard; else the history change that set it
    raw: str
    problem: str


def next_update_issues(
    con: duckdb.DuckDBPyConnection, *, history: bool = True, include_assumed: bool = False
) -> list[NextUpdateIssue]:
    """Unreadable "Next update" values on current whiteboards and (optionally) every past whiteboard value."""
    query = "SELECT id, CAST(NULL AS TIMESTAMP), whiteboard FROM bugs"
    if history:
        query += " UNION ALL SELECT bug_id, change_time, added FROM history WHERE field_name = 'whiteboard'"
    issues = []
    for bug_id, changed_at, text in con.execute(query + " ORDER BY 1, 2 NULLS FIRST").fetchall():
        board = parse_whiteboard(text)
        reason = board.problem or (board.assumption if include_assumed else None)
        if board.next_update_raw is not None and reason:
            issues.append(NextUpdateIssue(bug_id, changed_at, board.next_update_raw, reason))
    return issues
