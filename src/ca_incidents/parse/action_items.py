"""Action items from Markdown tables, bullet/numbered lists and legacy prose.

Real tables drop, add, merge and shift columns, so cells are assigned by header first and then checked by
content (a cell that reads "Prevent" is the kind wherever it sits). List items carry their fields inline
("- Add lint (Due: Q3 2024)", "... - Status: done - Date: 2023-06-12") or on indented lines below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    r"are working|expect(?:ed)?|add|implement|deploy|update|review|train|enforce|automate|extend|require)\b",
    re.IGNORECASE,
)


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
            if out.due_text is None and find_dates(seg) and len(seg) <= 40:
                out.due_text = _clean_due(seg)
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
    tail = None
    m = re.search(r"\(([^()]{1,80})\)\s*\.?$", first)
    if m and (_is_dueish(m.group(1)) or kind_of(m.group(1))):
        tail, first = m.group(1), first[: m.start()]
    if tail is None:
        for sep in (r",\s*", r":\s+", r"\s+(?=(?:due|by|until|till|done|finished|completed)\b)"):
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


def _list_blocks(lines: list[Line]) -> list[list[Line]]:
    """Top-level list items with their continuation lines (indented lines or sub-bullets)."""
    bullets = [line for line in lines if bullet_match(line.text) and not line.in_code]
    if not bullets:
        return []
    base = min(b.indent for b in bullets)
    blocks: list[list[Line]] = []
    current: list[Line] | None = None
    for line in lines:
        if not line.stripped:
            continue
        if bullet_match(line.text) and line.indent <= base + 1:
            current = [line]
            blocks.append(current)
        elif current is not None and (line.indent > base or bullet_match(line.text) or _FIELD_RE.match(line.stripped)):
            current.append(line)
        else:
            current = None
    return blocks


def _list_items(lines: list[Line], posted_at: datetime | None, dayfirst: bool) -> list[ActionItem]:
    items: list[ActionItem] = []
    for block in _list_blocks(lines):
        head = block[0]
        m = bullet_match(head.text)
        first = head.text[m.end() :] if m else head.text
        label = strip_markdown(first).strip(" :")
        group_kind = kind_of(label) if len(label.split()) <= 2 else None
        if group_kind and len(block) > 1:
            sub = [line for line in block[1:] if bullet_match(line.text)]
            for item in _list_items(sub, posted_at, dayfirst):
                items.append(_with_kind(item, group_kind))
            continue
        body = "\n".join([first] + [line.text.strip() for line in block[1:]])
        fields = _inline(body)
        if not fields.text:
            continue
        items.append(_item(fields, head.start + head.indent, block[-1].end, posted_at, dayfirst))
    return items


def _with_kind(item: ActionItem, kind: str) -> ActionItem:
    from dataclasses import replace

    return item if item.kind else replace(item, kind=kind)


def _prose_items(text: str, lines: list[Line], posted_at: datetime | None, dayfirst: bool) -> list[ActionItem]:
    items: list[ActionItem] = []
    for line in lines:
        if not line.stripped or line.in_code:
            continue
        for m in re.finditer(r"[^.!?]+(?:[.!?]+(?=\s|$)|$)", line.text):
            sentence = m.group(0).strip()
            if len(sentence.split()) < 4 or not _ACTION_VERBS.search(sentence):
                continue
            start = line.start + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            fields = _Fields(strip_markdown(sentence))
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
            items.append(_item(fields, start, line.start + m.end(), posted_at, dayfirst))
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
    items: list[ActionItem] = []
    for table in tables:
        items.extend(_table_items(table, posted_at, dayfirst, warnings))
    if not tables:
        items = _list_items(lines, posted_at, dayfirst)
        if not items:
            items = _prose_items(text, lines, posted_at, dayfirst)
    return items, warnings


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
    return items, warnings
