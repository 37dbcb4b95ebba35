"""Segment a report into canonical sections.

Reports mark sections with Markdown headings, bold labels, plain ``Heading:`` lines, table rows or the
wiki's numbered questions; one pass collects every heading-like line (a :class:`Candidate`), a second pass
decides in context which of them open a section (a bold "Timeline" inside a contributing-factor block is a
field, not the report's timeline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ca_incidents.parse.legacy import label_chain, match_label
from ca_incidents.parse.lines import (
    Line,
    bullet_match,
    is_separator_row,
    straight_apostrophes,
    strip_markdown,
    table_cells,
)
from ca_incidents.parse.model import Section

SUBSECTIONS = ("went_well", "didnt_go_well", "lucky", "other")

# normalised label -> canonical section; "heading" entries only count as real headings, not "Label: text"
_ALIASES: dict[str, tuple[str, str]] = {}
for _name, _strength, _labels in (
    ("summary", "any", "summary|executive summary|incident summary|summary of the incident|overview|"
     "incident overview|issue summary|issue description|finding description|description of the finding"),
    ("summary", "heading", "incident description|description|description of the incident|background|"
     "how we became aware|how the ca became aware"),
    ("impact", "any", "impact|impact assessment|impact analysis|scope and impact|impact and scope|"
     "summary of affected certificates"),
    ("impact", "heading", "scope|certificates affected|affected certificates|impacted certificates"),
    ("timeline", "any", "timeline|timelines|incident timeline|timeline of events|time line|chronology|"
     "detailed timeline|timeline of actions|sequence of events"),
    ("related_incidents", "any", "related incidents|related incident|related bugs|related bug|"
     "related issues|previous incidents|similar incidents"),
    ("root_cause", "any", "root cause analysis|root cause|root causes|rca|root cause of issue|"
     "root cause of the issue|root cause and analysis|analysis of root cause|root-cause analysis|"
     "root cause analysis and contributing factors|cause analysis"),
    ("root_cause", "heading", "causes|cause|why it happened|why did this happen"),
    ("lessons_learned", "any", "lessons learned|lessons learnt|lessons|learnings|lessons-learned"),
    ("went_well", "any", "what went well|went well|things that went well"),
    ("didnt_go_well", "any", "what didn't go well|what did not go well|what went wrong|didn't go well|"
     "did not go well|what could have gone better|what didnt go well"),
    ("lucky", "any", "where we got lucky|where we were lucky|got lucky|where we got lucky or unlucky|luck"),
    ("other", "any", "additional|other|additional lessons|other lessons|additional lessons learned|"
     "additional learnings|other lessons learned"),
    ("action_items", "any", "action items|action item|action item list|actions|action plan|remediation plan|"
     "remediation plan for this issue|remediation plan for the issue|remediation actions|remediation steps|"
     "corrective actions|corrective action plan|corrective and preventive actions|next steps|"
     "planned actions|remediation items|follow-up actions|remediation and prevention"),
    ("action_items", "heading", "remediation"),
    ("appendix", "any", "appendix|appendices|appendix a|details of affected certificates|"
     "list of affected certificates|affected certificate list"),
    ("closure_summary", "any", "report closure summary|closure summary|incident closure summary|"
     "closure report|closing summary|incident closure report|closure"),
):  # fmt: skip
    for _label in _labels.split("|"):
        _ALIASES.setdefault(_label, (_name, _strength))

QUESTION_SECTIONS = {
    1: "summary",
    2: "timeline",
    3: "impact",
    4: "impact",
    5: "appendix",
    6: "root_cause",
    7: "action_items",
}
_QUESTION_KEYS = {
    1: r"\baware\b|\blearn(?:ed|t)?\b|\bdiscover|\bfirst (?:noticed|found|detected|heard)|\bnotified\b",
    2: r"\btime ?lines?\b|\bchronolog|\bsequence of|date-and-time",
    3: r"\bstop(?:ped|ping)?\b|\bceas|\bhalt|\bpaused?\b|\bsuspend|\bissuance\b",
    4: r"\bsummary of\b|\bnumber of\b|\b(?:problematic|affected|impacted|mis-?issued) cert",
    5: r"certificate data|\bcomplete data|\bdata\b|fingerprint|crt\.sh|\blist of\b",
    6: r"how and why|\bwhy\b|root cause|detection|\barose\b|\bmistakes?\b|\bexplanation\b",
    7: r"\bsteps?\b|\bprevent|\bremediat|\bresolv|\bactions?\b|\brecurr|\bplan\b",
}
_NUMBERED_RE = re.compile(
    r"^\s*(?:(?:(?:q(?:uestion)?|topic)\s*#?\s*)?(\d{1,2})\s*(?:[.)](?!\d)|:(?!\d))"  # "6.", "6)", "Q6:", "Question 6)"
    r"|(?:question|topic)\s*#?\s*(\d{1,2})\s*(?:[-–—]\s|$))\s*(.*)$",  # "Topic 2 - ...", a bare "Question 6"
    re.IGNORECASE | re.S,
)
CF_RE = re.compile(r"^(?:[-*+]\s+)?\W{0,4}contributing\s+factor\s*(?:#\s*)?(\d*)\s*[:.\-–—)]?\s*(.*)$", re.I)
_ATX_RE = re.compile(r"^\s{0,3}(#{1,6})(?:\s+|$)(.*?)\s*#*\s*$")
_BOLD_RE = re.compile(
    r"^(?P<lead>\s*(?:[-*+•]\s+|\d{1,2}[.)]\s+)?)(?:\*\*|__)(?P<label>[^*_\n]{1,160}?)(?:\*\*|__)\s*(?P<rest>.*)$"
)
_PLAIN_RE = re.compile(r"^(?P<lead>\s*(?:[-*+•]\s+)?)(?P<label>[A-Za-z][^:|\n]{0,80}?)\s*:\s*(?P<rest>.*)$")


@dataclass
class Candidate:
    """A heading-like line; ``name`` is filled in by :func:`segment` when it opens a section."""

    line: Line
    kind: str  # atx | setext | bold | plain | bullet | table
    level: int  # 1-6 for Markdown headings, 7 for labels
    title: str  # label text without Markdown
    rest: str = ""  # text after the label on the same line
    rest_start: int = 0  # offset of ``rest`` in the document
    number: int | None = None  # leading question number
    question_text: str = ""
    is_cf: bool = False
    cf_title: str = ""
    inline_answer: bool = False  # a numbered question label whose answer follows on the same line (``rest``)


_LABEL_NUMBER_RE = re.compile(r"^(?:\d{1,2}|[ivx]{1,4}|[a-h])[.)]\s+")
_TRAILING_PAREN_RE = re.compile(r"\s*\([^)]*\)\s*$")


def normalize_label(text: str) -> str:
    """Lower-case label without numbering, emphasis, trailing colon or a trailing parenthetical."""
    s = straight_apostrophes(strip_markdown(text).lower())
    s = _LABEL_NUMBER_RE.sub("", s)
    s = s.replace("(s)", "s")
    s = _TRAILING_PAREN_RE.sub("", s)
    return s.strip(" :.-–—*_")  # strip_markdown already collapsed the spaces


def alias(label: str, *, strong: bool) -> str | None:
    """The canonical section a label names, trying the part before a ``:``/dash when the whole fails."""
    for cand in (label, re.split(r"\s*(?::|\s[-–—]\s)\s*", label, maxsplit=1)[0]):
        hit = _ALIASES.get(cand)
        if hit and (strong or hit[1] == "any"):
            return hit[0]
    return None


def question_matches(number: int, text: str) -> bool:
    """Whether ``text`` reads like the wiki/CCADB v1.0 question ``number`` (paraphrases included)."""
    return bool(re.search(_QUESTION_KEYS[number], text[:300], re.IGNORECASE))


def is_question_text(number: int, text: str) -> bool:
    """Whether a numbered line is the question itself (its answer follows) rather than the answer."""
    if not question_matches(number, text):
        return False
    opening = (
        r"(?:how|when|whether|was |has |have |did |is |a timeline|a summary|the complete|complete|"
        r"list|summary|"
        r"timeline|time line|explanation|steps|details?|certificate data|why|remediation|actions?|root cause)"
    )
    return "?" in text or len(text) < 70 or (bool(re.match(opening, text, re.I)) and len(text) < 400)


def _candidate(line: Line, next_line: Line | None) -> Candidate | None:
    text = line.text
    if not text.strip() or line.in_code or text.lstrip().startswith(">"):
        return None
    if m := _ATX_RE.match(text):
        return Candidate(line, "atx", len(m.group(1)), strip_markdown(m.group(2)))
    if (
        next_line is not None
        and re.fullmatch(r"\s{0,3}(=+|-{2,})\s*", next_line.text)
        and not bullet_match(text)
        and len(text.strip()) < 100
        and "|" not in text
    ):
        return Candidate(line, "setext", 1 if "=" in next_line.text else 2, strip_markdown(text))
    if m := _BOLD_RE.match(text):
        rest = m.group("rest")
        label = m.group("label")
        if rest.startswith(":"):
            rest = rest[1:]
        label = label.rstrip(": ")
        kind = "bullet" if m.group("lead").strip() and not re.match(r"\s*\d", m.group("lead")) else "bold"
        if re.match(r"\s*\d", m.group("lead")):
            label = m.group("lead").strip() + " " + label
        rest_start = line.start + len(text) - len(rest.lstrip())
        return Candidate(line, kind, 7, strip_markdown(label), rest.strip(), rest_start)
    cells = table_cells(text)
    header_row = next_line is not None and is_separator_row(next_line.text)
    if cells and 2 <= len(cells) <= 3 and len(cells[0][0]) < 60 and not header_row:
        rest = " ".join(c[0] for c in cells[1:])
        return Candidate(line, "table", 7, strip_markdown(cells[0][0]), rest, line.start + cells[-1][1])
    if m := _PLAIN_RE.match(text):
        kind = "bullet" if m.group("lead").strip() else "plain"
        rest = m.group("rest")
        return Candidate(line, kind, 7, strip_markdown(m.group("label")), rest.strip(), line.start + m.start("rest"))
    if len(text.strip()) <= 80 and not bullet_match(text):
        return Candidate(line, "plain", 7, strip_markdown(text))
    return None


_LONG_LABEL_RE = re.compile(r"^(?P<label>[A-Za-z][^:?|\n]{80,160}?)\s*[:?]\s+(?P<rest>\S.*)$")


def _long_label(line: Line) -> Candidate | None:
    """A label too long for an ordinary ``Label: text`` line that paraphrases a legacy question ("List of steps we
    are taking to resolve the situation and make sure it will not happen again: ...")."""
    m = _LONG_LABEL_RE.match(line.text)
    if line.in_code or not m or match_label(m.group("label")) is None:
        return None
    return Candidate(
        line, "plain", 7, strip_markdown(m.group("label")), m.group("rest").strip(), line.start + m.start("rest")
    )


def _numbering(cand: Candidate) -> None:
    """Fill ``number``/``question_text``/``is_cf`` from the candidate's raw line."""
    raw = strip_markdown(cand.line.text[:400])
    if m := CF_RE.match(raw):
        cand.is_cf = True
        cand.cf_title = m.group(2).strip(" *:")
        return
    if cand.kind == "table":
        return
    if m := _NUMBERED_RE.match(raw):
        n = int(m.group(1) or m.group(2))
        if 1 <= n <= 7:
            cand.number = n
            cand.question_text = m.group(3).strip()
            _inline_answer(cand)


def _inline_answer(cand: Candidate) -> None:
    """ "6) Explanation about how and why the mistakes were made: the renewal ..." - a numbered question label
    with its answer on the same line: the answer becomes the candidate's ``rest``."""
    assert cand.number is not None
    m = re.match(r"(?P<label>[^:?\n]{4,200}?)\s*[:?]\s+(?P<rest>\S.*)$", cand.question_text, re.S)
    if not m or len(m.group("rest").split()) < 3:
        return
    label = m.group("label")
    matched = match_label(label)
    if not (question_matches(cand.number, label) or (matched is not None and matched.question == cand.number)):
        return
    offset = cand.line.text.find(m.group("rest"))
    if offset >= 0:
        cand.rest, cand.rest_start = m.group("rest").strip(), cand.line.start + offset
        cand.inline_answer = True


def find_candidates(lines: list[Line]) -> list[Candidate]:
    """Every heading-like line of the document, in order."""
    out: list[Candidate] = []
    for i, line in enumerate(lines):
        if not line.text or line.text.isspace():
            continue
        if i > 0 and re.fullmatch(r"\s{0,3}(=+|-{2,})\s*", line.text) and out and out[-1].line is lines[i - 1]:
            continue  # setext underline
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        cand = _candidate(line, nxt)
        if cand is None:
            raw = strip_markdown(line.text[:400])
            if _NUMBERED_RE.match(raw) and not line.in_code and not line.text.lstrip().startswith(">"):
                cand = Candidate(line, "plain", 7, raw)
            elif (cand := _long_label(line)) is None:
                continue
        _numbering(cand)
        out.append(cand)
    return out


@dataclass
class _Open:
    name: str
    cand: Candidate
    is_sub: bool


class _Segmenter:
    """The context-dependent decisions of :func:`segment`, kept as small methods."""

    def __init__(self, lines: list[Line], legacy: dict[int, int]) -> None:
        self.lines = lines
        self.legacy = legacy  # line start -> legacy question its paraphrased label names
        self.opened: list[_Open] = []
        self.boundaries: list[tuple[int, bool]] = []  # (offset, closes_top)
        self.top: _Open | None = None
        self.last_q = 0
        self.prev_rejected_number: int | None = None
        self.in_cf = False
        self.questions = 0

    def _question(self, cand: Candidate) -> int | None:
        n = cand.number
        if n is None or cand.line.indent > 3:
            return None
        text = cand.question_text
        strong = cand.kind in ("atx", "setext", "bold")
        if n <= self.last_q:
            self.prev_rejected_number = n
            return None
        keyed = question_matches(n, text) or self.legacy.get(cand.line.start) == n
        sequential = (
            self.last_q >= 1 and n <= self.last_q + 2 and self.prev_rejected_number != n - 1 and cand.line.indent == 0
        )
        if (n == 1 and keyed) or (self.last_q >= 1 and (keyed or sequential)) or (strong and keyed and n <= 3):
            return n
        self.prev_rejected_number = n
        return None

    def _paraphrased(self, cand: Candidate) -> int | None:
        """The legacy question an unnumbered label paraphrases ("Timeline of the actions:"), when the exact alias
        table does not already name its section and it follows the questions seen so far."""
        q = self.legacy.get(cand.line.start)
        if q is None or cand.number is not None or q <= self.last_q:
            return None
        if alias(normalize_label(cand.title), strong=cand.kind != "bullet") is not None:
            return None
        return q

    def _content_since(self, cand: Candidate) -> bool:
        """Whether the last opened section has any content (inline answer or lines) before ``cand``."""
        if not self.opened:
            return True
        prev = self.opened[-1].cand
        if prev.rest or (prev.number and prev.question_text and not is_question_text(prev.number, prev.question_text)):
            return True
        last = prev.line
        return any(line.stripped for line in self.lines[last.index + 1 : cand.line.index])

    def _name(self, cand: Candidate) -> str | None:
        strong = cand.kind in ("atx", "setext", "bold", "table") or (cand.kind == "plain" and not cand.rest)
        label = normalize_label(cand.title)
        name = alias(label, strong=strong)
        if name is None and strong and re.match(r"(?:audit\s+)?finding\s*(?:#|no\.?|number)?\s*\d+\b", label):
            name = "summary"  # v2.0 audit template: "### Finding #1" introduces the finding's description
        question_like = cand.kind in ("atx", "setext", "bold") or cand.line.text.rstrip().endswith(("?", ":"))
        if name is None and question_like and len(label) > 12 and not cand.rest and not cand.number:
            # an unnumbered question pasted as a heading, e.g. "**How your CA first became aware ...**"
            for n in range(self.last_q + 1, 8):
                if question_matches(n, label) and (n == 1 or self.last_q):
                    self.last_q = n
                    return QUESTION_SECTIONS[n]
        if name is None and self.opened and self._action_lead_in(cand, label):
            return "action_items"
        if name is None:
            return None
        if name in SUBSECTIONS:
            in_lessons = self.top is not None and self.top.name == "lessons_learned"
            return name if (in_lessons or name != "other") else None
        if cand.kind == "bullet":
            return None
        field_like = cand.kind not in ("atx", "setext") or (self.top is not None and cand.level > self.top.cand.level)
        if self.in_cf and self.top is not None and name in ("timeline", "summary", "impact") and field_like:
            return None
        if (
            self.top is not None
            and self.top.name == "closure_summary"
            and cand.kind != "atx"
            and name != "action_items"
        ):
            return None
        return name

    @staticmethod
    def _action_lead_in(cand: Candidate, label: str) -> bool:
        """A short stand-alone line such as "Final status of the action items:" introducing a table/list.

        Only inside a report that already has sections: in a bare update comment the same line is just prose
        (the items there are found as orphans).
        """
        line = cand.line.text.strip()
        return (
            cand.kind in ("plain", "bold")
            and not cand.rest
            and line.endswith(":")
            and len(label) <= 60
            and ". " not in line
            and bool(re.search(r"\baction items?\b|\bremediation (?:plan|steps|actions)\b", label))
        )

    def feed(self, cand: Candidate) -> None:
        if cand.is_cf:
            if self.top is not None and self.top.name == "root_cause":
                self.in_cf = True
            return
        q = self._question(cand)
        if q is None:
            q = self._paraphrased(cand)
        if q is not None:
            self.last_q = q
            self.questions += 1
            name: str | None = QUESTION_SECTIONS[q]
        else:
            name = self._name(cand)
        if name is None:
            self._maybe_terminate(cand)
            return
        if self.opened and self.opened[-1].name == name and not self._content_since(cand):
            return  # "2." followed by "Timeline:" is one heading
        is_sub = name in SUBSECTIONS
        self.boundaries.append((cand.line.start, not is_sub))
        entry = _Open(name, cand, is_sub)
        self.opened.append(entry)
        if not is_sub:
            self.top = entry
            self.in_cf = False

    def _maybe_terminate(self, cand: Candidate) -> None:
        if cand.kind not in ("atx", "setext") or self.top is None:
            return
        top_cand = self.top.cand
        if top_cand.kind not in ("atx", "setext") or cand.level <= top_cand.level:
            self.boundaries.append((cand.line.start, True))
            self.top = None
            self.in_cf = False

    def sections(self, text: str) -> list[Section]:
        out: list[Section] = []
        for entry in self.opened:
            start = entry.cand.line.start
            end = len(text)
            for off, closes_top in self.boundaries:
                if off > start and (closes_top or entry.is_sub):
                    end = off
                    break
            while end > start and text[end - 1].isspace():
                end -= 1
            parent = "lessons_learned" if entry.is_sub else None
            heading = entry.cand.title
            out.append(Section(entry.name, start, max(end, entry.cand.line.end), heading[:200], parent))
        return out


def segment(text: str, lines: list[Line], candidates: list[Candidate]) -> tuple[list[Section], int]:
    """Canonical sections of a report, and how many numbered questions were recognised."""
    seg = _Segmenter(lines, legacy_labels(candidates))
    for cand in candidates:
        seg.feed(cand)
    return seg.sections(text), seg.questions


_MODERN_SECTIONS = frozenset(
    {"lessons_learned", "went_well", "didnt_go_well", "lucky", "related_incidents", "closure_summary"}
)


def _label_text(cand: Candidate) -> str | None:
    """What a candidate would be labelled with if it paraphrased a legacy question; None when the line does not
    read as a label (a sentence, a bullet, an indented line)."""
    if cand.is_cf or cand.kind == "bullet" or cand.line.indent > 3:
        return None
    if cand.number is not None:
        if cand.inline_answer:
            return cand.question_text[: len(cand.question_text) - len(cand.rest)]
        return cand.question_text or None
    if cand.kind in ("atx", "setext", "bold", "table") or cand.rest:
        return cand.title
    return cand.title if cand.line.text.rstrip().endswith((":", "?")) else None


def legacy_labels(candidates: list[Candidate]) -> dict[int, int]:
    """Line start -> legacy question, for the candidates whose labels paraphrase the numbered questions as a
    believable chain (:func:`ca_incidents.parse.legacy.label_chain`).

    Empty for a document written in a Markdown template (a section only the v2+ templates have, or a
    contributing-factor block): there, "Total number of certificates:" is a field, not question 4.
    """
    for cand in candidates:
        if cand.is_cf or (
            cand.kind != "bullet" and alias(normalize_label(cand.title), strong=True) in _MODERN_SECTIONS
        ):
            return {}
    labelled = [(cand, text) for cand in candidates if (text := _label_text(cand))]
    chain = label_chain([match_label(text) for _, text in labelled])
    return {cand.line.start: q for (cand, _), q in zip(labelled, chain, strict=True) if q is not None}


def body_start(text: str, section: Section, candidates: list[Candidate]) -> int:
    """Where a section's content starts: after the heading line, or after its label on the same line."""
    for cand in candidates:
        if cand.line.start == section.start:
            if cand.kind in ("atx", "setext"):
                return min(cand.line.end + 1, section.end)
            if cand.number is not None and cand.question_text and not is_question_text(cand.number, cand.question_text):
                # "6) The list was typed manually..." - the answer starts right after the number
                m = re.match(
                    r"\s*(?:\*\*|__)?\s*(?:(?:q(?:uestion)?|topic)\s*#?\s*)?\d{1,2}\s*[.):]\s*",
                    text[cand.line.start :],
                    re.I,
                )
                return cand.line.start + (m.end() if m else 0)
            if cand.rest and cand.kind != "setext" and (cand.number is None or cand.inline_answer):
                return cand.rest_start
            return min(cand.line.end + 1, section.end)
    return section.start
