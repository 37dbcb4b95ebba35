"""Per-CA uncertainty: Wilson intervals, empirical-Bayes shrinkage, funnel limits, adjustment for case mix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ca_incidents.analysis.comparison import (
    Dimension,
    funnel_limits,
    scorecard,
    shrink_means,
    shrink_rates,
)
from ca_incidents.analysis.intervals import wilson_interval


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [(0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (10, 10, 0.7225, 1.0), (1, 2, 0.0945, 0.9055)],
)
def test_wilson_interval_matches_published_values(x, n, low, high):
    lo, hi = wilson_interval(np.array([x]), np.array([n]))
    assert lo[0] == pytest.approx(low, abs=1e-4) and hi[0] == pytest.approx(high, abs=1e-4)


def test_shrinkage_pulls_small_cas_further_than_large_ones():
    # overall rate about 0.5; two CAs with the same raw rate 1.0 but 2 and 40 incidents, plus spread-out others
    x = np.array([2, 40, 10, 20, 5, 30])
    n = np.array([2, 40, 40, 40, 40, 40])
    eb = shrink_rates(x, n)
    assert eb.loc[0, "eb_rate"] < eb.loc[1, "eb_rate"], "2/2 is weaker evidence than 40/40"
    assert (eb["eb_low"] <= eb["eb_rate"]).all() and (eb["eb_rate"] <= eb["eb_high"]).all()
    assert ((eb["eb_low"] >= 0) & (eb["eb_high"] <= 1)).all()
    width_small = eb.loc[0, "eb_high"] - eb.loc[0, "eb_low"]
    width_large = eb.loc[1, "eb_high"] - eb.loc[1, "eb_low"]
    assert width_small > width_large


def test_no_variation_beyond_chance_shrinks_everyone_to_the_overall_rate():
    eb = shrink_rates(np.array([5, 10, 15]), np.array([10, 20, 30]))
    assert eb["eb_rate"].to_numpy() == pytest.approx([0.5, 0.5, 0.5], abs=0.01)


def test_normal_shrinkage_uses_pooled_noise_not_a_lucky_small_variance():
    means = np.array([30.0, 60.0, 50.0, 70.0])
    variances = np.array([0.01, 100.0, 120.0, 90.0])  # CA 0 has 3 near-identical scores
    eb = shrink_means(means, variances, np.array([3, 30, 30, 30]), centre=55.0)
    assert eb.loc[0, "eb_mean"] > 30.0 + 1, "a 3-incident CA is pulled towards the centre"
    assert eb.loc[0, "eb_high"] - eb.loc[0, "eb_low"] > eb.loc[1, "eb_high"] - eb.loc[1, "eb_low"]


def test_funnel_limits_narrow_with_more_incidents():
    low, high = funnel_limits(np.array([4, 100]), 0.5, 0.0, True, 1.96)
    assert high[0] - low[0] > high[1] - low[1]
    assert high[1] - low[1] == pytest.approx(2 * 1.96 * 0.05)


def test_observed_over_expected_controls_for_incident_type():
    """CA A has only hard incidents (type X, rate 0.8 everywhere), B only easy ones (Y, 0.2): both as expected."""
    rows = [("A", "X", v) for v in [1, 1, 1, 1, 0] * 4] + [("B", "Y", v) for v in [1, 0, 0, 0, 0] * 4]
    rows += [("C", "X", v) for v in [1, 1, 1, 1, 0]] + [("C", "Y", v) for v in [1, 0, 0, 0, 0]]
    inc = pd.DataFrame(rows, columns=["ca_owner", "stratum", "late"])
    card = scorecard(inc, Dimension("late", "late", True, False, "")).set_index("ca_owner")
    assert card.loc["A", "mean"] == pytest.approx(0.8) and card.loc["B", "mean"] == pytest.approx(0.2)
    assert card["o_e"].to_numpy() == pytest.approx([1.0, 1.0, 1.0])
    assert list(card.index) == ["A", "B", "C"], "alphabetical, not ranked"
