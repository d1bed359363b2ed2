"""t*, power-law fits, c and λ_pred on hand-made histories."""

import numpy as np
import pytest

from replication.analysis import estimate_c, fit_power_law, predict_optimal_l2, time_to_peak


def test_time_to_peak_is_the_first_time_within_tol_of_the_max():
    steps = np.arange(10) * 100
    acc = np.array([0.1, 0.5, 0.80, 0.897, 0.899, 0.90, 0.85, 0.70, 0.6, 0.5])
    assert time_to_peak(steps, acc) == 300  # 0.897 ≥ 0.900 − 0.005
    assert time_to_peak(steps, acc, tol=0.0) == 500
    assert time_to_peak(steps, acc, tol=0.2) == 200
    # NaN after divergence is ignored; all-NaN gives NaN
    acc_nan = acc.copy()
    acc_nan[6:] = np.nan
    assert time_to_peak(steps, acc_nan) == 300
    assert np.isnan(time_to_peak(steps, np.full(10, np.nan)))
    with pytest.raises(ValueError, match="steps"):
        time_to_peak(steps[:3], acc)


def test_time_to_peak_reads_the_tolerance_as_absolute_or_relative():
    """ "Within .5% of the maximum": max − 0.005 (absolute) or 0.995·max (relative); they part at a low peak."""
    steps = np.arange(6) * 10
    acc = np.array([0.1, 0.3, 0.396, 0.398, 0.399, 0.40])
    assert time_to_peak(steps, acc) == 20  # 0.396 ≥ 0.400 − 0.005
    assert time_to_peak(steps, acc, relative=True) == 30  # 0.398 ≥ 0.995·0.400 = 0.398; 0.396 is not
    high = np.array([0.1, 0.5, 0.9952, 0.996, 0.999, 1.0])
    assert time_to_peak(steps, high) == time_to_peak(steps, high, relative=True) == 20  # at max 1 they agree


def test_fit_power_law_recovers_a_known_exponent():
    rng = np.random.default_rng(0)
    x = np.geomspace(1e-4, 1e-1, 12)
    y = 0.37 * x**-1.0 * np.exp(rng.normal(0, 0.05, x.size))
    exponent, prefactor = fit_power_law(x, y)
    assert exponent == pytest.approx(-1.0, abs=0.05)
    assert prefactor == pytest.approx(0.37, rel=0.2)
    # NaN (a diverged run) and non-positive points are dropped
    e2, _ = fit_power_law(np.append(x, [1.0, 2.0]), np.append(y, [np.nan, 0.0]))
    assert e2 == pytest.approx(exponent)
    with pytest.raises(ValueError, match="two points"):
        fit_power_law([1.0, 1.0], [2.0, 3.0])


def test_estimate_c_and_predict_optimal_l2():
    lam = np.array([1e-3, 1e-2, 1e-1])
    assert estimate_c(0.5 / lam, lam) == pytest.approx(0.5)
    lr = np.array([0.1, 0.1, 0.1])
    assert estimate_c(2.0 / (lr * lam), lam, lr) == pytest.approx(2.0)
    assert estimate_c(np.array([np.nan, 50.0, 5.0]), lam) == pytest.approx(0.5)
    assert predict_optimal_l2(0.0066, 200) == pytest.approx(3.3e-5)
    with pytest.raises(ValueError, match="budget"):
        predict_optimal_l2(0.0066, 0)
    with pytest.raises(ValueError, match="c"):
        predict_optimal_l2(-1.0, 10)
