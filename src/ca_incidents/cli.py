"""Command-line interface: a thin layer over the stage modules.

Each stage package contributes its commands through ``<stage>.commands.register(app)``; heavy imports
happen inside the commands, so ``ca-incidents --help`` stays fast.
"""

from __future__ import annotations

import importlib

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

for _stage in STAGES:
    importlib.import_module(f"ca_incidents.{_stage}.commands").register(app)
