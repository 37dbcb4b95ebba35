"""Recurrence and related incidents: earlier incidents of the same CA (and of other CAs) that look like the
same kind of problem, and whether the later report lists them.

Same CA, same kind (docs/metrics.md): the two bugs share a specific whiteboard tag (not `[ca-compliance]`,
`[external]`, `[covid-19]`; renamed tags count as their new name) as a prerequisite, the later bug's CA
comments do not say the earlier one had a different cause, and either they say it was the same failure or
the two bugs' failure signatures match (``signatures.same_kind``: the same certificate field, or the same
artefact class through the same mechanism). Whole-document similarity is not used for this: it mostly
measures shared template wording. ``similarity`` is still the TF-IDF cosine of the two CAs' texts, for
reading; similar incidents of other CAs (best match, at least ``SIMILAR_OTHER_CA``) are ``other_ca`` rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from ca_incidents.metrics import signatures
from ca_incidents.metrics.context import Bug

GENERIC_TAGS = frozenset({"ca-compliance", "external", "covid-19", "uncategorized"})
# tags renamed about late 2022 (spec §3): the old and new names are the same kind of incident
TAG_SYNONYMS = {"delayed-revocation-leaf": "leaf-revocation-delay", "delayed-revocation-ca": "ca-revocation-delay"}
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


def signature(bug: Bug) -> signatures.Signature:
    """The bug's failure signature from its summary, its reports' incident descriptions and its CA text
    (what the CA says about other bugs left out)."""
    texts = [c.own_text for c in bug.comments if c.is_ca]
    summary = re.sub(r"^[^:]*:", "", bug.summary)
    what = "\n".join([summary, *(signatures.description(t) for t in texts)])
    return signatures.extract(what, "\n\n".join(signatures.own_account(t) for t in texts))


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
    sigs = {b.id: signature(b) for b in bugs}
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
        out.extend(_for_bug(bug, candidates, sigs))
    return out


def _row(bug: Bug, other: Bug, kind: str, shared: list[str], sim: float, named: int | None) -> Recurrence:
    resolved = _resolved_time(other)
    return Recurrence(bug.id, other.id, kind, shared, round(sim, 3), named is not None, named,
                      resolved is not None and resolved <= bug.creation_time,
                      (bug.creation_time - other.creation_time).days)  # fmt: skip


def _for_bug(
    bug: Bug, candidates: list[tuple[Bug, list[str], float]], sigs: dict[int, signatures.Signature]
) -> list[Recurrence]:
    same = [(o, s, sim) for o, s, sim in candidates if o.ca_owner and o.ca_owner == bug.ca_owner]
    other = [(o, s, sim) for o, s, sim in candidates if not (o.ca_owner and o.ca_owner == bug.ca_owner)]
    texts = [c.own_text for c in bug.comments if c.is_ca]
    rows = []
    for o, s, sim in same:
        verdict = signatures.statement_about(texts, o.id)
        if verdict == "same" or (verdict is None and signatures.same_kind(sigs[bug.id], sigs[o.id])):
            rows.append(_row(bug, o, "same_ca", s, sim, _named(bug, o)))
    best_other = max(other, key=lambda c: c[2], default=None)
    if best_other is not None and best_other[2] >= SIMILAR_OTHER_CA:
        rows.append(_row(bug, best_other[0], "other_ca", best_other[1], best_other[2], _named(bug, best_other[0])))
    return rows
