"""Each detector's measured behaviour on real report text, as later stages need it.

``evaluate quality --real --write-outcomes`` writes one row per (detector, real gold reference): the gold
label and the detector's decision, both as "the finding should fire / fired" (1) or not (0), with the
reference's split, era, CA owner and year. Only labels and decisions are stored, never report text, so the
file ships with the package and lets the analysis stage correct rates for misclassification (sensitivity and
specificity, with a bootstrap over these rows) on any machine.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

OUTCOMES_FILE = "detector_outcomes.csv"
COLUMNS = ("detector", "ref_id", "split", "era", "ca_owner", "year", "gold", "predicted")


def outcomes_path() -> Path:
    """Where the shipped outcomes live (inside the package, next to the real-text gold references)."""
    return Path(str(resources.files("ca_incidents.data") / "gold" / "real" / OUTCOMES_FILE))


def load_outcomes(path: Path | None = None, split: str | None = "test") -> pd.DataFrame:
    """Outcome rows (``split=None``: every split; default: the held-out test split only).

    An empty frame means no real-text accuracy has been measured yet; callers must say so in words.
    """
    df = pd.read_csv(path or outcomes_path(), dtype={"ref_id": str, "split": str, "era": str, "ca_owner": str})
    missing = set(COLUMNS) - set(df.columns)
    if missing:
        raise ValueError(f"{path or outcomes_path()}: missing columns {sorted(missing)}")
    if split is not None:
        df = df[df["split"] == split]
    return df.astype({"gold": int, "predicted": int, "year": "Int64"}).reset_index(drop=True)
