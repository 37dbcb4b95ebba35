"""Action-item coverage: every cause mapped to an action, a Prevent action, evaluation criteria (v2.0/v3)."""

from __future__ import annotations

import re

from ca_incidents.parse.lines import bullet_match, strip_markdown
from ca_incidents.score.detectors import ANALYSED_TYPES, Context
from ca_incidents.score.features import content_words
from ca_incidents.score.model import Finding

RULES = ("unmapped-root-cause", "no-prevent-action", "missing-evaluation-criteria")


def _words(text: str) -> set[str]:
    return content_words(text)


def _head(ctx: Context, name: str) -> tuple[int, int] | None:
    secs = ctx.sections(name)
    if not secs:
        return None
    return secs[0].start, ctx.first_line_end(secs[0].start, secs[0].end)


def _unmapped_factors(ctx: Context) -> list[Finding]:
    items = ctx.parsed.action_items
    refs = " ".join(a.root_causes or "" for a in items)
    if not any(a.root_causes for a in items):
        return []  # no Corresponding Root Cause(s) column to check against
    numbers = {int(n) for n in re.findall(r"\d+", refs)}
    everything = re.search(r"\ball\b", refs, re.I) is not None
    out = []
    for i, rc in enumerate(ctx.parsed.root_causes, start=1):
        if i in numbers or everything or (rc.title and rc.title.lower()[:30] in refs.lower()):
            continue
        sec = ctx.section_at(rc.start, rc.end)
        if sec is not None:
            end = ctx.first_line_end(rc.start, rc.end)
            out.append(
                ctx.in_section(
                    "unmapped-root-cause",
                    f"Contributing factor #{i} is not named in any action item's Corresponding Root Cause(s).",
                    sec,
                    rc.start,
                    end,
                )
            )
    return out


def _unmapped_lessons(ctx: Context) -> list[Finding]:
    actions = set().union(*(_words(a.text + " " + (a.evaluation_criteria or "")) for a in ctx.parsed.action_items))
    out = []
    for sec in ctx.sections("didnt_go_well"):
        pos = sec.start
        for raw in ctx.text[sec.start : sec.end].split("\n"):
            line_start, pos = pos, pos + len(raw) + 1
            m = bullet_match(raw)
            body = strip_markdown(raw[m.end() :] if m else raw.split(":", 1)[-1])
            if line_start == sec.start and not m and ":" not in raw:
                continue  # the heading line itself
            if len(body.split()) < 4 or re.fullmatch(r"n/?a\.?|none\.?", body.strip(), re.I):
                continue
            if len(_words(body) & actions) < 2:
                out.append(
                    ctx.in_section(
                        "unmapped-root-cause",
                        "This 'What didn't go well' item has no action item that addresses it.",
                        sec,
                        line_start,
                        line_start + len(raw),
                    )
                )
    return out


def _no_prevent(ctx: Context) -> list[Finding]:
    items = ctx.parsed.action_items
    head = _head(ctx, "action_items")
    if not items or head is None or any(a.kind == "prevent" for a in items):
        return []
    kinds = sorted({a.kind for a in items if a.kind}) or ["no kinds"]
    return [
        ctx.finding(
            "no-prevent-action", f"No action item is of kind Prevent (only {', '.join(kinds)}).", *head, "action_items"
        )
    ]


def _no_criteria(ctx: Context) -> list[Finding]:
    out = []
    for a in ctx.parsed.action_items:
        sec = ctx.section_at(a.start, a.end)
        if sec is not None and not (a.evaluation_criteria or "").strip(" -"):
            out.append(
                ctx.in_section(
                    "missing-evaluation-criteria",
                    "This action item has no evaluation criteria (how anyone can check it worked).",
                    sec,
                    a.start,
                    a.end,
                )
            )
    return out


def detect(ctx: Context) -> list[Finding]:
    """Unmapped causes and lessons, no Prevent action, actions without evaluation criteria."""
    if ctx.report_type not in ANALYSED_TYPES:
        return []
    return _unmapped_factors(ctx) + _unmapped_lessons(ctx) + _no_prevent(ctx) + _no_criteria(ctx)
