"""Did a template version change what reports contain? Interrupted time series with CA fixed effects.

Model (one row per report or incident, ordinary least squares, a linear probability model for 0/1 outcomes):

    y = a_CA + b * years + sum_k d_k * [posted on or after version k's effective date] + e

``a_CA`` are CA fixed effects (so a shift in which CAs report does not pass for a template effect), ``b`` a
linear secular trend, ``d_k`` the level change at each version. Standard errors are cluster-robust by CA
(reports of one CA are not independent), computed by the leave-one-CA-out jackknife with t(G-1) intervals,
which holds its nominal coverage with few, unequal clusters better than the usual sandwich estimator.
Placebo dates, where nothing changed, enter the same model as extra steps;
their intervals should contain zero. A step with too few observations on either side is reported as not
estimable instead of being fitted. Caveats (few clusters, early adopters, concurrent policy changes, the
linear-trend assumption) are returned with every result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from ca_incidents.analysis.loaders import VERSION_DATES, Corpus
from ca_incidents.analysis.misclass import (
    DETECTOR_UNITS,
    Corrector,
    report_probabilities,
    report_units,
    seeded,
    verdict,
)
from ca_incidents.analysis.quality import has_scores, report_frame

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MIN_SIDE = 5  # observations needed on each side of a step to estimate it
JACKKNIFE_MIN_CLUSTERS = 3
# Placebo dates: half-way through long stretches with no template change (legacy era and v2.0 era)
DEFAULT_PLACEBOS = {"placebo 2021-07-01": date(2021, 7, 1), "placebo 2024-06-01": date(2024, 6, 1)}
CAVEATS = (
    "Linear probability model: effects are differences in the share of reports, in percentage points / 100.",
    "Clustered by CA (jackknife, t with G-1 df): with few CAs intervals are wide, and still approximate.",
    "Early adopters (v2.0 text public from 2023-08-11, the v3 draft from 2024-11-14) blur the break dates.",
    "Other rules changed on or near the same days (MRSP 2.8.1 on 2023-02-15, CCADB Policy 2.0 on 2025-07-15); "
    "a step measures everything that changed then, not the template alone.",
    "The secular trend is assumed linear; a curved trend can pass for a step.",
)


@dataclass
class ItsResult:
    """Estimated steps (versions and placebos) with 95% intervals, plus what was fitted and its caveats."""

    outcome: str
    steps: pd.DataFrame  # term, kind, break_date, estimate, ci_low, ci_high, p_value, se, se_cv1, n_before, n_after
    n: int
    n_clusters: int
    trend_per_year: float
    caveats: tuple[str, ...] = CAVEATS
    not_estimable: list[str] = field(default_factory=list)


def _years(times: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    return ((pd.to_datetime(times) - origin).dt.total_seconds() / (365.25 * 86400)).to_numpy()


def _cluster_jackknife_se(x: np.ndarray, y: np.ndarray, codes: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Leave-one-CA-out jackknife standard errors (CV3).

    With a dozen CAs of very unequal size the usual cluster-robust (CV1) errors are too small: in simulation
    their 95% intervals covered a planted effect about 90% of the time. The jackknife, refitting without each
    CA in turn, is the remedy recommended for few, unbalanced clusters (MacKinnon, Nielsen and Webb, 2023).
    """
    groups = np.unique(codes)
    xtx, xty = x.T @ x, x.T @ y
    deltas = []
    for g in groups:
        out = codes == g
        a, b = xtx - x[out].T @ x[out], xty - x[out].T @ y[out]  # normal equations without CA g
        cols = np.diag(a) > 1e-9  # the left-out CA's own dummy column is all zeros
        beta = np.full(x.shape[1], np.nan)
        beta[cols] = np.linalg.lstsq(a[np.ix_(cols, cols)], b[cols], rcond=None)[0]
        deltas.append(beta - params)
    d = np.asarray(deltas)
    g_count = len(groups)
    return np.sqrt((g_count - 1) / g_count * np.nansum(d**2, axis=0))


