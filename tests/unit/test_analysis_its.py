"""The interrupted time series recovers a planted step at a version date and finds none at placebo dates."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ca_incidents.analysis.its import DEFAULT_PLACEBOS, fit_its, fit_many, plant_effect, synthetic_panel
from ca_incidents.analysis.loaders import VERSION_DATES

V2 = VERSION_DATES["v2.0"]
EFFECT = -0.30


def _fit(seed: int, effect: float = EFFECT, **kwargs) -> pd.DataFrame:
    panel = synthetic_panel(n=1500, seed=seed)
    planted = plant_effect(panel, "defect", V2, effect, seed=seed, trend_per_year=0.03, ca_sd=0.12, **kwargs)
    return fit_its(planted, "defect").steps.set_index("term")


def test_planted_step_is_recovered_and_placebos_contain_zero():
    """One fixed draw (as the notebook shows it); the calibration test below covers twenty others."""
    steps = _fit(seed=0)
    v2 = steps.loc["v2.0"]
    assert v2["ci_low"] <= EFFECT <= v2["ci_high"]
    assert v2["ci_high"] < 0, "a 30-point drop on 1,500 reports must be distinguishable from zero"
    for term in DEFAULT_PLACEBOS:
        assert steps.loc[term, "ci_low"] <= 0 <= steps.loc[term, "ci_high"], term


def test_no_planted_effect_gives_interval_around_zero():
    steps = _fit(seed=11, effect=0.0)
    assert steps.loc["v2.0", "ci_low"] <= 0 <= steps.loc["v2.0", "ci_high"]
    assert abs(steps.loc["v2.0", "estimate"]) < 0.1


def test_intervals_cover_the_planted_effect_in_most_replications():
    """Calibration over seeds: the version step's 95% interval covers the truth, the placebos' cover zero."""
    fits = [_fit(seed=s) for s in range(20)]
    covered = sum(bool(f.loc["v2.0", "ci_low"] <= EFFECT <= f.loc["v2.0", "ci_high"]) for f in fits)
    placebo_ok = sum(bool(f.loc[t, "ci_low"] <= 0 <= f.loc[t, "ci_high"]) for f in fits for t in DEFAULT_PLACEBOS)
    assert covered >= 17
    assert placebo_ok >= 34  # of 40


def test_fixed_effects_absorb_a_change_in_which_cas_report():
    """Only a high-baseline CA reports after the break: without CA effects that shift looks like a step."""
    rng = np.random.default_rng(3)
    times = pd.to_datetime(np.sort(rng.integers(pd.Timestamp("2022-01-01").value, pd.Timestamp("2025-06-01").value,
                                                2000)))  # fmt: skip
    after = times >= pd.Timestamp(V2)
    cas = np.where(after & (rng.random(2000) < 0.6), "Busy CA", rng.choice(["A", "B", "C", "D", "E"], 2000))
    base = np.where(cas == "Busy CA", 0.8, 0.3)
    panel = pd.DataFrame({"creation_time": times, "ca_owner": cas, "defect": (rng.random(2000) < base) * 1.0})
    breaks = {"v2.0": V2}
    with_fe = fit_its(panel, "defect", breaks, {}).steps.set_index("term").loc["v2.0"]
    without = fit_its(panel, "defect", breaks, {}, fixed_effects=False).steps.set_index("term").loc["v2.0"]
    assert with_fe["ci_low"] <= 0 <= with_fe["ci_high"]
    assert with_fe["estimate"] < without["estimate"] - 0.1
    assert without["estimate"] > 0.15, "the composition shift biases the model without CA effects"


def test_step_with_too_few_reports_on_one_side_is_not_estimated():
    panel = plant_effect(synthetic_panel(n=300, end="2026-03-25", seed=1), "defect", V2, 0.0, seed=1)
    result = fit_its(panel, "defect", min_side=5)
    assert "v3.2" not in set(result.steps["term"])
    assert any(item.startswith("v3.2") for item in result.not_estimable)


def test_same_input_gives_the_same_estimates():
    a, b = _fit(seed=5), _fit(seed=5)
    pd.testing.assert_frame_equal(a, b)


def test_fit_many_stacks_outcomes_and_skips_empty_ones():
    panel = plant_effect(synthetic_panel(n=400, seed=2), "defect", V2, 0.2, seed=2)
    panel["empty"] = np.nan
    table = fit_many(panel, ["defect", "empty"])
    assert set(table["outcome"]) == {"defect"}
    assert {"v2.0", *DEFAULT_PLACEBOS} <= set(table["term"])


@pytest.mark.parametrize("day", [date(2023, 10, 17)])
def test_planted_variant_changes_only_after_the_break(day):
    panel = synthetic_panel(n=4000, seed=9)
    planted = plant_effect(panel, "defect", day, 0.4, base_rate=0.3, ca_sd=0.0, seed=9)
    after = pd.to_datetime(planted["creation_time"]) >= pd.Timestamp(day)
    assert planted.loc[after, "defect"].mean() - planted.loc[~after, "defect"].mean() == pytest.approx(0.4, abs=0.05)


def _detector_panel(true_after: float, sens_before: float, sens_after: float, spec: float = 0.9, seed: int = 0):
    """Reports with one action item each; the true vague share is 0.6 before v2.0 and ``true_after`` from it.
    The detector's sensitivity changes at v2.0 too (new wording); gold outcomes per era show it."""
    from ca_incidents.analysis.loaders import Corpus, era_of
    from ca_incidents.analysis.misclass import accuracy_era

    rng = np.random.default_rng(seed)
    panel = synthetic_panel(n=2000, n_cas=30, seed=seed)
    panel["comment_id"] = np.arange(len(panel))
    panel["era_in_force"] = panel["creation_time"].apply(era_of)
    after = (panel["creation_time"] >= pd.Timestamp(VERSION_DATES["v2.0"])).to_numpy()
    true = rng.random(len(panel)) < np.where(after, true_after, 0.6)
    sens = np.where(after, sens_after, sens_before)
    flagged = np.where(true, rng.random(len(panel)) < sens, rng.random(len(panel)) > spec)
    panel["defect_vague-action"] = flagged.astype(float)
    findings = pd.DataFrame({"comment_id": panel.loc[flagged, "comment_id"], "rule": "vague-action"})
    items = pd.DataFrame({"comment_id": panel["comment_id"], "seq": 0})
    corpus = Corpus({"action_items": items, "findings": findings}, "0" * 64, "test")
    parts = []
    for era in ("legacy", "v1.0", "v2.0", "v3.0"):
        gold = (rng.random(120) < 0.5).astype(int)
        s = sens_after if era in ("v2.0", "v3.0") else sens_before
        predicted = np.where(gold == 1, rng.random(120) < s, rng.random(120) > spec).astype(int)
        parts.append(pd.DataFrame({"detector": "vague-action", "ref_id": [f"{era}-{i}" for i in range(120)],
                                   "split": "test", "era": accuracy_era(era), "ca_owner": "X", "year": 2024,
                                   "gold": gold, "predicted": predicted}))  # fmt: skip
    return corpus, panel, pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize(
    ("true_after", "sens_before", "sens_after", "survives"),
    [(0.3, 0.7, 0.7, True),  # a real drop, read by a detector with constant errors: attenuated, survives
     (0.6, 0.9, 0.5, False)],  # no real change; the detector misses more in the new wording: spurious drop
)  # fmt: skip
def test_template_step_in_a_detector_outcome_is_checked_against_the_correction(true_after, sens_before, sens_after,
                                                                               survives):  # fmt: skip
    from ca_incidents.analysis.its import corrected_steps
    from ca_incidents.analysis.misclass import Corrector

    corpus, panel, outcomes = _detector_panel(true_after, sens_before, sens_after)
    only_v2 = {"breaks": {"v2.0": VERSION_DATES["v2.0"]}, "placebos": {}}
    steps = fit_many(panel, ["defect_vague-action"], **only_v2)
    corrector = Corrector(outcomes, seed=3)
    assert corrector.accuracy["vague-action"].own_eras == ("legacy", "v1", "v2", "v3")
    table = corrected_steps(corpus, panel, steps, corrector, n_boot=100, **only_v2)
    v2 = table.set_index("term").loc["v2.0"]
    assert v2["ci_high"] < 0, "the observed step is a conclusion (interval below 0)"
    truth = true_after - 0.6
    assert v2["corrected_low"] <= truth <= v2["corrected_high"]
    if survives:
        assert v2["verdict"] == "survives"
        assert v2["corrected"] < v2["estimate"], "the observed step is attenuated by the detector's errors"
    else:
        assert v2["verdict"].startswith("DOES NOT SURVIVE"), v2["verdict"]
