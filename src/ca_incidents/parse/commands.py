"""CLI commands of the parse stage: `parse`, `show` and `evaluate parser` (thin wrappers; `lint` lives in
score/commands.py because it prints the scorer's findings)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ca_incidents.cli_groups import DataDir, evaluate_app, ready_data_dir


def _parse_cmd(
    data_dir: DataDir = None,
) -> None:
    """Parse every new or changed comment into reports, sections, timelines and action items."""
    from rich.console import Console
    from rich.progress import Progress

    from ca_incidents.corpus import connect
    from ca_incidents.parse.corpus import parse_corpus

    folder = ready_data_dir(data_dir, "harvest")
    console = Console()
    con = connect(folder)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("parsing bugs", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        stats = parse_corpus(con, progress=tick)
    con.close()
    owners = stats.owners
    if owners is not None:
        console.print(
            f"CA owners: {owners.alias} from the alias table, {owners.prefix} from a new prefix, {owners.none} "
            f"none, of {owners.bugs} bugs (`ca-incidents owners review` lists the last two)"
        )
    console.print(
        f"bugs: {stats.bugs_seen} seen, {stats.bugs_parsed} parsed; "
        f"comments: {stats.comments_parsed} parsed, "
        f"{stats.comments_skipped} unchanged; reports: {stats.reports}; warnings: {stats.warnings}"
    )


def _show_cmd(
    bug_id: Annotated[int, typer.Argument(help="Bugzilla bug id.")],
    data_dir: DataDir = None,
) -> None:
    """Print a bug's parsed structure: comment roles, reports, sections, timeline, action items, facts."""
    from rich.console import Console

    from ca_incidents.corpus import connect
    from ca_incidents.parse.show import render_bug

    console = Console()
    con = connect(ready_data_dir(data_dir, "parse"), read_only=True)
    try:
        if not render_bug(con, bug_id, console):
            raise typer.Exit(1)
    finally:
        con.close()


def _evaluate_parser_cmd(
    split: Annotated[str, typer.Option("--split", help="heldout or dev.")] = "heldout",
    gold_dir: Annotated[
        Path | None,
        typer.Option("--gold-dir", help="Folder with dev/ and heldout/ (default src/ca_incidents/data/gold/parser)."),
    ] = None,
    details: Annotated[
        bool,
        typer.Option("--details", help="Also list, per report, missed gold action items and spurious predictions."),
    ] = False,
) -> None:
    """Per-field precision, recall and F1 of the parser on a gold split."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ca_incidents.parse.evaluate import evaluate_parser

    if split not in ("heldout", "dev"):
        raise typer.BadParameter("--split must be heldout or dev")
    try:
        ev = evaluate_parser(split, gold_dir)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc)) from exc
    table = Table(title=f"parser on {split} ({ev.documents} reports)")
    for col in ("field", "precision", "recall", "F1 / accuracy", "n"):
        table.add_column(col, justify="left" if col == "field" else "right")
    for row in ev.rows():
        if "accuracy" in row:
            table.add_row(row["field"], "", "", f"{row['accuracy']:.3f}", str(row["n"]))
        else:
            table.add_row(
                row["field"],
                f"{row['precision']:.3f}",
                f"{row['recall']:.3f}",
                f"{row['f1']:.3f}",
                str(row["n"]),
            )
    console = Console()
    console.print(table)
    if details:
        for name, d in ev.item_details.items():
            console.print(f"[bold]{escape(name)}[/bold]", highlight=False)
            for text in d.missed:
                console.print(f"  [red]missed[/red]   {escape(text)}", highlight=False)
            for text in d.spurious:
                console.print(f"  [yellow]spurious[/yellow] {escape(text)}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main CLI."""
    app.command("parse")(_parse_cmd)
    app.command("show")(_show_cmd)
    evaluate_app.command("parser")(_evaluate_parser_cmd)
