"""Rates from findings, corrected for the detectors' own errors (Rogan–Gladen), with honest intervals.

A detector that misses a third of vague action items and flags a tenth of good ones turns a true share of 30 %
into an observed 27 %; compare two eras or two CAs whose texts it reads differently and the difference may be
the detector's. Each NLP detector's sensitivity and specificity on real report text come from the held-out
gold outcomes (``ca_incidents.score.accuracy.load_outcomes``: one row per detector and real reference, with
``gold`` = the finding should fire and ``predicted`` = it fired). With them a share is reported twice:

* **observed**: the share as the detector sees it, with a Wilson 95 % interval and ``n``;
* **corrected**: ``(observed + specificity - 1) / (sensitivity + specificity - 1)``, clipped to [0, 1]
  (Rogan and Gladen, 1978). It is undefined when sensitivity + specificity <= 1 (the detector is no better
  than a coin there), and said so.

Two levels are corrected. The detectors judge *units* (action items, root causes), so the unit share is the
direct Rogan–Gladen estimate. A *report* has a defect when any of its units has one; its corrected share is the
mean over reports of P(at least one true defect | the flags), with each unit's chance of being defective given
its flag (the positive and negative predictive values) taken from the corrected unit share of its era. That
step assumes a report's units are defective independently of each other given the era; when defects cluster
in reports it overstates the report share of reports with no flag.

**Accuracy by era.** A template change changes wording, and so what a detector catches. An era uses its own
sensitivity and specificity when the gold outcomes hold at least ``MIN_ERA_ROWS`` positive and as many
negative rows for it (gold eras are coarser: ``v2.0`` reads ``v2``); otherwise the pooled figures over all
gold rows of the detector. The rule is applied once, on the full gold data, and kept in every bootstrap draw.

**Intervals.** A seeded bootstrap draws the corpus reports (whole reports, so units stay together) and the gold
rows, both with replacement, and recomputes the corrected share; the 2.5 and 97.5 percentiles are the 95 %
interval, so it carries both the corpus's sampling noise and the uncertainty of the accuracy figures. Draws in
which the correction is undefined are left out and counted.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ca_incidents.analysis.intervals import wilson_interval

if TYPE_CHECKING:
    from ca_incidents.analysis.loaders import Corpus

# the NLP detectors whose real-text accuracy is measured, and the parse table holding the units they judge
DETECTOR_UNITS = {
    "vague-action": "action_items",
    "missing-timebound": "action_items",
    "restated-root-cause": "root_causes",
    "human-error-root-cause": "root_causes",
}
MIN_ERA_ROWS = 10  # gold positives, and as many negatives, an era needs to use its own accuracy
N_BOOT = 1000
POOLED = "all eras"
NOT_MEASURED = "no real-text accuracy measured yet for {detector}"
UNDEFINED = "correction undefined for {detector}: sensitivity + specificity <= 1 (no better than chance)"
NO_RULE_ACCURACY = "no real-text accuracy for this rule (not an NLP detector); observed only"
# a bootstrap interval needs most draws to be defined; otherwise it is not reported
MIN_DEFINED_DRAWS = 0.9


def accuracy_era(era: str | None) -> str:
    """The gold data's era for a corpus era: ``legacy`` stays, ``v2.0`` becomes ``v2``, ``v3.1`` ``v3``."""
    if not isinstance(era, str) or not era:
        return ""
    return era.split(".")[0]


