"""Thoroughness (CCADB Steering Committee 2023): a summary, a variant search and a detection-gap analysis."""

from __future__ import annotations

import re

from ca_incidents.score.detectors import ANALYSED_TYPES, Context
from ca_incidents.score.model import Finding

RULES = ("no-variant-analysis", "no-detection-analysis", "no-summary")

_VARIANT = re.compile(
    r"\bother (?:\w+ ){0,2}(?:profiles?|cas?|issuers?|issuing cas?|systems?|products?|certificates?|templates?|"
    r"sub-?cas?|hierarch\w*|environments?|fields?|extensions?|instances?|code paths?|periods?|responders?|crls?)\b|"
    r"\bsame (?:issue|problem|pattern|cause|bug|error|defect|flaw|mistake|root cause|condition)\b|"
    r"\bsimilar (?:issues?|problems?|cases?|errors?|certificates?|defects?|patterns?)\b|\bvariants?\b|"
    r"\b(?:all|every|entire|whole) (?:\w+ ){0,2}(?:profiles?|issuers?|issuing cas?|corpus|population|"
    r"certificate base|systems?|hierarchies|templates?)\b|\belsewhere\b|\bno other\b|\bnot affected\b|"
    r"\b(?:scan(?:ned)?|search(?:ed)?|review(?:ed)?|check(?:ed)?|quer(?:y|ied)) (?:\w+ ){0,3}(?:all|every|the "
    r"(?:entire|whole|full))\b|\bacross (?:all|every|our)\b|\bsiblings?\b",
    re.IGNORECASE,
)
_DETECTION = re.compile(
    r"\bescap\w+ detection|\b(?:unnoticed|undetected)\b|"
    r"\b(?:did not|didn't|does not|doesn't|could not|couldn't|failed to|was not able to|were not able to) "
    r"(?:\w+ ){0,2}(?:detect|catch|flag|notice|check|alert|cover|test|verify|compare|validate|probe|monitor|lint)|"
    r"\bonly (?:\w+ ){0,2}(?:checked|tested|verified|probed|compared|looked|monitored|covered|flagged|linted|"
    r"validated|sampled)|\bno (?:\w+ ){0,2}(?:test|check|lint|alert|monitor\w*|review|control|validation)s?\b|"
    r"\bnot (?:\w+ ){0,2}(?:covered|caught|detected|flagged|monitored|tested|checked)\b|\bblind spot|"
    r"\bwhy (?:\w+ ){0,4}(?:not|wasn't|weren't) (?:\w+ ){0,3}(?:earlier|sooner|before)|"
    r"\bdetection\s*(?:\*\*)?\s*:?\s*(?:\*\*)?\s*:\s*\S.{25,}",
    re.IGNORECASE,
)
_SUMMARY_MIN_WORDS = 12


def _anchor(ctx: Context, name: str) -> tuple[int, int, str | None]:
    """The heading line of a section (or of the report) that a whole-report finding points at."""
    secs = ctx.sections(name)
    if secs:
        sec = secs[0]
        return sec.start, ctx.first_line_end(sec.start, sec.end), sec.name
    s, e = ctx.heading_span()
    return s, e, None


def _no_summary(ctx: Context) -> list[Finding]:
    if ctx.report_type not in (*ANALYSED_TYPES, "preliminary"):
        return []
    body = ctx.section_text("summary")
    words = re.findall(r"[A-Za-z]{2,}", body)
    if len(words) >= _SUMMARY_MIN_WORDS:
        return []
    s, e, sec = _anchor(ctx, "summary")
    what = "is too short to explain" if body.strip() else "is missing; add one that explains"
    return [
        ctx.finding(
            "no-summary", f"The summary {what} what went wrong, since when and how many certificates.", s, e, sec
        )
    ]


def _no_variants(ctx: Context) -> list[Finding]:
    if ctx.report_type not in ANALYSED_TYPES or _VARIANT.search(ctx.text):
        return []
    s, e, sec = _anchor(ctx, "root_cause")
    return [
        ctx.finding(
            "no-variant-analysis",
            "Nothing says whether the same cause was looked for in other profiles, systems, CAs or periods.",
            s,
            e,
            sec,
        )
    ]


def _no_detection(ctx: Context) -> list[Finding]:
    if ctx.report_type not in ANALYSED_TYPES:
        return []
    scope = "\n".join(ctx.section_text(n) for n in ("root_cause", "lessons_learned", "didnt_go_well", "summary"))
    if _DETECTION.search(scope or ctx.text):
        return []
    s, e, sec = _anchor(ctx, "root_cause")
    return [
        ctx.finding(
            "no-detection-analysis",
            "Nothing says why the problem was not detected earlier (which check, lint or monitor missed it, and why).",
            s,
            e,
            sec,
        )
    ]


def detect(ctx: Context) -> list[Finding]:
    """Missing summary, variant analysis and detection-gap analysis."""
    return _no_summary(ctx) + _no_variants(ctx) + _no_detection(ctx)
