"""CLI commands of the metrics stage: `metrics`, `dossier`, `digest` (registered by ca_incidents.cli)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from ca_incidents.cli_groups import DataDir, ready_data_dir


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO date or time: {value}") from exc
    if len(value) <= 10:  # a bare date: the end of that day (UTC)
        moment = moment.replace(hour=23, minute=59, second=59)
    from ca_incidents.utc import to_naive_utc

    return to_naive_utc(moment)


def metrics_cmd(data_dir: DataDir = None) -> None:
    """Compute incident-handling metrics into incident_metrics, ca_metrics and the detail tables."""
    from ca_incidents.corpus import connect
    from ca_incidents.metrics.build import build_metrics

    con = connect(ready_data_dir(data_dir, "parse"))
    counts = build_metrics(con)
    for table, n in counts.items():
        typer.echo(f"{table}: {n} rows")


def dossier_cmd(
    ca_owner: str = typer.Argument(..., help='CA owner as in `bugs.ca_owner`, e.g. "Northwind Trust".'),
    html: Path | None = typer.Option(None, "--html", help="Also write the dossier as HTML to this file."),
    data_dir: DataDir = None,
) -> None:
    """Print one CA's record: incidents, scores, deadlines missed, open commitments, recurrences."""
    from ca_incidents.corpus import connect
    from ca_incidents.metrics.build import compute
    from ca_incidents.metrics.digest import source_base
    from ca_incidents.metrics.dossier import build_dossier, render_html, render_text

    con = connect(ready_data_dir(data_dir, "score"), read_only=True)
    d = build_dossier(con, compute(con), ca_owner, source_base(con))
    if not d.incidents:
        typer.echo(f"no incidents for CA owner {ca_owner!r}", err=True)
        raise typer.Exit(1)
    typer.echo(render_text(d))
    if html is not None:
        html.write_text(render_html(d), encoding="utf-8")


def digest_cmd(
    as_of: str | None = typer.Option(None, "--as-of", help="Replay this date (YYYY-MM-DD, end of day UTC)."),
    html: Path | None = typer.Option(None, "--html", help="Also write the digest as HTML to this file."),
    data_dir: DataDir = None,
) -> None:
    """What needs a root program's attention on a day (default: now)."""
    from ca_incidents.corpus import connect
    from ca_incidents.metrics.digest import build_digest, render_html, render_text, source_base

    con = connect(ready_data_dir(data_dir, "parse"), read_only=True)
    m, lines = build_digest(con, _as_of(as_of))
    base = source_base(con)
    typer.echo(render_text(lines, m.as_of, base))
    if html is not None:
        html.write_text(render_html(lines, m.as_of, base), encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main CLI."""
    app.command("metrics")(metrics_cmd)
    app.command("dossier")(dossier_cmd)
    app.command("digest")(digest_cmd)
