"""Cause statements and remediation steps in a report written as prose, with no template or labels.

Before the Markdown templates, and on the mailing lists, many CAs wrote their report as a letter: what
happened, "the root cause was ...", "to prevent recurrence we ...". Without this reader such a text had no
root causes and no action items, so no quality rule could look at it and it scored as if perfect. Here each
sentence is read for

- a cause statement: "the root cause was", "this happened because", "caused by", "due to", "resulted from";
- a remediation step: "we have/will <remedial verb>", "to prevent recurrence we ...", "we deployed ...".

Consecutive cause sentences of a paragraph form one root cause; each step clause is one action item. Each
gets a section of its own (``root_cause`` / ``action_items``) spanning exactly its text, because the score
detectors look only at root causes and action items that lie inside such sections. The report is then
typed ``informal``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ca_incidents.parse.action_items.fields import Fields, make_item
from ca_incidents.parse.action_items.prose import sentence_due
from ca_incidents.parse.lines import Line, bullet_match, strip_markdown, table_cells
from ca_incidents.parse.model import ActionItem, RootCause, Section

_CAUSE_RE = re.compile(
    r"\broot[\s-]+causes?\b"
    r"|\b(?:was|were|is|are|been)\s+(?:mainly\s+|partly\s+|ultimately\s+)?(?:caused|triggered)\s+by\b"
    r"|\bcaused\s+by\b"
    r"|\bdue\s+to\b(?!\s+(?:be|expire|complete)\b)"
    r"|\b(?:happened|occurred|arose|was\s+possible|went\s+(?:unnoticed|undetected)|(?:was|were)\s+not\s+"
    r"(?:detected|caught|noticed))\b[^.]{0,80}?\bbecause\b"
    r"|\bthe\s+(?:underlying\s+|main\s+|primary\s+|actual\s+)?(?:cause|reason)\s+(?:for|of|was|is|behind)\b"
    r"|\b(?:resulted|stemmed|originated)\s+from\b|\bas\s+a\s+result\s+of\b",
    re.IGNORECASE,
)
# a bare "because" explains something, but on its own it does not make a text a report (a status update
# says why a date slipped): it counts as a cause only in a text that has a stronger cue or a step
_WEAK_CAUSE_RE = re.compile(r"\bbecause\b", re.IGNORECASE)
# remedial verbs, in any tense; communication verbs (provide, post, share) are deliberately absent
_REMEDIAL = (
    r"(?:re-?)?(?:deploy|add|updat|implement|introduc|chang|fix|revok|replac|remov|disabl|enabl|modif|rewrit|"
    r"automat|extend|enforc|restrict|block|creat|establish|develop|configur|patch|upgrad|migrat|train|"
    r"document|requir|monitor|mov|set\s+up|put\s+in\s+place|improv|enhanc|strengthen|rotat|"
    r"issu|correct|adjust|amend|revis|separat|harden|schedul|switch|limit|"
    r"install|reconfigur|clean|purg|decommission|retir|tighten|expand|launch|build|built|"
    r"wr(?:ite|ote|itten)|turn(?:ed)?\s+(?:on|off)|instruct|appoint|hire|hir|assign|integrat|"
    r"reinforc|refactor|redesign|reject|remind|educat|ensur|continu|pay|focus|shorten|reduc|increas|rais|"
    r"lower|align|split|renam|repair|resolv|remedi|mitigat|segregat|centrali[sz])\w*"
)
# looking into something is a step only as a commitment ("we will review ..."); "we checked ..." reports
# an investigation that is already over
_INVESTIGATIVE = r"(?:check|verif|validat|test|review|audit|investigat|analy[sz]|assess|scan|examin|re-?evaluat)\w*"
_LEAD = (
    r"^(?:(?:to\s+(?:prevent|avoid|ensure|stop|make\s+sure|address|fix|remediate|mitigate)|in\s+order\s+to|"
    r"going\s+forward|moving\s+forward|in\s+(?:the\s+)?future|additionally|also|furthermore|moreover|"
    r"in\s+addition|since\s+then|finally|as\s+a\s+(?:\w+\s+)?(?:action|measure|step|fix))\b[^,.]{0,100}?,?\s+"
    r"|[^,.]{1,60},\s+)?(?:and\s+)?we\s+"
)
_ADVERBS = r"(?:also\s+|now\s+|already\s+|immediately\s+|additionally\s+|further\s+)?"
_FUTURE = r"(?:will|shall|would|are\s+going\s+to|plan\s+to|intend\s+to)\s+"
_ANY_TENSE = rf"(?:(?:have|had|are(?:\s+now|\s+currently|\s+also)?)\s+|{_FUTURE})?"
_STEP_RE = re.compile(
    rf"{_LEAD}(?:{_ANY_TENSE}{_ADVERBS}(?:been\s+)?{_REMEDIAL}|{_FUTURE}{_ADVERBS}{_INVESTIGATIVE})\b",
    re.IGNORECASE,
)
# promises about the report or the bug itself are not remediation: "we will update this bug", "we will add the
# times to the report in our next update"
_CHATTER_RE = re.compile(
    r"\b(?:updat|add|includ|post|put|amend|correct|revis)\w*\b[^.;]{0,60}?\b(?:(?:in|to|into|on)\s+)?"
    r"(?:this|the|our|an?|next)\s+(?:(?:incident|full|next|final)\s+)?(?:bug|thread|ticket|report|update|comment|post)s?\b"
    r"(?!\s+(?:job|process|service|script|pipeline|tool|system|procedure|server|mechanism|template|generator))"
    r"|\bkeep\s+(?:you|everyone|the\s+community)\b|\bupdat\w*\s+(?:you|everyone|mozilla|the\s+community)\b",
    re.IGNORECASE,
)
_PLANNED_RE = re.compile(
    r"\bwe\s+(?:will|shall|would|are\s+going\s+to|plan\s+to|intend\s+to|are\s+(?:now\s+|currently\s+)?\w+ing)\b",
    re.IGNORECASE,
)
_DATED_LINE_RE = re.compile(r"^\s*(?:[-*+•]\s*)?(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b")
_CLAUSE_SPLIT_RE = re.compile(r",?\s+and\s+(?=we\b)|;\s+", re.IGNORECASE)
_SENTENCE_RE = re.compile(r"(?:[^.!?]|[.!?](?![\s.!?]|$))+(?:[.!?]+(?=\s|$)|$)")  # "v2.0" does not end one


@dataclass
class ProseReading:
    """What the prose reader found; ``sections`` span exactly each cause passage and each step."""

    root_causes: list[RootCause] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    strong_causes: int = 0  # cause sentences with a cue stronger than a bare "because"

    def __bool__(self) -> bool:
        """Whether the text reads as a report: it commits to a step or states a cause in so many words."""
        return bool(self.action_items) or self.strong_causes > 0


def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Runs of consecutive prose lines; blank lines, code, tables, quoted lines, a new list item or a gap (a section
    left out of ``lines``) end a run."""
    out: list[list[Line]] = []
    run: list[Line] = []
    for line in [*lines, None]:
        prose = (
            line is not None
            and bool(line.stripped)
            and not line.in_code
            and not line.text.lstrip().startswith((">", "#"))
            and table_cells(line.text) is None
            and not _DATED_LINE_RE.match(line.text)
        )
        if prose and line is not None and run and line.index == run[-1].index + 1 and not bullet_match(line.text):
            run.append(line)
            continue
        if run:
            out.append(run)
        run = [line] if prose and line is not None else []
    return out


