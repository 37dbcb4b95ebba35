"""Action items from Markdown tables, bullet/numbered lists and legacy prose.

Real tables drop, add, merge and shift columns, so cells are assigned by header first and then checked by
content (a cell that reads "Prevent" is the kind wherever it sits). List items carry their fields inline
("- Add lint (Due: Q3 2024)", "... - Status: done - Date: 2023-06-12") or on indented lines below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from ca_incidents.parse.dates import find_dates, parse_due
from ca_incidents.parse.lines import Line, bullet_match, is_separator_row, strip_markdown, table_cells
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
_KIND_CELL_WORDS = {
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
_COLUMNS = (
    ("status", r"status|state|progress"),
    ("kind", r"kind|type|category|class"),
    ("root_causes", r"root|cause|factor"),
    ("evaluation_criteria", r"evaluat|criteri|success|verif|measur"),
    ("due", r"due|date|deadline|target|eta|complet|when|timeline|timeframe|\bby\b|schedule"),
    ("index", r"^(?:#|no\.?|n°|id|nr\.?|ref|item\s*#)$"),
    ("text", r"action|item|description|measure|task|remediation|step|activit|what|plan|fix|change"),
)
_FIELD_RE = re.compile(
    r"(?:(?<=^)|(?<=[\s(\[;,|–—\-]))(?P<label>kind|type|status|state|due\s+date|due|target\s+date|target|deadline|eta|"
    r"completion\s+date|completed\s+on|completed|date|corresponding\s+root\s+causes?|root\s+causes?|"
    r"evaluation\s+criteria|criteria)\s*[:=]\s*",
    re.IGNORECASE,
)
_DUEISH_RE = re.compile(r"^(?:due|by|until|till|before|target|eta|expected|planned\s+for|no\s+later\s+than)\b", re.I)
_OPEN_DUE_RE = re.compile(r"^(?:tbd|tba|asap|n/?a|none|-+|ongoing|continuous|permanent|immediately|immediate)\b", re.I)
_ACTION_VERBS = re.compile(
    r"\b(?:will|shall|plan(?:s|ned)?|have|has|had|implemented|added|deployed|updated|introduced|changed|completed|"
    r"enhanced|improved|created|established|revoked|fixed|reviewed|trained|"
    r"conduct(?:ed)?|perform(?:ed)?|going to|"
    r"are working|expect(?:ed)?|add|implement|deploy|update|review|train|enforce|automate|extend|require|"
    r"(?:remov|disabl|replac|rotat|migrat|introduc|retir|validat|restrict|enabl|revis|upgrad|integrat|"
    r"schedul|configur)(?:e|ed|es)|"
    r"(?:document|publish|block|reject|verif|monitor|audit|test|patch|ensur|modif|switch|develop|"
    r"hir|limit|strengthen|harden|separat)\w*)\b",
    re.IGNORECASE,
)
_ANSWER_RE = re.compile(r"^\s*(?:a|answer|response)\s*[:.)]\s+", re.I)


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


def _is_dueish(text: str) -> bool:
    t = strip_markdown(text).strip(" ()[].,;")
    if not t or len(t) > 60:
        return False
    if _OPEN_DUE_RE.match(t) or _DUEISH_RE.match(t):
        return True
    if status_of(t) is not None and len(t.split()) <= 4:
        return True
    return parse_due(t) is not None and len(re.sub(r"[\d\W]", "", t)) < 25


def _clean_due(text: str) -> str | None:
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
class _Fields:
    text: str
    kind: str | None = None
    status: str | None = None
    due_text: str | None = None
    root_causes: str | None = None
    criteria: str | None = None


def _labelled(body: str) -> _Fields | None:
    """Fields written as ``Label: value`` (inline or on continuation lines)."""
    matches = list(_FIELD_RE.finditer(body))
    if not matches:
        return None
    out = _Fields(body[: matches[0].start()])
    for i, m in enumerate(matches):
        value = body[m.end() : matches[i + 1].start() if i + 1 < len(matches) else len(body)]
        value = value.strip().strip(" -–—;,|()").strip()
        label = m.group("label").lower()
        if label in ("kind", "type"):
            out.kind = kind_of(value)
        elif label in ("status", "state"):
            out.status = status_of(value)
            if out.due_text is None and find_dates(value):
                out.due_text = _clean_due(value)
        elif "root" in label:
            out.root_causes = value or None
        elif "criteria" in label:
            out.criteria = value or None
        else:
            if label.startswith("complet") and out.status is None:
                out.status = "complete"
            out.due_text = _clean_due(value)
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
    return "due" if _is_dueish(t) else None


def _dash_segments(first: str, out: _Fields) -> str:
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
            due = _clean_due(seg) if len(seg) <= 40 else None
            if out.due_text is None and due and (find_dates(seg) or parse_due(due) is not None):
                out.due_text = due
        elif role == "due" and out.due_text is None:
            out.due_text = _clean_due(seg)
            if out.status is None and status_of(seg) in ("complete", "delayed", "canceled"):
                out.status = status_of(seg)
            if out.due_text and status_of(out.due_text) and not find_dates(out.due_text):
                out.due_text = None
        elif role is None and len(keep) == 1 + parts.index(seg) - 1:
            keep.append(seg)
    return " - ".join(keep)


def _inline(body: str) -> _Fields:
    """Split "description - tail" / "description (tail)" / "description, tail" into text and due/status."""
    fields = _labelled(body)
    if fields is not None and strip_markdown(fields.text).strip(" -–—:;,("):
        head = _Fields("")
        fields.text = _dash_segments(fields.text.split("\n", 1)[0], head)
        fields.kind = fields.kind or head.kind
        fields.status = fields.status or head.status
        fields.due_text = fields.due_text or head.due_text
        return _finish(fields)
    out = _Fields("")
    first = _dash_segments(body.split("\n", 1)[0].rstrip(), out)
    if out.kind or out.status or out.due_text:
        out.text = first
        return _finish(out)
    if status_tail := _status_tail(first):
        out.text, out.status, out.due_text = status_tail
        return _finish(out)
    tail = None
    m = re.search(r"\(([^()]{1,80})\)\s*\.?$", first)
    if m and (_is_dueish(m.group(1)) or kind_of(m.group(1))):
        tail, first = m.group(1), first[: m.start()]
    if tail is None:
        for sep in (r",\s*", r":\s+", r"\.\s+", r"\s+(?=(?:due|by|until|till|done|finished|completed)\b)"):
            parts = re.split(sep, first)
            if len(parts) > 1 and _is_dueish(parts[-1]):
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
            out.due_text = _clean_due(tail)
            if out.due_text and status_of(out.due_text) and not find_dates(out.due_text):
                out.due_text = None
    return _finish(out)


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
        cleaned = _clean_due(
            re.sub(r"^\s*(?:on\s+track|planned|scheduled|expected)\s+(?:for|by)?", "", piece, flags=re.I)
        )
        if cleaned and (find_dates(piece) or parse_due(cleaned) is not None) and len(cleaned) <= 40:
            due = cleaned
            break
    return m.group("head"), status, due


def _finish(fields: _Fields) -> _Fields:
    text = fields.text
    if fields.kind is None and (m := re.search(r"[(\[]\s*(prevent\w*|detect\w*|mitigat\w*)\s*[)\]]", text, re.I)):
        fields.kind = kind_of(m.group(1))
        text = text[: m.start()] + text[m.end() :]
    fields.text = strip_markdown(text).strip(" -–—:;,([")
    return fields


def _item(fields: _Fields, start: int, end: int, posted_at: datetime | None, dayfirst: bool) -> ActionItem:
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


def _column_of(header: str) -> str | None:
    h = strip_markdown(header).lower().strip()
    for name, pat in _COLUMNS:
        if re.search(pat, h):
            return name
    return None


def _row(text: str) -> list[tuple[str, int, int]] | None:
    """Cells of a Markdown table row, or of a tab-separated row (a table copied from rendered HTML)."""
    cells = table_cells(text)
    if cells is not None or "\t" not in text.strip():
        return cells
    out = []
    for m in re.finditer(r"[^\t]+", text):
        inner = m.group(0).strip()
        if inner:
            off = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            out.append((inner, off, off + len(inner)))
    return out if len(out) >= 2 else None


def _table_items(rows: list[Line], posted_at: datetime | None, dayfirst: bool, warnings: list[str]) -> list[ActionItem]:
    parsed = [(line, _row(line.text) or []) for line in rows if not is_separator_row(line.text)]
    if not parsed:
        return []
    header = [_column_of(c[0]) for c in parsed[0][1]]
    has_header = sum(h is not None for h in header) >= 2 or (
        len(rows) > 1 and is_separator_row(rows[1].text) and any(header)
    )
    body = parsed[1:] if has_header else parsed
    if not has_header:
        header = []
    items: list[ActionItem] = []
    for n, (line, cells) in enumerate(body, start=1):
        values = [strip_markdown(c[0]) for c in cells]
        if not any(values):
            continue
        if header and len(values) != len(header):
            warnings.append(f"action items table row {n} has {len(values)} cells, the header has {len(header)}")
        fields = _row_fields(values, header)
        if not fields.text:
            warnings.append(f"action items table row {n} has no action text")
            continue
        items.append(
            _item(fields, line.start + (len(line.text) - len(line.text.lstrip())), line.end, posted_at, dayfirst)
        )
    return items


def _cell_type(v: str) -> str | None:
    """What a cell's content looks like regardless of its column: a kind, a status, a due date, or text."""
    words = strip_markdown(v).lower().split()
    if words and words[0].strip(",;:/") in _KIND_CELL_WORDS and len(words) <= 2:
        return "kind"
    if status_of(v) is not None and len(v.split()) <= 4 and not find_dates(v):
        return "status"
    return "due" if _is_dueish(v) else None


