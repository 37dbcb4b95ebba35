"""The notebooks run top to bottom on the demo corpus, give identical tables on a rerun, and escape Bugzilla text.

The session's shared demo store (tests/conftest.py) is read as is, and once copied with its first bug's CA owner
replaced by an HTML probe, so the reports' escaping is tested.
"""

from __future__ import annotations

import json
import re
from html import escape as html_escape
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ca_incidents.analysis.loaders import corpus_manifest_sha256
from ca_incidents.analysis.reporting import execute_notebook, render_reports, report_parameters
from ca_incidents.bundled import bundled_dir
from ca_incidents.cli import app
from tests.conftest import copy_store

pytestmark = [pytest.mark.notebooks, pytest.mark.integration]

NOTEBOOKS = sorted(bundled_dir("notebooks").glob("[0-9]*.ipynb"))
PROPOSALS = sorted(bundled_dir("proposals").glob("*.yaml"))
PROBE = '<img src=x onerror="alert(1)"> Probe CA'
RAW_TAG, ESCAPED_TAG = "<img src=x onerror", "&lt;img src=x onerror"  # nbconvert may re-serialise the quotes
REQUIRED_PARAMETERS = ("data_dir", "snapshot", "date_from", "date_to", "ca_filter", "figures_dir", "seed")


