"""The notebooks run top to bottom on the demo corpus, give identical tables on a rerun, and escape Bugzilla text.

One session-scoped demo store (harvested from the local server, then every stage that exists) is shared by
all tests here; its first bug's CA owner is replaced by an HTML probe so the reports' escaping is tested.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ca_incidents.analysis.loaders import corpus_manifest_sha256
from ca_incidents.analysis.reporting import NOTEBOOK_DIR, execute_notebook, render_reports, report_parameters
from ca_incidents.cli import app

pytestmark = [pytest.mark.notebooks, pytest.mark.integration]

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb"))
PROPOSALS = sorted((REPO_ROOT / "proposals").glob("*.yaml"))
PROBE = '<img src=x onerror="alert(1)"> Probe CA'
RAW_TAG, ESCAPED_TAG = "<img src=x onerror", "&lt;img src=x onerror"  # nbconvert may re-serialise the quotes
REQUIRED_PARAMETERS = ("data_dir", "snapshot", "date_from", "date_to", "ca_filter", "figures_dir", "seed")
# each later stage, where its entry point lives (first found wins), run when it exists
LATER_STAGES = (
    (("ca_incidents.score", "score_corpus"),),
    (("ca_incidents.metrics", "build_metrics"), ("ca_incidents.metrics.build", "build_metrics")),
)


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus harvested from the local server, with every stage that is available run on it."""
    from ca_incidents.corpus import connect
    from ca_incidents.devserver import serve
    from ca_incidents.harvest import HarvestConfig, harvest
    from ca_incidents.parse import parse_corpus

    data_dir = tmp_path_factory.mktemp("demo-store")
    with serve(REPO_ROOT / "data" / "demo-corpus") as server:
        harvest(HarvestConfig(base_url=server.url, data_dir=data_dir, rate_limit=6000))
    con = connect(data_dir)
    try:
        parse_corpus(con)
        con.execute("UPDATE normalised_bugs SET ca_owner = ? WHERE bug_id = (SELECT min(id) FROM bugs)", [PROBE])
        for alternatives in LATER_STAGES:
            found = [getattr(_module(m), n, None) for m, n in alternatives]
            stage = next((f for f in found if f is not None), None)
            if stage is not None:
                stage(con)
    finally:
        con.close()
    return data_dir


