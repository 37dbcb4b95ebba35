"""Command groups shared by several stages (e.g. `evaluate parser` and `evaluate quality`)."""

import typer

evaluate_app = typer.Typer(help="Measure parser and scorer accuracy on the held-out gold data.", no_args_is_help=True)
snapshot_app = typer.Typer(help="Export, verify and import reproducible corpus snapshots.", no_args_is_help=True)
