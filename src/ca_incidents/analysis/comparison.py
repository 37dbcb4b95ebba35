"""Per-CA scorecards that do not over-read small numbers.

Each dimension is measured per incident, then summarised per CA three ways: the raw rate or mean with an
interval (Wilson for rates, t-style for means); an empirical-Bayes estimate that shrinks CAs with few
incidents towards the overall value (Beta-binomial for rates, normal-normal for means); and an indirectly
standardised observed/expected ratio that controls for incident type (primary whiteboard tag) and era, shown
as a funnel plot against the number of incidents. Quantity (how many incidents) is reported next to these,
never mixed into them, and CAs are listed alphabetically, not ranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from ca_incidents.analysis.intervals import wilson_interval
from ca_incidents.analysis.loaders import Corpus
from ca_incidents.analysis.overview import incidents
from ca_incidents.analysis.quality import KEY_SECTIONS, has_scores, report_frame

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Dimension:
    """One scorecard dimension: a per-incident column, binary (a rate) or continuous (a mean)."""

    name: str
    column: str
    binary: bool
    higher_is_better: bool
    description: str


DIMENSIONS = (
    Dimension("quality", "quality", False, True, "mean report score (0-100; structural index when unscored)"),
    Dimension("timeliness", "timely_first_report", True, True, "first CA report on time under the era's rules"),
    Dimension("updates", "updates_on_time", True, True, "no Next update / weekly update missed (metrics stage)"),
    Dimension("answers", "questions_answered", True, True, "every question answered within 7 days"),
    Dimension("follow_through", "follow_through", True, True, "no action item slipped, dropped or late (metrics)"),
    Dimension("recurrence", "recurrence", True, False, "an earlier similar incident of the same CA"),
    Dimension("boilerplate", "boilerplate", True, False, "passages copied from other reports (metrics stage)"),
)


def _share_ok(bad: pd.Series, total: pd.Series) -> pd.Series:
    """1 when none of ``total`` went wrong, 0 when some did, NaN when there was nothing to judge."""
    return pd.Series(np.where(total > 0, (bad.fillna(0) == 0).astype(float), np.nan), index=bad.index)


def metrics_outcomes(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per-incident 0/1 dimensions from the metrics stage's ``incident_metrics`` (index: bug_id)."""
    m = metrics.set_index("bug_id")
    status = m["first_report_status"].map({"met": 1.0, "missed": 0.0})
    return pd.DataFrame({
        "timely_first_report": status,
        "updates_on_time": _share_ok(m["n_updates_missed"], m["n_update_deadlines"]),
        "questions_answered": _share_ok(m["n_questions_late"] + m["n_questions_unanswered"], m["n_questions"]),
        "follow_through": _share_ok(m["n_items_slipped"] + m["n_items_dropped"] + m["n_items_completed_late"],
                                    m["n_action_items"]),
        "recurrence": (m["n_earlier_similar"] > 0).astype(float).where(m["n_earlier_similar"].notna()),
        "boilerplate": (m["n_copied_passages"] > 0).astype(float).where(m["n_copied_passages"].notna()),
    })  # fmt: skip


