"""Root causes: v3 "Contributing Factor #N" blocks with their fields, else one per root-cause section."""

from __future__ import annotations

import re

from ca_incidents.parse.lines import Line, strip_markdown
from ca_incidents.parse.model import RootCause, Section
from ca_incidents.parse.sections import CF_RE

_FIELDS = (
    ("description", r"description"),
    ("timeline", r"timeline"),
    ("detection", r"detection"),
    ("interaction", r"interaction(?:\s+with\s+other\s+factors)?"),
    ("methodology", r"root\s+cause\s+analysis\s+methodology(?:\s+used)?|methodology"),
)
_FIELD_RE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?\s*(?P<f>"
    + "|".join(p for _, p in _FIELDS)
    + r")\s*(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*:?",
    re.IGNORECASE,
)


def _field_name(label: str) -> str:
    for name, pat in _FIELDS:
        if re.fullmatch(pat, label, re.IGNORECASE):
            return name
    return "description"


def _first_words(text: str, limit: int = 120) -> str:
    for raw in text.splitlines():
        s = strip_markdown(raw).strip(" -*:")
        if s:
            return s[:limit]
    return ""


def _cf_block(text: str, lines: list[Line], title: str, start: int, end: int) -> RootCause:
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        if m := _FIELD_RE.match(line.text):
            current = _field_name(m.group("f"))
            fields.setdefault(current, []).append(line.text[m.end() :].strip())
        elif current is not None:
            fields[current].append(line.text.strip())
    get = {k: strip_markdown("\n".join(v))[:2000] for k, v in fields.items()}
    return RootCause(
        title=title or get.get("description", "")[:120],
        start=start,
        end=end,
        description=get.get("description", ""),
        timeline=get.get("timeline", ""),
        detection=get.get("detection", ""),
        interaction=get.get("interaction", ""),
    )


def extract_root_causes(
    text: str, lines: list[Line], sections: list[Section], bodies: dict[int, int]
) -> list[RootCause]:
    """Root causes of every root-cause section; ``bodies`` maps a section start to its content start."""
    out: list[RootCause] = []
    for sec in sections:
        if sec.name != "root_cause":
            continue
        body_start = bodies.get(sec.start, sec.start)
        sec_lines = [ln for ln in lines if ln.end > body_start and ln.start < sec.end]
        heads = [(i, m) for i, ln in enumerate(sec_lines) if (m := CF_RE.match(strip_markdown(ln.text)))]
        if not heads:
            body = text[body_start : sec.end]
            out.append(RootCause(_first_words(body), sec.start, sec.end, description=strip_markdown(body)[:2000]))
            continue
        for k, (i, m) in enumerate(heads):
            j = heads[k + 1][0] if k + 1 < len(heads) else len(sec_lines)
            block = sec_lines[i + 1 : j]
            end = block[-1].end if block else sec_lines[i].end
            end = min(end, sec.end)
            title = m.group(2).strip(" *:")
            if not title and block:
                title = _first_words("\n".join(ln.text for ln in block))
            out.append(_cf_block(text, block, title, sec_lines[i].start, end))
    return out
