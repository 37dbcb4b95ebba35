"""Action items written as sentences: one item per commitment ("We will ... by <date>") or per sentence
that ends in its due date or status ("Training of witnesses, done 2023-09-20.").
"""

from __future__ import annotations

import re
from datetime import datetime

from ca_incidents.parse.action_items.fields import Fields, clean_due, is_dueish, make_item, status_of
from ca_incidents.parse.dates import find_dates, parse_due
from ca_incidents.parse.lines import Line, strip_markdown
from ca_incidents.parse.model import ActionItem

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


def _prose_tail(sentence: str, dayfirst: bool) -> tuple[str, str] | None:
    """A sentence ending in its due/status: "Training of witnesses, done 2023-09-20." / "... (2020-02-28)."."""
    m = re.search(r"(?:,\s*|\s*\()(?P<tail>[^,()]{1,40}?)\)?\s*[.!;]?\s*$", sentence)
    if not m or not is_dueish(m.group("tail")):
        return None
    if any(d.start < m.start("tail") < d.end for d in find_dates(sentence, dayfirst=dayfirst)):
        return None  # the ", 2024" of "July 15, 2024"
    head = sentence[: m.start()]
    return (head, m.group("tail")) if len(re.findall(r"[A-Za-z]{2,}", head)) >= 2 else None


def prose_items(text: str, lines: list[Line], posted_at: datetime | None, dayfirst: bool) -> list[ActionItem]:
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
            fields = Fields(strip_markdown(sentence))
            if tail is not None:
                fields.text = strip_markdown(tail[0]).strip(" ,;:-–—")
                fields.status = status_of(tail[1])
                fields.due_text = clean_due(tail[1])
                if fields.due_text and parse_due(fields.due_text, posted_at, dayfirst=dayfirst) is None:
                    fields.due_text = None
                items.append(make_item(fields, start, line.start + offset + m.end(), posted_at, dayfirst))
                continue
            fields.due_text = sentence_due(sentence, posted_at, dayfirst)
            items.append(make_item(fields, start, line.start + offset + m.end(), posted_at, dayfirst))
    return items


def sentence_due(sentence: str, posted_at: datetime | None, dayfirst: bool) -> str | None:
    """The due text of a commitment sentence: its first date, else a "by|until|in ... <period>" phrase that
    names a period ("by the end of Q3")."""
    dates = find_dates(sentence, dayfirst=dayfirst)
    if dates:
        return sentence[dates[0].start : dates[0].end]
    due = re.search(
        r"\b(?:by|until|before|in|during|end of)\s+((?:Q[1-4]|H[12]|the end of|end of)?[^.,;]{0,30})",
        sentence,
        re.I,
    )
    if due and parse_due(due.group(1), posted_at) is not None:
        return due.group(1).strip()
    return None
