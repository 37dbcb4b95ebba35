"""Template conformance: the sections and fields each era's template requires (spec §1).

A field or section written "N/A" is present: the v3 template asks for N/A, not omission.
"""

from __future__ import annotations

import re

from ca_incidents.parse.eras import V3_ERAS
from ca_incidents.score.detectors import Context
from ca_incidents.score.model import Finding

RULES = ("missing-section", "missing-field", "missing-lessons-part")

_TITLES = {
    "summary": "Summary",
    "impact": "Impact",
    "timeline": "Timeline",
    "related_incidents": "Related Incidents",
    "root_cause": "Root Cause Analysis",
    "lessons_learned": "Lessons Learned",
    "action_items": "Action Items",
    "appendix": "Appendix",
    "closure_summary": "Report Closure Summary",
    "went_well": "What went well",
    "didnt_go_well": "What didn't go well",
    "lucky": "Where we got lucky",
}
_LEGACY = ("summary", "timeline", "impact", "root_cause", "action_items")
_AUDIT = ("summary", "root_cause", "action_items")
_V2_FULL = ("summary", "impact", "timeline", "root_cause", "lessons_learned", "action_items", "appendix")
_V3_FULL = (
    "summary",
    "impact",
    "timeline",
    "related_incidents",
    "root_cause",
    "lessons_learned",
    "action_items",
    "appendix",
)

# v3 fields: (section they belong to, label as printed, pattern that finds the label)
_V3_SUMMARY = (
    ("summary", "Incident description", r"incident description"),
    ("summary", "Relevant policies", r"relevant polic"),
    ("summary", "Source of incident disclosure", r"source of (?:the )?incident disclosure|source of disclosure"),
)
_V3_FULL_FIELDS = (
    ("summary", "CA Owner CCADB unique ID", r"ccadb unique id|\bA\d{6}\b"),
    *_V3_SUMMARY,
    ("summary", "Timeline summary", r"timeline summary|non-compliance start date"),
    ("impact", "Total number of certificates", r"total number of (?:affected )?certificates"),
    ("impact", 'Total number of "remaining valid" certificates', r"remaining valid"),
    ("impact", "Affected certificate types", r"affected certificate types?|certificate types?"),
    ("impact", "Incident heuristic", r"incident heuristic|heuristic"),
    ("impact", "Was issuance stopped", r"issuance (?:was )?stopped|stop(?:ped)? issuance"),
    ("impact", "Analysis", r"\banalysis\b"),
)
_CLOSURE_FIELDS = (
    ("closure_summary", "Incident description", r"incident description"),
    ("closure_summary", "Incident Root Cause(s)", r"root cause"),
    ("closure_summary", "Remediation description", r"remediation"),
    ("closure_summary", "Commitment summary", r"commitment"),
)


def required_sections(era: str | None, report_type: str) -> tuple[str, ...]:
    """Sections the template of ``era`` requires in a report of ``report_type``."""
    if era is None or report_type in ("update", "other"):
        return ()
    if report_type == "audit":
        return _AUDIT
    if era in ("legacy", "v1.0"):
        return _LEGACY if report_type in ("legacy", "full") else ()
    if era == "v2.0":
        return _V2_FULL if report_type == "full" else ()
    return {"preliminary": ("summary",), "full": _V3_FULL, "closure": ("closure_summary",)}.get(report_type, ())


def required_fields(era: str | None, report_type: str) -> tuple[tuple[str, str, str], ...]:
    """v3 fields required in a report of this type."""
    if era not in V3_ERAS:
        return ()
    return {"preliminary": _V3_SUMMARY, "full": _V3_FULL_FIELDS, "closure": _CLOSURE_FIELDS}.get(report_type, ())


def _missing_sections(ctx: Context) -> list[Finding]:
    present = {s.name for s in ctx.parsed.sections}
    start, end = ctx.heading_span()
    era = ctx.era or "?"
    return [
        ctx.finding(
            "missing-section",
            f"The {era} template requires the section '{_TITLES[name]}' (write N/A if it does not apply).",
            start,
            end,
        )
        for name in required_sections(ctx.era, ctx.report_type)
        if name not in present
    ]


def _filled(body: str, pattern: str) -> bool:
    """Whether a field label appears with a value (on its line, or sub-bullets below it)."""
    for m in re.finditer(pattern, body, re.IGNORECASE):
        line_end = body.find("\n", m.end())
        rest = body[m.end() : line_end if line_end >= 0 else len(body)]
        if re.sub(r"[\s*_:|?]", "", rest) or (m.group(0)[:1] == "A" and re.fullmatch(r"A\d{6}", m.group(0))):
            return True
        below = body[line_end + 1 :].split("\n", 1)[0] if line_end >= 0 else ""
        if re.match(r"\s{2,}[-*+]\s+\S", below):
            return True
    return False


def _missing_fields(ctx: Context) -> list[Finding]:
    out = []
    for section, label, pattern in required_fields(ctx.era, ctx.report_type):
        secs = ctx.sections(section)
        if not secs:
            continue  # already a missing-section finding
        body = ctx.section_text(section)
        if not _filled(body, pattern):
            sec = secs[0]
            head_end = ctx.first_line_end(sec.start, sec.end)
            out.append(
                ctx.in_section(
                    "missing-field",
                    f"The {_TITLES[section]} has no '{label}' field (write N/A if it does not apply).",
                    sec,
                    sec.start,
                    head_end,
                )
            )
    return out


def _missing_lessons_parts(ctx: Context) -> list[Finding]:
    if ctx.report_type != "full" or ctx.era in ("legacy", "v1.0"):
        return []
    out = []
    parts = {s.name for s in ctx.parsed.sections if s.parent == "lessons_learned"}
    for sec in ctx.sections("lessons_learned"):
        body = ctx.text[sec.start : sec.end]
        for part in ("went_well", "didnt_go_well", "lucky"):
            if part not in parts and not re.search(_TITLES[part].replace("'", "'?"), body, re.I):
                head_end = ctx.first_line_end(sec.start, sec.end)
                out.append(
                    ctx.in_section(
                        "missing-lessons-part",
                        f"Lessons Learned has no '{_TITLES[part]}' part (write N/A if there is nothing to say).",
                        sec,
                        sec.start,
                        head_end,
                    )
                )
        break
    return out


def detect(ctx: Context) -> list[Finding]:
    """Missing sections, v3 fields and Lessons Learned parts."""
    return _missing_sections(ctx) + _missing_fields(ctx) + _missing_lessons_parts(ctx)
