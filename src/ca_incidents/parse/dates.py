"""Date, time and zone recognition for timelines and due dates.

Reports mix ISO dates, European dotted dates, US month names, 12-hour clocks and zone abbreviations, so
one module owns all of it: the timeline and action-item parsers only ask "is there a timestamp here?" and
"which day does this due text mean?".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)

# Fixed offsets (hours) of zone abbreviations seen in reports; ambiguous ones take their most common reading.
ZONES: dict[str, float] = {
    "utc": 0, "z": 0, "gmt": 0, "wet": 0, "west": 1, "bst": 1, "cet": 1, "cest": 2,
    "eet": 2, "eest": 3, "msk": 3, "trt": 3, "ist": 5.5, "ict": 7, "wib": 7, "cst": -6, "cdt": -5,
    "est": -5, "edt": -4, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "hkt": 8, "sgt": 8, "awst": 8,
    "jst": 9, "kst": 9, "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13, "brt": -3, "art": -3, "sast": 2,
}  # fmt: skip
_ZONE_NAMES = "|".join(sorted((z for z in ZONES if z != "z"), key=len, reverse=True))
ZONE_RE = re.compile(
    rf"(?:\(?\b(?:{_ZONE_NAMES})\b(?:\s?[+\-−]\d{{1,2}}(?::?\d{{2}})?(?!\d))?\)?|(?<=\d)Z\b|[+\-−]\d{{2}}:?\d{{2}}\b)",
    re.IGNORECASE,
)

_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>(?:19|20)\d{2})"
DATE_PATTERNS = (
    # 2024-05-01, 2024/05/01, 2024.05.01
    re.compile(r"\b(?P<y>(?:19|20)\d{2})[-/.](?P<m>[01]?\d)[-/.](?P<d>[0-3]?\d)(?!\d)"),
    # 01.05.2024 (always day first), 01/05/2024, 1-5-2024
    re.compile(r"(?<![\d.])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[01]?\d)(?P=sep)(?P<y>(?:19|20)\d{2})\b"),
    # May 1, 2024 / May 1st 2024 / May 1 (no year)
    re.compile(rf"\b(?P<mon>{_MONTH})\s+{_DAY}\b(?:,?\s*{_YEAR})?(?![:\d])", re.IGNORECASE),
    # 1 May 2024 / 1st of May, 2024 / 01-May-2024
    re.compile(rf"\b{_DAY}(?:\s+of)?[\s-]+(?P<mon>{_MONTH})(?:[\s,-]+{_YEAR})?\b", re.IGNORECASE),
    # 2024-May-01
    re.compile(rf"\b{_YEAR}[-\s](?P<mon>{_MONTH})[-\s](?P<d>[0-3]?\d)\b", re.IGNORECASE),
)
TIME_RE = re.compile(
    r"(?<![\d:.])(?P<h>[0-2]?\d)(?::(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d)(?:\.\d+)?)?|(?P<hm>[0-5]\d)(?=\s*(?:h\b|hrs\b|UTC|GMT|Z\b)))"
    r"(?:\s*(?P<ap>[ap]\.?m\.?)\b)?",
    re.IGNORECASE,
)
TIME_AMPM_RE = re.compile(r"(?<![\d:])(?P<h>1[0-2]|0?[1-9])\s*(?P<ap>[ap]\.?m\.?)(?![a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class Stamp:
    """A date or date-time found in text; ``value`` is UTC when ``has_zone``."""

    value: datetime | date
    has_time: bool
    has_zone: bool
    start: int
    end: int

    def iso(self) -> str:
        """The gold-data spelling: ``YYYY-MM-DDTHH:MMZ``, ``YYYY-MM-DDTHH:MM`` or ``YYYY-MM-DD``."""
        return format_stamp(self.value, self.has_time, self.has_zone)


def format_stamp(value: datetime | date, has_time: bool, has_zone: bool) -> str:
    """Render a timestamp the way gold files and `lint` JSON spell it."""
    if not has_time or not isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%dT%H:%M") + ("Z" if has_zone else "")


@dataclass(frozen=True)
class DateMatch:
    """A calendar date found in text (``year`` may be missing)."""

    year: int | None
    month: int
    day: int
    start: int
    end: int


def _mk(y: int | None, m: int, d: int, start: int, end: int) -> DateMatch | None:
    try:
        date(y or 2000, m, d)
    except ValueError:
        return None
    return DateMatch(y, m, d, start, end)


def find_dates(text: str, *, dayfirst: bool = False) -> list[DateMatch]:
    """All calendar dates in ``text``, left to right, without overlaps."""
    found: list[DateMatch] = []
    covered = bytearray(len(text) + 1)
    for i, pat in enumerate(DATE_PATTERNS):
        for m in pat.finditer(text):
            g = m.groupdict()
            year = int(g["y"]) if g.get("y") else None
            if i == 1:
                a, b = int(g["a"]), int(g["b"])
                first_is_day = g["sep"] == "." or a > 12 or (dayfirst and b <= 12)
                day, month = (a, b) if first_is_day else (b, a)
            elif "mon" in g:
                month, day = MONTHS[g["mon"].lower().rstrip(".")], int(g["d"])
            else:
                month, day = int(g["m"]), int(g["d"])
            dm = _mk(year, month, day, m.start(), m.end())
            if dm and not any(covered[dm.start : dm.end]):
                found.append(dm)
                covered[dm.start : dm.end] = b"\x01" * (dm.end - dm.start)
    return sorted(found, key=lambda f: f.start)


def detect_dayfirst(text: str) -> bool:
    """Whether slash dates in this document are day-first (decided by any unambiguous one)."""
    votes = 0
    for m in re.finditer(r"(?<![\d/])([0-3]?\d)/([0-3]?\d)/(?:19|20)\d{2}", text[:200_000]):
        a, b = int(m.group(1)), int(m.group(2))
        votes += (a > 12) - (b > 12)
    return votes > 0


def zone_offset(token: str) -> timedelta | None:
    """The UTC offset a zone token names (``UTC``, ``CET``, ``UTC+2``, ``+02:00``, ``Z``), if known."""
    t = token.strip().strip("()").replace("−", "-").lower()
    m = re.fullmatch(r"([a-z]*)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?", t)
    if not m:
        return None
    name, sign, hh, mm = m.groups()
    base = 0.0
    if name:
        if name not in ZONES:
            return None
        base = ZONES[name]
    if sign:
        hours = int(hh) + (int(mm) / 60 if mm else 0)
        if hours > 14:
            return None
        base = (base if name in ("", "utc", "gmt", "z") else 0) + (hours if sign == "+" else -hours)
    elif not name:
        return None
    return timedelta(hours=base)


def _time_after(text: str, pos: int, limit: int = 40) -> re.Match[str] | None:
    """A clock time starting within ``limit`` characters after ``pos`` (only separators in between)."""
    window = text[pos : pos + limit]
    for pat in (TIME_RE, TIME_AMPM_RE):
        m = pat.search(window)
        if m and re.fullmatch(
            r"[\s,;:T@(\[|*_-]*(?:at|um|à|,|\s|about|around|approx\.?|approximately|~)*\s*",
            window[: m.start()],
            re.I,
        ):
            if pat is TIME_RE and not (m.group("mi") or m.group("hm")):
                continue
            return m
    return None


def _hour_minute(m: re.Match[str]) -> tuple[int, int] | None:
    h = int(m.group("h"))
    groups = m.groupdict()
    minute = int(groups.get("mi") or groups.get("hm") or 0)
    ap = (groups.get("ap") or "").lower().replace(".", "")
    if ap == "pm" and h < 12:
        h += 12
    elif ap == "am" and h == 12:
        h = 0
    if h > 23:
        return None
    return h, minute


def _zone_after(text: str, pos: int) -> tuple[timedelta | None, int]:
    m = re.match(r"\s*", text[pos:])
    start = pos + (m.end() if m else 0)
    zm = ZONE_RE.match(text, start)
    if zm:
        off = zone_offset(zm.group(0))
        if off is not None:
            return off, zm.end()
    return None, pos


def build_stamp(
    dm: DateMatch, text: str, *, default_year: int | None = None, default_zone: timedelta | None = None
) -> Stamp | None:
    """Combine a date with the time and zone written right after it (or just before it)."""
    year = dm.year or default_year
    if year is None:
        return None
    end = dm.end
    tm = _time_after(text, dm.end)
    before = None
    if tm is None:
        # "13:45 UTC on 2024-05-01" / "13:45 UTC, May 1"
        lead = text[max(0, dm.start - 30) : dm.start]
        before = re.search(
            r"(?P<h>[0-2]?\d):(?P<mi>[0-5]\d)(?::\d{2})?(?:\s*(?P<ap>[ap]\.?m\.?))?\s*(?P<z>\(?[A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?\)?)?\s*(?:on|,)?\s*$",
            lead,
            re.IGNORECASE,
        )
    if tm is None and before is None:
        return Stamp(date(year, dm.month, dm.day), False, False, dm.start, end)
    hm = _hour_minute(tm if tm is not None else before)  # type: ignore[arg-type]
    if hm is None:
        return Stamp(date(year, dm.month, dm.day), False, False, dm.start, end)
    value = datetime(year, dm.month, dm.day, *hm)
    if tm is not None:
        end = dm.end + tm.end()
        off, zend = _zone_after(text, end)
        if zend > end:
            end = zend
    else:
        z = before.group("z") if before else None
        off = zone_offset(z) if z else None
    start = dm.start if tm is not None else dm.start - (len(lead) - before.start())  # type: ignore[union-attr]
    if off is None:
        off = default_zone
    if off is None:
        return Stamp(value, True, False, start, end)
    utc = (value - off).replace(tzinfo=UTC)
    return Stamp(utc, True, True, start, end)


def find_time(text: str) -> tuple[tuple[int, int], timedelta | None, int, int] | None:
    """A clock time (with optional zone) at the start of ``text`` (after bullets): ``- 13:45 UTC ...``."""
    m = re.match(r"[\s\-*+•|>]*(?:\*\*|__)?\s*(?:at\s+|~\s*)?", text)
    pos = m.end() if m else 0
    for pat in (TIME_RE, TIME_AMPM_RE):
        tm = pat.match(text, pos)
        if tm and (pat is TIME_AMPM_RE or tm.group("mi") or tm.group("hm")):
            hm = _hour_minute(tm)
            if hm is None:
                return None
            off, zend = _zone_after(text, tm.end())
            return hm, off, tm.start(), max(tm.end(), zend)
    return None


QUARTER_RE = re.compile(
    r"\b(?:Q([1-4])|([1-4])Q|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)(?:\s*(?:of|/|-|,)?\s*((?:19|20)\d{2}|'?\d{2}))?\b",
    re.IGNORECASE,
)
HALF_RE = re.compile(r"\b(?:H([12])|([12])H|(first|second)\s+half)(?:\s*(?:of|/|-|,)?\s*((?:19|20)\d{2}))?\b", re.I)
MONTH_YEAR_RE = re.compile(
    rf"\b(?:(?P<mod>end|late|mid|middle|early|beginning|start)(?:[\s-]+of)?[\s-]+)?(?P<mon>{_MONTH})(?:\s*,?\s*(?P<y>(?:19|20)\d{{2}}))?\b",
    re.IGNORECASE,
)
YEAR_END_RE = re.compile(
    r"\b(?:end\s+of\s+(?:the\s+)?(?:year\s+)?|(?:by|in|during)\s+)?((?:19|20)\d{2})\b|\bend\s+of\s+(?:the\s+)?year\b",
    re.I,
)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "ten": 10,
}


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year(raw: str | None, posted: date | None) -> int | None:
    if raw:
        raw = raw.lstrip("'")
        return int(raw) if len(raw) == 4 else 2000 + int(raw)
    return posted.year if posted else None


def _roll(d: date, posted: date | None, has_year: bool) -> date:
    """A date without a year is the next occurrence on or after roughly the posting date."""
    if has_year or posted is None or d >= posted - timedelta(days=60):
        return d
    try:
        return d.replace(year=d.year + 1)
    except ValueError:
        return d + timedelta(days=365)


def _due_relative(text: str, posted: date | None) -> date | None:
    m = re.search(r"\bwithin\s+(?:the\s+next\s+)?(\d+|[a-z]+)\s+(day|week|month)s?\b", text, re.I)
    if not m or posted is None:
        return None
    n = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS.get(m.group(1).lower())
    if n is None:
        return None
    unit = m.group(2).lower()
    days = n * {"day": 1, "week": 7, "month": 30}[unit]
    return posted + timedelta(days=days)


def _due_from_date(dm: DateMatch, posted: date | None) -> date | None:
    y = dm.year or (posted.year if posted else None)
    return _roll(date(y, dm.month, dm.day), posted, dm.year is not None) if y is not None else None


def _month_match(clean: str, posted: date | None) -> tuple[int, date] | None:
    for m in MONTH_YEAR_RE.finditer(clean):
        if (
            m.group("mon").lower() == "may"
            and not (m.group("y") or m.group("mod"))
            and not re.search(r"\b(?:by|in|until|before|end|of)\s+$", clean[: m.start()], re.I)
        ):
            continue  # the verb "may"
        y = _year(m.group("y"), posted)
        if y is None:
            continue
        month = MONTHS[m.group("mon").lower().rstrip(".")]
        mod = (m.group("mod") or "").lower()
        d = date(y, month, 15) if mod in ("mid", "middle") else _end_of_month(y, month)
        return m.start(), _roll(d, posted, bool(m.group("y")))
    return None


def parse_due(text: str | None, posted_at: datetime | date | None = None, *, dayfirst: bool = False) -> date | None:
    """Normalise a due-date text to a day: explicit dates as written, periods to their last day.

    ``Q3 2024`` → 2024-09-30, ``end of May 2024``/``by May 2024`` → 2024-05-31, ``H1 2025`` → 2025-06-30,
    ``2025`` → 2025-12-31; struck-through (``~~old~~``) dates are ignored; ``TBD``/``N/A`` give None.
    """
    if not text:
        return None
    posted = posted_at.date() if isinstance(posted_at, datetime) else posted_at
    clean = re.sub(r"~~.*?~~", " ", text[:2000], flags=re.S)
    clean = re.sub(r"<(?:s|del|strike)>.*?</(?:s|del|strike)>", " ", clean, flags=re.S | re.I)
    options = [(dm.start, 0, _due_from_date(dm, posted)) for dm in find_dates(clean, dayfirst=dayfirst)[:1]]
    if m := QUARTER_RE.search(clean):
        q = int(m.group(1) or m.group(2) or ORDINALS[m.group(3).lower()])
        y = _year(m.group(4), posted)
        options.append((m.start(), 1, _roll(_end_of_month(y, q * 3), posted, bool(m.group(4))) if y else None))
    if m := HALF_RE.search(clean):
        h = int(m.group(1) or m.group(2) or (1 if m.group(3).lower() == "first" else 2))
        y = _year(m.group(4), posted)
        options.append((m.start(), 2, _roll(_end_of_month(y, h * 6), posted, bool(m.group(4))) if y else None))
    if mm := _month_match(clean, posted):
        options.append((mm[0], 3, mm[1]))
    if m := YEAR_END_RE.search(clean):
        y = int(m.group(1)) if m.group(1) else (posted.year if posted else None)
        options.append((m.start(), 4, date(y, 12, 31) if y else None))
    found = sorted((pos, prio, d) for pos, prio, d in options if d is not None)
    if found:
        return found[0][2]
    return _due_relative(clean, posted)
