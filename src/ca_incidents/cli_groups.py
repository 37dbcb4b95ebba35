"""What several stages' commands share: the `evaluate` and `snapshot` groups, the `--data-dir` option, reading
the settings, and the check that the stages a command reads have run (exit 2 with one line otherwise)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from ca_incidents.settings import Settings

EXIT_USAGE = 2  # click's own code for a bad option; also a missing stage or a setting out of bounds

evaluate_app = typer.Typer(help="Measure parser and scorer accuracy on the held-out gold data.", no_args_is_help=True)
snapshot_app = typer.Typer(help="Export, verify and import reproducible corpus snapshots.", no_args_is_help=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder holding corpus.duckdb (default: $CA_INCIDENTS_DATA_DIR or data).",
        show_default=False,
    ),
]


def usage_error(message: str) -> NoReturn:
    """One line on stderr, exit code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def cli_settings(**overrides: Any) -> Settings:
    """The settings with this command's options (``None`` = not given) on top; exit 2 when one is out of bounds."""
    from ca_incidents.settings import SettingsError, load_settings

    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        usage_error(str(exc))


def ready_data_dir(data_dir: Path | None, needs: str) -> Path:
    """The data dir to use, after checking that ``needs`` and every stage before it have run there.

    Exit 2 naming the first missing step otherwise; nothing is created on disk either way.
    """
    import duckdb

    from ca_incidents.stages import StageMissing, require

    folder = cli_settings(data_dir=data_dir).data_dir
    try:
        require(folder, needs)
    except StageMissing as exc:
        usage_error(str(exc))
    except duckdb.Error as exc:  # e.g. another process is writing the store
        typer.echo(f"error: cannot read {folder}: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(1) from None
    return folder