def _assign_roles(values: list[str], header: list[str | None]) -> list[str | None]:
    """Column roles per cell: the header's, unless the content clearly says otherwise."""
    roles: list[str | None] = [header[i] if i < len(header) else None for i in range(len(values))]
    aligned = len(values) == len(header)
    for i, v in enumerate(values):
        typed = _cell_type(v) if v else None
        if typed is None or roles[i] == typed:
            if v and roles[i] == "index" and not re.fullmatch(r"[#\w.]{0,6}", v):
                roles[i] = "text"
            continue
        keep = (roles[i] == "text" and (aligned or len(v.split()) > 4)) or (
            aligned and roles[i] in ("kind", "status", "due", "root_causes", "evaluation_criteria")
        )
        if not keep:
            roles[i] = typed
    return roles


def _row_fields(values: list[str], header: list[str | None]) -> _Fields:
    """Assign cells to fields by header, then move cells whose content says otherwise."""
    roles = _assign_roles(values, header)
    text_idx = [i for i, r in enumerate(roles) if r == "text" and values[i]]
    if not text_idx:
        free = [i for i, r in enumerate(roles) if r is None and values[i] and not re.fullmatch(r"[#\d.]+", values[i])]
        text_idx = sorted(free, key=lambda i: -len(values[i]))[:1]
    out = _Fields(" ".join(values[i] for i in text_idx[:1]))
    for i, r in enumerate(roles):
        if values[i]:
            _set_field(out, r, values[i], roles)
    return _finish(out)


