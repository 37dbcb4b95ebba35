"""Facts a reviewer looks for first (impact counts, issuance stop, disclosure source) and references
(policy sections, related bugs, crt.sh links)."""

from __future__ import annotations

import re

from ca_incidents.parse.model import Facts, Reference, Section

_NUM = r"(\d{1,3}(?:[,.\s’']\d{3})+|\d+)"
_TOTAL_RE = re.compile(rf"total\s+number\s+of\s+(?:affected\s+)?certificates\W{{0,8}}[^\n\d]{{0,40}}?{_NUM}", re.I)
_REMAINING_RE = re.compile(
    rf"(?:remaining[\s-]+valid\W{{0,4}}\s*certificates?\W{{0,8}}[^\n\d]{{0,40}}?{_NUM}|{_NUM}\s+(?:of\s+(?:them|these)\s+)?"
    r"(?:certificates?\s+)?(?:remain|are\s+still|still)\s+valid)",
    re.I,
)
_COUNT_RE = re.compile(
    rf"{_NUM}\s+(?:affected\s+|impacted\s+|mis-?issued\s+|problematic\s+)?(?:\w+\s+){{0,2}}(?:pre-?)?certificates?\b",
    re.I,
)
_STOPPED_Q = re.compile(r"was\s+issuance\s+stopped[^\n]*?\?\W*(?P<a>[^\n]*)", re.I)
_NOT_STOPPED = re.compile(
    r"\b(?:not|never|no\s+need\s+to|didn'?t|did\s+not|has\s+not|have\s+not|hasn'?t|haven'?t|wasn'?t|was\s+not|"
    r"were\s+not|no)\b[^.\n]{0,40}\b(?:stop|stopped|halt|halted|ceased?|paused?|suspend|suspended)\b|^\s*no\b",
    re.I,
)
_STOPPED = re.compile(r"\b(?:stopped|halted|ceased|paused|suspended|disabled)\b|^\s*yes\b", re.I)
_SOURCE_RE = re.compile(r"source\s+of\s+(?:the\s+)?incident\s+disclosure\W{0,6}\s*(?P<v>[^\n]{0,80})", re.I)

_POLICY_RE = re.compile(
    r"(?P<doc>S/?MIME\s+(?:Baseline\s+Requirements|BRs?)|SBRs?|(?:TLS\s+)?(?:Baseline\s+Requirements|BRs?)|"
    r"EV\s*(?:Guidelines|G)|EVGs?|EV\s+SSL\s+Guidelines|Network\s+Security\s+Requirements|NCSSRs?|"
    r"RFC\s*\d{3,5}|(?:Mozilla\s+)?Root\s+Store\s+Policy|MRSP|Chrome\s+Root\s+Program(?:\s+Policy)?|"
    r"CCADB\s+Policy|CP/CPS|CPS|CP)"
    r"(?:\s*\(?v?\d+(?:\.\d+)+\)?)?"
    r"(?:,?\s*(?:section|sect\.?|sec\.?|§|clause|chapter|ch\.)?\s*|\s+)"
    r"(?P<sec>\d{1,2}(?:\.\d{1,2}){1,5}|\d{1,2}(?=\s*(?:\)|,|;|$)))",
    re.I,
)
_RFC_ALONE = re.compile(r"\bRFC\s*(\d{3,5})\b", re.I)
_BUG_RE = re.compile(
    r"(?:https?://bugzilla\.mozilla\.org/(?:show_bug\.cgi\?id=|)|https?://bugzil\.la/|\bbug\s*#?\s*|"
    r"(?<=\|\s))(?P<id>\d{6,7})\b",
    re.I,
)
_CRTSH_RE = re.compile(r"https?://crt\.sh/[^\s)\]>|\"']*", re.I)


def _int(raw: str) -> int | None:
    digits = re.sub(r"\D", "", raw)
    return int(digits) if digits and len(digits) <= 12 else None


