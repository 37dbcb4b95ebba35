"""Recurrence and related incidents: earlier incidents of the same CA (and of other CAs) that look like the
same kind of problem, and whether the later report lists them.

Same kind = at least one shared specific whiteboard tag (not `[ca-compliance]`, `[external]`,
`[covid-19]`; renamed tags count as their new name) and either the later bug names the earlier one, or
the CA's own text of the two bugs is similar (TF-IDF cosine over summary and CA comments, at least
``SIMILAR``). When no earlier bug is named, only the most similar earlier same-CA bug is reported, so a CA
with many incidents under one tag is not flooded with pairs. Similar incidents of other CAs are listed as
``other_ca`` rows. Lexical similarity is a proxy for "same problem class": docs/metrics.md says how well
it agrees with the hand-labelled demo pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from ca_incidents.metrics.context import Bug

GENERIC_TAGS = frozenset({"ca-compliance", "external", "covid-19", "uncategorized"})
# tags renamed about late 2022 (spec §3): the old and new names are the same kind of incident
TAG_SYNONYMS = {"delayed-revocation-leaf": "leaf-revocation-delay", "delayed-revocation-ca": "ca-revocation-delay"}
SIMILAR = 0.2
SIMILAR_OTHER_CA = 0.3
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Recurrence:
    """One row of ``recurrences``."""

    bug_id: int
    earlier_bug_id: int
    kind: str  # same_ca | other_ca
    shared_tags: list[str]
    similarity: float
    is_named: bool  # the later bug's comments name the earlier bug
    named_comment_id: int | None
    is_after_resolution: bool  # the earlier bug was resolved before this one was filed
    days_between: int


def kinds(bug: Bug) -> set[str]:
    """The bug's specific tags, renamed tags mapped to their current name."""
    return {TAG_SYNONYMS.get(t, t) for t in bug.tags} - GENERIC_TAGS


def _text(bug: Bug) -> str:
    summary = re.sub(r"^[^:]*:", "", bug.summary)
    return (summary + " " + " ".join(c.own_text for c in bug.comments if c.is_ca))[:MAX_TEXT]


def _named(bug: Bug, other: Bug) -> int | None:
    pattern = re.compile(rf"(?<!\d){other.id}(?!\d)")
    return next((c.id for c in bug.comments if c.is_ca and pattern.search(c.own_text)), None)


def _resolved_time(bug: Bug):
    closes = [c.time for c in bug.changes("status") if c.added in ("RESOLVED", "VERIFIED", "CLOSED")]
    return closes[0] if closes else None


def find_recurrences(bugs: list[Bug]) -> list[Recurrence]:
    """Recurrence rows for every bug (earlier bugs only)."""
    bugs = sorted(bugs, key=lambda b: (b.creation_time, b.id))
    if len(bugs) < 2:
        return []
    docs = [_text(b) for b in bugs]
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True, max_features=50_000).fit_transform(docs)
    sims = cosine_similarity(vectors, dense_output=False)
    out: list[Recurrence] = []
    for i, bug in enumerate(bugs):
        row = sims.getrow(i).toarray()[0]
        specific = kinds(bug)
        candidates = []
        for j in range(i):
            other = bugs[j]
            shared = sorted(specific & kinds(other))
            if shared:
                candidates.append((other, shared, float(row[j])))
        out.extend(_for_bug(bug, candidates))
    return out


def _row(bug: Bug, other: Bug, kind: str, shared: list[str], sim: float, named: int | None) -> Recurrence:
    resolved = _resolved_time(other)
    return Recurrence(bug.id, other.id, kind, shared, round(sim, 3), named is not None, named,
                      resolved is not None and resolved <= bug.creation_time,
                      (bug.creation_time - other.creation_time).days)  # fmt: skip


def _for_bug(bug: Bug, candidates: list[tuple[Bug, list[str], float]]) -> list[Recurrence]:
    same = [(o, s, sim) for o, s, sim in candidates if o.ca_owner and o.ca_owner == bug.ca_owner]
    other = [(o, s, sim) for o, s, sim in candidates if not (o.ca_owner and o.ca_owner == bug.ca_owner)]
    rows = []
    chosen: set[int] = set()
    for o, s, sim in same:
        named = _named(bug, o)
        if named is not None:
            rows.append(_row(bug, o, "same_ca", s, sim, named))
            chosen.add(o.id)
    best = max((c for c in same if c[0].id not in chosen), key=lambda c: c[2], default=None)
    if best is not None and best[2] >= SIMILAR and not chosen:
        rows.append(_row(bug, best[0], "same_ca", best[1], best[2], None))
    best_other = max(other, key=lambda c: c[2], default=None)
    if best_other is not None and best_other[2] >= SIMILAR_OTHER_CA:
        rows.append(_row(bug, best_other[0], "other_ca", best_other[1], best_other[2], _named(bug, best_other[0])))
    return rows
