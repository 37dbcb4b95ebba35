"""Action items from tables: Markdown rows, tab-separated rows pasted from HTML, and space-aligned columns.

Real tables drop, add, merge and shift columns, so cells are assigned by header first and then checked by
content (a cell that reads "Prevent" is the kind wherever it sits).
"""

from __future__ import annotations

import re
from datetime import datetime

from ca_incidents.parse.action_items.fields import (
    KIND_CELL_WORDS,
    Fields,
    clean_due,
    finish,
    is_dueish,
    kind_of,
    make_item,
    status_of,
)
from ca_incidents.parse.dates import find_dates
from ca_incidents.parse.lines import Line, bullet_match, is_separator_row, strip_markdown, table_cells
from ca_incidents.parse.model import ActionItem

_COLUMNS = (
    ("status", r"status|state|progress"),
    ("kind", r"kind|type|category|class"),
    ("root_causes", r"root|cause|factor"),
    ("evaluation_criteria", r"evaluat|criteri|success|verif|measur"),
    ("due", r"due|date|deadline|target|eta|complet|when|timeline|timeframe|\bby\b|schedule"),
    ("index", r"^(?:#|no\.?|n°|id|nr\.?|ref|item\s*#)$"),
    ("text", r"action|item|description|measure|task|remediation|step|activit|what|plan|fix|change"),
)


def column_of(header: str) -> str | None:
    h = strip_markdown(header).lower().strip()
    for name, pat in _COLUMNS:
        if re.search(pat, h):
            return name
    return None


def row_cells(text: str) -> list[tuple[str, int, int]] | None:
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


def table_items(rows: list[Line], posted_at: datetime | None, dayfirst: bool, warnings: list[str]) -> list[ActionItem]:
    parsed = [(line, row_cells(line.text) or []) for line in rows if not is_separator_row(line.text)]
    if not parsed:
        return []
    header = [column_of(c[0]) for c in parsed[0][1]]
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
            make_item(fields, line.start + (len(line.text) - len(line.text.lstrip())), line.end, posted_at, dayfirst)
        )
    return items


def _cell_type(v: str) -> str | None:
    """What a cell's content looks like regardless of its column: a kind, a status, a due date, or text."""
    words = strip_markdown(v).lower().split()
    if words and words[0].strip(",;:/") in KIND_CELL_WORDS and len(words) <= 2:
        return "kind"
    if status_of(v) is not None and len(v.split()) <= 4 and not find_dates(v):
        return "status"
    return "due" if is_dueish(v) else None


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


def _row_fields(values: list[str], header: list[str | None]) -> Fields:
    """Assign cells to fields by header, then move cells whose content says otherwise."""
    roles = _assign_roles(values, header)
    text_idx = [i for i, r in enumerate(roles) if r == "text" and values[i]]
    if not text_idx:
        free = [i for i, r in enumerate(roles) if r is None and values[i] and not re.fullmatch(r"[#\d.]+", values[i])]
        text_idx = sorted(free, key=lambda i: -len(values[i]))[:1]
    out = Fields(" ".join(values[i] for i in text_idx[:1]))
    for i, r in enumerate(roles):
        if values[i]:
            _set_field(out, r, values[i], roles)
    return finish(out)


def _set_field(out: Fields, role: str | None, v: str, roles: list[str | None]) -> None:
    if role == "kind":
        out.kind = out.kind or kind_of(v)
    elif role == "status":
        out.status = out.status or status_of(v)
        if out.due_text is None and find_dates(v) and "due" not in roles:
            out.due_text = clean_due(v)
    elif role == "due" and out.due_text is None:
        out.due_text = clean_due(v)
        if out.status is None and "status" not in roles and status_of(v) in ("complete", "delayed", "canceled"):
            out.status = status_of(v)
    elif role == "root_causes":
        out.root_causes = v
    elif role == "evaluation_criteria":
        out.criteria = v


def aligned_tables(lines: list[Line]) -> list[list[Line]]:
    """Plain-text tables whose columns are aligned with runs of spaces (pasted from a terminal or PDF), as pipe
    rows with the original offsets; the header must name an action column and at least one more."""
    tables: list[list[Line]] = []
    run: list[Line] = []
    for line in [*lines, None]:
        cells = re.split(r"\s{2,}", line.stripped) if line is not None and not line.in_code else []
        header = [column_of(c) for c in cells] if not run else []
        starts = "text" in header and sum(h is not None for h in header) >= 2
        if len(cells) >= 2 and line is not None and not bullet_match(line.text) and (run or starts):
            run.append(Line(" " * line.indent + "| " + " | ".join(cells) + " |", line.start, line.end, line.index))
            continue
        if len(run) >= 2:
            tables.append(run)
        run = []
    return tables


def table_runs(lines: list[Line]) -> list[list[Line]]:
    runs: list[list[Line]] = []
    run: list[Line] = []
    for line in [*lines, None]:
        if line is not None and not line.in_code and line.stripped and row_cells(line.text) is not None:
            run.append(line)
            continue
        if len(run) >= 2:
            runs.append(run)
        run = []
    return runs
