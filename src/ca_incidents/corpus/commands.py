"""CLI commands of the corpus stage (registered by ca_incidents.cli)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main CLI."""
