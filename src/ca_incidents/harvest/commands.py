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
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ca_incidents.cli_groups import DataDir

if TYPE_CHECKING:
    from ca_incidents.settings import Settings

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
    from ca_incidents.utc import parse_utc

    try:
        return parse_utc(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from None


def _fail(quiet: bool, code: int, message: str) -> None:
    if quiet:
        typer.echo(json.dumps({"ok": False, "exit_code": code, "error": message}))
    else:
        typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def _corpus_overview(data_dir: Path) -> dict[str, Any]:
    """Counts for the harvest summary; CA owners are read from the summaries as `parse` will read them."""
    from ca_incidents.corpus import connect
    from ca_incidents.corpus.owners import resolve_owners

    con = connect(data_dir, read_only=True)
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM bugs), (SELECT count(*) FROM comments), "
            "(SELECT min(year(creation_time)) FROM bugs), (SELECT max(year(creation_time)) FROM bugs)"
        ).fetchone()
        summaries = [r[0] for r in con.execute("SELECT summary FROM bugs").fetchall()]
    finally:
        con.close()
    assert row is not None
    return {
        "bugs": row[0],
        "comments": row[1],
        "ca_owners": len({m.owner for m in resolve_owners(summaries)} - {None}),
        "first_year": row[2],
        "last_year": row[3],
    }


BaseUrl = Annotated[
    str | None,
    typer.Option(
        help="Bugzilla server root; the REST API is under /rest (default: $CA_INCIDENTS_BASE_URL or "
        "https://bugzilla.mozilla.org).",
        show_default=False,
    ),
]
RateLimit = Annotated[
    str | None,
    typer.Option(
        help="Client-side limit, e.g. 60/min; BMO blocks above 75/min (default: $CA_INCIDENTS_RATE_LIMIT or 60).",
        show_default=False,
    ),
]
Offline = Annotated[bool, typer.Option(help="Replay the recorded runs from the HTTP cache; no network.")]


def harvest_settings(
    data_dir: Path | None, base_url: str | None, rate_limit: str | None, **other: object
) -> Settings:
    """The settings with the harvest options (and ``other`` options) on top; ``SettingsError`` (a ValueError)
    when one is out of bounds, ``typer.BadParameter`` when the rate is not a rate."""
    from ca_incidents.settings import load_settings

    rate = parse_rate(rate_limit) if rate_limit is not None else None
    return load_settings(data_dir=data_dir, base_url=base_url, rate_limit=rate, **other)


def harvest_failure(exc: Exception) -> tuple[int, str]:
    """Exit code and one-line message for a harvest that stopped (shared by `harvest` and `run`)."""
    from ca_incidents.harvest import OfflineCacheMiss

    if isinstance(exc, OfflineCacheMiss):
        return EXIT_OFFLINE_MISS, str(exc)
    return EXIT_FAILED, f"{exc} (rerun to resume; finished batches are kept)"


def harvest_command(
    base_url: BaseUrl = None,
    data_dir: DataDir = None,
    cache_dir: Annotated[Path | None, typer.Option(help="HTTP cache (default: <data-dir>/http-cache).")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only bugs changed since this UTC date/time (default: since the last run).")
    ] = None,
    offline: Offline = False,
    product: Annotated[list[str] | None, typer.Option(help="Repeatable (default: CA Program, NSS).")] = None,
    component: Annotated[
        list[str] | None, typer.Option(help="Repeatable (default: CA Certificate Compliance).")
    ] = None,
    attachment_bodies: Annotated[bool, typer.Option(help="Also download text/CSV attachment contents.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress; one JSON summary line.")] = False,
    rate_limit: RateLimit = None,
    concurrency: Annotated[int, typer.Option(help="Parallel requests (1-16).")] = 4,
    page_size: Annotated[int, typer.Option(help="Bugs per search page (at most 10000).")] = 500,
    batch_size: Annotated[int, typer.Option(help="Bugs per comment/history/attachment request.")] = 100,
    rate_limit_pause: Annotated[
        float, typer.Option(help="Seconds to pause after a 429 without Retry-After.", hidden=True)
    ] = 3700.0,
) -> None:
    """Harvest CA compliance bugs (comments, history, attachment metadata) into the corpus store.

    The API key comes from $CA_INCIDENTS_API_KEY (or $BUGZILLA_API_KEY) and is never written anywhere.
    Exit codes: 0 ok, 1 harvest failed, 2 usage error, 3 offline cache miss.
    """
    from dataclasses import replace

    from ca_incidents.harvest import (
        DEFAULT_COMPONENTS,
        DEFAULT_PRODUCTS,
        ClientConfig,
        HarvestConfig,
        HarvestError,
        RetryPolicy,
        harvest,
    )

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s", stream=sys.stderr)
    try:
        settings = harvest_settings(data_dir, base_url, rate_limit)
        client = replace(
            ClientConfig.from_settings(settings, offline=offline, cache_dir=cache_dir),
            retry=RetryPolicy(rate_limit_pause=rate_limit_pause),
        )
        config = HarvestConfig(
            settings.data_dir,
            client,
            products=tuple(product) if product else DEFAULT_PRODUCTS,
            components=tuple(component) if component else DEFAULT_COMPONENTS,
            since=parse_since(since),
            attachment_bodies=attachment_bodies,
            page_size=page_size,
            batch_size=batch_size,
            concurrency=concurrency,
        )
    except (ValueError, typer.BadParameter) as exc:
        _fail(quiet, EXIT_USAGE, str(exc))
        return
    try:
        result = harvest(config) if quiet else _harvest_with_progress(config)
    except HarvestError as exc:
        _fail(quiet, *harvest_failure(exc))
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
