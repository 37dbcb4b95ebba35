"""The whole pipeline in one call: harvest → parse → score → metrics → reports.

`ca-incidents demo` runs it offline on the bundled demo corpus, served by the local Bugzilla-compatible
server, so the demo exercises exactly the code a live harvest uses.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_CORPUS_DIR = REPO_ROOT / "data" / "demo-corpus"
DEMO_DATA_DIR = REPO_ROOT / "data" / "demo"
REPORTS_DIR = REPO_ROOT / "reports"


@dataclass
class PipelineResult:
    """What each step did, in order, for the summary the CLI prints."""

    data_dir: Path
    steps: dict[str, Any] = field(default_factory=dict)


def run_stages(data_dir: Path, *, reports_dir: Path | None, log: Callable[[str], None]) -> PipelineResult:
    """Parse, score, measure and (optionally) render reports for a corpus that is already harvested."""
    from ca_incidents.corpus import connect
    from ca_incidents.metrics import build_metrics
    from ca_incidents.parse import parse_corpus
    from ca_incidents.score import score_corpus

    result = PipelineResult(data_dir)
    con = connect(data_dir)
    try:
        log("parse: reading report structure out of the comments")
        result.steps["parse"] = parse_corpus(con)
        log("score: applying the quality rules")
        result.steps["score"] = score_corpus(con)
        log("metrics: deadlines, answers, follow-through, recurrence, boilerplate")
        result.steps["metrics"] = build_metrics(con)
    finally:
        con.close()
    if reports_dir is not None:
        from ca_incidents.analysis.reporting import render_reports

        log(f"report: executing the notebooks into {reports_dir}")
        rendered = render_reports({"data_dir": str(data_dir.resolve())}, reports_dir)
        result.steps["report"] = [str(r.html) for r in rendered]
    return result


def run_demo(
    *,
    corpus_dir: Path = DEMO_CORPUS_DIR,
    data_dir: Path = DEMO_DATA_DIR,
    reports_dir: Path | None = REPORTS_DIR,
    log: Callable[[str], None] = print,
) -> PipelineResult:
    """Serve the demo corpus on loopback, harvest it into a fresh data dir, then run every later stage."""
    from ca_incidents.devserver import FixtureCorpus, serve
    from ca_incidents.harvest import HarvestConfig, harvest

    if data_dir.exists():
        shutil.rmtree(data_dir)  # the demo always starts from nothing, so two runs give the same outputs
    with serve(FixtureCorpus.from_dir(corpus_dir)) as server:
        log(f"harvest: {corpus_dir} served at {server.url}")
        harvested = harvest(HarvestConfig(base_url=server.url, data_dir=data_dir, rate_limit=6000, api_key=""))
    result = run_stages(data_dir, reports_dir=reports_dir, log=log)
    result.steps = {"harvest": harvested.summary(), **result.steps}
    return result


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
