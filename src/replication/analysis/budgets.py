"""Section 3's applications, measured on training histories: the optimal λ for a budget (λ_pred = c/T; Fig. 1b, 4,
S3, S4) and AutoL2 against the tuned constant λ (Fig. 1c, S9, S10).

Budgets, c and the "first time" reported here are all in the histories' ``epoch`` unit. A constant-learning-rate run
of T_max epochs contains every shorter budget as a prefix, so one λ sweep of T_max epochs tunes λ for all budgets
T ≤ T_max (not so with a step schedule, whose decays move with T).
"""

from __future__ import annotations

import numpy as np

from replication.analysis.peaks import predict_optimal_l2
from replication.analysis.sweeps import SweepRun, best_within_budget
from replication.core.validation import check_nonnegative, check_positive
from replication.training import History

__all__ = ["tuned_l2", "prediction_runs", "prediction_table", "first_epoch_reaching", "race"]


def tuned_l2(histories: list[History], budget: float, *, spread: float = 0.001) -> dict:
    """The tuned λ at ``budget``: the λ > 0 of ``histories`` with the best test accuracy within the budget, and the
    range of λ within ``spread`` of it (Fig. 4b's error bars: 0.1%). λ = 0 is reported apart, not a candidate."""
    check_positive("budget", budget)
    check_nonnegative("spread", spread)
    cands = [(h.lam, best_within_budget(h, budget)) for h in histories if h.lam > 0 and not h.diverged]
    cands = [(lam, acc) for lam, acc in cands if np.isfinite(acc)]
    if not cands:
        raise ValueError(f"no non-diverged run with λ > 0 has an evaluation within budget {budget:g}.")
    lam_best, acc_best = max(cands, key=lambda c: (c[1], -c[0]))
    close = [lam for lam, acc in cands if acc >= acc_best - spread]
    zero = [best_within_budget(h, budget) for h in histories if h.lam == 0 and not h.diverged]
    return dict(
        budget=float(budget),
        lam=float(lam_best),
        accuracy=float(acc_best),
        lam_low=float(min(close)),
        lam_high=float(max(close)),
        accuracy_lam0=float(zero[0]) if zero else float("nan"),
    )


def prediction_runs(c: float, budgets, lr: float, *, factors=(1.0, 2.0)) -> list[SweepRun]:
    """One run per (budget T, factor f) at λ = f·c/T for T epochs (f = 1: Section 3; f = 2: Fig. S4's 2c)."""
    return [SweepRun(float(lr), predict_optimal_l2(f * c, T), int(T)) for f in factors for T in budgets]


def prediction_table(
    c: float, budgets, tuning: list[History], predicted: list[History], *, factors=(1.0, 2.0)
) -> list[dict]:
    """Per (factor, budget): λ_pred, the tuned λ (and its 0.1% range), λ_pred/λ_tuned, whether λ_tuned lies within a
    factor 10 of λ_pred, both accuracies and the gap (tuned − predicted). ``predicted`` is in the order of
    :func:`prediction_runs`."""
    rows, i = [], 0
    for f in factors:
        for T in budgets:
            h = predicted[i]
            i += 1
            tuned = tuned_l2(tuning, T)
            acc_pred = best_within_budget(h, T) if not h.diverged else float("nan")
            rows.append(
                dict(
                    factor=f,
                    budget=float(T),
                    lam_pred=h.lam,
                    lam_tuned=tuned["lam"],
                    lam_tuned_low=tuned["lam_low"],
                    lam_tuned_high=tuned["lam_high"],
                    ratio=h.lam / tuned["lam"],
                    within_decade=bool(0.1 <= h.lam / tuned["lam"] <= 10.0),
                    accuracy_pred=acc_pred,
                    accuracy_tuned=tuned["accuracy"],
                    gap=tuned["accuracy"] - acc_pred,
                    accuracy_lam0=tuned["accuracy_lam0"],
                )
            )
    return rows


def first_epoch_reaching(h: History, target: float) -> float:
    """The first evaluated epoch at which the test accuracy is ≥ ``target``; NaN if never."""
    acc = h.metrics["test_accuracy"]
    hit = np.isfinite(acc) & (acc >= target)
    return float(h.metrics["epoch"][np.argmax(hit)]) if hit.any() else float("nan")


def race(contenders: dict[str, History], reference: str, budget: float) -> list[dict]:
    """Fig. 1c as numbers: each contender's best accuracy within ``budget``, and the first epoch it reaches the
    reference's best accuracy (NaN: never within its run); ``speedup`` = reference's epoch / contender's."""
    check_positive("budget", budget)
    if reference not in contenders:
        raise ValueError(f"reference={reference!r} is not one of the contenders {sorted(contenders)}.")
    target = best_within_budget(contenders[reference], budget)
    t_ref = first_epoch_reaching(contenders[reference], target)
    rows = []
    for name, h in contenders.items():
        t = first_epoch_reaching(h, target)
        t = t if t <= budget else float("nan")
        rows.append(
            dict(
                name=name,
                best_accuracy=best_within_budget(h, budget),
                target=target,
                epoch_to_target=t,
                speedup=t_ref / t if np.isfinite(t) and t > 0 else float("nan"),
                final_lam=float(h.metrics["lam"][np.isfinite(h.metrics["lam"])][-1]),
            )
        )
    return rows
