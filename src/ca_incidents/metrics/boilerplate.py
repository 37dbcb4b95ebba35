"""Boilerplate: passages of the CA's own text (root causes, action items, update filler) reused nearly
verbatim from an earlier bug, of the same CA or another.

Passages are the sentences of paragraphs and list items, and whole table rows, of CA comments (quotes
removed), at least ``MIN_CHARS`` long after normalisation: a copied sentence inside a reworded paragraph is
still found. Each passage is paired with its most similar *earlier* passage from
another bug (rapidfuzz ``ratio`` at least ``NEAR``). Text shared by the bugs of ``TEMPLATE_CAS`` or more CA
owners is template wording and is not counted, nor are the template's own prompts and fixed lines
(``TEMPLATE_PHRASES``: the wiki's numbered questions, the v3 closing request) or factual fields (relevant
policies, certificate types, counts). A passage the CA already wrote earlier in the same bug is its own
repetition (a closure summary restating an item), reported once where it first appears. Identical passages
are compared once, so a corpus of repeated synthetic comments stays cheap.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ca_incidents.metrics.context import Bug

MIN_CHARS = 90
NEAR = 88.0
TEMPLATE_CAS = 3
TEMPLATE_PHRASES = re.compile(
    r"how your ca first became aware|timeline of the actions your ca took|whether your ca has stopped|"
    r"summary of the problematic certificates|complete certificate data for the problematic|"
    r"explanation about how and why the mistakes|list of steps your ca is taking|number of certs, and the date|"
    r"all action items (?:have been|are) (?:completed|complete).{0,80}closure",
)
FACT_LABELS = re.compile(
    r"relevant policies|affected certificate types|total number|ccadb unique id|non-compliance \w+ date|"
    r"source of incident disclosure|incident heuristic",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+|\*\*[^*]{3,80}\*\*\s*$|\d+\.\s+[A-Z][^.]{3,80}$)")
_LABEL = re.compile(r"^\s*(?:[-*]\s+)?\*\*[^*]{1,80}\*\*\s*:?\s*")


@dataclass(frozen=True)
class Passage:
    bug_id: int
    ca_owner: str | None
    comment_id: int
    comment_count: int
    start: int  # offset into the comment's raw text
    end: int
    kind: str  # root_cause | action_item | update | other
    text: str  # normalised


@dataclass(frozen=True)
class Pair:
    """One row of ``boilerplate_pairs``: a passage and the earlier passage it repeats."""

    bug_id: int
    comment_id: int
    comment_count: int
    start: int
    end: int
    kind: str
    source_bug_id: int
    source_comment_id: int
    source_comment_count: int
    source_start: int
    source_end: int
    similarity: float
    is_same_ca: bool
    text: str


def _normalise(text: str) -> str:
    text = _LABEL.sub("", text)
    text = re.sub(r"[|*_`>#-]+", " ", text)
    return " ".join(text.lower().split())


def _kind(heading: str, is_row: bool, role: str) -> str:
    if is_row and "action" in heading:
        return "action_item"
    if re.search(r"root cause|contributing factor|why|cause", heading):
        return "root_cause"
    if role == "update":
        return "update"
    return "action_item" if is_row else "other"


def _sentences(block: str, is_row: bool) -> list[tuple[int, int]]:
    if is_row:
        return [(0, len(block))]
    bounds = [m.end() for m in re.finditer(r"(?<=[a-z0-9)\]\"'`][.!?])\s+(?=[A-Z(\"'`*])", block)]
    starts = [0, *bounds]
    return list(zip(starts, [*bounds, len(block)], strict=True))


def passages(bug: Bug) -> list[Passage]:
    """The CA's passages in one bug."""
    out = []
    for c in bug.comments:
        if not c.is_ca:
            continue
        own, heading = c.own_text, ""
        for m in re.finditer(r"[^\n]+(?:\n(?![ \t]*\n|\s*[-*|]|\s*\d+\.\s)[^\n]+)*", own):
            block = m.group(0)
            if _HEADING.match(block):
                heading = block.lower()
                continue
            is_row = block.lstrip().startswith("|")
            if is_row and re.fullmatch(r"[\s|:-]+", block):
                continue
            label = _LABEL.match(block)
            if label and FACT_LABELS.search(label.group(0)):
                continue
            kind = _kind(heading, is_row, c.role)
            for start, end in _sentences(block, is_row):
                text = _normalise(block[start:end])
                if len(text) >= MIN_CHARS and not TEMPLATE_PHRASES.search(text):
                    out.append(Passage(bug.id, bug.ca_owner, c.id, c.count, m.start() + start, m.start() + end, kind,
                                       text))  # fmt: skip
    return out


def _template_texts(items: list[Passage]) -> set[str]:
    owners: dict[str, set[str]] = defaultdict(set)
    for p in items:
        owners[p.text].add(p.ca_owner or f"?{p.bug_id}")
    return {t for t, o in owners.items() if len(o) >= TEMPLATE_CAS}


def find_pairs(bugs: list[Bug]) -> list[Pair]:
    """Each passage paired with the most similar earlier passage of another bug."""
    order = {b.id: (b.creation_time, b.id) for b in bugs}
    items = sorted((p for b in bugs for p in passages(b)), key=lambda p: (order[p.bug_id], p.comment_count))
    template = _template_texts(items)
    items = [p for p in items if p.text not in template]
    texts = sorted({p.text for p in items})
    index = {t: i for i, t in enumerate(texts)}
    scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=NEAR, workers=-1)
    by_text: dict[int, list[int]] = defaultdict(list)
    for n, p in enumerate(items):
        by_text[index[p.text]].append(n)
    out = []
    for n, p in enumerate(items):
        row = scores[index[p.text]]
        best, own = None, False
        for j in row.nonzero()[0]:
            for m in by_text[int(j)]:
                q = items[m]
                own = own or (m < n and q.bug_id == p.bug_id and q.comment_count < p.comment_count)
                if m >= n or q.bug_id == p.bug_id or order[q.bug_id] >= order[p.bug_id]:
                    continue
                if best is None or row[j] > best[0]:
                    best = (float(row[j]), q)
        if best is not None and not own:
            q = best[1]
            out.append(Pair(p.bug_id, p.comment_id, p.comment_count, p.start, p.end, p.kind, q.bug_id, q.comment_id,
                            q.comment_count, q.start, q.end, round(best[0], 1),
                            bool(p.ca_owner) and p.ca_owner == q.ca_owner, p.text))  # fmt: skip
    return out
