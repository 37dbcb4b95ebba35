"""CLI command of the harvest stage: ``ca-incidents harvest`` (registered by ca_incidents.cli).

Exit codes: 0 ok, 1 harvest failed, 2 usage error, 3 offline cache miss.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import typer

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_OFFLINE_MISS = 0, 1, 2, 3


def parse_rate(text: str) -> float:
    """``60``, ``60/min`` or ``1/s`` as requests per minute."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|m|min|h|hour))?\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise typer.BadParameter(f"{text!r}: expected a positive number of requests per minute, e.g. 60/min")
    factor = {"s": 60.0, "sec": 60.0, "h": 1 / 60, "hour": 1 / 60}.get(match.group(2) or "min", 1.0)
    return float(match.group(1)) * factor


def parse_since(text: str | None) -> dt.datetime | None:
    """A date or ISO time; zoneless values are UTC. Returned naive UTC."""
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{text!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from None
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _fail(quiet: bool, code: int, message: str) -> None:
    if quiet:
        typer.echo(json.dumps({"ok": False, "exit_code": code, "error": message}))
    else:
        typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def _corpus_overview(data_dir: Path) -> dict[str, Any]:
    from ca_incidents.corpus import connect

    con = connect(data_dir, read_only=True)
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM bugs), (SELECT count(*) FROM comments), "
            "(SELECT count(DISTINCT ca_owner) FROM bugs), (SELECT min(year(creation_time)) FROM bugs), "
            "(SELECT max(year(creation_time)) FROM bugs)"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return {
        "bugs": row[0],
        "comments": row[1],
        "ca_owners": row[2],
        "first_year": row[3],
        "last_year": row[4],
    }


def harvest_command(
    base_url: str = typer.Option(
        "https://bugzilla.mozilla.org",
        "--base-url",
        help="Bugzilla server root; the REST API is under /rest.",
    ),
    data_dir: Path = typer.Option(Path("data"), "--data-dir", help="Where corpus.duckdb lives."),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="HTTP cache [default: <data-dir>/http-cache]."
    ),
    since: str | None = typer.Option(
        None,
        "--since",
        help="Only bugs changed since this UTC date/time (default: since the last complete run).",
    ),
    offline: bool = typer.Option(
        False, "--offline", help="Replay the recorded runs from the cache; no network."
    ),
    product: list[str] | None = typer.Option(
        None, "--product", help="Repeatable [default: CA Program, NSS]."
    ),
    component: list[str] | None = typer.Option(
        None, "--component", help="Repeatable [default: CA Certificate Compliance]."
    ),
    attachment_bodies: bool = typer.Option(
        False, "--attachment-bodies", help="Also download text/CSV attachment contents."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress; print one JSON summary line."),
    rate_limit: str = typer.Option(
        "60/min", "--rate-limit", help="Client-side limit (BMO blocks above 75/min)."
    ),
    concurrency: int = typer.Option(4, "--concurrency", help="Parallel requests (1-16)."),
    page_size: int = typer.Option(500, "--page-size", help="Bugs per search page (at most 10000)."),
    batch_size: int = typer.Option(100, "--batch-size", help="Bugs per comment/history/attachment request."),
    rate_limit_pause: float = typer.Option(
        3700.0, "--rate-limit-pause", help="Seconds to pause after a 429 without Retry-After.", hidden=True
    ),
) -> None:
    """Harvest CA compliance bugs (comments, history, attachment metadata) into the corpus store.

    Exit codes: 0 ok, 1 harvest failed, 2 usage error, 3 offline cache miss.
    """
    from ca_incidents.harvest import (
        DEFAULT_COMPONENTS,
        DEFAULT_PRODUCTS,
        HarvestConfig,
        HarvestError,
        OfflineCacheMiss,
        RetryPolicy,
        harvest,
    )

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s", stream=sys.stderr)
    try:
        config = HarvestConfig(
            base_url=base_url,
            data_dir=data_dir,
            cache_dir=cache_dir,
            products=tuple(product) if product else DEFAULT_PRODUCTS,
            components=tuple(component) if component else DEFAULT_COMPONENTS,
            since=parse_since(since),
            offline=offline,
            attachment_bodies=attachment_bodies,
            page_size=page_size,
            batch_size=batch_size,
            concurrency=concurrency,
            rate_limit=parse_rate(rate_limit),
            retry=RetryPolicy(rate_limit_pause=rate_limit_pause),
        )
    except (ValueError, typer.BadParameter) as exc:
        _fail(quiet, EXIT_USAGE, str(exc))
        return
    try:
        if quiet:
            result = harvest(config)
        else:
            result = _harvest_with_progress(config)
    except OfflineCacheMiss as exc:
        _fail(quiet, EXIT_OFFLINE_MISS, str(exc))
        return
    except HarvestError as exc:
        _fail(quiet, EXIT_FAILED, f"{exc} (rerun to resume; finished batches are kept)")
        return
    summary = {**result.summary(), "corpus": _corpus_overview(config.data_dir)}
    if quiet:
        typer.echo(json.dumps(summary, sort_keys=True))
        return
    corpus = summary["corpus"]
    typer.echo(
        f"{'Replayed' if result.offline else 'Harvested'} {result.runs} run(s): {result.bugs_seen} bugs seen, "
        f"{result.bugs_fetched} fetched; +{result.comments_added} comments, +{result.history_added} history rows, "
        f"+{result.attachments_added} attachments; {result.requests_made} requests in {result.seconds:.1f} s."
    )
    typer.echo(
        f"Corpus {config.data_dir}: {corpus['bugs']} bugs, {corpus['comments']} comments, "
        f"{corpus['ca_owners']} CA owners, {corpus['first_year']}-{corpus['last_year']}."
    )


def _harvest_with_progress(config: Any) -> Any:
    """Run the harvest under rich progress bars (on stderr)."""
    from dataclasses import replace

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ca_incidents.harvest import harvest

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as progress:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int | None) -> None:
            label = {"search": "searching bugs", "fetch": "fetching activity (bugs)"}.get(stage, stage)
            if stage not in tasks:
                tasks[stage] = progress.add_task(label, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        return harvest(replace(config, progress=report))


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main CLI."""
    app.command("harvest")(harvest_command)
