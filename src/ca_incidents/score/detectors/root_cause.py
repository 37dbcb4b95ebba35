"""``restated-root-cause`` and ``human-error-root-cause`` on every root cause the parser found."""

from __future__ import annotations

import re

from ca_incidents.parse.lines import strip_markdown
from ca_incidents.parse.model import RootCause
from ca_incidents.score.detectors import CONFIDENT, Context
from ca_incidents.score.model import Finding
from ca_incidents.score.quality import classify_root_causes

RULES = ("restated-root-cause", "human-error-root-cause")
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*|\*\*|__)?\s*(?:\d+[.)]\s*)?(?:root cause[^\n]*|rca)\s*(?:\*\*|__)?\s*:?\s*\n", re.I
)


def incident_summary(ctx: Context) -> str:
    """What happened, in the report's own words: the summary section, else the text before the root cause."""
    summary = ctx.section_text("summary") or ctx.section_text("closure_summary")
    if not summary:
        rc = ctx.sections("root_cause")
        summary = ctx.text[: rc[0].start] if rc else ""
    return strip_markdown(summary[:1500])


def passage(ctx: Context, start: int, end: int) -> str:
    """The root-cause text without the section heading line and Markdown."""
    raw = ctx.text[start:end]
    raw = _HEADING.sub("", raw, count=1)
    return "\n".join(strip_markdown(line) for line in raw.splitlines() if line.strip())[:4000]


def _causes(ctx: Context) -> list[tuple[RootCause, str]]:
    """Each root cause inside a section with a non-empty passage, with that passage."""
    inside = [rc for rc in ctx.parsed.root_causes if ctx.section_at(rc.start, rc.end) is not None]
    pairs = [(rc, passage(ctx, rc.start, rc.end)) for rc in inside]
    return [(rc, text) for rc, text in pairs if text.strip()]


def nlp_texts(ctx: Context) -> list[str]:
    """The texts ``detect`` will send to spaCy (so a batch scorer can parse many reports' texts at once)."""
    return [text for _, text in _causes(ctx)]


def detect(ctx: Context) -> list[Finding]:
    """One finding per root cause that restates the symptom or blames a person with no systemic factor."""
    causes = _causes(ctx)
    if not causes or ctx.nlp is None:
        return []
    summary = incident_summary(ctx)
    verdicts = classify_root_causes([(text, summary) for _, text in causes], ctx.nlp())
    out = []
    for (rc, _), v in zip(causes, verdicts, strict=True):
        sec = ctx.section_at(rc.start, rc.end)
        assert sec is not None
        if v.restated:
            out.append(
                ctx.in_section(
                    "restated-root-cause",
                    "This root cause restates what happened; say why: the "
                    "condition or failed control behind it, when it was introduced and why it "
                    "was not caught.",
                    sec,
                    rc.start,
                    rc.end,
                    unsure=v.restated_probability < CONFIDENT,
                )
            )
        if v.human_error_only:
            out.append(
                ctx.in_section(
                    "human-error-root-cause",
                    "This root cause blames a person's error without "
                    "naming the missing control or system gap that let it through.",
                    sec,
                    rc.start,
                    rc.end,
                    unsure=not v.human_error_decisive and v.human_error_probability < CONFIDENT,
                )
            )
    return out