def _sentences(text: str, para: list[Line]) -> list[tuple[int, int]]:
    """Sentence spans (document offsets) of a paragraph, after its list marker; a sentence may wrap across lines."""
    marker = bullet_match(para[0].text)
    start, end = para[0].start + (marker.end() if marker else 0), para[-1].end
    out = []
    for m in _SENTENCE_RE.finditer(text, start, end):
        s = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        e = m.start() + len(m.group(0).rstrip())
        if e > s:
            out.append((s, e))
    return out


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence cut where a new "we ..." clause begins ("we moved X, and we will add Y") or at a semicolon."""
    spans = []
    for m in _CLAUSE_SPLIT_RE.finditer(text, start, end):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, end))
    return [(a, b) for a, b in spans if b > a]


def _is_step(clause: str) -> bool:
    if not _WE_RE.search(clause):
        return False  # every step says who acts: "we ..."; checked first because most sentences fail here
    words = strip_markdown(clause)
    return bool(_STEP_RE.search(words)) and not _CHATTER_RE.search(words) and not words.rstrip().endswith("?")


_WE_RE = re.compile(r"\bwe\b", re.IGNORECASE)
_CLOSING_RE = re.compile(r"^\W*(?:we\s+)?(?:apologi[sz]e|thank|regards|best|sincerely|please|kind)", re.I)


class _Reader:
    """One pass over the paragraphs; a cause passage stays open until a step, a closing line or the paragraph
    ends, so the sentences that explain a cause statement belong to it."""

    def __init__(self, text: str, posted_at: datetime | None, dayfirst: bool) -> None:
        self.text = text
        self.posted_at = posted_at
        self.dayfirst = dayfirst
        self.found = ProseReading()
        self.cause: tuple[int, int] | None = None

    def close_cause(self) -> None:
        if self.cause is not None:
            s, e = self.cause
            body = strip_markdown(self.text[s:e])
            self.found.root_causes.append(RootCause(body[:120], s, e, description=body[:2000]))
            self.found.sections.append(Section("root_cause", s, e))
            self.cause = None

    def add_step(self, start: int, end: int) -> None:
        clause = self.text[start:end]
        fields = Fields(strip_markdown(clause).strip(" ,;:-–—"))
        fields.due_text = sentence_due(clause, self.posted_at, self.dayfirst)
        fields.status = None if _PLANNED_RE.search(clause) else "complete"
        self.found.action_items.append(make_item(fields, start, end, self.posted_at, self.dayfirst))
        self.found.sections.append(Section("action_items", start, end))

    def sentence(self, s: int, e: int) -> None:
        clauses = _clauses(self.text, s, e)
        first_step = next((i for i, (a, b) in enumerate(clauses) if _is_step(self.text[a:b])), None)
        sentence = self.text[s:e]
        strong = first_step != 0 and bool(_CAUSE_RE.search(sentence))
        if first_step != 0 and (strong or _WEAK_CAUSE_RE.search(sentence)) and not sentence.endswith("?"):
            self.found.strong_causes += strong
            lead_end = clauses[first_step - 1][1] if first_step is not None else e
            self.cause = (self.cause[0] if self.cause else s, lead_end)
        elif first_step is None and self.cause is not None and not _CLOSING_RE.match(sentence):
            self.cause = (self.cause[0], e)  # the explanation goes on
        if first_step is None:
            return
        self.close_cause()
        steps = clauses[first_step:]
        heads = [k for k, (a, b) in enumerate(steps) if _is_step(self.text[a:b])]
        for n, k in enumerate(heads):
            # a clause that is no step ("it runs hourly") still belongs to the step before it
            last = heads[n + 1] - 1 if n + 1 < len(heads) else len(steps) - 1
            self.add_step(steps[k][0], steps[last][1])


def read_prose(
    text: str, lines: list[Line], *, posted_at: datetime | None = None, dayfirst: bool = False
) -> ProseReading:
    """Cause statements and remediation steps in ``lines`` (quoted text already blanked), with their sections."""
    reader = _Reader(text, posted_at, dayfirst)
    for para in _paragraphs(lines):
        for s, e in _sentences(text, para):
            reader.sentence(s, e)
        reader.close_cause()
    reader.found.sections.sort(key=lambda sec: sec.start)
    return reader.found
