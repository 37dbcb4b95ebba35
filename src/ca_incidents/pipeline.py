"""The whole pipeline in one call: harvest → parse → score → metrics → report.

`ca-incidents run` runs it on a data dir, against the live Bugzilla or (``--offline``) the data dir's HTTP
cache. `ca-incidents demo` serves the bundled demo corpus on loopback and runs the same function into a fresh
folder, so the demo exercises exactly the code a real run uses.

It resumes: the harvest is incremental (only bugs changed since the last complete run are fetched, and an
interrupted run continues where it stopped), and each later stage is skipped when nothing it reads has changed
since it last completed in that data dir (``ca_incidents.stages``).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ca_incidents import __version__

if TYPE_CHECKING:
    import duckdb
    from rich.table import Table

    from ca_incidents.harvest import HarvestConfig

UP_TO_DATE = "up to date"
Log = Callable[[str], None]


@dataclass
class PipelineResult:
    """What each step did, in order, for the summary the CLI prints (``UP_TO_DATE`` for a skipped step)."""

    data_dir: Path
    steps: dict[str, Any] = field(default_factory=dict)


def run_pipeline(
    config: HarvestConfig,
    *,
    model: str,
    reports_dir: Path | None,
    force: bool = False,
    log: Log = print,
) -> PipelineResult:
    """Harvest into ``config.data_dir``, then parse, score, measure and (when ``reports_dir``) render the
    notebooks, skipping each stage after the harvest whose inputs are unchanged (all of them when ``force``)."""
    from ca_incidents.corpus import connect
    from ca_incidents.harvest import harvest
    from ca_incidents.metrics import build_metrics
    from ca_incidents.parse import parse_corpus
    from ca_incidents.score import score_corpus
    from ca_incidents.stages import inputs_fingerprint, read_state, write_state

    data_dir = config.data_dir
    result = PipelineResult(data_dir)
    log(f"harvest: {config.base_url} {'(replayed from the HTTP cache)' if config.offline else ''}".rstrip())
    result.steps["harvest"] = harvest(config).summary()

    stages: list[tuple[str, str, Callable[[duckdb.DuckDBPyConnection], Any], tuple[str, ...]]] = [
        ("parse", "reading report structure out of the comments", parse_corpus, ()),
        ("score", f"applying the quality rules (spaCy {model})", lambda con: score_corpus(con, model=model),
         (model,)),
        ("metrics", "deadlines, answers, follow-through, recurrence, boilerplate", build_metrics, ()),
    ]  # fmt: skip
    state = read_state(data_dir)
    code = _code_fingerprint()
    con = connect(data_dir)
    try:
        for stage, what, run, extra in stages:
            key = inputs_fingerprint(con, stage, (code, *extra))
            if not force and state.get(stage) == key:
                log(f"{stage}: {UP_TO_DATE}")
                result.steps[stage] = UP_TO_DATE
                continue
            log(f"{stage}: {what}")
            result.steps[stage] = run(con)
            state[stage] = key
            write_state(data_dir, state)
        report_key = inputs_fingerprint(con, "report", (code, str(reports_dir and reports_dir.resolve())))
    finally:
        con.close()
    if reports_dir is not None:
        result.steps["report"] = _report(data_dir, reports_dir, report_key, state, force, log)
    return result


def _report(data_dir: Path, reports_dir: Path, key: str, state: dict[str, str], force: bool, log: Log) -> Any:
    """Execute the notebooks unless the same inputs were already rendered into the same, still present, folder."""
    from ca_incidents.analysis.reporting import render_reports
    from ca_incidents.stages import write_state

    if not force and state.get("report") == key and (reports_dir / "index.html").is_file():
        log(f"report: {UP_TO_DATE} ({reports_dir / 'index.html'})")
        return UP_TO_DATE
    log(f"report: executing the notebooks into {reports_dir}")
    rendered = render_reports({"data_dir": str(data_dir.resolve())}, reports_dir)
    state["report"] = key
    write_state(data_dir, state)
    return [str(r.html) for r in rendered]


def _code_fingerprint() -> str:
    """A hash of the package's files and the notebooks: a stage is out of date after the code that runs it changes."""
    from importlib import resources

    from ca_incidents.bundled import bundled_dir

    digest = hashlib.sha256(__version__.encode())
    roots = [Path(str(resources.files("ca_incidents"))), bundled_dir("notebooks")]
    for path in sorted(p for root in roots for p in _files(root)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _files(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def run_demo(
    *,
    data_dir: Path,
    model: str,
    reports_dir: Path | None,
    corpus_dir: Path | None = None,
    log: Log = print,
) -> PipelineResult:
    """Serve the demo corpus on loopback and run the whole pipeline on it into a fresh ``data_dir``."""
    from ca_incidents.bundled import bundled_dir
    from ca_incidents.devserver import FixtureCorpus, serve
    from ca_incidents.harvest import ClientConfig, HarvestConfig, default_cache_dir
    from ca_incidents.settings import MAX_RATE_LIMIT

    corpus_dir = corpus_dir or bundled_dir("demo-corpus")
    if data_dir.exists():
        shutil.rmtree(data_dir)  # the demo always starts from nothing, so two runs give the same outputs
    with serve(FixtureCorpus.from_dir(corpus_dir)) as server:
        log(f"demo: {corpus_dir} served at {server.url}")
        # anonymous on purpose: a user's Bugzilla API key is never sent to the local server
        client = ClientConfig(cache_dir=default_cache_dir(data_dir), base_url=server.url, rate_limit=MAX_RATE_LIMIT)
        return run_pipeline(HarvestConfig(data_dir, client), model=model, reports_dir=reports_dir, log=log)


def _describe(outcome: Any) -> str:
    """One readable line for a step's outcome (counts as key=value, file lists as names)."""
    if is_dataclass(outcome) and not isinstance(outcome, type):
        outcome = asdict(outcome)
    if isinstance(outcome, dict):
        shown = {k: v for k, v in outcome.items() if isinstance(v, int | float) and not isinstance(v, bool)}
        return ", ".join(f"{k}={v}" for k, v in shown.items())
    if isinstance(outcome, list):
        return ", ".join(Path(str(item)).name for item in outcome)
    return str(outcome)


def summary_table(result: PipelineResult) -> Table:
    """The end-of-run summary: one row per pipeline step."""
    from rich.table import Table

    table = Table(title=f"ca-incidents pipeline on {result.data_dir}", show_lines=True)
    table.add_column("step", style="bold")
    table.add_column("result")
    for step, outcome in result.steps.items():
        table.add_row(step, _describe(outcome))
    return table