def _set_field(out: _Fields, role: str | None, v: str, roles: list[str | None]) -> None:
    if role == "kind":
        out.kind = out.kind or kind_of(v)
    elif role == "status":
        out.status = out.status or status_of(v)
        if out.due_text is None and find_dates(v) and "due" not in roles:
            out.due_text = _clean_due(v)
    elif role == "due" and out.due_text is None:
        out.due_text = _clean_due(v)
        if out.status is None and "status" not in roles and status_of(v) in ("complete", "delayed", "canceled"):
            out.status = status_of(v)
    elif role == "root_causes":
        out.root_causes = v
    elif role == "evaluation_criteria":
        out.criteria = v


_ITEM_LABEL_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?\s*(?:action(?:\s+item)?|item|task|commitment|remediation(?:\s+item)?)\s*"
    r"(?:#|no\.?)?\s*\d{1,3}\s*(?:\*\*|__)?\s*(?:[:.)–—-]|(?=\s*$))\s*(?:\*\*|__)?\s*",
    re.IGNORECASE,
)
_TEXT_FIELD_RE = re.compile(r"^\s*(?:description|action(?:\s+item)?|item|task|what)\s*[:=]\s*", re.I)
_CHECKBOX_RE = re.compile(r"^\[([ xX✓✔])\]\s*")


