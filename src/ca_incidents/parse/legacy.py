"""Paraphrased labels of the legacy (wiki / CCADB v1.0) numbered questions, matched by fuzzy similarity.

Before the Markdown templates, CAs answered seven questions but labelled the answers in their own words
("Timeline of the actions:", "How we first found out:", "Explanation about how and why the mistakes were
made"), often without numbers and sometimes all on one line. A longer list of exact aliases never catches
up with those variants, so a label is compared with a few phrasings of each question by rapidfuzz's
token-set ratio over its content words, plus a coverage check that most of the label's own words occur
in the phrasing (the token-set ratio alone says 100 whenever the label is a subset, e.g. "Certificate
data" inside a long question).

A single fuzzy match is weak evidence in a document that may be anything, so :func:`label_chain` accepts
labels only as a chain: two or more in question order, or one that is nearly verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import fuzz, process, utils

from ca_incidents.parse.lines import Line

# Own-words phrasings of each question (the wiki wording, shortened, plus common ways CAs relabel it).
PHRASINGS: dict[int, tuple[str, ...]] = {
    1: (
        "how your ca first became aware of the problem",
        "how we found out about the problem",
        "how the problem came to our attention",
        "how and when the issue was discovered",
        "how the incident was detected or reported",
    ),
    2: (
        "a timeline of the actions your ca took in response",
        "timeline of events and actions",
        "chronology of events and of the response",
    ),
    3: (
        "whether your ca has stopped issuing certificates with the problem",
        "has issuance been stopped or halted",
        "whether the issuance process was ceased or paused",
    ),
    4: (
        "a summary of the problematic certificates",
        "number of affected certificates with first and last issuance dates",
        "summary of the affected certificates",
    ),
    5: (
        "the complete certificate data for the problematic certificates",
        "list of the affected certificates",
        "fingerprints or crt.sh links of the certificates",
    ),
    6: (
        "explanation about how and why the mistakes were made or bugs introduced and why they were not detected",
        "why did this happen",
        "why the problem was not detected earlier",
        "root cause of the problem",
        "how and why the mistake arose",
        "explanation of the error and the reason for the mistake",
    ),
    7: (
        "list of steps your ca is taking to resolve the situation and ensure it will not be repeated",
        "steps taken to prevent recurrence",
        "what we are doing to make sure it does not happen again",
        "remediation and corrective actions",
        "measures to avoid a repetition",
    ),
}
MIN_SCORE = 75.0  # token-set ratio of the label's content words to the closest phrasing
MIN_COVERAGE = 0.6  # share of the label's content words that occur in that phrasing (both of a two-word label)
STRONG_SCORE = 90.0  # a lone label this close (with 3+ content words) needs no second label to be believed
MAX_LABEL_WORDS = 16  # longer "labels" are sentences, except near-verbatim pasted questions
_STOP = frozenset({
    "a", "an", "the", "of", "to", "and", "or", "in", "on", "for", "with", "by", "from", "at", "as", "is", "are",
    "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "it", "its", "this", "that",
    "these", "those", "our", "your", "we", "us", "ca", "cas", "their", "they", "any", "all", "eg", "e", "g",
})  # fmt: skip
_NUMBER_RE = re.compile(r"^\W*(?:(?:topic|question|q)\s*)?#?\s*\(?\d{1,2}\s*(?:[.):\-–—]|\s)\s*", re.I)
_CHOICES = [(n, p) for n, phrasings in PHRASINGS.items() for p in phrasings]


_SPELLINGS = ((re.compile(r"\btime line"), "timeline"), (re.compile(r"\bcerts?\b"), "certificates"))


def _content_words(label: str) -> list[str]:
    text = re.sub(r"\([^)]*\)?", " ", label.lower())  # "(e.g. via a problem report ...)"
    text = _NUMBER_RE.sub("", text)
    for pattern, spelling in _SPELLINGS:
        text = pattern.sub(spelling, text)
    return [w for w in utils.default_process(text).split() if w not in _STOP]


def _stem(word: str) -> str:
    return re.sub(r"(?:ing|ed|es|s)$", "", word) if len(word) > 4 else word


def _same_word(a: str, b: str) -> bool:
    """Equal up to a plural or tense ending, or (for long words) a typo: "timline" is "timeline", but "case"
    is not "cause"."""
    return _stem(a) == _stem(b) or (min(len(a), len(b)) >= 6 and fuzz.ratio(a, b) >= 85)


_CHOICE_WORDS = [" ".join(_content_words(p)) for _, p in _CHOICES]


@dataclass(frozen=True)
class LabelMatch:
    """The legacy question a label paraphrases, and how closely (0-100)."""

    question: int
    score: float
    words: int  # content words in the label


def match_label(label: str) -> LabelMatch | None:
    """The legacy question ``label`` paraphrases, or None when no phrasing is close enough.

    One-word labels are left to the exact alias table of :mod:`ca_incidents.parse.sections`: a single word
    ("Details", "Response") is too ambiguous to place by similarity.
    """
    words = _content_words(label)
    if len(words) < 2:
        return None
    verbatim_like = len(words) > MAX_LABEL_WORDS
    text = " ".join(words[:24])
    best = process.extractOne(text, _CHOICE_WORDS, scorer=fuzz.token_set_ratio, processor=None)
    if best is None or best[1] < MIN_SCORE:
        return None
    phrasing = best[0].split()
    covered = sum(1 for w in words[:24] if any(_same_word(w, p) for p in phrasing))
    if covered / min(len(words), 24) < MIN_COVERAGE or (verbatim_like and best[1] < STRONG_SCORE):
        return None
    return LabelMatch(_CHOICES[best[2]][0], float(best[1]), len(words))


def label_chain(matches: Sequence[LabelMatch | None]) -> list[int | None]:
    """The matches believed, in document order: those in rising question order, when there are two or more of
    them or the only one is nearly verbatim. Returns the question number per position (None: not a label)."""
    out: list[int | None] = [None] * len(matches)
    last = 0
    kept: list[int] = []
    for i, m in enumerate(matches):
        if m is not None and m.question > last:
            out[i] = m.question
            last = m.question
            kept.append(i)
    if len(kept) >= 2:
        return out
    if len(kept) == 1:
        m = matches[kept[0]]
        assert m is not None
        if m.score >= STRONG_SCORE and m.words >= 3:
            return out
    return [None] * len(matches)


# A label inside a line: after the line start or a sentence end, up to a colon or question mark and a space.
_INLINE_RE = re.compile(
    r"(?:^|(?<=[.!?;])\s+|(?<=[.!?;]\)\s))(?P<label>(?:(?:topic|question|q)\s*)?(?:\(?\d{1,2}[.)]\s*)?"
    r"[A-Za-z][^.:?!;\n]{4,160}?)\s*(?:\?|:)(?:\s+|$)",
    re.I,
)


def split_inline_labels(lines: list[Line]) -> list[Line]:
    """Lines that run two or more legacy labels together, cut so that each label starts a line of its own.

    The pieces keep their offsets into the text, and all lines are renumbered, so the rest of the parser sees
    an ordinary document with one label per line. Lines with fewer than two labels are left alone.
    """
    out: list[Line] = []
    changed = False
    for line in lines:
        cuts = [] if line.in_code else _inline_cuts(line.text)
        if not cuts:
            out.append(line)
            continue
        changed = True
        bounds = [0, *cuts, len(line.text)]
        for a, b in pairwise(bounds):
            piece = line.text[a:b].rstrip()
            out.append(Line(piece, line.start + a, line.start + a + len(piece), 0, line.in_code))
    if not changed:
        return lines
    return [Line(ln.text, ln.start, ln.end, i, ln.in_code) for i, ln in enumerate(out)]


def _inline_cuts(text: str) -> list[int]:
    """Offsets after 0 where a legacy label starts, when the line holds two or more labels in order."""
    if len(text) < 60 or text.lstrip().startswith(("|", ">")):
        return []
    found = [(m.start("label"), match_label(m.group("label"))) for m in _INLINE_RE.finditer(text)]
    found = [(pos, m) for pos, m in found if m is not None and m.words <= MAX_LABEL_WORDS]
    chain = label_chain([m for _, m in found])
    starts = [pos for (pos, _), q in zip(found, chain, strict=True) if q is not None]
    if len(starts) < 2:
        return []
    return [pos for pos in starts if pos > len(text) - len(text.lstrip())]
