"""Timeline precision and completeness (v2.0+: minute granularity, UTC or offset, required events)."""

from __future__ import annotations

import re

from ca_incidents.score.detectors import Context
from ca_incidents.score.model import Finding

RULES = ("timeline-missing-time", "timeline-missing-zone", "timeline-missing-event")

# (event, what a CA should add, cue words in an entry's text)
_EVENTS = (
    (
        "introduction",
        "the change that introduced the root cause",
        r"introduc|deploy|releas|rolled? out|went live|go-live|migrat|upgrad|chang|configur|creat|added|"
        r"implement|ballot|effective|took effect|came into force|adopt|enabled|modif|updat|installed|signed",
    ),
    (
        "start",
        "the start of the incident (first affected issuance or event)",
        r"\bfirst\b|\bstart|\bbegan|\bbegin|issued|misissu|mis-issu|\bincident start|non-compliance start|"
        r"\bsince\b|expired|stopped (?:working|publishing|responding)|outage",
    ),
    (
        "awareness",
        "when the CA became aware",
        r"aware|report|notif|discover|detect|identif|found|alert|notic|receiv|raised|flagged|contact|email|"
        r"post|question|complain|observ|learn",
    ),
    (
        "end",
        "the end of the incident (last affected issuance, fix deployed or revocation completed)",
        r"\blast\b|fix|resolv|\bstop|halt|revok|revocation|deploy|\bend|restor|correct|complet|remediat|"
        r"republish|re-publish|replac|patch|closed|disabled|resum",
    ),
)
_STOP = r"stop|halt|suspend|paus|disabl|ceas"
_RESUME = r"resum|restart|re-enabl|reenabl|restor"


def _stamps(ctx: Context) -> list[Finding]:
    out = []
    for ev in ctx.parsed.timeline:
        sec = ctx.section_at(ev.start, ev.end)
        if sec is None:
            continue
        if not ev.has_time:
            out.append(
                ctx.in_section(
                    "timeline-missing-time",
                    "This timeline entry has a date but no time of day (give at least hours and minutes).",
                    sec,
                    ev.start,
                    ev.end,
                )
            )
        elif not ev.has_zone:
            out.append(
                ctx.in_section(
                    "timeline-missing-zone",
                    "This time has no time zone; give UTC or an offset, or say 'All times are UTC' above the timeline.",
                    sec,
                    ev.start,
                    ev.end,
                )
            )
    return out


def _events(ctx: Context) -> list[Finding]:
    secs = ctx.sections("timeline")
    if not secs or ctx.report_type not in ("full", "legacy"):
        return []
    sec = secs[0]
    body = ctx.section_text("timeline").lower()
    entries = " \n".join(ev.text.lower() for ev in ctx.parsed.timeline) or body
    wanted = list(_EVENTS)
    if ctx.parsed.facts.issuance_stopped:
        wanted += [("stop", "when issuance was stopped", _STOP), ("resume", "when issuance resumed", _RESUME)]
    start, end = sec.start, ctx.first_line_end(sec.start, sec.end)
    return [
        ctx.in_section("timeline-missing-event", f"The timeline does not show {what}.", sec, start, end)
        for _, what, cue in wanted
        if not re.search(cue, entries)
    ]


def detect(ctx: Context) -> list[Finding]:
    """Entries without a time or zone, and required events the timeline never mentions."""
    return _stamps(ctx) + _events(ctx)
