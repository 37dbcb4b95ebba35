"""CLI commands of the corpus stage (registered by ca_incidents.cli): snapshots and review lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ca_incidents.cli_groups import DataDir, cli_settings, ready_data_dir, snapshot_app

SnapshotDir = Annotated[Path, typer.Argument(help="A directory written by `snapshot export`.")]
owners_app = typer.Typer(help="Review how CA owners are read from bug summaries.", no_args_is_help=True)
whiteboard_app = typer.Typer(
    help="Review how whiteboard tags and Next update dates are read.", no_args_is_help=True
)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@snapshot_app.command("export")
def snapshot_export(
    out_dir: Annotated[
        Path, typer.Argument(help="New or empty directory for the Parquet files and manifest.json.")
    ],
    data_dir: DataDir = None,
) -> None:
    """Write every corpus table to Parquet plus a manifest (row counts, sha256s, harvest query and time)."""
    from ca_incidents.corpus.snapshot import SnapshotError, export_snapshot

    folder = ready_data_dir(data_dir, "harvest")
    try:
        manifest = export_snapshot(folder, out_dir)
    except (SnapshotError, FileNotFoundError) as exc:
        _fail(str(exc))
        return
    for name, entry in sorted(manifest.tables.items()):
        typer.echo(f"{name}\t{entry.rows}\t{entry.sha256}")
    typer.echo(f"snapshot {manifest.manifest_sha256} written to {out_dir}", err=True)


@snapshot_app.command("verify")
def snapshot_verify(
    snapshot_dir: SnapshotDir,
) -> None:
    """Recompute hashes and row counts; exit 1 listing every changed, missing or unexpected file."""
    from ca_incidents.corpus.snapshot import verify_snapshot

    problems = verify_snapshot(snapshot_dir)
    if problems:
        _fail(f"snapshot {snapshot_dir} failed verification:\n  " + "\n  ".join(problems))
    typer.echo(f"snapshot {snapshot_dir} OK")


@snapshot_app.command("import")
def snapshot_import(
    snapshot_dir: SnapshotDir,
    data_dir: DataDir = None,
    replace: bool = typer.Option(False, "--replace", help="Replace an existing corpus.duckdb."),
) -> None:
    """Verify a snapshot, then load it into a fresh corpus so any stage can start from it."""
    from ca_incidents.corpus.snapshot import SnapshotError, import_snapshot

    data_dir = cli_settings(data_dir=data_dir).data_dir
    try:
        manifest = import_snapshot(snapshot_dir, data_dir, replace=replace)
    except SnapshotError as exc:
        _fail(str(exc))
        return
    total = sum(entry.rows for entry in manifest.tables.values())
    typer.echo(f"imported {len(manifest.tables)} tables ({total} rows) into {data_dir}")


@owners_app.command("review")
def owners_review(data_dir: DataDir = None) -> None:
    """List bugs whose owner is not from the alias table (id, source, prefix, owner, brand, summary): owners
    read from a new prefix, to confirm or alias, and bugs with no owner."""
    from ca_incidents.corpus.owners import owner_review
    from ca_incidents.corpus.store import connect

    with connect(ready_data_dir(data_dir, "harvest"), read_only=True) as con:
        rows = owner_review(con)
        total = con.execute("SELECT count(*) FROM bugs").fetchall()[0][0]
    for bug_id, summary, m in rows:
        typer.echo(f"{bug_id}\t{m.source}\t{m.raw or '-'}\t{m.owner or '-'}\t{m.brand or '-'}\t{summary or ''}")
    none = sum(1 for _, _, m in rows if m.source == "none")
    typer.echo(
        f"{none} of {total} bugs have no CA owner; {len(rows) - none} owners read from a prefix not in the alias "
        "table",
        err=True,
    )


@whiteboard_app.command("review")
def whiteboard_review(
    data_dir: DataDir = None,
    history: bool = typer.Option(True, "--history/--no-history", help="Also check past whiteboard values."),
    assumed: bool = typer.Option(False, "--assumed", help="Also list dates read by the US month-day rule."),
) -> None:
    """List "Next update" values that could not be read as a date (bug, when set, raw text, why)."""
    from ca_incidents.corpus.store import connect
    from ca_incidents.corpus.whiteboard import next_update_issues

    with connect(ready_data_dir(data_dir, "harvest"), read_only=True) as con:
        issues = next_update_issues(con, history=history, include_assumed=assumed)
    for issue in issues:
        when = issue.changed_at.isoformat() if issue.changed_at else "current"
        typer.echo(f"{issue.bug_id}\t{when}\t{issue.raw}\t{issue.problem}")
    typer.echo(f"{len(issues)} Next update values need review", err=True)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main CLI (the snapshot group is attached by ca_incidents.cli)."""
    app.add_typer(owners_app, name="owners")
    app.add_typer(whiteboard_app, name="whiteboard")
