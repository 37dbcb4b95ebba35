"""CLI commands of the analysis stage: `report` (notebooks → HTML) and `proposal evaluate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ca_incidents.cli_groups import DataDir, cli_settings, ready_data_dir

SNAPSHOT = typer.Option(None, "--snapshot", help="Read a verified snapshot directory instead of the store.")
DATE_FROM = typer.Option(None, "--from", help="First filing date (YYYY-MM-DD), inclusive.")
DATE_TO = typer.Option(None, "--to", help="Last filing date (YYYY-MM-DD), inclusive.")
CA_FILTER = typer.Option(None, "--ca", help="Only these CA owners (repeat the option, or comma-separate).")
proposal_app = typer.Typer(help="Evaluate template-change proposals (proposals/*.yaml) against history.",
                           no_args_is_help=True)  # fmt: skip


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _format_cell(value: object) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:.1%}" if 0 <= value <= 1 else f"{value:.2f}"
    return "" if value is None else str(value)


def _print_frame(console, title: str, frame, limit: int | None = None) -> None:
    """A DataFrame as a rich table (rates as percentages); ``limit`` rows at most, saying how many were cut."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    frame = frame.dropna(axis=1, how="all")
    for column in frame.columns:
        table.add_column(
            str(column), overflow="fold", no_wrap=column == "link", min_width=30 if column == "reason" else None
        )
    shown = frame if limit is None else frame.head(limit)
    for row in shown.itertuples(index=False):
        table.add_row(*(_format_cell(v) for v in row))
    console.print(table)
    if limit is not None and len(frame) > limit:
        console.print(f"  … {len(frame) - limit} more (use --out DIR for the full list)")


@proposal_app.command("evaluate")
def proposal_evaluate(
    file: Annotated[Path, typer.Argument(help="A proposal YAML file (see proposals/README.md).")],
    data_dir: DataDir = None,
    snapshot: Path = SNAPSHOT,
    date_from: str = DATE_FROM,
    date_to: str = DATE_TO,
    ca: list[str] = CA_FILTER,
    out: Path = typer.Option(None, "--out", help="Also write units, compliance and failing tables as CSV here."),
    show_failing: int = typer.Option(20, "--show-failing", help="How many failing reports to print."),
) -> None:
    """Apply a proposed rule to every historical report of the period: compliance, failures and burden."""
    from rich.console import Console

    from ca_incidents.analysis.loaders import load_corpus, write_tables
    from ca_incidents.analysis.proposals import ProposalError, evaluate, load_proposal

    try:
        proposal = load_proposal(file)
    except ProposalError as exc:
        _fail(str(exc))
        return
    folder = None if snapshot else ready_data_dir(data_dir, "parse")
    try:
        corpus = load_corpus(folder, snapshot, date_from, date_to, ",".join(ca or []))
        result = evaluate(proposal, corpus)
    except (ProposalError, FileNotFoundError, ValueError, RuntimeError) as exc:
        _fail(str(exc))
        return
    console = Console(width=140)
    console.print(f"[bold]{proposal.title}[/] ({proposal.name}: {proposal.check}, one {proposal.unit} per row)")
    console.print(f"data: {corpus.provenance()}")
    _print_frame(console, "Compliance overall", result.compliance())
    _print_frame(console, "By era (in force when posted / filed)", result.compliance("era"))
    _print_frame(console, "By CA owner (alphabetical)", result.compliance("ca_owner"))
    _print_frame(console, "Would fail, and why", result.failing(), limit=show_failing)
    if out is not None:
        tables = {"units": result.units, "compliance": result.compliance(), "by_era": result.compliance("era"),
                  "by_ca": result.compliance("ca_owner"), "failing": result.failing()}  # fmt: skip
        write_tables(tables, out)
        console.print(f"tables written to {out}")


def report(
    data_dir: DataDir = None,
    snapshot: Path = SNAPSHOT,
    out: Path = typer.Option(
        None,
        "--out",
        help="Where to write the HTML reports and figures (default: $CA_INCIDENTS_REPORT_DIR or reports).",
        show_default=False,
    ),
    date_from: str = DATE_FROM,
    date_to: str = DATE_TO,
    ca: list[str] = CA_FILTER,
    seed: int = typer.Option(20261129, "--seed", help="Seed for any randomness in the notebooks."),
) -> None:
    """Execute every notebook on the corpus and write reports/*.html, figures (PNG + SVG) and tables (CSV)."""
    out = cli_settings(report_dir=out).report_dir
    folder = None if snapshot else ready_data_dir(data_dir, "metrics")

    from papermill.exceptions import PapermillExecutionError

    from ca_incidents.analysis.reporting import render_reports

    parameters = {
        "data_dir": str(folder.resolve()) if folder else "",
        "snapshot": str(snapshot.resolve()) if snapshot else "",
        "date_from": date_from or "",
        "date_to": date_to or "",
        "ca_filter": ",".join(ca or []),
        "seed": seed,
    }
    try:
        rendered = render_reports(parameters, out)
    except PapermillExecutionError as exc:
        _fail(f"a notebook failed ({exc.ename}: {exc.evalue}); the executed copy in {out}/executed shows where")
        return
    for page in rendered:
        typer.echo(str(page.html))
    typer.echo(f"Open {out / 'index.html'} in a browser.", err=True)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main CLI."""
    app.command("report")(report)
    app.add_typer(proposal_app, name="proposal")
