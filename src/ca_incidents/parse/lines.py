"""Line splitting with offsets, Markdown stripping and quote masking shared by the parsers.

Everything downstream works on lines carrying their offsets into the original text, so every extracted
item can point back at its evidence without re-searching the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 2_000_000  # larger texts are parsed up to this point (with a warning)


@dataclass(frozen=True)
class Line:
    """One line of text; ``end`` excludes the line break."""

    text: str
    start: int
    end: int
    index: int
    in_code: bool = False

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip(" \t"))


_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")


def split_lines(text: str) -> list[Line]:
    """Split on ``\\n`` (``\\r`` is dropped from line ends), marking lines inside fenced code blocks."""
    lines: list[Line] = []
    pos = 0
    in_code = False
    for i, raw in enumerate(text.split("\n")):
        body = raw[:-1] if raw.endswith("\r") else raw
        fence = bool(_FENCE_RE.match(body))
        lines.append(Line(body, pos, pos + len(body), i, in_code or fence))
        if fence:
            in_code = not in_code
        pos += len(raw) + 1
    return lines


_BULLET_RE = re.compile(r"^\s*(?:[-*+•◦▪‣]|\d{1,3}[.)]|[a-zA-Z][.)]|\(\d{1,3}\)|\([a-z]\))\s+")
_EMPH_RE = re.compile(r"(\*\*|__|~~|`)")


def bullet_match(text: str) -> re.Match[str] | None:
    """The list marker at the start of ``text`` (``-``, ``*``, ``1.``, ``a)``...), if any."""
    return _BULLET_RE.match(text)


_HEADING_MARK_RE = re.compile(r"^\s{0,3}#{1,6}\s*")
_CLOSING_MARK_RE = re.compile(r"\s#+\s*$")
_LINK_RE = re.compile(r"!?\[([^\]\n]{0,300})\]\([^)\n]{0,500}\)")
_STAR_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{1,300}?)(?<=\S)\*(?![\w*])")
_UNDERSCORE_RE = re.compile(r"(?<!\w)_(?=\S)([^_\n]{1,300}?)(?<=\S)_(?!\w)")
_SPACES_RE = re.compile(r"\s+")


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def straight_apostrophes(text: str) -> str:
    """Typographic apostrophes as ASCII ones, so "didn’t" matches patterns written with "didn't" (one character
    for one, so offsets still point into the original text)."""
    return text.translate(_APOSTROPHES)


def strip_markdown(text: str) -> str:
    """Plain words of a Markdown fragment: no heading marks, emphasis, links or list markers.

    Called for every line of every comment, so the patterns are compiled once, not looked up per call."""
    t = text
    if "#" in t:
        t = _CLOSING_MARK_RE.sub("", _HEADING_MARK_RE.sub("", t))
    if "[" in t:
        t = _LINK_RE.sub(r"\1", t)
    if "*" in t or "_" in t or "~" in t or "`" in t:
        t = _EMPH_RE.sub("", t)
    if "*" in t:
        t = _STAR_RE.sub(r"\1", t)
    if "_" in t:
        t = _UNDERSCORE_RE.sub(r"\1", t)
    return _SPACES_RE.sub(" ", t).strip()


def table_cells(text: str) -> list[tuple[str, int, int]] | None:
    """The cells of a Markdown table row with offsets relative to the line, or None if not a row.

    Rows without outer pipes are accepted; escaped pipes (``\\|``) stay inside their cell.
    """
    s = text.strip()
    if s.count("|") - s.count("\\|") < 1 or (not s.startswith("|") and s.count("|") < 2):
        return None
    cells: list[tuple[str, int, int]] = []
    lead = len(text) - len(text.lstrip())
    pos = lead + (1 if s.startswith("|") else 0)
    cell_start = pos
    i = pos
    while i <= len(text):
        if i == len(text) or (text[i] == "|" and (i == 0 or text[i - 1] != "\\")):
            raw = text[cell_start:i]
            inner = raw.strip()
            off = cell_start + (len(raw) - len(raw.lstrip()))
            cells.append((inner, off, off + len(inner)))
            cell_start = i + 1
        i += 1
    if s.endswith("|") and cells and not cells[-1][0]:
        cells.pop()
    return cells


def is_separator_row(text: str) -> bool:
    """``|---|:---:|`` rows between a table header and its body."""
    return bool(re.fullmatch(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*", text))


QUOTE_HEADER_RE = re.compile(r"^\s*\(In reply to (?P<who>.+?) from comment #(?P<count>\d+)\)\s*$", re.IGNORECASE)


def quoted_spans(text: str) -> list[tuple[int, int, str | None, int | None]]:
    """Spans of quoted text: ``(In reply to X from comment #N)`` headers and the ``>`` lines after them.

    Each span carries the quoted author's display name and comment number when a header names them.
    """
    spans: list[tuple[int, int, str | None, int | None]] = []
    who: str | None = None
    count: int | None = None
    for line in split_lines(text):
        m = QUOTE_HEADER_RE.match(line.text)
        if m:
            who, count = m.group("who").strip(), int(m.group("count"))
            spans.append((line.start, line.end, who, count))
        elif line.text.lstrip().startswith(">") and not line.in_code:
            spans.append((line.start, line.end, who, count))
        elif line.stripped:
            who, count = None, None
    return spans


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out spans (keeping line breaks) so offsets into the result still point into ``text``."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            if chars[i] not in "\r\n":
                chars[i] = " "
    return "".join(chars)
