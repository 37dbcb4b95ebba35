"""What every notebook does around its analysis: load the data, record provenance, save figures and tables.

Keeps the notebooks thin and alike: ``start_run`` takes the papermill parameters, ``run.figure`` saves a
figure (PNG + SVG, provenance note), ``run.keep`` writes a key table to CSV so two runs can be compared,
``run.corrector`` corrects rates from findings for the detectors' measured errors, ``run.provenance_details``
closes the notebook with what it ran on (one collapsed block, so results come first), and ``show`` renders a
table as HTML with every cell escaped (Bugzilla text is untrusted).
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ca_incidents import __version__
from ca_incidents.analysis.figures import apply_style, save_figure
from ca_incidents.analysis.loaders import Corpus, load_corpus, write_tables
from ca_incidents.analysis.misclass import Corrector

if TYPE_CHECKING:
    from IPython.display import HTML
    from matplotlib.figure import Figure


@dataclass
class Run:
    """One notebook execution: its corpus selection, output folders, seeded generator and kept tables."""

    name: str
    corpus: Corpus
    figures_dir: Path
    tables_dir: Path
    seed: int
    rng: np.random.Generator
    corrector: Corrector
    outcomes_source: str
    kept: dict[str, pd.DataFrame] = field(default_factory=dict)

    def provenance(self) -> pd.DataFrame:
        """The facts that identify this run's numbers (no wall-clock time, so reruns compare equal)."""
        c = self.corpus
        return pd.DataFrame([
            ("notebook", self.name), ("manifest_sha256", c.manifest_sha256), ("source", c.source),
            ("date_from", str(c.date_from or "")), ("date_to", str(c.date_to or "")),
            ("ca_filter", ", ".join(c.ca_filter)), ("seed", str(self.seed)), ("corpus_as_of", corpus_as_of(c)),
            ("detector_outcomes", self.outcomes_source), ("toolkit_version", __version__),
        ], columns=["item", "value"])  # fmt: skip

    def provenance_details(self) -> HTML:
        """What this run used, as one collapsed block for the end of the notebook (results come first)."""
        from IPython.display import HTML

        tables = show(self.provenance(), "Data this notebook ran on (the manifest hash identifies the corpus)").data
        tables += show(self.corpus.summary(), "Rows per table: whole corpus and this selection").data
        summary = f"Provenance: corpus {html.escape(self.corpus.manifest_sha256[:16])}…, seed {self.seed}"
        return HTML(f'<details class="provenance"><summary>{summary}</summary>{tables}</details>')

    def keep(self, name: str, table: pd.DataFrame) -> pd.DataFrame:
        """Write a key table to ``<tables_dir>/<name>.csv`` (compared across runs by the tests); return it."""
        self.kept[name] = table
        write_tables({name: table}, self.tables_dir)
        return table

    def figure(self, fig: Figure, name: str) -> list[Path]:
        """Save a figure as ``<notebook>-<name>.png/.svg`` with the snapshot note."""
        return save_figure(fig, f"{self.name}-{name}", self.figures_dir, self.corpus.provenance())


def start_run(
    name: str,
    data_dir: str | None,
    snapshot: str | None,
    date_from: str | None,
    date_to: str | None,
    ca_filter: str | list[str] | None,
    figures_dir: str,
    tables_dir: str,
    seed: int,
    detector_outcomes: str = "",
) -> Run:
    """Apply the plot style, seed the generator, load the selection and the detectors' real-text outcomes
    (``detector_outcomes``: a CSV in ``score.accuracy``'s format; empty = the one shipped with the package),
    and record the provenance."""
    from ca_incidents.score.accuracy import load_outcomes, outcomes_path

    apply_style()
    corpus = load_corpus(data_dir or None, snapshot or None, date_from, date_to, ca_filter)
    if corpus.table("bugs").empty:
        raise ValueError(f"no bugs match this selection ({corpus.provenance()}): widen the period or CA filter")
    path = Path(detector_outcomes) if detector_outcomes else outcomes_path()
    outcomes = load_outcomes(path, split="test")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    source = f"{'shipped ' if not detector_outcomes else ''}{path.name} sha256 {digest}; {len(outcomes)} test rows"
    run = Run(name, corpus, Path(figures_dir), Path(tables_dir) / name, seed, np.random.default_rng(seed),
              Corrector(outcomes, seed), source)  # fmt: skip
    run.keep("provenance", run.provenance())
    return run


def corpus_as_of(corpus: Corpus) -> str:
    """The corpus's date: its latest bug change (server time), so the same snapshot gives the same date."""
    bugs = corpus.table("bugs")
    if bugs.empty or "last_change_time" not in bugs.columns:
        return ""
    latest = pd.to_datetime(bugs["last_change_time"]).max()
    return "" if pd.isna(latest) else latest.date().isoformat()


def _cell(column: str, value: object, digits: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if column == "link" and isinstance(value, str) and value.startswith("https://"):
        return f'<a href="{html.escape(value)}">{html.escape(value.rsplit("=", 1)[-1])}</a>'
    if isinstance(value, float | np.floating):
        return html.escape(f"{value:.{digits}f}")
    return html.escape(str(value))


def show(table: pd.DataFrame, caption: str = "", max_rows: int = 60, digits: int = 3) -> HTML:
    """An HTML table with every header and cell escaped; ``link`` columns become links to Bugzilla."""
    from IPython.display import HTML

    shown = table.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(str(c), v, digits)}</td>" for c, v in zip(shown.columns, row, strict=True))
        + "</tr>"
        for row in shown.itertuples(index=False)
    )
    more = f"<p>… {len(table) - max_rows} more rows in the CSV.</p>" if len(table) > max_rows else ""
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f'<table class="ca-incidents">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}')


def note(text: str) -> HTML:
    """A paragraph of computed text (escaped), for statements that depend on the data."""
    from IPython.display import HTML

    return HTML(f"<p>{html.escape(text)}</p>")