def _field_line(line: Line) -> bool:
    """A ``Kind: Prevent`` / ``- Due Date: 2024-07-01`` line: a field of the item above, not an item."""
    m = bullet_match(line.text)
    body = re.sub(r"\*\*|__", "", line.text[m.end() :] if m else line.stripped).strip()
    return bool(_FIELD_RE.match(body) or _TEXT_FIELD_RE.match(body))


def _group_label(line: Line) -> str | None:
    """The kind a stand-alone group label line names ("**Prevent**", "Detective controls:", "- Mitigate:")."""
    m = bullet_match(line.text)
    label = strip_markdown(line.text[m.end() :] if m else line.text).strip(" :")
    words = label.split()
    if 1 <= len(words) <= 2 and words[0].lower().strip(",;:/") in _KIND_CELL_WORDS:
        return kind_of(label)
    return None


@dataclass
class _Entry:
    head: Line
    lines: list[Line]
    group: str | None
    titled: bool = False  # a non-bullet title whose fields follow on their own lines


def _entries(lines: list[Line]) -> list[_Entry]:
    """Items of a list-like body: top-level bullets, "Action 1:" lines and title lines followed by field lines,
    each with its continuation (indented or wrapped lines, sub-bullets, field lines)."""
    body = [line for line in lines if not line.in_code]
    bullets = [line for line in body if bullet_match(line.text)]
    base = min((b.indent for b in bullets), default=0)
    out: list[_Entry] = []
    current: _Entry | None = None
    group: str | None = None
    blank = False
    for i, line in enumerate(body):
        if not line.stripped:
            blank = True
            continue
        after_blank, blank = blank, False
        nxt = next((n for n in body[i + 1 :] if n.stripped), None)
        is_bullet = bullet_match(line.text) is not None
        kind = _group_label(line)
        if kind and nxt is not None and (line.indent <= base or not is_bullet):
            group = kind
            current = None
            if is_bullet and nxt.indent > line.indent:
                current = _Entry(line, [line], kind)  # "- Prevent:" with nested items
                out.append(current)
            continue
        field = _field_line(line)
        if current is not None and field and (current.titled or not is_bullet or line.indent > base):
            current.lines.append(line)
        elif _ITEM_LABEL_RE.match(line.text) and not (current is not None and line.indent > current.head.indent):
            current = _Entry(line, [line], group, titled=True)
            out.append(current)
        elif is_bullet and line.indent <= base + 1:
            current = _Entry(line, [line], group)
            out.append(current)
        elif current is not None and not after_blank and (line.indent > base or not current.titled or is_bullet):
            current.lines.append(line)
        elif not is_bullet and nxt is not None and _field_line(nxt) and nxt.index == line.index + 1:
            current = _Entry(line, [line], group, titled=True)
            out.append(current)
        elif current is not None and line.indent > current.head.indent and not after_blank:
            current.lines.append(line)
        else:
            current = None
            if after_blank or not is_bullet:
                group = group if line.indent > 0 else None
    return out


def _entry_body(entry: _Entry) -> str:
    """The entry as text: wrapped lines joined into the first line, field lines and sub-bullets on their own."""
    head = entry.head
    m = bullet_match(head.text)
    text = head.text[m.end() :] if m else head.text
    if label := _ITEM_LABEL_RE.match(text):
        text = text[label.end() :]
    parts = [text.strip()]
    for line in entry.lines[1:]:
        if _field_line(line) or bullet_match(line.text):
            parts.append(line.stripped)
        else:
            parts[-1] += " " + line.stripped
    if entry.titled and not strip_markdown(parts[0]).strip(" :*_"):
        texts = [p for p in parts[1:] if _TEXT_FIELD_RE.match(re.sub(r"^[-*+•]\s+|\*\*|__", "", p))]
        if texts:
            parts.remove(texts[0])
            parts[0] = _TEXT_FIELD_RE.sub("", re.sub(r"^[-*+•]\s+|\*\*|__", "", texts[0]))
    return "\n".join(parts)


def _with_kind(item: ActionItem, kind: str | None) -> ActionItem:
    return item if item.kind or not kind else replace(item, kind=kind)