@pytest.fixture(scope="session")
def first_run(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every notebook executed once and published as HTML."""
    reports = tmp_path_factory.mktemp("reports-a")
    render_reports({"data_dir": str(demo_store)}, reports)
    return reports


def _tables(reports: Path) -> dict[str, bytes]:
    root = reports / "tables"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.csv"))}


def test_notebooks_are_commit_clean_with_a_parameters_cell():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), f"{path.name} has outputs"
        assert "parameters" in code[0]["metadata"].get("tags", []), path.name
        source = "".join(code[0]["source"])
        for name in REQUIRED_PARAMETERS:
            assert f"{name} = " in source, f"{path.name}: parameter {name} missing"
        tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
        assert len(tagged) == 1, path.name


def test_every_notebook_runs_and_publishes_html_and_figures(first_run: Path, demo_store: Path):
    pages = sorted(p.name for p in first_run.glob("*.html"))
    assert pages == sorted([f"{p.stem}.html" for p in NOTEBOOKS] + ["index.html"])
    figures = {p.name for p in (first_run / "figures").iterdir()}
    for notebook in NOTEBOOKS:
        pngs = {n for n in figures if n.startswith(notebook.stem) and n.endswith(".png")}
        assert pngs, f"{notebook.stem} wrote no figure"
        assert {n[:-4] + ".svg" for n in pngs} <= figures, "every PNG has an SVG twin"
    digest = corpus_manifest_sha256(demo_store)
    for notebook in NOTEBOOKS:
        provenance = pd.read_csv(first_run / "tables" / notebook.stem / "provenance.csv").set_index("item")
        assert provenance.loc["manifest_sha256", "value"] == digest
    svg = (first_run / "figures" / "01-corpus-overview-by-ca.svg").read_text(encoding="utf-8")
    assert digest[:16] in svg, "figures carry the snapshot note"
    assert digest in (first_run / "index.html").read_text(encoding="utf-8")


def test_template_notebook_recovers_the_planted_effect(first_run: Path):
    """The demo variant has a -0.30 step at v2.0 and none at the placebo dates (notebook default seed)."""
    check = pd.read_csv(first_run / "tables" / "04-template-changes" / "planted_check.csv").set_index("term")
    assert check.loc["v2.0", "ci_low"] <= -0.30 <= check.loc["v2.0", "ci_high"]
    assert check.loc["v2.0", "ci_high"] < 0
    placebos = check[check["kind"] == "placebo"]
    assert len(placebos) == 2
    assert ((placebos["ci_low"] <= 0) & (placebos["ci_high"] >= 0)).all()


def test_bugzilla_text_is_escaped_in_the_html(first_run: Path):
    pages = {p.name: p.read_text(encoding="utf-8") for p in first_run.glob("*.html")}
    assert not any(RAW_TAG in text for text in pages.values())
    assert any(ESCAPED_TAG in text for text in pages.values()), "the probe CA should appear, escaped"


def test_rerun_on_the_snapshot_gives_identical_tables_and_figures(first_run: Path, demo_store: Path, tmp_path: Path):
    """Second run from an exported snapshot of the same store: same manifest hash, same tables, same figures."""
    from ca_incidents.corpus import export_snapshot

    manifest = export_snapshot(demo_store, tmp_path / "snapshot")
    out = tmp_path / "out"
    parameters = report_parameters({"data_dir": "", "snapshot": str(tmp_path / "snapshot")}, out)
    for notebook in NOTEBOOKS:
        execute_notebook(notebook, out / "executed", parameters)
    first, second = _tables(first_run), _tables(out)
    assert first.keys() == second.keys()
    changed = [name for name in first if first[name] != second[name] and not name.endswith("provenance.csv")]
    assert not changed, f"tables differ between two runs on the same corpus: {changed}"
    for notebook in NOTEBOOKS:
        a, b = (pd.read_csv(r / "tables" / notebook.stem / "provenance.csv").set_index("item")["value"]
                for r in (first_run, out))  # fmt: skip
        assert a["manifest_sha256"] == b["manifest_sha256"] == manifest.manifest_sha256
        assert a.drop("source").equals(b.drop("source")), "only the source path may differ"
    svgs = sorted((first_run / "figures").glob("*.svg"))
    differing = [p.name for p in svgs if p.read_bytes() != (out / "figures" / p.name).read_bytes()]
    assert not differing, f"figures differ between runs: {differing}"


def test_period_and_ca_filter_select_the_incidents(demo_store: Path, tmp_path: Path):
    parameters = report_parameters(
        {
            "data_dir": str(demo_store),
            "date_from": "2023-01-01",
            "date_to": "2025-12-31",
            "ca_filter": "Northwind Trust",
            "seed": 7,
        },
        tmp_path,
    )
    execute_notebook(NOTEBOOKS[0], tmp_path / "executed", parameters)
    incidents = pd.read_csv(tmp_path / "tables" / NOTEBOOKS[0].stem / "incidents.csv", parse_dates=["creation_time"])
    assert len(incidents) > 0
    assert set(incidents["ca_owner"]) == {"Northwind Trust"}
    assert incidents["creation_time"].between("2023-01-01", "2026-01-01").all()


@pytest.mark.parametrize("proposal", PROPOSALS, ids=[p.stem for p in PROPOSALS])
def test_proposal_evaluate_prints_a_readable_table(proposal: Path, demo_store: Path, tmp_path: Path):
    result = CliRunner().invoke(
        app, ["proposal", "evaluate", str(proposal), "--data-dir", str(demo_store), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    for heading in ("Compliance overall", "By era", "By CA owner", "Would fail, and why"):
        assert heading in result.output
    overall = pd.read_csv(tmp_path / "compliance.csv")
    units = pd.read_csv(tmp_path / "units.csv")
    assert overall.loc[0, "units"] == len(units) > 0
    assert overall.loc[0, "passing"] == units["passes"].sum()
    failing = pd.read_csv(tmp_path / "failing.csv")
    assert len(failing) == len(units) - units["passes"].sum()
    assert failing["reason"].notna().all() and (failing["reason"].str.len() > 0).all()
