"""Human-readable rendering (rich) of a parsed bug and of a linted file."""

from __future__ import annotations

from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table


def _excerpt(text: str | None, n: int = 70) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    return table


def render_bug(con: duckdb.DuckDBPyConnection, bug_id: int, console: Console) -> bool:
    """Print one bug's comment roles and parsed reports; False when the bug is not in the store."""
    bug = con.execute("SELECT summary, assigned_to FROM bugs WHERE id = ?", [bug_id]).fetchone()
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "comment_roles" not in tables:
        console.print("[red]no parse tables yet: run `ca-incidents parse` first[/red]")
        return False
    roles = con.execute(
        "SELECT comment_id, count, creator, creation_time, role, is_ca_side FROM comment_roles "
        "WHERE bug_id = ? ORDER BY count",
        [bug_id],
    ).fetchall()
    if bug is None and not roles:
        console.print(f"[red]bug {bug_id} is not in the corpus (or not parsed yet)[/red]")
        return False
    console.rule(f"Bug {bug_id}: {bug[0] if bug else ''}")
    console.print(
        _table(
            "Comments",
            ("#", "author", "posted", "role", "CA side"),
            [(c, a, t, r, "yes" if ca else "no") for _, c, a, t, r, ca in roles],
        )
    )
    reports = con.execute(
        "SELECT comment_id, count, report_type, era, era_in_force, warnings, total_certificates, "
        "remaining_valid, "
        "issuance_stopped, disclosure_source FROM reports WHERE bug_id = ? ORDER BY count",
        [bug_id],
    ).fetchall()
    for cid, count, rtype, era, in_force, warnings, total, remaining, stopped, source in reports:
        console.rule(f"comment #{count}: {rtype} report, template {era or '?'} (in force: {in_force or '?'})")
        _render_report_tables(con, cid, console)
        console.print(f"facts: total={total} remaining_valid={remaining} issuance_stopped={stopped} source={source}")
        for w in warnings or []:
            console.print(f"[yellow]warning:[/yellow] {w}")
    return True


def _render_report_tables(con: duckdb.DuckDBPyConnection, cid: int, console: Console) -> None:
    q = "SELECT {cols} FROM {table} WHERE comment_id = ? ORDER BY seq"
    specs = (
        (
            "Sections",
            "sections",
            'name, parent, heading, "start", "end"',
            ("section", "parent", "heading", "start", "end"),
        ),
        ("Root causes", "root_causes", "title, description", ("title", "description")),
        (
            "Timeline",
            "timeline_events",
            "event_time, has_time, has_zone, text",
            ("time", "has time", "has zone", "event"),
        ),
        (
            "Action items",
            "action_items",
            "text, kind, due_text, due_date, status",
            ("action", "kind", "due (as written)", "due date", "status"),
        ),
        ("References", '"references"', "kind, value", ("kind", "value")),
    )
    for title, table, cols, headers in specs:
        rows = con.execute(q.format(cols=cols, table=table), [cid]).fetchall()
        if rows:
            rows = [tuple(_excerpt(v) if isinstance(v, str) else v for v in r) for r in rows]
            console.print(_table(title, headers, rows))
