"""Analysis of training histories: t* (Section 2), power-law fits (Fig. 2a), c and λ_pred (Section 3)."""

from __future__ import annotations

import numpy as np

from replication.core.validation import check_nonnegative, check_positive

__all__ = [
    "PAPER_PEAK_TOL",
    "time_to_peak",
    "fit_power_law",
    "estimate_c",
    "predict_optimal_l2",
    "measure_c",
    "NotPeakedError",
]


PAPER_PEAK_TOL = 0.005  # the paper's "within .5%" of the maximum test accuracy, read as an absolute 0.005


def time_to_peak(steps, test_acc, tol: float = PAPER_PEAK_TOL, *, relative: bool = False):
    """t*: the first time the test accuracy is within ``tol`` of its maximum: at least max − tol (this book's reading
    of the paper's "within .5%" with tol = 0.005), or with ``relative`` at least (1 − tol)·max (the other reading).
    ``steps`` may be steps, epochs or physical time; the result is in the same unit. NaN entries (a diverged run) are
    ignored; an all-NaN history gives NaN."""
    check_nonnegative("tol", tol)
    steps = np.asarray(steps, dtype=float)
    acc = np.asarray(test_acc, dtype=float)
    if steps.shape != acc.shape or steps.ndim != 1:
        raise ValueError(f"steps and test_acc must be 1-D of equal length; got {steps.shape} and {acc.shape}.")
    ok = np.isfinite(acc)
    if not ok.any():
        return float("nan")
    best = acc[ok].max()
    first = np.argmax(ok & (acc >= (best * (1.0 - tol) if relative else best - tol)))
    return float(steps[first])


def fit_power_law(x, y):
    """Least-squares fit of log y = exponent·log x + log prefactor. Returns ``(exponent, prefactor)``.
    Non-finite or non-positive points are dropped; at least two distinct x must remain."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape; got {x.shape} and {y.shape}.")
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if len(np.unique(x[ok])) < 2:
        raise ValueError("fit_power_law needs at least two points with distinct positive x and positive y.")
    slope, intercept = np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)
    return float(slope), float(np.exp(intercept))


def estimate_c(t_star, lam, lr=None):
    """c from t* ≈ c/λ (momentum, Section 3: c = median t*·λ) or, when ``lr`` is given, from t* ≈ c/(ηλ) for plain
    SGD with t* in steps (c = median t*·η·λ). Arrays broadcast; NaN t* (diverged) are ignored."""
    t_star = np.asarray(t_star, dtype=float)
    lam = np.asarray(lam, dtype=float)
    prod = t_star * lam * (1.0 if lr is None else np.asarray(lr, dtype=float))
    prod = prod[np.isfinite(prod) & (prod > 0)]
    if prod.size == 0:
        raise ValueError("estimate_c needs at least one finite, positive t*·λ.")
    return float(np.median(prod))


def predict_optimal_l2(c: float, budget: float) -> float:
    """λ_pred = c / T (Section 3): the smallest λ whose performance peaks within the budget T (same unit as c)."""
    check_positive("c", c)
    check_positive("budget", budget)
    return float(c) / float(budget)


class NotPeakedError(ValueError):
    """The test accuracy was still rising at the end of the measurement run: c cannot be read off it."""


def measure_c(
    steps, test_acc, lam: float, *, lr: float | None = None, tol: float = PAPER_PEAK_TOL, min_margin: float = 0.2
) -> float:
    """c = t*·λ from a short run at a large λ (Section 3, Fig. 4a; with ``lr``: c = t*·η·λ, for plain SGD with
    ``steps`` in steps). ``steps`` is in the unit the budget will be in (epochs in the paper).

    The run must have peaked: t* has to come before the last ``min_margin`` fraction of the history, else
    :class:`NotPeakedError` (train longer, or at a larger λ)."""
    check_positive("lam", lam)
    if lr is not None:
        check_positive("lr", lr)
    if not 0.0 <= min_margin < 1.0:
        raise ValueError(f"min_margin={min_margin!r} must lie in [0, 1).")
    steps = np.asarray(steps, dtype=float)
    t_star = time_to_peak(steps, test_acc, tol=tol)
    if not np.isfinite(t_star):
        raise NotPeakedError("measure_c: the measurement run has no finite test accuracy (it diverged).")
    end = steps[np.isfinite(np.asarray(test_acc, dtype=float))].max()
    if t_star > steps[0] + (1.0 - min_margin) * (end - steps[0]):
        raise NotPeakedError(
            f"measure_c: the test accuracy peaks at t = {t_star:g}, too close to the end of the run "
            f"(t = {end:g}) to be sure it has peaked; train longer or at a larger λ."
        )
    return float(t_star * lam * (1.0 if lr is None else lr))
