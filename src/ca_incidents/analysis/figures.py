"""Figure conventions shared by the notebooks: one style, a provenance note, PNG and SVG side by side."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STYLE = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 110,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titleweight": "bold",
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "legend.frameon": False,
    "svg.hashsalt": "ca-incidents",  # stable SVG ids: the same data gives the same file
}


def apply_style() -> None:
    """Use the project's plotting style (called once at the top of each notebook)."""
    import matplotlib as mpl

    mpl.rcParams.update(STYLE)
    mpl.rcParams["svg.fonttype"] = "none"


def save_figure(fig: Figure, name: str, out_dir: Path | str, provenance: str) -> list[Path]:
    """Stamp the figure with where its data came from and write it as PNG and SVG."""
    fig.text(0.99, 0.005, provenance, ha="right", va="bottom", fontsize=7, color="0.4")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.svg"]
    fig.savefig(paths[0], bbox_inches="tight", metadata={"Software": None})
    fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return paths