def _design(panel: pd.DataFrame, outcome: str, breaks: dict[str, date] | None, placebos: dict[str, date] | None,
            time_col: str, group_col: str, fixed_effects: bool, min_side: int) -> tuple:  # fmt: skip
    """The regression's design: (x with named columns, y, CA labels, estimable steps, skipped steps)."""
    import statsmodels.api as sm

    breaks = dict(VERSION_DATES) if breaks is None else breaks
    placebos = dict(DEFAULT_PLACEBOS) if placebos is None else placebos
    data = panel[[time_col, group_col, outcome]].dropna().sort_values([time_col, group_col], kind="mergesort")
    times = pd.to_datetime(data[time_col])
    steps, skipped = [], []
    for kind, dates in (("version", breaks), ("placebo", placebos)):
        for term, day in dates.items():
            after = int((times >= pd.Timestamp(day)).sum())
            before = len(times) - after
            (steps if min(before, after) >= min_side else skipped).append((term, kind, day, before, after))
    origin = times.min() if len(times) else pd.Timestamp("2017-01-01")
    x = pd.DataFrame({"years": _years(times, origin)}, index=data.index)
    for term, _, day, _, _ in steps:
        x[term] = (times >= pd.Timestamp(day)).astype(float).to_numpy()
    groups = data[group_col].astype(str)
    if fixed_effects:
        dummies = pd.get_dummies(groups, prefix="ca", drop_first=True, dtype=float)
        x = pd.concat([x, dummies], axis=1)
    x = sm.add_constant(x, has_constant="add")
    return x, data[outcome].astype(float).to_numpy(), groups, steps, skipped


def fit_its(
    panel: pd.DataFrame,
    outcome: str,
    breaks: dict[str, date] | None = None,
    placebos: dict[str, date] | None = None,
    *,
    time_col: str = "creation_time",
    group_col: str = "ca_owner",
    fixed_effects: bool = True,
    min_side: int = MIN_SIDE,
) -> ItsResult:
    """Fit the segmented regression of ``outcome`` on the version steps, placebo steps, trend and CA effects."""
    import statsmodels.api as sm

    x, y, groups, steps, skipped = _design(panel, outcome, breaks, placebos, time_col, group_col, fixed_effects,
                                           min_side)  # fmt: skip
    codes = pd.factorize(groups, sort=True)[0]
    n_clusters = len(set(codes))
    design_matrix = x.to_numpy(dtype=float)
    fit = sm.OLS(y, design_matrix).fit()
    params = np.asarray(fit.params)
    if n_clusters >= JACKKNIFE_MIN_CLUSTERS:
        se, df = _cluster_jackknife_se(design_matrix, y, codes, params), n_clusters - 1
        # the usual sandwich (CV1) errors, reported beside the jackknife for comparison
        se_cv1 = np.asarray(fit.get_robustcov_results(cov_type="cluster", groups=codes).bse)
    else:  # too few CAs to cluster on: heteroskedasticity-robust only (stated in the caveats)
        se, df = np.asarray(fit.HC1_se), max(len(y) - design_matrix.shape[1], 1)
        se_cv1 = np.full(len(params), np.nan)
    t_crit = stats.t.ppf(0.975, df)
    names = list(x.columns)
    rows = []
    for term, kind, day, before, after in steps:
        i = names.index(term)
        t_value = params[i] / se[i] if se[i] > 0 else np.nan
        rows.append({"term": term, "kind": kind, "break_date": day, "estimate": float(params[i]),
                     "ci_low": float(params[i] - t_crit * se[i]), "ci_high": float(params[i] + t_crit * se[i]),
                     "p_value": float(2 * stats.t.sf(abs(t_value), df)), "se": float(se[i]),
                     "se_cv1": float(se_cv1[i]), "n_before": before, "n_after": after})  # fmt: skip
    columns = ["term", "kind", "break_date", "estimate", "ci_low", "ci_high", "p_value", "se", "se_cv1", "n_before",
               "n_after"]  # fmt: skip
    return ItsResult(
        outcome=outcome,
        steps=pd.DataFrame(rows, columns=columns),
        n=len(y),
        n_clusters=n_clusters,
        trend_per_year=float(params[names.index("years")]),
        not_estimable=[f"{t} ({b} before, {a} after; needs {min_side} each side)" for t, _, _, b, a in skipped],
    )


