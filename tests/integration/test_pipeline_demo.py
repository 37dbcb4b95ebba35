"""End to end: the demo pipeline (local server → harvest → parse → score → metrics) is reproducible."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ca_incidents import pipeline

pytestmark = pytest.mark.integration

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


def test_demo_pipeline_fills_every_stage_and_two_runs_are_identical(tmp_path: Path) -> None:
    first = pipeline.run_demo(data_dir=tmp_path / "a", reports_dir=None, log=lambda _m: None)
    second = pipeline.run_demo(data_dir=tmp_path / "b", reports_dir=None, log=lambda _m: None)

    assert list(first.steps) == ["harvest", "parse", "score", "metrics"]
    assert first.steps["harvest"]["bugs_seen"] >= 60
    assert first.steps["parse"].reports > 0
    assert first.steps["score"].findings > 0
    assert first.steps["metrics"]["incident_metrics"] == first.steps["harvest"]["bugs_seen"]

    a, b = _tables(tmp_path / "a"), _tables(tmp_path / "b")
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], f"table {name} differs between two runs on the same demo corpus"
    assert second.steps["metrics"] == first.steps["metrics"]
