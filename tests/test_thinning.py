"""Thinning stored runs' evaluations (replication.experiments.thinning): which evaluations are kept, every metric
alike, every seed of a grid, and t* and its fitted exponent moving no further than the kept evaluations' spacing."""

import numpy as np
import pytest

from replication.analysis.peaks import fit_power_law, time_to_peak
from replication.analysis.plan import SweepRun
from replication.core.provenance import Provenance
from replication.experiments.grid import GridResult
from replication.experiments.thinning import kept_evaluations, thinned_grid, thinned_history
from replication.training import History

EVALS = 48  # log-spaced evaluation times per run, as the chapters evaluate at cpu


def peaked_history(lr: float, lam: float, c: float = 0.5, seed: int = 0) -> History:
    """A run whose test accuracy rises to a peak at t* = c/(ηλ) epochs and decays after it, with a little noise,
    evaluated at EVALS log-spaced times up to 10·t*."""
    t_star = c / (lr * lam)
    epochs = np.geomspace(t_star / 100, 10 * t_star, EVALS)
    x = np.log(epochs / t_star)
    acc = 0.9 - 0.05 * x**2 + 0.001 * np.random.default_rng(seed).standard_normal(EVALS)
    metrics = {k: np.zeros(EVALS) for k in ("train_loss", "train_error", "test_loss", "sq_norm", "lr")}
    metrics |= {"step": epochs * 10, "epoch": epochs, "test_accuracy": acc, "lam": np.full(EVALS, lam)}
    return History(lr=lr, lam=lam, steps=int(epochs[-1] * 10), diverged=False, diverged_at=None, metrics=metrics)


def test_kept_evaluations_are_the_first_every_kth_and_the_last():
    assert kept_evaluations(10, 3).tolist() == [0, 3, 6, 9]
    assert kept_evaluations(11, 3).tolist() == [0, 3, 6, 9, 10]
    assert kept_evaluations(5, 1).tolist() == [0, 1, 2, 3, 4]
    assert kept_evaluations(1, 4).tolist() == [0] and kept_evaluations(0, 2).size == 0
    for bad in (0, -1, 1.5):
        with pytest.raises(ValueError, match="every must be an integer ≥ 1"):
            kept_evaluations(10, bad)


def test_a_thinned_history_keeps_every_metric_at_the_same_evaluations():
    h = peaked_history(0.1, 1e-3)
    thin = thinned_history(h, 2)
    assert (thin.lr, thin.lam, thin.steps, thin.diverged) == (h.lr, h.lam, h.steps, h.diverged)
    keep = kept_evaluations(EVALS, 2)
    for name, values in h.metrics.items():
        np.testing.assert_array_equal(thin.metrics[name], values[keep])
    assert thin.metrics["epoch"][-1] == h.metrics["epoch"][-1]  # the run's end is always evaluated
    assert all(np.array_equal(a, b) for a, b in zip(thinned_history(h, 1).metrics.values(), h.metrics.values()))


def test_a_thinned_grid_thins_every_seed_and_keeps_the_runs():
    runs = (SweepRun(0.1, 1e-3, 100.0), SweepRun(0.1, 1e-2, 10.0))
    by_seed = tuple(tuple(peaked_history(r.lr, r.lam, seed=s) for r in runs) for s in range(2))
    grid = GridResult(runs, by_seed[0], Provenance("cpu", "CPU", 1.0), reused=True, seeds=(0, 1), by_seed=by_seed)
    thin = thinned_grid(grid, 3)
    assert thin.runs == runs and thin.seeds == (0, 1) and thin.provenance == grid.provenance
    n = len(kept_evaluations(EVALS, 3))
    assert all(len(h.metrics["epoch"]) == n for seed in thin.by_seed for h in seed)
    np.testing.assert_array_equal(
        thin.histories[1].metrics["test_accuracy"], thin.by_seed[0][1].metrics["test_accuracy"]
    )


@pytest.mark.parametrize("every", [2, 3])
def test_t_star_and_its_exponent_move_no_further_than_the_kept_spacing(every):
    """Runs with t* = c/(ηλ) over 3 decades of ηλ: thinned, each t* moves by at most the ratio between kept
    evaluations (they are log-spaced: a constant ratio), and the fitted exponent stays within the fit's resolution."""
    lr, lams = 0.1, np.geomspace(1e-4, 1e-1, 10)
    ratio = (1000.0 ** (1 / (EVALS - 1))) ** every  # the spacing of the kept evaluations (10⁻²…10¹ in EVALS points)
    full, thin = [], []
    for i, lam in enumerate(lams):
        h = peaked_history(lr, lam, seed=i)
        full.append(time_to_peak(h.metrics["epoch"], h.metrics["test_accuracy"]))
        t = thinned_history(h, every)
        thin.append(time_to_peak(t.metrics["epoch"], t.metrics["test_accuracy"]))
    moved = np.asarray(thin) / np.asarray(full)
    assert np.all(moved >= 1 / ratio) and np.all(moved <= ratio), moved
    exponent_full, _ = fit_power_law(lr * lams, full)
    exponent_thin, _ = fit_power_law(lr * lams, thin)
    assert exponent_full == pytest.approx(-1.0, abs=0.05)
    assert exponent_thin == pytest.approx(exponent_full, abs=np.log10(ratio) / 3)  # ≤ one spacing over 3 decades
