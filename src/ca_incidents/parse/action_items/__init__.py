"""Action items from Markdown tables, bullet/numbered lists and legacy prose.

The public API is the two extractors: :func:`extract_action_items` reads the body of an action-items
section (tables first, then lists, then sentences); :func:`extract_orphan_action_items` finds items outside
any such section, as update comments re-post them. The layouts live in sibling modules: ``tables``,
``lists``, ``prose``, and ``fields`` for the kind/status/due values all of them share.
"""

from __future__ import annotations

from datetime import datetime

from ca_incidents.parse.action_items.lists import bullet_runs, lead_in_items, list_items
from ca_incidents.parse.action_items.prose import prose_items
from ca_incidents.parse.action_items.tables import aligned_tables, column_of, row_cells, table_items, table_runs
from ca_incidents.parse.lines import Line
from ca_incidents.parse.model import ActionItem

__all__ = ["extract_action_items", "extract_orphan_action_items"]


def extract_action_items(
    text: str, lines: list[Line], *, posted_at: datetime | None = None, dayfirst: bool = False
) -> tuple[list[ActionItem], list[str]]:
    """Action items of one action-items section body, plus warnings about what could not be read."""
    warnings: list[str] = []
    tables: list[list[Line]] = []
    run: list[Line] = []
    for line in [*lines, None]:
        if line is not None and not line.in_code and row_cells(line.text) is not None and line.stripped:
            run.append(line)
            continue
        if len(run) >= 2 or (run and len(row_cells(run[0].text) or []) >= 3):
            tables.append(run)
        run = []
    if not tables:
        tables = aligned_tables(lines)
    items: list[ActionItem] = []
    for table in tables:
        items.extend(table_items(table, posted_at, dayfirst, warnings))
    if not tables:
        items = list_items(lines, posted_at, dayfirst)
        if not items:
            items = prose_items(text, lines, posted_at, dayfirst)
    return items, warnings


def extract_orphan_action_items(
    lines: list[Line], *, posted_at: datetime | None = None, dayfirst: bool = False
) -> tuple[list[ActionItem], list[str]]:
    """Action items outside any action-items section: a table with an "Action" column, or the list right
    after a line that mentions action items (update comments re-post them without headings)."""
    warnings: list[str] = []
    items: list[ActionItem] = []
    for run in table_runs(lines):
        header = [column_of(c[0]) for c in (row_cells(run[0].text) or [])]
        head_text = run[0].text.lower()
        if "text" in header and sum(h is not None for h in header) >= 2 and "action" in head_text:
            items.extend(table_items(run, posted_at, dayfirst, warnings))
    if items:
        return items, warnings
    items = lead_in_items(lines, posted_at, dayfirst)
    if items:
        return items, warnings
    for run in bullet_runs(lines):
        found = list_items(run, posted_at, dayfirst)
        with_status = sum(item.status is not None for item in found)
        if with_status >= 2 and 2 * with_status >= len(found):
            items.extend(found)  # an update's list of items, each reporting its status
    return items, warnings