@pytest.fixture(scope="session")
def probe_store(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shared demo store whose first bug's CA owner is an HTML probe (metrics rebuilt with it)."""
    from ca_incidents.corpus import connect
    from ca_incidents.metrics import build_metrics

    data_dir = copy_store(demo_store, tmp_path_factory.mktemp("probe-store"))
    con = connect(data_dir)
    try:
        con.execute("UPDATE normalised_bugs SET ca_owner = ? WHERE bug_id = (SELECT min(id) FROM bugs)", [PROBE])
        build_metrics(con)
    finally:
        con.close()
    return data_dir


@pytest.fixture(scope="session")
def first_run(probe_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every notebook executed once and published as HTML."""
    reports = tmp_path_factory.mktemp("reports-a")
    render_reports({"data_dir": str(probe_store)}, reports)
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
        assert "**Question:**" in "".join(nb["cells"][0]["source"]), f"{path.name}: first cell states its question"
        assert "".join(code[-1]["source"]).strip() == "display(run.provenance_details())", "provenance comes last"
        assert not any("run.provenance()" in "".join(c["source"]) for c in code[:-1]), "no provenance up front"


def test_every_notebook_runs_and_publishes_html_and_figures(first_run: Path, probe_store: Path):
    pages = sorted(p.name for p in first_run.glob("*.html"))
    assert pages == sorted([f"{p.stem}.html" for p in NOTEBOOKS] + ["index.html"])
    figures = {p.name for p in (first_run / "figures").iterdir()}
    for notebook in NOTEBOOKS:
        pngs = {n for n in figures if n.startswith(notebook.stem) and n.endswith(".png")}
        assert pngs, f"{notebook.stem} wrote no figure"
        assert {n[:-4] + ".svg" for n in pngs} <= figures, "every PNG has an SVG twin"
    digest = corpus_manifest_sha256(probe_store)
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


def test_rerun_on_the_snapshot_gives_identical_tables_and_figures(first_run: Path, probe_store: Path, tmp_path: Path):
    """Second run from an exported snapshot of the same store: same manifest hash, same tables, same figures."""
    from ca_incidents.corpus import export_snapshot

    manifest = export_snapshot(probe_store, tmp_path / "snapshot")
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
    figures = sorted((first_run / "figures").glob("*.*"))
    assert {p.suffix for p in figures} == {".png", ".svg"}
    differing = [p.name for p in figures if p.read_bytes() != (out / "figures" / p.name).read_bytes()]
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


# estimate column -> its interval columns, for every share the notebooks write (steps and means are not shares)
SHARE_INTERVALS = {
    "share": ("ci_low", "ci_high"), "compliance": ("ci_low", "ci_high"),
    "report_share": ("report_ci_low", "report_ci_high"), "unit_share": ("unit_ci_low", "unit_ci_high"),
    "report_corrected": ("report_corrected_low", "report_corrected_high"),
    "unit_corrected": ("unit_corrected_low", "unit_corrected_high"),
    "sensitivity": ("sens_low", "sens_high"), "specificity": ("spec_low", "spec_high"),
}  # fmt: skip


def _share_intervals(table: pd.DataFrame, name: str) -> list[tuple[str, pd.Series, pd.Series, pd.Series]]:
    """(label, estimate, low, high) for every share in a table written by a notebook."""
    found = [(est, table[est], table[lo], table[hi]) for est, (lo, hi) in SHARE_INTERVALS.items()
             if {est, lo, hi} <= set(table.columns)]  # fmt: skip
    if "term" not in table.columns and {"corrected", "corrected_low", "corrected_high"} <= set(table.columns):
        found.append(("corrected", table["corrected"], table["corrected_low"], table["corrected_high"]))
    if name.endswith("scorecards.csv"):  # the rate dimensions (quality is a 0-100 mean)
        rates = table[table["dimension"] != "quality"]
        found += [("mean", rates["mean"], rates["ci_low"], rates["ci_high"]),
                  ("eb", rates["eb"], rates["eb_low"], rates["eb_high"])]  # fmt: skip
    return found


def test_no_share_interval_in_the_tables_leaves_0_1(first_run: Path):
    checked = 0
    for path in sorted((first_run / "tables").rglob("*.csv")):
        table = pd.read_csv(path)
        for label, est, low, high in _share_intervals(table, path.name):
            frame = pd.DataFrame({"estimate": est, "low": low, "high": high}).dropna(subset=["estimate"])
            rows = frame.dropna(subset=["low", "high"], how="all")
            bad = rows[~(rows["low"].between(0, 1) & rows["high"].between(0, 1)
                         & (rows["low"] <= rows["estimate"] + 1e-9) & (rows["estimate"] <= rows["high"] + 1e-9))]
            assert bad.empty, f"{path.relative_to(first_run)}: {label} interval outside [0, 1] or around it:\n{bad}"
            checked += len(rows)
    assert checked > 200, "the test should see the notebooks' shares"
    structure = pd.read_csv(first_run / "tables" / "02-report-quality" / "structure_by_era.csv")
    assert {"n", "share", "ci_low", "ci_high"} <= set(structure.columns), "every share shows its n"


def test_front_page_has_headlines_thumbnails_and_the_trust_panel(first_run: Path, probe_store: Path):
    from ca_incidents.analysis.frontpage import headlines
    from ca_incidents.analysis.misclass import DETECTOR_UNITS

    page = (first_run / "index.html").read_text(encoding="utf-8")
    found = headlines(first_run / "tables")
    assert 5 <= len(found) <= 8
    for h in found:
        assert html_escape(h.text) in page and "[" in h.text, "each headline has its interval"
        assert f"{h.notebook}.html" in page
    thumbs = re.findall(r"<img src='figures/([^']+\.png)'", page)
    assert len(thumbs) >= 3 and all((first_run / "figures" / t).is_file() for t in thumbs)
    assert "How far to trust this" in page
    for detector in DETECTOR_UNITS:  # the shipped outcomes are empty today: each detector says so in words
        assert re.search(rf"<th>{detector}</th><td[^>]*>(not measured yet|sensitivity)", page), detector
    assert page.index("<details>") > page.index("How far to trust this"), "provenance is at the end"
    assert corpus_manifest_sha256(probe_store) in page


def test_measured_accuracy_flows_into_corrected_tables(demo_store: Path, tmp_path: Path):
    """Notebooks 02 and 05 on a synthetic outcomes file (written here, never shipped): shares get corrected."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = []
    for detector in ("vague-action", "missing-timebound", "restated-root-cause", "human-error-root-cause"):
        gold = rng.random(80) < 0.5
        predicted = np.where(gold, rng.random(80) < 0.8, rng.random(80) < 0.1)
        rows += [{"detector": detector, "ref_id": f"{detector[:2]}{i:03d}", "split": "test", "era": "v2",
                  "ca_owner": "X", "year": 2024, "gold": int(g), "predicted": int(p)}
                 for i, (g, p) in enumerate(zip(gold, predicted, strict=True))]  # fmt: skip
    outcomes = tmp_path / "outcomes.csv"
    pd.DataFrame(rows).to_csv(outcomes, index=False)
    parameters = report_parameters({"data_dir": str(demo_store), "detector_outcomes": str(outcomes)}, tmp_path)
    for notebook in (NOTEBOOKS[1], NOTEBOOKS[4]):
        execute_notebook(notebook, tmp_path / "executed", parameters)
    shares = pd.read_csv(tmp_path / "tables" / "02-report-quality" / "detector_shares.csv")
    assert shares["correction"].str.startswith("corrected").all(), shares["correction"].tolist()
    assert shares["report_corrected"].between(0, 1).all()
    accuracy = pd.read_csv(tmp_path / "tables" / "02-report-quality" / "detector_accuracy.csv")
    assert (accuracy.loc[accuracy["era"] == "all eras", "gold_positive"] > 0).all()
    change = pd.read_csv(tmp_path / "tables" / "05-proposal-simulator" / "compliance_change.csv")
    assert len(change) == 1 and change.loc[0, "correction"] == "corrected" and change["verdict"].notna().all()