def _list_items(lines: list[Line], posted_at: datetime | None, dayfirst: bool) -> list[ActionItem]:
    items: list[ActionItem] = []
    for entry in _entries(lines):
        if _group_label(entry.head) and len(entry.lines) > 1:
            items.extend(_with_kind(item, entry.group) for item in _list_items(entry.lines[1:], posted_at, dayfirst))
            continue
        body = re.sub(r"\*\*|__", "", _entry_body(entry))
        status = None
        if box := _CHECKBOX_RE.match(body):
            body = body[box.end() :]
            status = None if box.group(1) == " " else "complete"
        fields = _inline(body)
        if not fields.text:
            continue
        fields.status = fields.status or status
        item = _item(fields, entry.head.start + entry.head.indent, entry.lines[-1].end, posted_at, dayfirst)
        items.append(_with_kind(item, entry.group))
    return items


def _prose_tail(sentence: str, dayfirst: bool) -> tuple[str, str] | None:
    """A sentence ending in its due/status: "Training of witnesses, done 2023-09-20." / "... (2020-02-28)."."""
    m = re.search(r"(?:,\s*|\s*\()(?P<tail>[^,()]{1,40}?)\)?\s*[.!;]?\s*$", sentence)
    if not m or not _is_dueish(m.group("tail")):
        return None
    if any(d.start < m.start("tail") < d.end for d in find_dates(sentence, dayfirst=dayfirst)):
        return None  # the ", 2024" of "July 15, 2024"
    head = sentence[: m.start()]
    return (head, m.group("tail")) if len(re.findall(r"[A-Za-z]{2,}", head)) >= 2 else None


def _prose_items(text: str, lines: list[Line], posted_at: datetime | None, dayfirst: bool) -> list[ActionItem]:
    """One item per commitment sentence: it names an action ("We will ... by <date>") or ends in a due/status."""
    items: list[ActionItem] = []
    for line in lines:
        if not line.stripped or line.in_code:
            continue
        answer = _ANSWER_RE.match(line.text)
        offset = answer.end() if answer else 0
        for m in re.finditer(r"[^.!?]+(?:[.!?]+(?=\s|$)|$)", line.text[offset:]):
            sentence = m.group(0).strip()
            tail = _prose_tail(sentence, dayfirst)
            if len(sentence.split()) < 2 or (
                tail is None and (len(sentence.split()) < 4 or not _ACTION_VERBS.search(sentence))
            ):
                continue
            start = line.start + offset + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            fields = _Fields(strip_markdown(sentence))
            if tail is not None:
                fields.text = strip_markdown(tail[0]).strip(" ,;:-–—")
                fields.status = status_of(tail[1])
                fields.due_text = _clean_due(tail[1])
                if fields.due_text and parse_due(fields.due_text, posted_at, dayfirst=dayfirst) is None:
                    fields.due_text = None
                items.append(_item(fields, start, line.start + offset + m.end(), posted_at, dayfirst))
                continue
            dates = find_dates(sentence, dayfirst=dayfirst)
            due = re.search(
                r"\b(?:by|until|before|in|during|end of)\s+((?:Q[1-4]|H[12]|the end of|end of)?[^.,;]{0,30})",
                sentence,
                re.I,
            )
            if dates:
                fields.due_text = sentence[dates[0].start : dates[0].end]
            elif due and parse_due(due.group(1), posted_at) is not None:
                fields.due_text = due.group(1).strip()
            items.append(_item(fields, start, line.start + offset + m.end(), posted_at, dayfirst))
    return items


def extract_action_items(
    text: str, lines: list[Line], *, posted_at: datetime | None = None, dayfirst: bool = False
) -> tuple[list[ActionItem], list[str]]:
    """Action items of one action-items section body, plus warnings about what could not be read."""
    warnings: list[str] = []
    tables: list[list[Line]] = []
    run: list[Line] = []
    for line in [*lines, None]:
        if line is not None and not line.in_code and _row(line.text) is not None and line.stripped:
            run.append(line)
            continue
        if len(run) >= 2 or (run and len(_row(run[0].text) or []) >= 3):
            tables.append(run)
        run = []
    if not tables:
        tables = _aligned_tables(lines)
    items: list[ActionItem] = []
    for table in tables:
        items.extend(_table_items(table, posted_at, dayfirst, warnings))
    if not tables:
        items = _list_items(lines, posted_at, dayfirst)
        if not items:
            items = _prose_items(text, lines, posted_at, dayfirst)
    return items, warnings


