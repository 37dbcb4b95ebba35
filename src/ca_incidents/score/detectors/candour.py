"""Candour: reassuring claims with nothing behind them, and blame placed on others (v3.0 bad practices)."""

from __future__ import annotations

import re

from ca_incidents.score.detectors import Context, sentences
from ca_incidents.score.model import Finding

RULES = ("unsubstantiated-claim", "blame-shifting")

_CLAIM = re.compile(
    r"\bno (?:\w+ ){0,2}(?:security )?(?:impact|risk|harm|threat|danger)\b|"
    r"\b(?:does|did|do|will) not (?:pose|present|represent|create|have|cause) (?:a |any )?(?:\w+ )?(?:security )?"
    r"(?:risk|impact|threat|harm)\b|\bnot a security (?:issue|risk|concern|problem)\b|"
    r"\b(?:minimal|negligible|low|limited) (?:security )?(?:risk|impact)\b|"
    r"\bpurely (?:technical|administrative|cosmetic|formal)\b|\bharmless\b|\bno (?:one|relying party) (?:was|were) "
    r"(?:harmed|affected|impacted)\b",
    re.IGNORECASE,
)
_EVIDENCE = re.compile(
    r"\bbecause\b|\bsince\b|\bas (?:shown|demonstrated|confirmed|seen|evidenced)\b|\bevidence\b|\btest(?:s|ed|ing)?\b|"
    r"\b(?:we|our team) (?:verified|checked|confirmed|analy[sz]ed|tested|reviewed|measured|found)\b|\bdata\b|"
    r"\blogs?\b|\baccording to\b|\bappendix\b|\bignored by\b|\bclients?\b|\bgiven that\b|\bshown\b|\bresults?\b|"
    r"\bper (?:rfc|br|section)\b|\bas the\b|\bwhich means\b|\btherefore\b|\bdue to\b|\bmeasur\w+|\banaly\w+",
    re.IGNORECASE,
)
_OTHERS = (
    r"(?:the |our |a |an |this |that )?(?:subscriber|customer|vendor|supplier|auditor|reporter|reseller|partner|"
    r"third[- ]party|applicant|client|software provider|manufacturer|registrant|domain owner)s?(?:'s|'|’s)?"
)
_BLAME = re.compile(
    rf"\b(?:fault|responsibility|blame|error|mistake) (?:\w+ )?(?:lies|lay|rests|rested|was|is) (?:entirely |solely |"
    rf"fully )?(?:with|on) (?:{_OTHERS}|them)|\b{_OTHERS} (?:was|were|is|are) (?:entirely |solely |"
    rf"fully )?(?:responsible|at fault|"
    rf"to blame)\b|\bnot (?:our|the ca's) (?:fault|responsibility|mistake)\b|\b(?:beyond|"
    rf"outside(?: of)?) our control\b|"
    rf"\b(?:caused|due to|because of|result of) (?:by )?{_OTHERS} (?:error|mistake|negligence|failure|fault)\b|"
    rf"\b{_OTHERS} (?:failed|neglected|refused|chose|did not bother) to\b",
    re.IGNORECASE,
)
_OWNING = re.compile(
    r"\b(?:our|the ca's) (?:\w+ ){0,2}(?:validation|system|check|control|process|procedure|review|lint\w*|portal)s? "
    r"(?:did not|didn't|failed|should|could not|does not|was not)|\bwe (?:should|did not|didn't|failed|accept|take|"
    r"own|are responsible|remain responsible)\b|\bour responsibility\b",
    re.IGNORECASE,
)


def _next_sentence(ctx: Context, spans: list[tuple[int, int]], i: int) -> str:
    return ctx.text[spans[i + 1][0] : spans[i + 1][1]] if i + 1 < len(spans) else ""


def detect(ctx: Context) -> list[Finding]:
    """Claims of no impact without reasons next to them; sentences that put the fault on others."""
    out: list[Finding] = []
    spans = sentences(ctx.text)
    for i, (s, e) in enumerate(spans):
        sent = ctx.text[s:e]
        sec = ctx.section_at(s, e)
        name = sec.name if sec else None
        m = _CLAIM.search(sent)
        context = sent[: m.start()] + " " + sent[m.end() :] + " " + _next_sentence(ctx, spans, i) if m else ""
        if m and ":" not in sent[m.end() : m.end() + 3] and not _EVIDENCE.search(context):
            out.append(
                ctx.finding(
                    "unsubstantiated-claim",
                    "This reassuring claim has no evidence or reasoning next to it; say how you know.",
                    s,
                    e,
                    name,
                )
            )
        if _BLAME.search(sent) and not _OWNING.search(sent + " " + _next_sentence(ctx, spans, i)):
            out.append(
                ctx.finding(
                    "blame-shifting",
                    "This puts the fault on someone else; say which of your own controls let it through.",
                    s,
                    e,
                    name,
                )
            )
    return out