def beta_binomial_prior(successes: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """Method-of-moments Beta(a, b) prior across groups; weak (a+b=2) when groups do not vary beyond chance."""
    x, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    keep = n > 0
    x, n = x[keep], n[keep]
    p_all = x.sum() / n.sum() if n.sum() else 0.5
    p_all = min(max(p_all, 1e-3), 1 - 1e-3)
    rates = x / n
    observed_var = float(np.average((rates - p_all) ** 2, weights=n)) if len(n) > 1 else 0.0
    binomial_var = p_all * (1 - p_all) * float(np.mean(1 / n)) if len(n) else 0.0
    between = observed_var - binomial_var
    # no variation beyond chance: shrink almost fully to the overall rate
    strength = 1e3 if between <= 1e-9 else max(p_all * (1 - p_all) / between - 1, 2.0)
    return p_all * strength, (1 - p_all) * strength


def shrink_rates(successes: np.ndarray, n: np.ndarray, level: float = 0.95) -> pd.DataFrame:
    """Empirical-Bayes (Beta-binomial) posterior mean and equal-tailed credible interval per group."""
    a, b = beta_binomial_prior(successes, n)
    x, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    tail = (1 - level) / 2
    post_a, post_b = a + x, b + n - x
    return pd.DataFrame({
        "eb_rate": post_a / (post_a + post_b),
        "eb_low": stats.beta.ppf(tail, post_a, post_b),
        "eb_high": stats.beta.ppf(1 - tail, post_a, post_b),
    })  # fmt: skip


def shrink_means(means: np.ndarray, variances: np.ndarray, n: np.ndarray, centre: float) -> pd.DataFrame:
    """Normal-normal empirical Bayes: each group mean pulled towards ``centre`` by its sampling noise.

    ``variances`` are the groups' own variances, pooled (weighted by degrees of freedom) into one.
    """
    m, v, n = (np.asarray(a, dtype=float) for a in (means, variances, n))
    # pooled within-CA variance: a CA's own variance from 2-5 incidents is too noisy to trust
    usable = np.isfinite(v) & (n > 1)
    pooled = float(np.sum(v[usable] * (n[usable] - 1)) / np.sum(n[usable] - 1)) if usable.any() else 0.0
    se2 = pooled / np.maximum(n, 1)
    tau2 = max(float(np.nanvar(m, ddof=1)) - float(np.nanmean(se2)), 0.0) if len(m) > 1 else 0.0
    weight = np.where(se2 + tau2 > 0, tau2 / (se2 + tau2), 0.0)
    post_mean = centre + weight * (m - centre)
    post_sd = np.sqrt(weight * se2)
    return pd.DataFrame(
        {"eb_mean": post_mean, "eb_low": post_mean - Z95 * post_sd, "eb_high": post_mean + Z95 * post_sd}
    )


def incident_outcomes(corpus: Corpus) -> pd.DataFrame:
    """One row per incident with every dimension's value, its stratum (era x primary tag) and its CA.

    Quality comes from the scores (a structural index when unscored); every other dimension is the metrics
    stage's (``incident_metrics``, the one place deadlines, answers and recurrences are judged) and is left
    empty when that stage has not run.
    """
    inc = incidents(corpus)
    rf = report_frame(corpus)
    if has_scores(rf):
        per_bug = rf.groupby("bug_id")["composite"].mean()
    else:
        index_cols = [f"has_{s}" for s in KEY_SECTIONS]
        structural = rf[index_cols].mean(axis=1) * 100
        per_bug = structural.groupby(rf["bug_id"]).mean()
    inc["quality"] = inc["bug_id"].map(per_bug)
    metrics = corpus.table("incident_metrics")
    derived = metrics_outcomes(metrics) if not metrics.empty else None
    for dim in DIMENSIONS:
        if dim.name != "quality":
            inc[dim.column] = inc["bug_id"].map(derived[dim.column]).astype(float) if derived is not None else np.nan
    inc["incident_type"] = inc["tags"].apply(lambda t: t[0] if len(t) else "untagged")
    inc["stratum"] = inc["era"].astype(str) + " / " + inc["incident_type"]
    return inc


def available(inc: pd.DataFrame) -> list[Dimension]:
    """The dimensions measured for at least one incident in this selection."""
    return [d for d in DIMENSIONS if inc[d.column].notna().any()]


def dimension_table(inc: pd.DataFrame) -> pd.DataFrame:
    """What each dimension measures and for how many incidents (0 = needs a stage that has not run)."""
    rows = [(d.name, d.description, "higher" if d.higher_is_better else "lower", int(inc[d.column].notna().sum()))
            for d in DIMENSIONS]  # fmt: skip
    return pd.DataFrame(rows, columns=["dimension", "measured as", "better when", "incidents with a value"])


def quantity(inc: pd.DataFrame) -> pd.DataFrame:
    """Incidents per CA (the quantity side, kept apart from every quality measure)."""
    out = inc.groupby("ca_owner").agg(incidents=("bug_id", "count"), first_year=("year", "min"),
                                      last_year=("year", "max"))  # fmt: skip
    return out.reset_index().sort_values("ca_owner").reset_index(drop=True)


def _expected(inc: pd.DataFrame, column: str) -> pd.Series:
    """Each incident's expected value: the mean of its stratum over all CAs (indirect standardisation)."""
    valid = inc[inc[column].notna()]
    return valid.groupby("stratum")[column].transform("mean")


def scorecard(inc: pd.DataFrame, dim: Dimension) -> pd.DataFrame:
    """One dimension per CA: n, raw value with interval, shrunk value with interval, observed/expected."""
    valid = inc[inc[dim.column].notna()].copy()
    if valid.empty:
        return pd.DataFrame(columns=["ca_owner", "n"])
    valid["expected"] = _expected(valid, dim.column)
    grouped = valid.groupby("ca_owner")
    table = pd.DataFrame({
        "n": grouped.size(), "observed": grouped[dim.column].sum(), "expected": grouped["expected"].sum(),
        "mean": grouped[dim.column].mean(), "var": grouped[dim.column].var(ddof=1),
    }).reset_index().sort_values("ca_owner").reset_index(drop=True)  # fmt: skip
    if dim.binary:
        low, high = wilson_interval(table["observed"], table["n"])
        table["ci_low"], table["ci_high"] = low, high
        eb = shrink_rates(table["observed"].to_numpy(), table["n"].to_numpy())
    else:
        half = Z95 * np.sqrt(table["var"] / table["n"])
        table["ci_low"], table["ci_high"] = table["mean"] - half, table["mean"] + half
        eb = shrink_means(table["mean"], table["var"], table["n"], float(valid[dim.column].mean()))
    table[["eb", "eb_low", "eb_high"]] = eb.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["o_e"] = table["observed"] / table["expected"] if dim.binary else table["mean"] - (
            table["expected"] / table["n"])  # fmt: skip
    table.insert(0, "dimension", dim.name)
    return table.drop(columns=["var"])


def scorecards(inc: pd.DataFrame, dims: tuple[Dimension, ...] = DIMENSIONS) -> pd.DataFrame:
    """Every available dimension's per-CA table, stacked (long format; one row per CA and dimension)."""
    parts = [scorecard(inc, d) for d in dims if inc[d.column].notna().any()]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def funnel_limits(n: np.ndarray, centre: float, spread: float, binary: bool, z: float) -> tuple[np.ndarray, ...]:
    """Control limits of a funnel plot around ``centre`` for groups of size ``n``."""
    n = np.asarray(n, dtype=float)
    half = z * np.sqrt(centre * (1 - centre) / n) if binary else z * spread / np.sqrt(n)
    return centre - half, centre + half


def _unit(dim: Dimension) -> str:
    return "share of incidents (0-1)" if dim.binary else "score (0-100)"


def _grid(n: int, height: float) -> tuple[Figure, np.ndarray]:
    import matplotlib.pyplot as plt

    rows = max(1, int(np.ceil(n / 2)))
    fig, axes = plt.subplots(rows, 2, figsize=(12.0, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _draw_funnel(ax, inc: pd.DataFrame, dim: Dimension) -> None:
    table = scorecard(inc, dim)
    valid = inc[dim.column].dropna()
    centre, spread = float(valid.mean()), float(valid.std(ddof=1)) if len(valid) > 1 else 0.0
    grid = np.linspace(1, max(2, table["n"].max()) * 1.05, 200)
    for z, style, label in ((Z95, "--", "95% limits"), (3.09, ":", "99.8% limits")):
        low, high = funnel_limits(grid, centre, spread, dim.binary, z)
        if dim.binary:  # a share cannot leave [0, 1]
            low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
        ax.plot(grid, low, style, color="0.4", label=label)
        ax.plot(grid, high, style, color="0.4")
    ax.axhline(centre, color="0.2", lw=1, label="overall")
    ax.scatter(table["n"], table["mean"], color="#3b6ea5", zorder=3, label="CA owner (named when outside 95%)")
    low, high = funnel_limits(table["n"].to_numpy(), centre, spread, dim.binary, Z95)
    outside = (table["mean"] < low - 1e-9) | (table["mean"] > high + 1e-9)
    for row in table[outside].itertuples():
        ax.annotate(str(row.ca_owner), (row.n, row.mean), textcoords="offset points", xytext=(4, 3), fontsize=6)
    ax.set_title(f"{dim.name}: {dim.description}", fontsize=9)
    ax.set_xlabel("incidents with a value (count)")
    ax.set_ylabel(_unit(dim))
    ax.legend(loc="best", fontsize=6)


def plot_funnels(inc: pd.DataFrame, dims: list[Dimension]) -> Figure:
    """Funnel plots, one panel per dimension: each CA's value against its incidents, 95% and 99.8% limits."""
    fig, axes = _grid(len(dims), 3.8)
    for ax, dim in zip(axes, dims, strict=False):
        _draw_funnel(ax, inc, dim)
    fig.suptitle("CA values against the spread expected by chance (funnel plots)", fontweight="bold")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))
    return fig


MIN_INCIDENTS_SHOWN = 3  # the interval chart leaves out CAs below this (they stay in the tables and funnels)


def plot_intervals(cards: pd.DataFrame, dims: list[Dimension], min_incidents: int = MIN_INCIDENTS_SHOWN) -> Figure:
    """Scorecard matrix: one row per CA (alphabetical, not a ranking), one column per dimension; raw 95%
    interval in grey, shrunk estimate and interval in blue."""
    import matplotlib.pyplot as plt

    largest = cards.groupby("ca_owner")["n"].max() if not cards.empty else pd.Series(dtype=int)
    cas = sorted(largest[largest >= min_incidents].index, reverse=True)
    fig, axes = plt.subplots(1, max(len(dims), 1), sharey=True, squeeze=False, layout="constrained",
                             figsize=(max(8.0, 2.0 * len(dims) + 2), max(3.0, 0.28 * len(cas) + 1.8)))  # fmt: skip
    y = np.arange(len(cas))
    for ax, dim in zip(axes.flat, dims, strict=False):
        data = cards[cards["dimension"] == dim.name].set_index("ca_owner").reindex(cas)
        ax.errorbar(data["mean"], y + 0.15, xerr=[(data["mean"] - data["ci_low"]).clip(lower=0).fillna(0),
                    (data["ci_high"] - data["mean"]).clip(lower=0).fillna(0)], fmt="o", ms=3, color="0.6",
                    capsize=2, label="raw, 95% interval")  # fmt: skip
        ax.errorbar(data["eb"], y - 0.15, xerr=[(data["eb"] - data["eb_low"]).clip(lower=0).fillna(0),
                    (data["eb_high"] - data["eb"]).clip(lower=0).fillna(0)], fmt="s", ms=3, color="#3b6ea5",
                    capsize=2, label="shrunk (empirical Bayes)")  # fmt: skip
        better = "higher better" if dim.higher_is_better else "lower better"
        ax.set_title(f"{dim.name}\n({better})", fontsize=8)
        ax.set_xlabel("score (0-100)" if not dim.binary else "share (0-1)", fontsize=8)
        if dim.binary:
            ax.set_xlim(-0.05, 1.05)
    axes.flat[0].set_yticks(y, cas, fontsize=7)
    axes.flat[0].set_ylabel("CA owner (alphabetical)")
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower left", fontsize=7, ncol=2)
    fig.suptitle(f"Per-CA scorecards with 95% intervals (CAs with at least {min_incidents} incidents)",
                 fontweight="bold")  # fmt: skip
    return fig
