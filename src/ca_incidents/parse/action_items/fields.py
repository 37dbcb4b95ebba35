"""Field values of an action item, wherever they are written: kind, status and due-date cells, and the
"description - tail" / "Label: value" forms of list items.

Tables, lists and prose all end in the same :class:`Fields` record, so a due date or status is read by one set
of rules whichever layout the report used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ca_incidents.parse.dates import find_dates, parse_due
from ca_incidents.parse.lines import strip_markdown
from ca_incidents.parse.model import ActionItem

_KIND_WORDS = (
    ("prevent", r"prevent(?:ion|ive|ative)?"),
    ("detect", r"detect(?:ion|ive)?|monitor(?:ing)?"),
    ("mitigate", r"mitigat(?:e|ion|ive|ing)|remediat(?:e|ion)|correct(?:ive|ion)"),
)
_STATUS_WORDS = (
    (None, r"not\s+(?:yet\s+)?started|planned|pending|to\s+do|todo|tbd|scheduled|not\s+begun"),
    ("canceled", r"cancel+ed|cancel+ation|dropped|withdrawn|abandoned|won'?t\s+do"),
    ("delayed", r"delayed|postponed|overdue|slipped"),
    ("complete", r"complete[d]?|done|finished|implemented|closed|resolved|fixed|deployed|achieved|✅|✔"),
    ("ongoing", r"on-?going|in[\s-]+progress|open|underway|wip|started|active|continuing|in\s+development"),
)
KIND_CELL_WORDS = {
    "prevent",
    "prevention",
    "preventive",
    "preventative",
    "detect",
    "detection",
    "detective",
    "mitigate",
    "mitigation",
    "mitigating",
    "mitigative",
    "corrective",
}

FIELD_RE = re.compile(
    r"(?:(?<=^)|(?<=[\s(\[;,|–—\-]))(?P<label>kind|type|status|state|due\s+date|due|target\s+date|target|deadline|eta|"
    r"completion\s+date|completed\s+on|completed|date|corresponding\s+root\s+causes?|root\s+causes?|"
    r"evaluation\s+criteria|criteria)\s*[:=]\s*",
    re.IGNORECASE,
)
_DUEISH_RE = re.compile(r"^(?:due|by|until|till|before|target|eta|expected|planned\s+for|no\s+later\s+than)\b", re.I)
_OPEN_DUE_RE = re.compile(r"^(?:tbd|tba|asap|n/?a|none|-+|ongoing|continuous|permanent|immediately|immediate)\b", re.I)


def kind_of(text: str | None) -> str | None:
    """The action kind a cell or label value names (prevent/detect/mitigate)."""
    if not text:
        return None
    t = strip_markdown(text).lower()
    for name, pat in _KIND_WORDS:
        if re.match(rf"\s*(?:{pat})\b", t):
            return name
    return None


def status_of(text: str | None) -> str | None:
    """The status a cell names (complete/ongoing/delayed/canceled); "planned"/"not started" are none."""
    if not text:
        return None
    t = strip_markdown(text).lower()
    for name, pat in _STATUS_WORDS:
        if re.search(rf"(?:^|[\s(\[,;:/-])(?:{pat})(?:$|[\s)\],;:./-])", f" {t} "):
            return name
    return None


def is_dueish(text: str) -> bool:
    t = strip_markdown(text).strip(" ()[].,;")
    if not t or len(t) > 60:
        return False
    if _OPEN_DUE_RE.match(t) or _DUEISH_RE.match(t):
        return True
    if status_of(t) is not None and len(t.split()) <= 4:
        return True
    return parse_due(t) is not None and len(re.sub(r"[\d\W]", "", t)) < 25


def clean_due(text: str) -> str | None:
    """The due part of a tail, without status words and connectives ("done 2022-03-04" -> "2022-03-04")."""
    t = strip_markdown(text).strip(" ()[].,;:-–—")
    for _, pat in _STATUS_WORDS:
        t = re.sub(rf"^(?:{pat})\b[\s,:;-]*", "", t, flags=re.I)
        t = re.sub(rf"[\s,:;(-]*\b(?:{pat})\)?$", "", t, flags=re.I)
    t = re.sub(
        r"^(?:due(?:\s+date)?|by|until|till|on|before|target(?:\s+date)?|eta|planned\s+for)\b[\s:]*",
        "",
        t,
        flags=re.I,
    )
    t = t.strip(" ()[].,;:-–—")
    return t or None


@dataclass
class Fields:
    text: str
    kind: str | None = None
    status: str | None = None
    due_text: str | None = None
    root_causes: str | None = None
    criteria: str | None = None


def _labelled(body: str) -> Fields | None:
    """Fields written as ``Label: value`` (inline or on continuation lines)."""
    matches = list(FIELD_RE.finditer(body))
    if not matches:
        return None
    out = Fields(body[: matches[0].start()])
    for i, m in enumerate(matches):
        value = body[m.end() : matches[i + 1].start() if i + 1 < len(matches) else len(body)]
        value = value.strip().strip(" -–—;,|()").strip()
        label = m.group("label").lower()
        if label in ("kind", "type"):
            out.kind = kind_of(value)
        elif label in ("status", "state"):
            out.status = status_of(value)
            if out.due_text is None and find_dates(value):
                out.due_text = clean_due(value)
        elif "root" in label:
            out.root_causes = value or None
        elif "criteria" in label:
            out.criteria = value or None
        else:
            if label.startswith("complet") and out.status is None:
                out.status = "complete"
            out.due_text = clean_due(value)
    return out


def _segment_role(seg: str) -> str | None:
    """What a dash-separated piece of a list item is: its kind, its status, its due date, or text."""
    t = strip_markdown(seg).strip(" ()[].,;:")
    if not t:
        return None
    if kind_of(t) and len(t.split()) <= 3:
        return "kind"
    first = re.split(r"[\s:,(]", t, maxsplit=1)[0]
    if status_of(first) or (status_of(" ".join(t.split()[:2])) and len(t.split()) <= 2):
        return "status"
    return "due" if is_dueish(t) else None


def _dash_segments(first: str, out: Fields) -> str:
    """Consume " — Prevent — due 2025-12-31 — Delayed: ..." pieces; return the description part."""
    parts = re.split(r"\s[-–—]+\s|\s[–—]\s?|\s?[–—]\s", first)
    if len(parts) < 2:
        return first
    keep = [parts[0]]
    for seg in parts[1:]:
        role = _segment_role(seg)
        if role == "kind" and out.kind is None:
            out.kind = kind_of(seg)
        elif role == "status" and out.status is None:
            out.status = status_of(re.split(r"[:(]", seg, maxsplit=1)[0]) or status_of(seg)
            due = clean_due(seg) if len(seg) <= 40 else None
            if out.due_text is None and due and (find_dates(seg) or parse_due(due) is not None):
                out.due_text = due
        elif role == "due" and out.due_text is None:
            out.due_text = clean_due(seg)
            if out.status is None and status_of(seg) in ("complete", "delayed", "canceled"):
                out.status = status_of(seg)
            if out.due_text and status_of(out.due_text) and not find_dates(out.due_text):
                out.due_text = None
        elif role is None and len(keep) == 1 + parts.index(seg) - 1:
            keep.append(seg)
    return " - ".join(keep)


def inline_fields(body: str) -> Fields:
    """Split "description - tail" / "description (tail)" / "description, tail" into text and due/status."""
    fields = _labelled(body)
    if fields is not None and strip_markdown(fields.text).strip(" -–—:;,("):
        head = Fields("")
        fields.text = _dash_segments(fields.text.split("\n", 1)[0], head)
        fields.kind = fields.kind or head.kind
        fields.status = fields.status or head.status
        fields.due_text = fields.due_text or head.due_text
        return finish(fields)
    out = Fields("")
    first = _dash_segments(body.split("\n", 1)[0].rstrip(), out)
    if out.kind or out.status or out.due_text:
        out.text = first
        return finish(out)
    if status_tail := _status_tail(first):
        out.text, out.status, out.due_text = status_tail
        return finish(out)
    tail = None
    m = re.search(r"\(([^()]{1,80})\)\s*\.?$", first)
    if m and (is_dueish(m.group(1)) or kind_of(m.group(1))):
        tail, first = m.group(1), first[: m.start()]
    if tail is None:
        for sep in (r",\s*", r":\s+", r"\.\s+", r"\s+(?=(?:due|by|until|till|done|finished|completed)\b)"):
            parts = re.split(sep, first)
            if len(parts) > 1 and is_dueish(parts[-1]):
                tail = parts[-1]
                first = first[: len(first) - len(parts[-1])].rstrip(" ,:-–—")
                break
    out.text = first
    if tail is not None:
        kind = kind_of(tail)
        if kind and len(tail.split()) <= 2:
            out.kind = kind
        else:
            out.status = status_of(tail)
            out.due_text = clean_due(tail)
            if out.due_text and status_of(out.due_text) and not find_dates(out.due_text):
                out.due_text = None
    return finish(out)


def _status_tail(first: str) -> tuple[str, str, str | None] | None:
    """ "Description: done on 2024-03-12, no findings" / "...: in progress, on track for Q2" -> text, status, due.

    The tail must open with a status word and the head must read as words (not a timeline date)."""
    m = re.match(r"(?P<head>.{3,}?)\s*:\s+(?P<tail>\S.*)$", first)
    if not m or len(re.findall(r"[A-Za-z]{2,}", strip_markdown(m.group("head")))) < 2:
        return None
    tail = strip_markdown(m.group("tail"))
    lead = re.split(r"[,;(]|\s[-–—]\s", tail, maxsplit=1)[0]
    status = status_of(" ".join(lead.split()[:3]))
    if status is None or len(lead.split()) > 5:
        return None
    due = None
    for piece in re.split(r"[,;]", tail):
        cleaned = clean_due(
            re.sub(r"^\s*(?:on\s+track|planned|scheduled|expected)\s+(?:for|by)?", "", piece, flags=re.I)
        )
        if cleaned and (find_dates(piece) or parse_due(cleaned) is not None) and len(cleaned) <= 40:
            due = cleaned
            break
    return m.group("head"), status, due


def finish(fields: Fields) -> Fields:
    text = fields.text
    if fields.kind is None and (m := re.search(r"[(\[]\s*(prevent\w*|detect\w*|mitigat\w*)\s*[)\]]", text, re.I)):
        fields.kind = kind_of(m.group(1))
        text = text[: m.start()] + text[m.end() :]
    fields.text = strip_markdown(text).strip(" -–—:;,([")
    return fields


def make_item(fields: Fields, start: int, end: int, posted_at: datetime | None, dayfirst: bool) -> ActionItem:
    due_date = parse_due(fields.due_text, posted_at, dayfirst=dayfirst) if fields.due_text else None
    return ActionItem(
        text=fields.text[:1000],
        start=start,
        end=end,
        kind=fields.kind,
        root_causes=fields.root_causes,
        evaluation_criteria=fields.criteria,
        due_text=fields.due_text,
        due_date=due_date,
        status=fields.status,
    )
