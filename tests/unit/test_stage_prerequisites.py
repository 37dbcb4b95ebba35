"""A command that reads a stage which has not run exits 2 with one line naming the command to run first, prints no
traceback and creates nothing: not the data dir, not corpus.duckdb, not an output folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_incidents.bundled import bundled_dir
from ca_incidents.cli import app
from ca_incidents.corpus import connect
from ca_incidents.corpus.store import stage_schema_sql

PROPOSAL = str(bundled_dir("proposals") / "auto-next-update.yaml")


def commands(tmp_path: Path) -> dict[str, list[str]]:
    """Every command that reads a store, with the stage it needs (its arguments point into ``tmp_path``)."""
    return {
        "parse": ["parse"],
        "show": ["show", "1900001"],
        "score": ["score"],
        "metrics": ["metrics"],
        "dossier": ["dossier", "Northwind Trust", "--html", str(tmp_path / "out" / "d.html")],
        "digest": ["digest", "--html", str(tmp_path / "out" / "digest.html")],
        "report": ["report", "--out", str(tmp_path / "out")],
        "proposal evaluate": ["proposal", "evaluate", PROPOSAL, "--out", str(tmp_path / "out")],
        "owners review": ["owners", "review"],
        "whiteboard review": ["whiteboard", "review"],
        "snapshot export": ["snapshot", "export", str(tmp_path / "out")],
    }


NEEDS = {
    "parse": "harvest", "show": "parse", "score": "parse", "metrics": "parse", "dossier": "score",
    "digest": "parse", "report": "metrics", "proposal evaluate": "parse", "owners review": "harvest",
    "whiteboard review": "harvest", "snapshot export": "harvest",
}  # fmt: skip
ORDER = ("harvest", "parse", "score", "metrics")


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


def _refused(args: list[str], data_dir: Path, step: str) -> None:
    result = CliRunner().invoke(app, [*args, "--data-dir", str(data_dir)])
    assert result.exit_code == 2, (args, result.output)
    assert isinstance(result.exception, SystemExit), result.exception  # no uncaught exception, so no traceback
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    assert f"run `ca-incidents {step} --data-dir {data_dir}` first" in lines[0], lines[0]


@pytest.mark.parametrize("command", list(NEEDS))
def test_on_a_missing_or_empty_data_dir_the_command_names_the_harvest_and_creates_nothing(command, tmp_path):
    args = commands(tmp_path)[command]
    missing = tmp_path / "new"
    _refused(args, missing, "harvest")
    assert not missing.exists() and not (tmp_path / "out").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    _refused(args, empty, "harvest")
    assert _files(empty) == [] and not (tmp_path / "out").exists()


def _store_through(data_dir: Path, last: str) -> None:
    """A store on which the stages up to ``last`` have run (one bug; later stages' tables as their schema says)."""
    con = connect(data_dir)
    con.execute("INSERT INTO bugs (id, summary) VALUES (1900001, 'Northwind Trust: example')")
    for stage in ORDER[1 : ORDER.index(last) + 1]:
        con.execute(stage_schema_sql(stage))
    con.close()


@pytest.mark.parametrize("done", ORDER[:-1])
def test_a_command_needing_a_later_stage_names_the_first_one_missing(done: str, tmp_path: Path):
    data_dir = tmp_path / "store"
    _store_through(data_dir, done)
    before = _files(data_dir)
    for command, needs in NEEDS.items():
        if ORDER.index(needs) > ORDER.index(done):
            _refused(commands(tmp_path)[command], data_dir, ORDER[ORDER.index(done) + 1])
    assert _files(data_dir) == before and not (tmp_path / "out").exists()


def test_the_reported_metrics_traceback_is_gone(tmp_path: Path):
    """`ca-incidents metrics --data-dir <new dir>` used to end in a traceback and leave an empty corpus.duckdb."""
    new = tmp_path / "new"
    done = subprocess.run(
        [sys.executable, "-c", "from ca_incidents.cli import app; app()", "metrics", "--data-dir", str(new)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stdout == ""
    expected = f"error: {new} has not been harvested yet: run `ca-incidents harvest --data-dir {new}` first"
    assert done.stderr.strip() == expected
    assert _files(tmp_path) == []