def report_outcomes(corpus: Corpus) -> tuple[pd.DataFrame, list[str]]:
    """Per-report 0/1 outcomes the template could have changed, and their names.

    Structural outcomes come from the parse tables; ``defect_<rule>`` (the scorer found the rule in the
    report) and ``composite_100`` (score / 100) are added when the score stage has run.
    """
    rf = report_frame(corpus)
    rf["lessons_learned"] = rf["has_lessons_learned"].astype(float)
    rf["root_cause_section"] = rf["has_root_cause"].astype(float)
    rf["all_items_dated"] = np.where(rf["n_items"] > 0, (rf["n_items_dated"] == rf["n_items"]).astype(float), np.nan)
    rf["timeline_all_timed"] = np.where(
        rf["n_events"] > 0, (rf["n_events_timed"] == rf["n_events"]).astype(float), np.nan
    )
    outcomes = ["lessons_learned", "root_cause_section", "all_items_dated", "timeline_all_timed"]
    findings = corpus.table("findings")
    if not findings.empty:
        for rule in sorted(findings["rule"].unique()):
            hit = set(findings.loc[findings["rule"] == rule, "comment_id"])
            rf[f"defect_{rule}"] = rf["comment_id"].isin(hit).astype(float)
            outcomes.append(f"defect_{rule}")
    if has_scores(rf):
        rf["composite_100"] = rf["composite"] / 100
        outcomes.append("composite_100")
    return rf, outcomes


def fit_many(panel: pd.DataFrame, outcomes: list[str], **kwargs) -> pd.DataFrame:
    """``fit_its`` for several outcomes, stacked into one table (outcome, term, estimate, interval...)."""
    parts = []
    for outcome in outcomes:
        if panel[outcome].notna().sum() == 0:
            continue
        result = fit_its(panel, outcome, **kwargs)
        parts.append(result.steps.assign(outcome=outcome, n=result.n, n_clusters=result.n_clusters))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    return out[["outcome", *[c for c in out.columns if c != "outcome"]]]


def _step_estimates(panel: pd.DataFrame, outcome: str, breaks: dict[str, date] | None,
                    placebos: dict[str, date] | None) -> dict[str, float]:  # fmt: skip
    """Point estimates of the estimable steps only (no standard errors): one bootstrap draw's refit."""
    x, y, _, steps, _ = _design(panel, outcome, breaks, placebos, "creation_time", "ca_owner", True, MIN_SIDE)
    beta = np.linalg.lstsq(x.to_numpy(dtype=float), y, rcond=None)[0]
    names = list(x.columns)
    return {term: float(beta[names.index(term)]) for term, *_ in steps}


def corrected_steps(corpus: Corpus, panel: pd.DataFrame, steps: pd.DataFrame, corrector: Corrector,
                    n_boot: int = 200, breaks: dict[str, date] | None = None,
                    placebos: dict[str, date] | None = None) -> pd.DataFrame:  # fmt: skip
    """Does each step in a detector outcome (``defect_<rule>``) survive correcting for the detector's errors?

    The corrected outcome of a report is P(at least one true defect | its flags) (``misclass``); the step is
    refitted on it, and its 95 % interval comes from a bootstrap that redraws whole CAs (the clusters of the
    observed model, each drawn copy a CA of its own) and the detector's gold rows. The observed estimate and
    interval are the CA-clustered jackknife ones of ``steps`` (fitted with the same ``breaks`` and
    ``placebos``); ``verdict`` says whether the conclusion holds.
    """
    rows = []
    for rule in DETECTOR_UNITS:
        outcome = f"defect_{rule}"
        observed = steps[steps["outcome"] == outcome] if not steps.empty else steps
        if observed.empty:
            continue
        status = corrector.status(rule)
        corrected = {t: (np.nan, np.nan, np.nan) for t in observed["term"]}
        if not status:
            corrected, status = _bootstrap_steps(corpus, panel, rule, corrector, n_boot, (breaks, placebos))
        for row in observed.itertuples():
            est = corrected.get(row.term, (np.nan, np.nan, np.nan))
            rows.append({"outcome": outcome, "term": row.term, "kind": row.kind, "estimate": row.estimate,
                         "ci_low": row.ci_low, "ci_high": row.ci_high, "corrected": est[0], "corrected_low": est[1],
                         "corrected_high": est[2], "correction": status,
                         "verdict": verdict((row.estimate, row.ci_low, row.ci_high), est, status)})  # fmt: skip
    return pd.DataFrame(rows, columns=["outcome", "term", "kind", "estimate", "ci_low", "ci_high", "corrected",
                                       "corrected_low", "corrected_high", "correction", "verdict"])  # fmt: skip


