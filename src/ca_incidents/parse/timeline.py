"""Timeline entries: one event per dated line, day headers followed by ``- HH:MM`` bullets, tables.

A section-wide zone statement ("All times are UTC", a ``Time (UTC)`` column, ``(JST = UTC+9)`` in the
heading) applies to every entry that gives a time but no zone of its own.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from ca_incidents.parse.dates import (
    ZONE_RE,
    DateMatch,
    Stamp,
    build_stamp,
    find_dates,
    find_time,
    zone_offset,
)
from ca_incidents.parse.lines import Line, bullet_match, is_separator_row
from ca_incidents.parse.model import TimelineEvent

_LEAD_WORDS = re.compile(
    r"\b(?:on|at|from|between|since|around|about|approx(?:imately)?|circa|ca|by|until|in|early|late|mid|"
    r"date|time|day|starting|started|beginning|before|after|as of|the)\b",
    re.IGNORECASE,
)
_ZONE_STATEMENT = re.compile(
    r"(?:\btimes?\b|\btimestamps?\b|\bhours?\b|\bzone\b|\(|\bin\b)[^.\n|]{0,40}?"
    rf"(?P<z>{ZONE_RE.pattern})",
    re.IGNORECASE,
)
_SEPARATORS = " \t|:-–—*_>•,;)]"


def _zone_statement(text: str) -> timedelta | None:
    """The zone a line declares for the whole timeline, e.g. ``All times are UTC`` or ``Time (CET)``."""
    for m in _ZONE_STATEMENT.finditer(text):
        z = m.group("z")
        if "=" in text[m.start() : m.end() + 12] and re.search(r"UTC\s*[+\-−]\s*\d", text):
            mm = re.search(r"UTC\s*[+\-−]\s*\d{1,2}(?::?\d{2})?", text)
            off = zone_offset(mm.group(0)) if mm else None
        else:
            off = zone_offset(z)
        if off is not None:
            return off
    return None


def _leading(line_text: str, dm: DateMatch) -> bool:
    """Whether a date opens the line (only markers, filler words or a clock time before it)."""
    if dm.start > 60:
        return False
    prefix = line_text[: dm.start]
    rest = _LEAD_WORDS.sub("", prefix)
    rest = re.sub(r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:\(?[A-Za-z]{2,5}(?:[+\-]\d{1,2})?\)?)?", "", rest)
    return not re.sub(r"[\W_]+", "", rest)


def _event(stamp: Stamp | None, day: date | None, clock: tuple | None, line: Line, text: str) -> TimelineEvent:
    value: datetime | date
    if stamp is not None:
        value, has_time, has_zone, raw = (
            stamp.value,
            stamp.has_time,
            stamp.has_zone,
            line.text[stamp.start : stamp.end],
        )
    else:
        assert day is not None
        if clock is None:
            value, has_time, has_zone, raw = day, False, False, ""
        else:
            (h, mi), off, cs, ce = clock
            naive = datetime(day.year, day.month, day.day, h, mi)
            raw = line.text[cs:ce]
            if off is None:
                value, has_time, has_zone = naive, True, False
            else:
                value, has_time, has_zone = (naive - off).replace(tzinfo=UTC), True, True
    lead = len(line.text) - len(line.text.lstrip())
    return TimelineEvent(
        value, has_time, has_zone, text.strip(_SEPARATORS + " ")[:500], line.start + lead, line.end, raw
    )


def _apply_zone(stamp: Stamp, zone: timedelta | None) -> Stamp:
    if zone is None or stamp.has_zone or not stamp.has_time or not isinstance(stamp.value, datetime):
        return stamp
    return Stamp((stamp.value - zone).replace(tzinfo=UTC), True, True, stamp.start, stamp.end)


def _with_zone(clock: tuple | None, zone: timedelta | None) -> tuple | None:
    if clock is None or clock[1] is not None or zone is None:
        return clock
    return (clock[0], zone, clock[2], clock[3])


def extract_timeline(
    text: str,
    lines: list[Line],
    heading_line: Line | None,
    *,
    posted_year: int | None = None,
    dayfirst: bool = False,
) -> list[TimelineEvent]:
    """Timeline events found in ``lines`` (the body of a timeline section)."""
    zone = _zone_statement(heading_line.text) if heading_line is not None else None
    events: list[TimelineEvent] = []
    day: date | None = None
    year = posted_year
    for line in lines:
        body = line.text
        if line.in_code or not body.strip() or is_separator_row(body):
            continue
        stated = _zone_statement(body)
        dates = [d for d in find_dates(body[:120], dayfirst=dayfirst) if _leading(body, d)]
        if stated is not None and not dates and find_time(body) is None:
            zone = stated
            continue
        if dates:
            dm = dates[0]
            stamp = build_stamp(dm, body, default_year=year)
            if stamp is None:
                continue
            year = stamp.value.year if dm.year else year
            stamp = _apply_zone(stamp, zone)
            tail = body[stamp.end :]
            if not stamp.has_time and not tail.strip(_SEPARATORS + " "):
                day = date(stamp.value.year, stamp.value.month, stamp.value.day)
                continue
            day = date(dm.year or stamp.value.year, dm.month, dm.day) if not stamp.has_time else day
            events.append(_event(stamp, None, None, line, tail))
            continue
        if day is None:
            continue
        clock = _with_zone(find_time(body), zone)
        if clock is not None:
            events.append(_event(None, day, clock, line, body[clock[3] :]))
        elif bullet_match(body) and line.indent <= 1:
            m = bullet_match(body)
            events.append(_event(None, day, None, line, body[m.end() :] if m else body))
    return events
