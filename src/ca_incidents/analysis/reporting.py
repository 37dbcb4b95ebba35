"""Execute the notebooks with papermill and publish them as HTML (the `report` step of the pipeline)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ca_incidents.bundled import bundled_dir

KERNEL = "python3"


@dataclass(frozen=True)
class RenderedNotebook:
    """One executed notebook and the HTML page made from it."""

    name: str
    executed: Path
    html: Path


def execute_notebook(notebook: Path, out_dir: Path, parameters: dict) -> Path:
    """Run one notebook top to bottom with papermill, injecting the parameters cell."""
    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / notebook.name
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=parameters,
        kernel_name=KERNEL,
        progress_bar=False,
        cwd=str(notebook.parent),
    )
    return executed


def notebook_to_html(executed: Path, out_path: Path) -> Path:
    """Render an executed notebook to a standalone HTML page without its code cells."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    out_path.write_text(body, encoding="utf-8")
    return out_path


def report_parameters(parameters: dict, reports_dir: Path) -> dict:
    """Fill the output parameters (figures and tables under the reports folder) and make paths absolute.

    Notebooks run with their own folder as working directory, so every path they get must be absolute.
    """
    filled = {"figures_dir": str(reports_dir / "figures"), "tables_dir": str(reports_dir / "tables"), **parameters}
    for key in ("data_dir", "snapshot", "figures_dir", "tables_dir"):
        if filled.get(key):
            filled[key] = str(Path(filled[key]).resolve())
    return filled


def render_reports(parameters: dict, reports_dir: Path, notebooks: list[Path] | None = None) -> list[RenderedNotebook]:
    """Execute every notebook (in reading order) and write ``reports/<name>.html`` plus the front page."""
    chosen = notebooks if notebooks is not None else sorted(bundled_dir("notebooks").glob("[0-9]*.ipynb"))
    reports_dir = Path(reports_dir).resolve()
    parameters = report_parameters(parameters, reports_dir)
    executed_dir = reports_dir / "executed"
    rendered = []
    for notebook in chosen:
        executed = execute_notebook(notebook, executed_dir, parameters)
        page = notebook_to_html(executed, reports_dir / f"{notebook.stem}.html")
        rendered.append(RenderedNotebook(notebook.stem, executed, page))
    write_index(rendered, reports_dir, parameters)
    return rendered


def write_index(rendered: list[RenderedNotebook], reports_dir: Path, parameters: dict) -> Path:
    """The front page: corpus, headline findings, figure thumbnails, the trust panel, provenance (``frontpage``)."""
    from ca_incidents.analysis.frontpage import build_index

    index = reports_dir / "index.html"
    index.write_text(build_index(rendered, reports_dir, parameters), encoding="utf-8")
    return index
