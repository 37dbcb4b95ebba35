"""``vague-action`` and ``missing-timebound`` on every action item, plus due dates that passed unchanged."""

from __future__ import annotations

from datetime import date, datetime

from ca_incidents.parse.model import ActionItem
from ca_incidents.score.detectors import Context
from ca_incidents.score.model import Finding
from ca_incidents.score.quality import ActionInput, classify_actions

RULES = ("vague-action", "missing-timebound")


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _in_closure(ctx: Context, item: ActionItem) -> bool:
    sec = ctx.section_at(item.start, item.end)
    return ctx.report_type == "closure" or (sec is not None and sec.name == "closure_summary")


def _overdue(ctx: Context, item: ActionItem) -> bool:
    """A later update still calls an item Ongoing although its due date has passed (no status change)."""
    posted = _day(ctx.posted_at)
    return bool(posted and item.due_date and item.status == "ongoing" and item.due_date < posted)


def _items(ctx: Context) -> list[ActionItem]:
    return [a for a in ctx.parsed.action_items if ctx.section_at(a.start, a.end) is not None]


def nlp_texts(ctx: Context) -> list[str]:
    """The texts ``detect`` will send to spaCy (so a batch scorer can parse many reports' texts at once)."""
    return [a.text for a in _items(ctx)]


def detect(ctx: Context) -> list[Finding]:
    """One finding per vague item and per item without a real due date."""
    items = _items(ctx)
    if not items or ctx.nlp is None:
        return []
    inputs = [ActionInput(a.text, a.due_text, a.status, _in_closure(ctx, a)) for a in items]
    out = []
    for item, verdict in zip(items, classify_actions(inputs, ctx.nlp()), strict=True):
        sec = ctx.section_at(item.start, item.end)
        assert sec is not None
        if verdict.vague:
            out.append(
                ctx.in_section(
                    "vague-action",
                    "This action item names no concrete mechanism or deliverable "
                    "that someone could later check was done.",
                    sec,
                    item.start,
                    item.end,
                )
            )
        if not verdict.timebound:
            due = f"'{item.due_text}' is not a date" if item.due_text else "there is no due date"
            out.append(
                ctx.in_section(
                    "missing-timebound", f"This action item is not time-bound: {due}.", sec, item.start, item.end
                )
            )
        elif _overdue(ctx, item):
            out.append(
                ctx.in_section(
                    "missing-timebound",
                    f"The due date {item.due_date} has passed but the status "
                    "is still Ongoing; update the status or give a new date.",
                    sec,
                    item.start,
                    item.end,
                )
            )
    return out
