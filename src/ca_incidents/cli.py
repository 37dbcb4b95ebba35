"""Command-line interface: a thin layer over the stage modules.

Each stage package contributes its commands through ``<stage>.commands.register(app)``; heavy imports
happen inside the commands, so ``ca-incidents --help`` stays fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ca_incidents import __version__
from ca_incidents.cli_groups import DataDir, cli_settings, evaluate_app, snapshot_app, usage_error
from ca_incidents.harvest.commands import BaseUrl, Offline, RateLimit
from ca_incidents.score.commands import Model

if TYPE_CHECKING:
    from collections.abc import Callable

    from ca_incidents.pipeline import PipelineResult

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
    """Harvest → parse → score → metrics → notebooks. Start with `ca-incidents demo`; `ca-incidents run` does the
    same on the real Bugzilla. Defaults come from CA_INCIDENTS_* variables (`ca-incidents settings`)."""


app.add_typer(evaluate_app, name="evaluate")
app.add_typer(snapshot_app, name="snapshot")

ReportsFlag = Annotated[bool, typer.Option("--reports/--no-reports", help="Execute the notebooks into the report dir.")]
ReportDir = Annotated[
    Path | None,
    typer.Option("--out", help="Report folder (default: $CA_INCIDENTS_REPORT_DIR or reports).", show_default=False),
]


def _pipeline(call: Callable[[Callable[[str], None]], PipelineResult], reports_dir: Path | None) -> None:
    """Run ``call`` (given a step logger), print its summary; one line and exit 1 or 3 when a stage fails."""
    from papermill.exceptions import PapermillExecutionError
    from rich.console import Console

    from ca_incidents.harvest import HarvestError
    from ca_incidents.harvest.commands import harvest_failure
    from ca_incidents.pipeline import summary_table

    console = Console(stderr=True)
    try:
        result = call(lambda message: console.print(f"[bold cyan]▶[/] {message}"))
    except HarvestError as exc:
        code, message = harvest_failure(exc)
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(code) from None
    except PapermillExecutionError as exc:
        typer.echo(f"error: a notebook failed ({exc.ename}: {exc.evalue}); see {reports_dir}/executed", err=True)
        raise typer.Exit(1) from None
    console.print(summary_table(result))
    if reports_dir is not None:
        console.print(f"Open {reports_dir / 'index.html'} in a browser.")


@app.command()
def demo(
    corpus: Path = typer.Option(None, help="Demo corpus folder (YAML bugs). Default: the bundled demo corpus."),
    data_dir: Path = typer.Option(
        None, help="Where to build the demo store, recreated each time. Default: <settings data dir>/demo."
    ),
    reports: ReportsFlag = True,
    out: ReportDir = None,
    model: Model = None,
) -> None:
    """Run the whole pipeline offline on the bundled demo corpus (served on 127.0.0.1), as `run` would."""
    from ca_incidents.pipeline import run_demo

    settings = cli_settings(report_dir=out, spacy_model=model)
    reports_dir = settings.report_dir if reports else None
    _pipeline(
        lambda log: run_demo(
            corpus_dir=corpus,
            data_dir=data_dir or settings.data_dir / "demo",
            model=settings.spacy_model,
            reports_dir=reports_dir,
            log=log,
        ),
        reports_dir,
    )


@app.command("run")
def run_cmd(
    data_dir: DataDir = None,
    offline: Offline = False,
    base_url: BaseUrl = None,
    rate_limit: RateLimit = None,
    model: Model = None,
    reports: ReportsFlag = True,
    out: ReportDir = None,
    force: Annotated[bool, typer.Option("--force", help="Rerun every stage, even those that are up to date.")] = False,
) -> None:
    """Harvest → parse → score → metrics → reports on a data dir, resuming where it left off.

    The harvest is incremental; each later stage is skipped when nothing it reads has changed since it last ran.

    Exit codes: 0 ok, 1 a stage failed, 2 usage error, 3 offline with no recorded harvest.
    """
    from ca_incidents.harvest import ClientConfig, HarvestConfig
    from ca_incidents.harvest.commands import EXIT_OFFLINE_MISS, harvest_settings
    from ca_incidents.pipeline import run_pipeline
    from ca_incidents.settings import SettingsError

    try:
        settings = harvest_settings(data_dir, base_url, rate_limit, spacy_model=model, report_dir=out)
    except (SettingsError, typer.BadParameter) as exc:
        usage_error(str(exc))
    client = ClientConfig.from_settings(settings, offline=offline)
    if offline and not client.cache_dir.is_dir():  # checked first, so a refused run leaves nothing behind
        typer.echo(
            f"error: no HTTP cache at {client.cache_dir}: run `ca-incidents harvest --data-dir {settings.data_dir}` "
            "online first",
            err=True,
        )
        raise typer.Exit(EXIT_OFFLINE_MISS)
    reports_dir = settings.report_dir if reports else None
    _pipeline(
        lambda log: run_pipeline(
            HarvestConfig(settings.data_dir, client),
            model=settings.spacy_model,
            reports_dir=reports_dir,
            force=force,
            log=log,
        ),
        reports_dir,
    )


@app.command("settings")
def settings_cmd(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the reference page (docs/settings.md).")] = False,
) -> None:
    """Print the settings in force (options aside): each value and the variable that sets it."""
    from ca_incidents.settings import LEGACY_API_KEY_ENV, env_name, reference_markdown

    if markdown:
        typer.echo(reference_markdown(), nl=False)
        return
    settings = cli_settings()
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        shown = ("set" if value is not None else "unset") if name == "api_key" else value
        source = f"{env_name(name)} / {LEGACY_API_KEY_ENV}" if name == "api_key" else env_name(name)
        typer.echo(f"{name}\t{shown}\t({source})")


for _stage in STAGES:
    importlib.import_module(f"ca_incidents.{_stage}.commands").register(app)