def _bootstrap_steps(corpus: Corpus, panel: pd.DataFrame, rule: str, corrector: Corrector, n_boot: int,
                     dates: tuple) -> tuple[dict[str, tuple[float, float, float]], str]:  # fmt: skip
    """Corrected step estimates with cluster-and-gold bootstrap intervals, and the correction's status."""
    acc = corrector.accuracy[rule]
    units = report_units(corpus, panel, rule)
    base = panel[["creation_time", "ca_owner"]].reset_index(drop=True)
    everyone = np.ones((1, len(units)))
    point = report_probabilities(everyone, units, acc.rates(np.arange(len(acc.gold))[None, :]))[1][0]
    estimates = _step_estimates(base.assign(corrected=point), "corrected", *dates)
    rng = seeded(corrector.seed, rule, "its")
    cas = sorted(base["ca_owner"].astype(str).unique())
    rows_of = {ca: np.flatnonzero(base["ca_owner"].astype(str).to_numpy() == ca) for ca in cas}
    draws: dict[str, list[float]] = {term: [] for term in estimates}
    for _ in range(n_boot):
        picked = rng.integers(0, len(cas), len(cas))
        index = np.concatenate([rows_of[cas[i]] for i in picked])
        labels = np.concatenate([[f"{cas[i]}#{j}"] * len(rows_of[cas[i]]) for j, i in enumerate(picked)])
        weights = np.bincount(index, minlength=len(units))[None, :].astype(float)
        rates = acc.rates(rng.integers(0, len(acc.gold), size=(1, len(acc.gold))))
        probability = report_probabilities(weights, units, rates)[1][0]
        sample = base.iloc[index].assign(ca_owner=labels, corrected=probability[index])
        fitted = _step_estimates(sample, "corrected", *dates) if np.isfinite(probability[index]).all() else {}
        for term in draws:
            draws[term].append(fitted.get(term, np.nan))
    out, undefined = {}, 0.0
    for term, values in draws.items():
        v = np.asarray(values)
        finite = v[np.isfinite(v)]
        undefined = max(undefined, 1 - len(finite) / len(v))
        low, high = np.percentile(finite, [2.5, 97.5]) if len(finite) else (np.nan, np.nan)
        out[term] = (estimates[term], float(low), float(high))
    status = "corrected" if undefined == 0 else f"corrected ({undefined:.0%} of bootstrap draws left out)"
    return out, status


def plant_effect(
    panel: pd.DataFrame,
    outcome: str,
    break_date: date,
    effect: float,
    *,
    base_rate: float = 0.5,
    ca_sd: float = 0.1,
    trend_per_year: float = 0.0,
    seed: int = 0,
    time_col: str = "creation_time",
    group_col: str = "ca_owner",
) -> pd.DataFrame:
    """A variant of ``panel`` whose 0/1 ``outcome`` is redrawn with a known step of ``effect`` at ``break_date``.

    Each CA gets its own baseline (sd ``ca_sd``) and there is an optional linear trend, so the planted step is
    what a correct model must recover; nothing changes at any other date.
    """
    rng = np.random.default_rng(seed)
    out = panel.sort_values([time_col, group_col], kind="mergesort").reset_index(drop=True).copy()
    cas = sorted(out[group_col].astype(str).unique())
    offsets = dict(zip(cas, rng.normal(0.0, ca_sd, len(cas)), strict=True))
    times = pd.to_datetime(out[time_col])
    years = _years(times, times.min())
    p = base_rate + out[group_col].astype(str).map(offsets).to_numpy() + trend_per_year * years
    p = p + effect * (times >= pd.Timestamp(break_date)).to_numpy()
    out[outcome] = (rng.random(len(out)) < np.clip(p, 0.01, 0.99)).astype(float)
    return out


