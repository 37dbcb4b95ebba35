"""CLI commands of the parse stage: `parse`, `show`, `lint` and `evaluate parser` (thin wrappers)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ca_incidents.cli_groups import evaluate_app

MAX_LINT_BYTES = 5_000_000
DataDir = Annotated[Path, typer.Option("--data-dir", help="Directory holding corpus.duckdb.")]


def _parse_cmd(
    data_dir: DataDir = Path("data"),
) -> None:
    """Parse every new or changed comment into reports, sections, timelines and action items."""
    from rich.console import Console
    from rich.progress import Progress

    from ca_incidents.corpus import connect
    from ca_incidents.parse.corpus import parse_corpus

    console = Console()
    con = connect(data_dir)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("parsing bugs", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        stats = parse_corpus(con, progress=tick)
    con.close()
    console.print(
        f"bugs: {stats.bugs_seen} seen, {stats.bugs_parsed} parsed; "
        f"comments: {stats.comments_parsed} parsed, "
        f"{stats.comments_skipped} unchanged; reports: {stats.reports}; warnings: {stats.warnings}"
    )


def _show_cmd(
    bug_id: Annotated[int, typer.Argument(help="Bugzilla bug id.")],
    data_dir: DataDir = Path("data"),
) -> None:
    """Print a bug's parsed structure: comment roles, reports, sections, timeline, action items, facts."""
    from rich.console import Console

    from ca_incidents.corpus import connect
    from ca_incidents.parse.show import render_bug

    console = Console()
    try:
        con = connect(data_dir, read_only=True)
    except FileNotFoundError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    try:
        if not render_bug(con, bug_id, console):
            raise typer.Exit(1)
    finally:
        con.close()


def _read_document(path: Path) -> str:
    """The file as text, or a clear error for missing, binary, huge or non-UTF-8 files."""
    if not path.is_file():
        raise typer.BadParameter(f"{path} is not a readable file")
    size = path.stat().st_size
    if size > MAX_LINT_BYTES:
        raise typer.BadParameter(f"{path} is {size} bytes; lint accepts reports up to {MAX_LINT_BYTES} bytes")
    data = path.read_bytes()
    if b"\x00" in data:
        raise typer.BadParameter(
            f"{path} looks binary (it contains NUL bytes); lint expects a Markdown report"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise typer.BadParameter(
            f"{path} is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8"
        ) from exc


def _lint_cmd(
    file: Annotated[Path, typer.Argument(help="A report in Markdown (or plain text).")],
    posted_at: Annotated[
        str | None, typer.Option("--posted-at", help="When it was (or will be) posted, ISO date.")
    ] = None,
    era: Annotated[
        str | None, typer.Option("--era", help="Force the template era (legacy, v1.0 ... v3.2).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text.")] = "text",
) -> None:
    """Parse one report file and print its structure (offsets index the file's text)."""
    from ca_incidents.parse.model import ERAS
    from ca_incidents.parse.report import lint_document

    if fmt not in ("json", "text"):
        raise typer.BadParameter("--format must be json or text")
    if era is not None and era not in ERAS:
        raise typer.BadParameter(f"--era must be one of {', '.join(ERAS)}")
    when = None
    if posted_at:
        try:
            when = datetime.fromisoformat(posted_at.replace("Z", "+00:00"))
        except ValueError as exc:
            raise typer.BadParameter(f"--posted-at {posted_at!r} is not an ISO date or time") from exc
    text = _read_document(file)
    result = lint_document(text, when, era)
    if fmt == "json":
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    from ca_incidents.parse.show import render_lint

    render_lint(result, Console())


def _evaluate_parser_cmd(
    split: Annotated[str, typer.Option("--split", help="heldout or dev.")] = "heldout",
    gold_dir: Annotated[
        Path | None,
        typer.Option("--gold-dir", help="Folder with dev/ and heldout/ (default tests/gold/parser)."),
    ] = None,
) -> None:
    """Per-field precision, recall and F1 of the parser on a gold split."""
    from rich.console import Console
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
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main CLI."""
    app.command("parse")(_parse_cmd)
    app.command("show")(_show_cmd)
    app.command("lint")(_lint_cmd)
    evaluate_app.command("parser")(_evaluate_parser_cmd)
