"""``parse_report``: one report text in, its whole structure out - never raising.

Quoted text is blanked (not removed) before parsing so every offset still points into the original text.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from ca_incidents.parse.action_items import extract_action_items, extract_orphan_action_items
from ca_incidents.parse.dates import detect_dayfirst, format_stamp
from ca_incidents.parse.eras import detect_era, era_in_force
from ca_incidents.parse.facts import extract_facts, extract_references
from ca_incidents.parse.informal import ProseReading, read_prose
from ca_incidents.parse.legacy import split_inline_labels
from ca_incidents.parse.lines import MAX_CHARS, Line, mask_spans, quoted_spans, split_lines
from ca_incidents.parse.model import ERAS, ParsedReport, Section
from ca_incidents.parse.root_causes import extract_root_causes
from ca_incidents.parse.sections import Candidate, body_start, find_candidates, segment
from ca_incidents.parse.timeline import extract_timeline
from ca_incidents.utc import to_naive_utc

PARSER_VERSION = "2"  # 2: paraphrased legacy labels, informal (prose) reports
_MAIN = {"summary", "impact", "timeline", "root_cause", "action_items", "lessons_learned", "appendix"}


def _clip(lines: list[Line], start: int, end: int) -> list[Line]:
    """The lines of ``[start, end)``, the first and last cut to the range."""
    out: list[Line] = []
    for ln in lines:
        if ln.end < start or ln.start >= end:
            continue
        s, e = max(ln.start, start), min(ln.end, end)
        if s > ln.start or e < ln.end:
            out.append(Line(ln.text[s - ln.start : e - ln.start], s, e, ln.index, ln.in_code))
        else:
            out.append(ln)
    return out


def _titles(candidates: list[Candidate], text: str) -> str:
    """Heading-ish text of the report (Markdown headings, bold lines, the first lines) for type cues."""
    strong = [c.title for c in candidates if c.kind in ("atx", "setext", "bold", "plain")]
    return "\n".join(strong[:80]) + "\n" + text[:400]


def _report_type(text: str, titles: str, names: list[str], questions: int, era: str | None, has_items: bool) -> str:
    head = titles.lower()
    if "closure_summary" in names or re.search(r"closure (?:summary|report)", head):
        return "closure"
    if re.search(r"preliminary (?:incident )?report", head):
        return "preliminary"
    if re.search(r"full (?:incident )?report", head):
        return "full"
    if re.search(
        r"audit incident report|findings? in (?:the )?(?:19|20)\d\d audit|^[ \t]*finding\s*#?\s*\d", head, re.M
    ) or (re.search(r"root cause of (?:the )?issue", text, re.I) and re.search(r"remediation plan", text, re.I)):
        return "audit"
    if questions >= 3:
        return "legacy" if era == "legacy" else "full"
    main = _MAIN & set(names)
    opening = text.lstrip()[:300].lower()
    update_cue = re.search(
        r"\b(?:weekly|bi-?weekly|status|progress|monthly)?\s*updates?\b|\brevised action items\b", opening
    )
    if len(main - {"action_items", "summary"}) >= 2:
        return "legacy" if era == "legacy" else "full"
    if (update_cue or has_items) and ("action_items" in names or re.search(r"action item", text[:5000], re.I)):
        return "update"
    if (
        update_cue
        and len(main) <= 1
        and re.match(r"\W*(?:#+\s*)?(?:\*\*)?\s*(?:weekly\s+|status\s+|progress\s+)?update", opening)
    ):
        return "update"
    if len(main) >= 2:
        return "legacy" if era == "legacy" else "full"
    return "other"


def _parse(text: str, posted_at: datetime | None, warnings: list[str]) -> ParsedReport:
    spans = quoted_spans(text)
    masked = mask_spans(text, [(s, e) for s, e, _, _ in spans])
    lines = split_inline_labels(split_lines(masked))
    candidates = find_candidates(lines)
    sections, questions = segment(masked, lines, candidates)
    names = [s.name for s in sections]
    dayfirst = detect_dayfirst(masked)
    bodies = {s.start: body_start(masked, s, candidates) for s in sections}
    timeline = []
    action_items = []
    by_start = {ln.start: ln for ln in lines}
    for sec in sections:
        body = _clip(lines, bodies[sec.start], sec.end)
        if sec.name == "timeline":
            heading = by_start.get(sec.start)
            events = extract_timeline(
                masked, body, heading, posted_year=posted_at.year if posted_at else None, dayfirst=dayfirst
            )
            if not events and any(ln.stripped for ln in body):
                warnings.append(f"timeline section at {sec.start} has text but no dated entries")
            timeline.extend(events)
        elif sec.name == "action_items":
            items, item_warnings = extract_action_items(masked, body, posted_at=posted_at, dayfirst=dayfirst)
            warnings.extend(item_warnings)
            if not items and any(ln.stripped for ln in body):
                warnings.append(f"action items section at {sec.start} has text but no recognisable items")
            action_items.extend(items)
    if not any(s.name == "action_items" for s in sections):
        covered = [(s.start, s.end) for s in sections]
        free = [ln for ln in lines if not any(a <= ln.start < b for a, b in covered)]
        orphans, orphan_warnings = extract_orphan_action_items(free, posted_at=posted_at, dayfirst=dayfirst)
        action_items.extend(orphans)
        warnings.extend(orphan_warnings)
    era = detect_era(masked, numbered_questions=questions, section_names=names, posted_at=posted_at)
    report_type = _report_type(masked, _titles(candidates, masked), names, questions, era, bool(action_items))
    root_causes = extract_root_causes(masked, lines, sections, bodies)
    if report_type == "other" and (prose := _read_prose(masked, lines, sections, posted_at, dayfirst)):
        report_type, era = "informal", None  # written as prose: no template whose rules could apply
        sections = sorted([*sections, *prose.sections], key=lambda s: (s.start, -s.end))
        root_causes.extend(prose.root_causes)
        action_items.extend(prose.action_items)
    if report_type not in ("other", "informal") and era is None:
        era = era_in_force(posted_at) or "v3.2"
    if report_type == "other" and not sections:
        era = None
    return ParsedReport(
        era=era,
        report_type=report_type,
        era_in_force=era_in_force(posted_at),
        sections=sections,
        root_causes=root_causes,
        action_items=action_items,
        timeline=timeline,
        references=extract_references(masked),
        facts=extract_facts(masked, sections),
        warnings=warnings,
    )


def _read_prose(
    text: str, lines: list[Line], sections: list[Section], posted_at: datetime | None, dayfirst: bool
) -> ProseReading:
    """Causes and steps written as prose, outside the sections that hold dated or itemised content."""
    held = [(s.start, s.end) for s in sections if s.name in ("timeline", "root_cause", "action_items", "appendix")]
    free = [ln for ln in lines if not any(a <= ln.start < b for a, b in held)]
    return read_prose(text, free, posted_at=posted_at, dayfirst=dayfirst)


def parse_report(text: str, posted_at: datetime | date | None = None) -> ParsedReport:
    """Parse one report. Pure and deterministic; a part that cannot be read becomes a warning."""
    warnings: list[str] = []
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if isinstance(posted_at, date) and not isinstance(posted_at, datetime):
        posted_at = datetime(posted_at.year, posted_at.month, posted_at.day)
    if posted_at is not None:
        posted_at = to_naive_utc(posted_at)
    if len(text) > MAX_CHARS:
        warnings.append(f"text has {len(text)} characters; only the first {MAX_CHARS} were parsed")
        text = text[:MAX_CHARS]
    try:
        return _parse(text, posted_at, warnings)
    except Exception as exc:
        return ParsedReport(
            era=None,
            report_type="other",
            era_in_force=era_in_force(posted_at),
            warnings=[*warnings, f"parser error: {type(exc).__name__}: {exc}"],
        )


def lint_document(text: str, posted_at: datetime | date | None = None, era: str | None = None) -> dict[str, Any]:
    """The `ca-incidents lint` JSON for one document (the scorer adds ``findings`` later)."""
    return lint_json(parse_report(text, posted_at), era)


def lint_json(parsed: ParsedReport, era: str | None = None) -> dict[str, Any]:
    """The `ca-incidents lint` JSON of a parse already made (``era`` overrides the detected one when valid)."""
    data = parsed.to_json()
    if era is not None and era in ERAS:
        data["era"] = era
    data["sections"] = [_section_json(s) for s in parsed.sections]
    data["root_causes"] = [
        {
            "title": r.title,
            "start": r.start,
            "end": r.end,
            "description": r.description,
            "timeline": r.timeline,
            "detection": r.detection,
            "interaction": r.interaction,
        }
        for r in parsed.root_causes
    ]
    data["action_items"] = [
        {
            "text": a.text,
            "start": a.start,
            "end": a.end,
            "kind": a.kind,
            "due_text": a.due_text,
            "due_date": a.due_date.isoformat() if a.due_date else None,
            "status": a.status,
            "root_causes": a.root_causes,
            "evaluation_criteria": a.evaluation_criteria,
        }
        for a in parsed.action_items
    ]
    data["timeline"] = [
        {
            "timestamp": format_stamp(t.timestamp, t.has_time, t.has_zone) if t.timestamp else None,
            "has_time": t.has_time,
            "has_zone": t.has_zone,
            "text": t.text,
            "start": t.start,
            "end": t.end,
        }
        for t in parsed.timeline
    ]
    data["findings"] = []
    return data


def _section_json(s: Section) -> dict[str, Any]:
    return {"name": s.name, "start": s.start, "end": s.end, "heading": s.heading, "parent": s.parent}
