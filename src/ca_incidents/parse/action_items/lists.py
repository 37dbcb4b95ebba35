"""Action items from lists: bullets, numbered items, "Action 1:" titles with field lines, kind group labels.

List items carry their fields inline ("- Add lint (Due: Q3 2024)", "... - Status: done - Date: 2023-06-12") or
on indented lines below; both are gathered into one entry before the fields are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from ca_incidents.parse.action_items.fields import FIELD_RE, KIND_CELL_WORDS, inline_fields, kind_of, make_item
from ca_incidents.parse.lines import Line, bullet_match, strip_markdown
from ca_incidents.parse.model import ActionItem

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
    return bool(FIELD_RE.match(body) or _TEXT_FIELD_RE.match(body))


def _group_label(line: Line) -> str | None:
    """The kind a stand-alone group label line names ("**Prevent**", "Detective controls:", "- Mitigate:")."""
    m = bullet_match(line.text)
    label = strip_markdown(line.text[m.end() :] if m else line.text).strip(" :")
    words = label.split()
    if 1 <= len(words) <= 2 and words[0].lower().strip(",;:/") in KIND_CELL_WORDS:
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


def list_items(lines: list[Line], posted_at: datetime | None, dayfirst: bool) -> list[ActionItem]:
    items: list[ActionItem] = []
    for entry in _entries(lines):
        if _group_label(entry.head) and len(entry.lines) > 1:
            items.extend(_with_kind(item, entry.group) for item in list_items(entry.lines[1:], posted_at, dayfirst))
            continue
        body = re.sub(r"\*\*|__", "", _entry_body(entry))
        status = None
        if box := _CHECKBOX_RE.match(body):
            body = body[box.end() :]
            status = None if box.group(1) == " " else "complete"
        fields = inline_fields(body)
        if not fields.text:
            continue
        fields.status = fields.status or status
        item = make_item(fields, entry.head.start + entry.head.indent, entry.lines[-1].end, posted_at, dayfirst)
        items.append(_with_kind(item, entry.group))
    return items


def bullet_runs(lines: list[Line]) -> list[list[Line]]:
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


def lead_in_items(lines: list[Line], posted_at: datetime | None, dayfirst: bool) -> list[ActionItem]:
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
            items.extend(list_items(following, posted_at, dayfirst))
    return items
