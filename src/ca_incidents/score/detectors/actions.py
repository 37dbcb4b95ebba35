"""``vague-action``, ``missing-timebound`` and ``overdue-action-item`` on every action item."""

from __future__ import annotations

from datetime import date, datetime

from ca_incidents.parse.model import ActionItem
from ca_incidents.score.detectors import CONFIDENT, Context
from ca_incidents.score.model import Finding
from ca_incidents.score.quality import ActionInput, ActionVerdict, classify_actions

RULES = ("vague-action", "missing-timebound", "overdue-action-item")


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _overdue(ctx: Context, item: ActionItem) -> bool:
    """At posting time the item's due date has passed and its status still says Ongoing."""
    posted = _day(ctx.posted_at)
    return bool(posted and item.due_date and item.status == "ongoing" and item.due_date < posted)


def _items(ctx: Context) -> list[ActionItem]:
    return [a for a in ctx.parsed.action_items if ctx.section_at(a.start, a.end) is not None]


def nlp_texts(ctx: Context) -> list[str]:
    """The texts ``detect`` will send to spaCy (so a batch scorer can parse many reports' texts at once)."""
    return [a.text for a in _items(ctx)]


def _vague_message(verdict: ActionVerdict) -> str:
    found = verdict.vague_evidence or "no named system, check, document or measurable change"
    return f"This action item names no concrete mechanism or deliverable that someone could check was done: {found}."


def _timebound_message(item: ActionItem) -> str:
    if item.due_text:
        return f"This action item is not time-bound: '{item.due_text}' is not a calendar date, and the item names none."
    return "This action item is not time-bound: there is no due date in its text or a Due Date cell."


def detect(ctx: Context) -> list[Finding]:
    """One finding per vague item, per item with no calendar anchor, and per overdue item."""
    items = _items(ctx)
    if not items or ctx.nlp is None:
        return []
    verdicts = classify_actions([ActionInput(a.text, a.due_text, a.status) for a in items], ctx.nlp())
    out = []
    for item, verdict in zip(items, verdicts, strict=True):
        sec = ctx.section_at(item.start, item.end)
        assert sec is not None
        if verdict.vague:
            unsure = not verdict.vague_decisive and verdict.vague_probability < CONFIDENT
            out.append(
                ctx.in_section("vague-action", _vague_message(verdict), sec, item.start, item.end, unsure=unsure)
            )
        if not verdict.timebound:
            out.append(ctx.in_section("missing-timebound", _timebound_message(item), sec, item.start, item.end))
        elif _overdue(ctx, item):
            out.append(
                ctx.in_section(
                    "overdue-action-item",
                    f"The due date {item.due_date} has passed but the status is still Ongoing; "
                    "give a new date with the reason, or report it complete.",
                    sec,
                    item.start,
                    item.end,
                )
            )
    return out
