"""Intervals for shares that cannot leave [0, 1].

A share of 9 out of 10 reports with a normal-approximation interval runs past 1.0, which readers rightly
distrust. Every share the notebooks publish goes through ``wilson_interval`` (statsmodels' Wilson score
interval: inside [0, 1] by construction and close to nominal coverage even at 0/n or n/n), and ``share_row``
keeps the count ``n`` next to the estimate so no share is shown without its denominator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVEL = 0.95


def wilson_interval(successes: np.ndarray | pd.Series, n: np.ndarray | pd.Series,
                    level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Wilson score interval per element (NaN where ``n`` is 0), from ``statsmodels.proportion_confint``."""
    from statsmodels.stats.proportion import proportion_confint

    x = np.atleast_1d(np.asarray(successes, dtype=float))
    total = np.atleast_1d(np.asarray(n, dtype=float))
    safe = np.where(total > 0, total, 1.0)
    low, high = proportion_confint(np.minimum(x, safe), safe, alpha=1 - level, method="wilson")
    low, high = np.clip(np.asarray(low, dtype=float), 0, 1), np.clip(np.asarray(high, dtype=float), 0, 1)
    return np.where(total > 0, low, np.nan), np.where(total > 0, high, np.nan)


def share_row(successes: int, n: int) -> dict[str, float | int]:
    """``n``, ``share`` and its Wilson 95% interval as one table row (NaN share when ``n`` is 0)."""
    low, high = wilson_interval(np.array([successes]), np.array([n]))
    share = successes / n if n else np.nan
    return {"n": int(n), "share": share, "ci_low": float(low[0]), "ci_high": float(high[0])}


def share_table(frame: pd.DataFrame, by: str, indicators: dict[str, str]) -> pd.DataFrame:
    """Long table of 0/1 indicators per group: ``by``, indicator, n (non-missing), share and Wilson interval.

    ``indicators`` maps a column of ``frame`` (values 0/1/NaN or booleans) to the label shown in the table.
    """
    rows = []
    for key, group in frame.groupby(by, sort=True):
        for column, label in indicators.items():
            values = group[column].dropna().astype(float)
            rows.append({by: key, "indicator": label, **share_row(int(values.sum()), len(values))})
    return pd.DataFrame(rows, columns=[by, "indicator", "n", "share", "ci_low", "ci_high"])