def _policy_name(doc: str) -> str:
    d = re.sub(r"\s+", " ", doc).strip().lower()
    if d.startswith(("s/mime", "smime", "sbr")):
        return "SMIME-BR"
    if d.startswith("ev"):
        return "EVG"
    if d.startswith("rfc"):
        return "RFC " + re.sub(r"\D", "", d)
    if "root store" in d or d == "mrsp":
        return "MRSP"
    if d.startswith("chrome"):
        return "CRP"
    if d.startswith("ccadb"):
        return "CCADB"
    if d.startswith(("network", "ncssr")):
        return "NCSSR"
    if d in ("cp/cps", "cps", "cp"):
        return d.upper()
    return "BR"


def extract_references(text: str) -> list[Reference]:
    """Policy sections, related bugs and crt.sh links cited anywhere in the text, in text order."""
    refs: list[Reference] = []
    seen: set[tuple[str, int]] = set()

    def add(kind: str, value: str, start: int, end: int) -> None:
        if (kind, start) not in seen:
            seen.add((kind, start))
            refs.append(Reference(kind, value, start, end))

    for m in _POLICY_RE.finditer(text):
        add("policy", f"{_policy_name(m.group('doc'))} {m.group('sec')}", m.start(), m.end())
    covered = [(r.start, r.end) for r in refs]
    for m in _RFC_ALONE.finditer(text):
        if not any(s <= m.start() < e for s, e in covered):
            add("policy", f"RFC {m.group(1)}", m.start(), m.end())
    for m in _CRTSH_RE.finditer(text):
        add("crtsh", m.group(0).rstrip(".,;"), m.start(), m.start() + len(m.group(0).rstrip(".,;")))
    crt = [(r.start, r.end) for r in refs if r.kind == "crtsh"]
    for m in _BUG_RE.finditer(text):
        if not any(s <= m.start() < e for s, e in crt):
            add("bug", m.group("id"), m.start(), m.end())
    return sorted(refs, key=lambda r: (r.start, r.kind))


def _in(text: str, sections: list[Section], names: tuple[str, ...]) -> str:
    parts = [text[s.start : s.end] for s in sections if s.name in names]
    return "\n".join(parts)


def _issuance_stopped(text: str, sections: list[Section]) -> bool | None:
    if m := _STOPPED_Q.search(text):
        answer = m.group("a") or text[m.end() : m.end() + 200]
        if re.match(r"\W*(?:n/?a|not applicable)\b", answer, re.I):
            return None
        if _NOT_STOPPED.search(answer):
            return False
        if _STOPPED.search(answer):
            return True
    impact = _in(text, sections, ("impact",))[:5000]
    if _NOT_STOPPED.search(impact):
        return False
    if re.search(
        r"\b(?:stopped|halted|ceased|paused|suspended)\b[^.\n]{0,40}\bissu|\bissu\w*\b[^.\n]{0,40}\b(?:stopped|halted|ceased|paused|suspended)\b",
        impact,
        re.I,
    ):
        return True
    return None


def extract_facts(text: str, sections: list[Section]) -> Facts:
    """Impact counts, whether issuance stopped, and the stated disclosure source."""
    total = remaining = None
    if m := _TOTAL_RE.search(text):
        total = _int(m.group(1))
    else:
        impact = _in(text, sections, ("impact", "summary"))[:20000]
        if m := _COUNT_RE.search(impact):
            total = _int(m.group(1))
    if m := _REMAINING_RE.search(text):
        remaining = _int(m.group(1) or m.group(2) or "")
    source = None
    if m := _SOURCE_RE.search(text):
        v = m.group("v").lower()
        source = (
            "third_party"
            if re.search(r"third|external|community|researcher", v)
            else "audit"
            if "audit" in v
            else "self"
            if re.search(r"self|internal", v)
            else None
        )
    return Facts(total, remaining, _issuance_stopped(text, sections), source)
