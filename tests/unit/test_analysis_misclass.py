"""Misclassification-aware shares: a planted detector error is recovered; naive shares are not; edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ca_incidents.analysis.misclass import (
    MIN_ERA_ROWS,
    Corrector,
    accuracy_era,
    rogan_gladen,
)

DETECTOR = "vague-action"
TRUE_UNIT_SHARE = 0.30
SENS, SPEC = 0.60, 0.90  # the planted detector misses 40 % of true defects and flags 10 % of clean units


def _planted(seed: int, reports: int = 300, gold_rows: int = 200, p: float = TRUE_UNIT_SHARE, sens: float = SENS,
             spec: float = SPEC, era: str = "v2.0") -> tuple[pd.DataFrame, pd.DataFrame, dict]:  # fmt: skip
    """A synthetic corpus judged by a detector with known errors, and gold outcomes from the same detector."""
    rng = np.random.default_rng(seed)
    n_units = rng.integers(1, 7, reports)
    true = [rng.random(n) < p for n in n_units]
    flags = [np.where(t, rng.random(len(t)) < sens, rng.random(len(t)) > spec) for t in true]
    units = pd.DataFrame({"era": era, "n_units": n_units, "n_flagged": [int(f.sum()) for f in flags]})
    gold = (rng.random(gold_rows) < 0.5).astype(int)
    predicted = np.where(gold == 1, rng.random(gold_rows) < sens, rng.random(gold_rows) > spec).astype(int)
    outcomes = pd.DataFrame({"detector": DETECTOR, "ref_id": [f"R{i:04d}" for i in range(gold_rows)],
                             "split": "test", "era": accuracy_era(era), "ca_owner": "X", "year": 2024,
                             "gold": gold, "predicted": predicted})  # fmt: skip
    truth = {"unit": float(np.concatenate(true).mean()), "report": float(np.mean([t.any() for t in true]))}
    return units, outcomes, truth


def test_planted_detector_error_is_recovered_by_the_corrected_interval_and_not_by_the_naive_one():
    runs, covered = 100, {"unit": 0, "report": 0, "naive_unit": 0, "naive_report": 0}
    for seed in range(runs):
        units, outcomes, truth = _planted(seed)
        row = Corrector(outcomes, seed=seed, n_boot=400).share(DETECTOR, units)
        assert row["correction"].startswith("corrected"), row["correction"]
        covered["unit"] += row["unit_corrected_low"] <= truth["unit"] <= row["unit_corrected_high"]
        covered["report"] += row["report_corrected_low"] <= truth["report"] <= row["report_corrected_high"]
        covered["naive_unit"] += row["unit_ci_low"] <= truth["unit"] <= row["unit_ci_high"]
        covered["naive_report"] += row["report_ci_low"] <= truth["report"] <= row["report_ci_high"]
    rates = {k: v / runs for k, v in covered.items()}
    print("coverage over", runs, "seeded runs:", rates)
    assert rates["unit"] >= 0.90 and rates["report"] >= 0.90, rates
    assert rates["naive_unit"] < 0.5 and rates["naive_report"] < 0.5, rates


def test_rogan_gladen_inverts_the_misclassification_and_clips():
    observed = SENS * 0.3 + (1 - SPEC) * 0.7
    assert rogan_gladen(observed, SENS, SPEC) == pytest.approx(0.3)
    assert rogan_gladen(0.01, SENS, SPEC) == 0.0  # below the false-positive floor: clipped, not negative
    assert rogan_gladen(0.99, SENS, SPEC) == 1.0
    assert np.isnan(rogan_gladen(0.4, 0.5, 0.5)) and np.isnan(rogan_gladen(0.4, 0.3, 0.6))


def test_empty_outcomes_say_not_measured_and_keep_the_observed_share():
    units, _, _ = _planted(1, reports=40)
    empty = pd.DataFrame(columns=["detector", "ref_id", "split", "era", "ca_owner", "year", "gold", "predicted"])
    row = Corrector(empty, seed=1).share(DETECTOR, units)
    assert row["correction"] == f"no real-text accuracy measured yet for {DETECTOR}"
    assert np.isnan(row["unit_corrected"]) and 0 <= row["unit_ci_low"] <= row["unit_share"] <= row["unit_ci_high"] <= 1
    assert Corrector(empty, seed=1).accuracy_table()["accuracy_used"].eq("not measured").all()


def test_a_detector_no_better_than_chance_is_reported_as_undefined():
    units, outcomes, _ = _planted(2, sens=0.4, spec=0.5)
    row = Corrector(outcomes, seed=2, n_boot=100).share(DETECTOR, units)
    assert "undefined" in row["correction"] and np.isnan(row["unit_corrected"])


def test_per_era_accuracy_is_used_where_the_gold_rows_suffice():
    """Two eras read very differently by the detector: per-era accuracy recovers both, pooled would not."""
    old_units, old_gold, old_truth = _planted(3, reports=400, gold_rows=300, sens=0.9, spec=0.95, era="legacy")
    new_units, new_gold, new_truth = _planted(4, reports=400, gold_rows=300, sens=0.5, spec=0.8, era="v3.1")
    new_gold["ref_id"] = "N" + new_gold["ref_id"]
    corrector = Corrector(pd.concat([old_gold, new_gold], ignore_index=True), seed=5, n_boot=300)
    assert corrector.accuracy[DETECTOR].own_eras == ("legacy", "v3")
    both = pd.concat([old_units, new_units], ignore_index=True)
    row = corrector.share(DETECTOR, both)
    truth = (old_truth["unit"] * old_units["n_units"].sum() + new_truth["unit"] * new_units["n_units"].sum()) / (
        both["n_units"].sum())
    assert row["accuracy"].startswith("per era")
    assert row["unit_corrected_low"] <= truth <= row["unit_corrected_high"]


def test_an_era_with_few_gold_rows_falls_back_to_pooled_accuracy():
    _, outcomes, _ = _planted(6, gold_rows=2 * MIN_ERA_ROWS - 4)
    corrector = Corrector(outcomes, seed=6)
    assert corrector.accuracy[DETECTOR].own_eras == ()
    table = corrector.accuracy_table()
    assert set(table.loc[table["detector"] == DETECTOR, "accuracy_used"]) == {"pooled", "pooled instead"}


def test_the_bootstrap_is_seeded_and_independent_of_call_order():
    units, outcomes, _ = _planted(7)
    a = Corrector(outcomes, seed=11, n_boot=200)
    first = a.share(DETECTOR, units, key="x")
    a.share(DETECTOR, units, key="y")
    assert Corrector(outcomes, seed=11, n_boot=200).share(DETECTOR, units, key="x") == first
