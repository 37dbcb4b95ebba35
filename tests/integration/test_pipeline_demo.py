"""End to end: the demo pipeline (local server → harvest → parse → score → metrics) is reproducible, and `run`
resumes: a stage whose inputs are unchanged is skipped, a change reruns the stages it reaches."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ca_incidents import pipeline
from ca_incidents.cli import app
from ca_incidents.harvest import ClientConfig, HarvestConfig, default_cache_dir
from ca_incidents.settings import load_settings

pytestmark = pytest.mark.integration
MODEL = load_settings().spacy_model

# Columns that record when a run happened rather than what the corpus says.
RUN_COLUMNS = {
    "harvests": None,  # the whole table is run bookkeeping
    "bug_sync": {"synced_at", "harvest_id"},
    "parse_bugs": {"parsed_at"},
    "report_scores": {"scored_at"},
}


def _tables(data_dir: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(data_dir / "corpus.duckdb"), read_only=True)
    try:
        names = [n for (n,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        out = {}
        for name in sorted(names):
            if name in RUN_COLUMNS and RUN_COLUMNS[name] is None:
                continue
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                    [name],
                ).fetchall()
                if c not in (RUN_COLUMNS.get(name) or set())
            ]
            selected = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'SELECT {selected} FROM "{name}"').fetchall()
            out[name] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def test_demo_pipeline_fills_every_stage_and_two_runs_are_identical(demo_store: Path, tmp_path: Path) -> None:
    again = pipeline.run_demo(data_dir=tmp_path / "b", model=MODEL, reports_dir=None, log=lambda _m: None)

    assert list(again.steps) == ["harvest", "parse", "score", "metrics"]
    assert again.steps["harvest"]["bugs_seen"] >= 60
    assert again.steps["parse"].reports > 0
    assert again.steps["score"].findings > 0
    assert again.steps["metrics"]["incident_metrics"] == again.steps["harvest"]["bugs_seen"]

    a, b = _tables(demo_store), _tables(tmp_path / "b")
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], f"table {name} differs between two runs on the same demo corpus"


def _replay(data_dir: Path) -> HarvestConfig:
    """Offline replay of the demo store's own recorded harvest (the local server that served it is gone)."""
    con = duckdb.connect(str(data_dir / "corpus.duckdb"), read_only=True)
    url = con.execute("SELECT max(source_url) FROM harvests").fetchall()[0][0]
    con.close()
    return HarvestConfig(data_dir, ClientConfig(cache_dir=default_cache_dir(data_dir), base_url=url, offline=True))


def test_run_skips_up_to_date_stages_and_reruns_what_a_change_reaches(demo_store: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    shutil.copytree(demo_store, data_dir)
    rendered: list[Path] = []

    def fake_render(parameters: dict, reports_dir: Path) -> list:
        rendered.append(reports_dir)
        reports_dir.mkdir(parents=True, exist_ok=True)
        (reports_dir / "index.html").write_text("reports", encoding="utf-8")
        return []

    def run(**options: object) -> pipeline.PipelineResult:
        return pipeline.run_pipeline(_replay(data_dir), model=MODEL, log=lambda _m: None, **options)  # type: ignore[arg-type]

    later = ["parse", "score", "metrics"]
    first = run(reports_dir=None)
    assert first.steps["harvest"]["runs"] == 0  # nothing newer in the cache than in the store
    assert [first.steps[s] for s in later] == [pipeline.UP_TO_DATE] * 3

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("ca_incidents.analysis.reporting.render_reports", fake_render)
        run(reports_dir=tmp_path / "reports")
        assert run(reports_dir=tmp_path / "reports").steps["report"] == pipeline.UP_TO_DATE
        assert rendered == [tmp_path / "reports"]  # rendered once; the second run found it current
        (tmp_path / "reports" / "index.html").unlink()
        run(reports_dir=tmp_path / "reports")
        assert len(rendered) == 2  # a deleted report is not "up to date"

    con = duckdb.connect(str(data_dir / "corpus.duckdb"))
    con.execute("UPDATE comments SET raw_text = raw_text || '\nThis has no security impact.' "
                "WHERE id = (SELECT min(comment_id) FROM reports)")  # fmt: skip
    con.close()
    changed = run(reports_dir=None)
    assert changed.steps["parse"].comments_parsed >= 1
    assert changed.steps["score"].reports_scored >= 1
    assert changed.steps["metrics"] != pipeline.UP_TO_DATE
    assert all(step != pipeline.UP_TO_DATE for step in (run(reports_dir=None, force=True).steps[s] for s in later))


def test_run_command_resumes_offline_and_refuses_an_offline_run_without_a_cache(demo_store: Path, tmp_path: Path):
    data_dir = tmp_path / "demo"
    shutil.copytree(demo_store, data_dir)
    url = _replay(data_dir).base_url
    out = CliRunner().invoke(app, ["run", "--data-dir", str(data_dir), "--offline", "--base-url", url, "--no-reports"])
    assert out.exit_code == 0, out.output
    assert out.output.count(pipeline.UP_TO_DATE) >= 3
    empty = tmp_path / "empty"
    out = CliRunner().invoke(app, ["run", "--data-dir", str(empty), "--offline", "--no-reports"])
    assert out.exit_code == 3 and "ca-incidents harvest" in out.output and not empty.exists()