def _sens_spec(gold: np.ndarray, predicted: np.ndarray, mask: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Sensitivity and specificity along the last axis (NaN where there is no positive or no negative)."""
    g = gold.astype(bool)
    p = predicted.astype(bool)
    m = np.ones_like(g) if mask is None else mask
    pos, neg = (g & m).sum(-1), (~g & m).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sens = np.where(pos > 0, (g & p & m).sum(-1) / np.maximum(pos, 1), np.nan)
        spec = np.where(neg > 0, (~g & ~p & m).sum(-1) / np.maximum(neg, 1), np.nan)
    return sens, spec


@dataclass(frozen=True)
class DetectorAccuracy:
    """One detector's gold outcome rows and which eras have enough of them for their own accuracy."""

    detector: str
    gold: np.ndarray
    predicted: np.ndarray
    era: np.ndarray  # gold era of each row
    own_eras: tuple[str, ...]

    @classmethod
    def from_outcomes(cls, detector: str, outcomes: pd.DataFrame) -> DetectorAccuracy:
        """Rows of one detector; an era gets its own accuracy with ``MIN_ERA_ROWS`` positives and negatives."""
        rows = outcomes[outcomes["detector"] == detector].sort_values("ref_id", kind="mergesort")
        gold = rows["gold"].to_numpy(dtype=int)
        era = rows["era"].fillna("").astype(str).to_numpy()
        own = tuple(sorted(
            e for e in set(era) if e and ((gold == 1) & (era == e)).sum() >= MIN_ERA_ROWS
            and ((gold == 0) & (era == e)).sum() >= MIN_ERA_ROWS
        ))  # fmt: skip
        return cls(detector, gold, rows["predicted"].to_numpy(dtype=int), era, own)

    @property
    def measured(self) -> bool:
        """Whether the gold rows hold at least one positive and one negative (both rates estimable)."""
        return bool((self.gold == 1).any() and (self.gold == 0).any())

    def basis(self, eras: list[str] | None = None) -> str:
        """In words, which accuracy figures a set of corpus eras uses."""
        own = [e for e in self.own_eras if eras is None or e in {accuracy_era(x) for x in eras}]
        return f"per era ({', '.join(own)}), else pooled" if own else "pooled over eras"

    def rates(self, idx: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Sensitivity and specificity per draw (rows of ``idx`` index the gold rows): pooled and per own era."""
        gold, predicted, era = self.gold[idx], self.predicted[idx], self.era[idx]
        out = {POOLED: _sens_spec(gold, predicted)}
        for e in self.own_eras:
            out[e] = _sens_spec(gold, predicted, era == e)
        return out


def rogan_gladen(observed: np.ndarray | float, sens: np.ndarray | float,
                 spec: np.ndarray | float) -> np.ndarray:  # fmt: skip
    """Corrected prevalence, clipped to [0, 1]; NaN where sensitivity + specificity <= 1."""
    obs, se, sp = (np.asarray(a, dtype=float) for a in (observed, sens, spec))
    j = se + sp - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(j > 0, np.clip((obs + sp - 1) / j, 0.0, 1.0), np.nan)


def _predictive_values(p: np.ndarray, sens: np.ndarray, spec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(defect | flagged) and P(clean | not flagged) for unit prevalence ``p``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        flagged = sens * p + (1 - spec) * (1 - p)
        clean = spec * (1 - p) + (1 - sens) * p
        ppv = np.where(flagged > 0, sens * p / np.where(flagged > 0, flagged, 1), 0.0)
        npv = np.where(clean > 0, spec * (1 - p) / np.where(clean > 0, clean, 1), 0.0)
    return ppv, npv


def report_probabilities(weights: np.ndarray, units: pd.DataFrame,
                         rates: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per draw: the corrected unit share, and each report's P(at least one true defect | its flags).

    Row ``d`` of ``weights`` says how often each report is drawn in draw ``d``; ``rates`` holds that draw's
    sensitivity and specificity (pooled, and per era with enough gold rows). A report's probability uses the
    corrected unit share of its era in the same draw.
    """
    n = units["n_units"].to_numpy(dtype=float)
    k = units["n_flagged"].to_numpy(dtype=float)
    eras = units["era"].to_numpy()
    draws = weights.shape[0]
    unit_num, unit_den = np.zeros(draws), np.zeros(draws)
    report_p = np.zeros_like(weights, dtype=float)
    for era in sorted(set(eras)):
        cols = eras == era
        sens, spec = rates.get(accuracy_era(era), rates[POOLED])
        n_e, k_e = weights[:, cols] @ n[cols], weights[:, cols] @ k[cols]
        with np.errstate(invalid="ignore", divide="ignore"):
            p_e = rogan_gladen(np.where(n_e > 0, k_e / np.maximum(n_e, 1), 0.0), sens, spec)
        unit_num += np.where(n_e > 0, p_e * n_e, 0.0)
        unit_den += n_e
        ppv, npv = _predictive_values(p_e, sens, spec)
        clean = (1 - ppv)[:, None] ** k[cols] * npv[:, None] ** (n[cols] - k[cols])
        report_p[:, cols] = np.where(n[cols] > 0, 1 - clean, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit_share = unit_num / np.where(unit_den > 0, unit_den, np.nan)
    return unit_share, report_p


def _corrected(weights: np.ndarray, units: pd.DataFrame,
               rates: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Corrected unit and report shares for each draw."""
    unit_share, report_p = report_probabilities(weights, units, rates)
    return unit_share, (weights * report_p).sum(1) / weights.sum(1)


def _interval(draws: np.ndarray) -> tuple[float, float, float]:
    """95 % percentile interval of the defined draws, and the share of draws that were undefined."""
    finite = draws[np.isfinite(draws)]
    undefined = 1 - len(finite) / len(draws) if len(draws) else 1.0
    if len(finite) == 0 or undefined > 1 - MIN_DEFINED_DRAWS:
        return np.nan, np.nan, undefined
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high), undefined


def seeded(seed: int, *key: str) -> np.random.Generator:
    """A generator for one estimate: fixed by the run's seed and the estimate's name, not by call order."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode("utf-8")) for k in key)])


class Corrector:
    """Detector accuracy from the gold outcomes, and shares of units and reports corrected with it."""

    def __init__(self, outcomes: pd.DataFrame, seed: int, n_boot: int = N_BOOT):
        self.outcomes = outcomes
        self.seed, self.n_boot = seed, n_boot
        self.accuracy = {d: DetectorAccuracy.from_outcomes(d, outcomes) for d in DETECTOR_UNITS}

    def status(self, detector: str) -> str:
        """``""`` when the detector's rates can be corrected, else the reason in words."""
        if detector not in self.accuracy:
            return NO_RULE_ACCURACY
        acc = self.accuracy[detector]
        if not acc.measured:
            return NOT_MEASURED.format(detector=detector)
        sens, spec = (float(v[0]) for v in acc.rates(np.arange(len(acc.gold))[None, :])[POOLED])
        return UNDEFINED.format(detector=detector) if sens + spec <= 1 else ""

    def accuracy_table(self) -> pd.DataFrame:
        """Per detector, pooled and per gold era: gold rows, sensitivity and specificity with Wilson intervals."""
        rows = []
        for detector, acc in self.accuracy.items():
            groups = [(POOLED, np.ones(len(acc.gold), dtype=bool))]
            groups += [(e, acc.era == e) for e in sorted(set(acc.era)) if e]
            for label, mask in groups:
                g, p = acc.gold[mask], acc.predicted[mask]
                pos, neg = int((g == 1).sum()), int((g == 0).sum())
                tp, tn = int(((g == 1) & (p == 1)).sum()), int(((g == 0) & (p == 0)).sum())
                (s_lo, p_lo), (s_hi, p_hi) = wilson_interval(np.array([tp, tn]), np.array([pos, neg]))
                used = "pooled" if label == POOLED else ("own" if label in acc.own_eras else "pooled instead")
                rows.append({
                    "detector": detector, "era": label, "gold_positive": pos, "gold_negative": neg,
                    "sensitivity": tp / pos if pos else np.nan, "sens_low": s_lo, "sens_high": s_hi,
                    "specificity": tn / neg if neg else np.nan, "spec_low": p_lo, "spec_high": p_hi,
                    "accuracy_used": used if pos + neg else "not measured",
                })  # fmt: skip
        return pd.DataFrame(rows)

    def difference(self, detector: str, first: pd.DataFrame, second: pd.DataFrame, key: str = "") -> dict:
        """Change in the share of flagged reports from ``first`` to ``second`` (e.g. earliest and latest era).

        Observed and corrected changes both get percentile intervals from one bootstrap that redraws the
        reports of each group and, for the corrected change, the gold rows once per draw for both groups (the
        accuracy's uncertainty is shared by the two shares, so it partly cancels in their difference).
        """
        rng = seeded(self.seed, detector, "difference", key)
        draws = []
        for units in (first, second):
            weights = rng.multinomial(len(units), np.full(len(units), 1 / len(units)), size=self.n_boot)
            draws.append((units, weights))
        observed = [(w * (u["n_flagged"].to_numpy() > 0)).sum(1) / len(u) for u, w in draws]
        obs_draws = observed[1] - observed[0]
        est = float((second["n_flagged"] > 0).mean() - (first["n_flagged"] > 0).mean())
        low, high, _ = _interval(obs_draws)
        row = {"detector": detector, "n_first": len(first), "n_second": len(second), "observed_change": est,
               "observed_low": low, "observed_high": high, "corrected_change": np.nan, "corrected_low": np.nan,
               "corrected_high": np.nan, "correction": self.status(detector)}  # fmt: skip
        if not row["correction"]:
            acc = self.accuracy[detector]
            idx = rng.integers(0, len(acc.gold), size=(self.n_boot, len(acc.gold)))
            point, rates = acc.rates(np.arange(len(acc.gold))[None, :]), acc.rates(idx)
            pts = [_corrected(np.ones((1, len(u))), u, point)[1][0] for u, _ in draws]
            shares = [_corrected(w, u, rates)[1] for u, w in draws]
            c_low, c_high, undefined = _interval(shares[1] - shares[0])
            status = "corrected" if undefined <= 1 - MIN_DEFINED_DRAWS else (
                f"no interval: the correction was undefined in {undefined:.0%} of bootstrap draws")
            row.update({"corrected_change": float(pts[1] - pts[0]), "corrected_low": c_low,
                        "corrected_high": c_high, "correction": status})  # fmt: skip
        row["verdict"] = verdict((est, low, high), (row["corrected_change"], row["corrected_low"],
                                 row["corrected_high"]), row["correction"])  # fmt: skip
        return row

    def share(self, detector: str, units: pd.DataFrame, key: str = "") -> dict[str, object]:
        """Observed and corrected shares of units and of reports flagged by ``detector``.

        ``units`` has one row per report: ``era`` (corpus era), ``n_units`` judged and ``n_flagged`` of them
        flagged. ``key`` names the estimate so its bootstrap stream does not depend on the order of calls.
        """
        n, k = units["n_units"].to_numpy(dtype=int), units["n_flagged"].to_numpy(dtype=int)
        flagged_reports = int((k > 0).sum())
        (r_lo, u_lo), (r_hi, u_hi) = wilson_interval(np.array([flagged_reports, k.sum()]),
                                                     np.array([len(units), n.sum()]))  # fmt: skip
        row: dict[str, object] = {
            "detector": detector, "reports": len(units), "reports_flagged": flagged_reports,
            "report_share": flagged_reports / len(units) if len(units) else np.nan,
            "report_ci_low": r_lo, "report_ci_high": r_hi,
            "report_corrected": np.nan, "report_corrected_low": np.nan, "report_corrected_high": np.nan,
            "units": int(n.sum()), "units_flagged": int(k.sum()),
            "unit_share": k.sum() / n.sum() if n.sum() else np.nan, "unit_ci_low": u_lo, "unit_ci_high": u_hi,
            "unit_corrected": np.nan, "unit_corrected_low": np.nan, "unit_corrected_high": np.nan,
            "accuracy": "", "correction": self.status(detector),
        }  # fmt: skip
        if row["correction"] or len(units) == 0:
            return row
        acc = self.accuracy[detector]
        row["accuracy"] = acc.basis(list(units["era"]))
        point_rates = acc.rates(np.arange(len(acc.gold))[None, :])
        unit_pt, report_pt = _corrected(np.ones((1, len(units))), units, point_rates)
        rng = seeded(self.seed, detector, key)
        weights = rng.multinomial(len(units), np.full(len(units), 1 / len(units)), size=self.n_boot)
        draw_rates = acc.rates(rng.integers(0, len(acc.gold), size=(self.n_boot, len(acc.gold))))
        unit_draws, report_draws = _corrected(weights, units, draw_rates)
        u_lo, u_hi, undefined = _interval(unit_draws)
        r_lo, r_hi, _ = _interval(report_draws)
        row.update({"unit_corrected": float(unit_pt[0]), "unit_corrected_low": u_lo, "unit_corrected_high": u_hi,
                    "report_corrected": float(report_pt[0]), "report_corrected_low": r_lo,
                    "report_corrected_high": r_hi})  # fmt: skip
        if not np.isfinite(unit_pt[0]):
            row["correction"] = UNDEFINED.format(detector=detector) + " in an era of this selection"
        elif undefined > 1 - MIN_DEFINED_DRAWS:
            row["correction"] = f"no interval: the correction was undefined in {undefined:.0%} of bootstrap draws"
        elif undefined > 0:
            row["correction"] = f"corrected ({undefined:.1%} of bootstrap draws undefined, left out)"
        else:
            row["correction"] = "corrected"
        return row


def verdict(observed: tuple[float, float, float], corrected: tuple[float, float, float], status: str) -> str:
    """Whether a conclusion drawn from observed findings survives the correction, in words.

    A conclusion is an observed effect whose 95 % interval excludes 0. It survives when the corrected effect
    has the same sign and its interval (which carries the accuracy's uncertainty too) also excludes 0.
    """
    est, low, high = observed
    if not (low > 0 or high < 0):
        return "no conclusion to test (observed interval includes 0)"
    if status and not status.startswith("corrected"):
        return f"unchecked: {status}"
    c_est, c_low, c_high = corrected
    if not np.isfinite(c_est) or not (np.isfinite(c_low) and np.isfinite(c_high)):
        return "unchecked: the correction gave no interval"
    if np.sign(c_est) != np.sign(est):
        return "DOES NOT SURVIVE: the corrected effect has the opposite sign"
    if c_low <= 0 <= c_high:
        return "DOES NOT SURVIVE: the corrected interval includes 0"
    return "survives"


def report_units(corpus: Corpus, reports: pd.DataFrame, detector: str) -> pd.DataFrame:
    """Per report: units the detector judges (action items or root causes) and how many it flagged.

    ``reports`` is ``quality.report_frame`` output (``comment_id``, ``era_in_force``). A report's flagged count
    is its findings of the detector's rule, capped at its units (one finding per unit).
    """
    table = corpus.table(DETECTOR_UNITS[detector])
    findings = corpus.table("findings")
    n = table.groupby("comment_id").size() if not table.empty else pd.Series(dtype="int64")
    hits = findings[findings["rule"] == detector].groupby("comment_id").size() if not findings.empty else n.iloc[:0]
    out = reports[["comment_id", "era_in_force"]].rename(columns={"era_in_force": "era"}).copy()
    out["n_flagged"] = out["comment_id"].map(hits).fillna(0).astype("int64")
    out["n_units"] = np.maximum(out["comment_id"].map(n).fillna(0).astype("int64"), out["n_flagged"])
    return out


def corrected_shares(corrector: Corrector, corpus: Corpus, reports: pd.DataFrame, by: str | None = None,
                     detectors: tuple[str, ...] = tuple(DETECTOR_UNITS)) -> pd.DataFrame:  # fmt: skip
    """Every detector's observed and corrected shares, overall or per ``by`` (a column of ``reports``)."""
    rows = []
    for detector in detectors:
        units = report_units(corpus, reports, detector)
        groups = [("all", units)] if by is None else units.groupby(reports[by].to_numpy(), sort=True)
        for key, group in groups:
            rows.append({by or "scope": key, **corrector.share(detector, group, key=f"{by}={key}")})
    return pd.DataFrame(rows)
