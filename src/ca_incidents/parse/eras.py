"""Template eras: which one a text follows, and which one was in force when it was posted.

The two differ on purpose: a CA may adopt a template early (v2.0 was public from 2023-08-11, the v3 draft
from 2024-11-14) or, from 2025-07-15, keep a superseded one for 30 days; the scorer compares them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

# (era, first day it was in force)
ERA_STARTS: tuple[tuple[str, date], ...] = (
    ("legacy", date(2017, 1, 1)),
    ("v1.0", date(2023, 2, 15)),
    ("v2.0", date(2023, 10, 17)),
    ("v3.0", date(2025, 3, 1)),
    ("v3.1", date(2025, 7, 15)),
    ("v3.2", date(2026, 3, 20)),
)
GRACE_FROM = date(2025, 7, 15)
GRACE_DAYS = 30
# template text public before its effective date: (era, first day of early adoption)
EARLY_ADOPTION = (("v2.0", date(2023, 8, 11)), ("v3.0", date(2024, 11, 14)))
V3_ERAS = ("v3.0", "v3.1", "v3.2")


def _day(posted_at: datetime | date) -> date:
    return posted_at.date() if isinstance(posted_at, datetime) else posted_at


def era_in_force(posted_at: datetime | date | None) -> str | None:
    """The era whose template was current on the posting date (None when the date is unknown)."""
    if posted_at is None:
        return None
    day = _day(posted_at)
    current = ERA_STARTS[0][0]
    for era, start in ERA_STARTS:
        if day >= start:
            current = era
    return current


def acceptable_eras(posted_at: datetime | date | None) -> tuple[str, ...]:
    """Eras a report posted then may follow: the current one, a 30-day-old predecessor (from 2025-07-15),
    and an early-adopted successor."""
    if posted_at is None:
        return ()
    day = _day(posted_at)
    current = era_in_force(day)
    allowed = [current] if current else []
    idx = [e for e, _ in ERA_STARTS].index(current) if current else 0
    if idx > 0:
        start = ERA_STARTS[idx][1]
        previous = ERA_STARTS[idx - 1][0]
        if day >= GRACE_FROM and day - start <= timedelta(days=GRACE_DAYS):
            allowed.append(previous)
        elif day < GRACE_FROM and day - start <= timedelta(days=14):
            allowed.append(previous)  # no stated grace before 2025-07-15: lenient at the boundary
    for era, early in EARLY_ADOPTION:
        effective = dict(ERA_STARTS)[era]
        if early <= day < effective:
            allowed.append(era)
    return tuple(dict.fromkeys(allowed))


V3_MARKERS = re.compile(
    r"preliminary incident report|full incident report|report closure summary|incident closure summary|"
    r"contributing factor|ccadb unique id|source of incident disclosure|incident heuristic|"
    r"remaining valid|corresponding root cause|evaluation criteria|"
    r"non-compliance (?:start|identified|end) date",
    re.IGNORECASE,
)
_V3_TITLES = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*)?(?:preliminary|full) incident report|report closure summary", re.I | re.M
)
V2_MARKERS = re.compile(
    r"^[ \t]*#{1,3}[ \t]*(?:audit[ \t]+)?incident report[ \t]*$|what went well|what didn'?t go well|where we got lucky|"
    r"lessons learned|\|\s*action item\s*\|\s*kind\s*\||all times are utc|finding #\s*\d",
    re.IGNORECASE | re.MULTILINE,
)


def detect_era(
    text: str, *, numbered_questions: int, section_names: list[str], posted_at: datetime | date | None
) -> str | None:
    """The template a report follows, from its own text (the posting date only splits look-alikes)."""
    in_force = era_in_force(posted_at)
    v3 = len(set(m.group(0).lower() for m in V3_MARKERS.finditer(text[:200_000])))
    v2 = len(set(m.group(0).lower() for m in V2_MARKERS.finditer(text[:200_000])))
    titled = bool(_V3_TITLES.search(text[:200_000]))
    if titled or v3 >= 2 or (v3 >= 1 and v2 == 0 and numbered_questions < 3):
        if in_force in V3_ERAS:
            return in_force
        return "v3.0" if posted_at is not None else "v3.2"
    if numbered_questions >= 3 or _is_v1_audit(text):
        if posted_at is None:
            return "v1.0" if re.search(r"\bccadb\b", text, re.I) else "legacy"
        return "legacy" if _day(posted_at) < date(2023, 2, 15) else "v1.0"
    if v2 >= 1 or {"lessons_learned", "went_well", "didnt_go_well"} & set(section_names):
        return "v2.0"
    if not section_names:
        return None
    if posted_at is None:
        return "v2.0"
    day = _day(posted_at)
    if day < date(2023, 2, 15):
        return "legacy"
    if day < date(2023, 8, 11):
        return "v1.0"
    return "v2.0" if in_force not in V3_ERAS else in_force


def _is_v1_audit(text: str) -> bool:
    return bool(re.search(r"root cause of (?:the )?issue", text, re.I) and re.search(r"remediation plan", text, re.I))