def _aligned_tables(lines: list[Line]) -> list[list[Line]]:
    """Plain-text tables whose columns are aligned with runs of spaces (pasted from a terminal or PDF), as pipe
    rows with the original offsets; the header must name an action column and at least one more."""
    tables: list[list[Line]] = []
    run: list[Line] = []
    for line in [*lines, None]:
        cells = re.split(r"\s{2,}", line.stripped) if line is not None and not line.in_code else []
        header = [_column_of(c) for c in cells] if not run else []
        starts = "text" in header and sum(h is not None for h in header) >= 2
        if len(cells) >= 2 and line is not None and not bullet_match(line.text) and (run or starts):
            run.append(Line(" " * line.indent + "| " + " | ".join(cells) + " |", line.start, line.end, line.index))
            continue
        if len(run) >= 2:
            tables.append(run)
        run = []
    return tables


def _table_runs(lines: list[Line]) -> list[list[Line]]:
    runs: list[list[Line]] = []
    run: list[Line] = []
    for line in [*lines, None]:
        if line is not None and not line.in_code and line.stripped and _row(line.text) is not None:
            run.append(line)
            continue
        if len(run) >= 2:
            runs.append(run)
        run = []
    return runs


def extract_orphan_action_items(
    lines: list[Line], *, posted_at: datetime | None = None, dayfirst: bool = False
) -> tuple[list[ActionItem], list[str]]:
    """Action items outside any action-items section: a table with an "Action" column, or the list right
    after a line that mentions action items (update comments re-post them without headings)."""
    warnings: list[str] = []
    items: list[ActionItem] = []
    for run in _table_runs(lines):
        header = [_column_of(c[0]) for c in (_row(run[0].text) or [])]
        head_text = run[0].text.lower()
        if "text" in header and sum(h is not None for h in header) >= 2 and "action" in head_text:
            items.extend(_table_items(run, posted_at, dayfirst, warnings))
    if items:
        return items, warnings
    items = _lead_in_items(lines, posted_at, dayfirst)
    if items:
        return items, warnings
    for run in _bullet_runs(lines):
        found = _list_items(run, posted_at, dayfirst)
        with_status = sum(item.status is not None for item in found)
        if with_status >= 2 and 2 * with_status >= len(found):
            items.extend(found)  # an update's list of items, each reporting its status
    return items, warnings


def _bullet_runs(lines: list[Line]) -> list[list[Line]]:
    """Consecutive list items (with indented continuations and blank lines between items)."""
    runs: list[list[Line]] = []
    run: list[Line] = []
    for i, line in enumerate(lines):
        contiguous = bool(run) and line.index == run[-1].index + 1
        if line.in_code or line.text.lstrip().startswith(">"):
            continuing = False
        elif bullet_match(line.text):
            continuing = True
        elif not line.stripped:
            nxt = next((n for n in lines[i + 1 :] if n.stripped), None)
            continuing = bool(run) and nxt is not None and bullet_match(nxt.text) is not None
        else:
            continuing = bool(run) and line.indent > 0
        if continuing and (contiguous or not run):
            run.append(line)
            continue
        if run:
            runs.append(run)
        run = [line] if continuing else []
    if run:
        runs.append(run)
    return runs


def _lead_in_items(lines: list[Line], posted_at: datetime | None, dayfirst: bool) -> list[ActionItem]:
    """The list right after a line mentioning action items ("Status of our action items as of today:")."""
    items: list[ActionItem] = []
    for i, line in enumerate(lines):
        if bullet_match(line.text) or not re.search(r"\baction items?\b", line.text, re.I):
            continue
        following: list[Line] = []
        for nxt in lines[i + 1 :]:
            if not nxt.stripped:
                if following:
                    break
                continue
            if not (bullet_match(nxt.text) or (following and nxt.indent > 0)):
                break
            following.append(nxt)
        if following:
            items.extend(_list_items(following, posted_at, dayfirst))
    return items