def resample_panel(panel: pd.DataFrame, n: int, *, jitter_days: int = 30, seed: int = 0,
                   time_col: str = "creation_time", group_col: str = "ca_owner") -> pd.DataFrame:  # fmt: skip
    """A larger variant of a real panel: (CA, date) pairs drawn with replacement, dates jittered by up to
    ``jitter_days``, so a planted effect can be checked on the corpus's own mix of CAs and dates."""
    rng = np.random.default_rng(seed)
    base = panel[[time_col, group_col]].dropna().sort_values([time_col, group_col], kind="mergesort")
    picks = base.iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
    shift = pd.to_timedelta(rng.integers(-jitter_days, jitter_days + 1, n), unit="D")
    picks[time_col] = pd.to_datetime(picks[time_col]) + shift
    return picks.sort_values([time_col, group_col], kind="mergesort").reset_index(drop=True)


def synthetic_panel(n: int = 1500, n_cas: int = 12, start: str = "2021-01-01", end: str = "2026-09-30",
                    seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """Report dates and CAs only (uniform dates; a few CAs report far more than others, as in reality)."""
    rng = np.random.default_rng(seed)
    lo, hi = pd.Timestamp(start).value, pd.Timestamp(end).value
    times = pd.to_datetime(np.sort(rng.integers(lo, hi, n)))
    weights = rng.pareto(1.5, n_cas) + 0.2
    cas = rng.choice([f"CA {i:02d}" for i in range(n_cas)], size=n, p=weights / weights.sum())
    return pd.DataFrame({"creation_time": times, "ca_owner": cas})


def plot_steps(table: pd.DataFrame, title: str, xlabel: str) -> Figure:
    """Estimated steps at each version and placebo date with 95% intervals (zero marked)."""
    import matplotlib.pyplot as plt

    data = table.iloc[::-1].reset_index(drop=True)
    labels = [f"{o}: {t}" if "outcome" in data.columns else t for o, t in
              zip(data.get("outcome", data["term"]), data["term"], strict=True)]  # fmt: skip
    y = np.arange(len(data))
    fig, ax = plt.subplots(figsize=(8.0, max(3.0, 0.32 * len(data) + 1.2)))
    colours = np.where(data["kind"] == "placebo", "#b0702f", "#3b6ea5")
    for yi, row, colour in zip(y, data.itertuples(), colours, strict=True):
        ax.plot([row.ci_low, row.ci_high], [yi, yi], color=colour, lw=2)
        ax.plot(row.estimate, yi, "o", color=colour)
    ax.axvline(0, color="0.3", lw=1)
    ax.plot([], [], "o-", color="#3b6ea5", label="template version (95% CI)")
    ax.plot([], [], "o-", color="#b0702f", label="placebo date (95% CI)")
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("outcome: step")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def plot_series(panel: pd.DataFrame, outcomes: list[str], breaks: dict[str, date] | None = None,
                time_col: str = "creation_time") -> Figure:  # fmt: skip
    """Quarterly share of each outcome with the version dates marked: the raw picture behind the model."""
    import matplotlib.pyplot as plt

    breaks = dict(VERSION_DATES) if breaks is None else breaks
    rows = max(1, int(np.ceil(len(outcomes) / 2)))
    fig, axes = plt.subplots(rows, 2, figsize=(12.0, 3.4 * rows), squeeze=False)
    for ax in axes.flat[len(outcomes) :]:
        ax.set_visible(False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        data = panel[[time_col, outcome]].dropna()
        series = data.set_index(pd.to_datetime(data[time_col]))[outcome].astype(float).resample("QS").mean()
        ax.plot(series.index, series, "o-", ms=3, color="#3b6ea5", label="quarterly share")
        for i, (name, day) in enumerate(sorted(breaks.items(), key=lambda kv: kv[1])):
            ax.axvline(
                pd.Timestamp(day), color="0.5", ls="--", lw=1, label="CCADB version effective" if i == 0 else None
            )
            ax.annotate(name, (pd.Timestamp(day), 1.0), xycoords=("data", "axes fraction"), fontsize=6, rotation=90,
                        va="top", ha="right")  # fmt: skip
        ax.set_title(outcome, fontsize=9)
        ax.set_xlabel("date posted (quarter)")
        ax.set_ylabel("share of reports (0-1)")
        ax.legend(loc="best", fontsize=6)
    fig.suptitle("Report contents over time, with template version dates", fontweight="bold")
    fig.tight_layout()
    return fig
