"""Command-line interface: a thin layer over the stage modules.

Each stage package contributes its commands through ``<stage>.commands.register(app)``; heavy imports
happen inside the commands, so ``ca-incidents --help`` stays fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from ca_incidents import __version__
from ca_incidents.cli_groups import evaluate_app, snapshot_app

STAGES = ("harvest", "corpus", "parse", "score", "metrics", "analysis")

app = typer.Typer(
    help="Harvest, parse, score and analyse Web PKI CA incident reports from Mozilla Bugzilla.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Harvest → parse → score → metrics → notebooks. Start with `ca-incidents demo`."""


app.add_typer(evaluate_app, name="evaluate")
app.add_typer(snapshot_app, name="snapshot")

@app.command()
def demo(
    corpus: Path = typer.Option(None, help="Demo corpus folder (YAML bugs). Default: data/demo-corpus."),
    data_dir: Path = typer.Option(None, help="Where to build the demo corpus store. Default: data/demo (recreated)."),
    reports: bool = typer.Option(True, "--reports/--no-reports", help="Execute the notebooks into reports/."),
) -> None:
    """Run the whole pipeline offline on the bundled demo corpus (served on 127.0.0.1)."""
    from rich.console import Console

    from ca_incidents import pipeline

    console = Console(stderr=True)
    result = pipeline.run_demo(
        corpus_dir=corpus or pipeline.DEMO_CORPUS_DIR,
        data_dir=data_dir or pipeline.DEMO_DATA_DIR,
        reports_dir=pipeline.REPORTS_DIR if reports else None,
        log=lambda message: console.print(f"[bold cyan]▶[/] {message}"),
    )
    console.print(pipeline.summary_table(result))
    if reports:
        console.print(f"Open {pipeline.REPORTS_DIR / 'index.html'} in a browser.")


for _stage in STAGES:
    importlib.import_module(f"ca_incidents.{_stage}.commands").register(app)
