"""Section 3's applications, measured on training histories: the optimal λ for a budget (λ_pred = c/T; Fig. 1b, 4,
S3, S4) and AutoL2 against the tuned constant λ (Fig. 1c, S9, S10).

Budgets, c and the "first time" reported here are all in the histories' ``epoch`` unit. A constant-learning-rate run
of T_max epochs contains every shorter budget as a prefix, so one λ sweep of T_max epochs tunes λ for all budgets
T ≤ T_max (not so with a step schedule, whose decays move with T).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from replication.analysis.criteria import DEFAULT, Criteria, tied_best
from replication.analysis.peaks import predict_optimal_l2
from replication.analysis.plan import SweepRun
from replication.analysis.sweeps import best_within_budget
from replication.core.validation import check_nonnegative, check_positive
from replication.training import History

__all__ = [
    "TunedL2",
    "tuned_l2",
    "prediction_runs",
    "PredictionRow",
    "prediction_table",
    "first_epoch_reaching",
    "RaceRow",
    "race",
    "PredictionVerdict",
    "summarize_predictions",
    "lambda_decays",
]


@dataclasses.dataclass(frozen=True)
class TunedL2:
    """The tuned λ at a budget, its accuracy, the range of λ within the spread of it, and λ = 0's accuracy.
    ``edge`` is "smallest" or "largest" when the tuned λ is the sweep's smallest or largest λ > 0 (the optimum may
    then lie outside the grid), else ""."""

    budget: float
    lam: float
    accuracy: float
    lam_low: float
    lam_high: float
    accuracy_lam0: float
    edge: str = ""
    tied: tuple[float, ...] = ()  # every λ within the test set's resolution of the best (lam among them); () unknown
    resolution: float = 0.0  # the accuracy difference that is a tie (criteria.tie_images / test images); 0: unknown

    @property
    def tied_lams(self) -> tuple[float, ...]:
        return self.tied or (self.lam,)

    @property
    def lam0_as_good(self) -> bool:
        """λ = 0 reaches the tuned λ's accuracy within the budget, or ties with it (L2 did not help here)."""
        return bool(self.accuracy_lam0 >= self.accuracy - self.resolution - 1e-12)


def tuned_l2(
    histories: list[History], budget: float, *, spread: float = 0.001, n_test: int | None = None,
    criteria: Criteria = DEFAULT,
) -> TunedL2:  # fmt: skip
    """The tuned λ at ``budget``: the λ > 0 of ``histories`` with the best test accuracy within the budget, and the
    range of λ within ``spread`` of it (Fig. 4b's error bars: 0.1%). λ = 0 is reported apart, not a candidate.

    With ``n_test`` (the test images the accuracies are over), a difference of ``criteria.tie_images`` images or
    fewer is a tie: every λ tied with the best is kept (``tied``), the band is at least that wide (0.1% is narrower
    than one image of a small test set), λ = 0 tied with the best counts as as good, and ``edge`` is set when the
    tie reaches the grid's smallest or largest λ."""
    check_positive("budget", budget)
    check_nonnegative("spread", spread)
    cands = [(h.lam, best_within_budget(h, budget)) for h in histories if h.lam > 0 and not h.diverged]
    cands = [(lam, acc) for lam, acc in cands if np.isfinite(acc)]
    if not cands:
        raise ValueError(f"no non-diverged run with λ > 0 has an evaluation within budget {budget:g}.")
    lam_best, acc_best = max(cands, key=lambda c: (c[1], -c[0]))
    resolution = criteria.tie_images / n_test if n_test else 0.0
    tied = tied_best(cands, n_test, criteria).lams if n_test else (float(lam_best),)
    close = [lam for lam, acc in cands if acc >= acc_best - max(spread, resolution) - 1e-12]
    zero = [best_within_budget(h, budget) for h in histories if h.lam == 0 and not h.diverged]
    swept = [h.lam for h in histories if h.lam > 0]
    edges = {min(swept): "smallest", max(swept): "largest"} if len(swept) > 1 else {}
    edge = next((edges[lam] for lam in tied if lam in edges), "")
    return TunedL2(float(budget), float(lam_best), float(acc_best), float(min(close)), float(max(close)),
                   float(zero[0]) if zero else math.nan, edge, tuple(float(lam) for lam in tied),
                   float(resolution))  # fmt: skip


def prediction_runs(c: float, budgets, lr: float, *, factors=(1.0, 2.0)) -> list[SweepRun]:
    """One run per (budget T, factor f) at λ = f·c/T for T epochs (f = 1: Section 3; f = 2: Fig. S4's 2c)."""
    return [SweepRun(float(lr), predict_optimal_l2(f * c, T), int(T)) for f in factors for T in budgets]


@dataclasses.dataclass(frozen=True)
class PredictionRow:
    """One budget of Fig. 1b/4b: λ_pred = factor·c/T against the tuned λ, and both accuracies."""

    factor: float
    budget: float
    lam_pred: float
    tuned: TunedL2
    accuracy_pred: float

    @property
    def ratio(self) -> float:
        """λ_pred over the tuned λ; with a tie for the best, over the tied λ nearest λ_pred (in log)."""
        nearest = min(self.tuned.tied_lams, key=lambda lam: abs(math.log(self.lam_pred / lam)))
        return self.lam_pred / nearest

    @property
    def within_decade(self) -> bool:
        return bool(0.1 <= self.ratio <= 10.0)

    @property
    def gap(self) -> float:
        """Tuned accuracy minus predicted (NaN when the predicted run diverged)."""
        return self.tuned.accuracy - self.accuracy_pred


def prediction_table(
    c: float, budgets, tuning: list[History], predicted: list[History], *, factors=(1.0, 2.0),
    n_test: int | None = None,
) -> list[PredictionRow]:  # fmt: skip
    """One :class:`PredictionRow` per (factor, budget); ``predicted`` is in the order of :func:`prediction_runs`;
    ``n_test``: the test images behind the accuracies, so that ties are ties (:func:`tuned_l2`)."""
    pairs = [(f, T) for f in factors for T in budgets]
    if len(predicted) != len(pairs):
        raise ValueError(f"predicted has {len(predicted)} runs for {len(pairs)} (factor, budget) pairs.")
    return [
        PredictionRow(
            f,
            float(T),
            h.lam,
            tuned_l2(tuning, T, n_test=n_test),
            best_within_budget(h, T) if not h.diverged else math.nan,
        )  # fmt: skip
        for (f, T), h in zip(pairs, predicted)
    ]


def first_epoch_reaching(h: History, target: float) -> float:
    """The first evaluated epoch at which the test accuracy is ≥ ``target``; NaN if never."""
    acc = h.metrics["test_accuracy"]
    hit = np.isfinite(acc) & (acc >= target)
    return float(h.metrics["epoch"][np.argmax(hit)]) if hit.any() else math.nan


@dataclasses.dataclass(frozen=True)
class RaceRow:
    """Fig. 1c as numbers for one contender: its best accuracy within the budget, the reference's best (``target``),
    the first epoch it reaches it (NaN: never within the budget), the speed-up against the reference and its last λ.
    ``reach``: the accuracy that counts as reaching the target (the target less a tie's worth of test images, so
    that a run tied with the reference's best reaches it; NaN: the target itself)."""

    name: str
    best_accuracy: float
    target: float
    epoch_to_target: float
    speedup: float
    final_lam: float
    reach: float = math.nan

    def speedup_or_why(self) -> float | str:
        """The speed-up to 2 decimals, or why there is none (never reached, or reached with no ratio to take)."""
        if np.isfinite(self.speedup):
            return round(self.speedup, 2)
        return "never reaches the tuned accuracy" if not np.isfinite(self.epoch_to_target) else "no speed-up defined"


def race(
    contenders: dict[str, History],
    reference: str,
    budget: float,
    *,
    n_test: int | None = None,
    criteria: Criteria = DEFAULT,
) -> list[RaceRow]:
    """Each contender against the reference's best accuracy within ``budget``; speed-up = reference's epoch to it
    divided by the contender's. With ``n_test``, reaching it means coming within a tie (``criteria.tie_images``
    test images) of it, for the reference as for the others: a run that ends tied with the reference's best has
    reached it."""
    check_positive("budget", budget)
    if reference not in contenders:
        raise ValueError(f"reference={reference!r} is not one of the contenders {sorted(contenders)}.")
    target = best_within_budget(contenders[reference], budget)
    reach = target if n_test is None else target - (criteria.tie_images + 1e-9) / n_test
    t_ref = first_epoch_reaching(contenders[reference], reach)
    rows = []
    for name, h in contenders.items():
        t = first_epoch_reaching(h, reach)
        t = t if t <= budget else math.nan
        lam = h.metrics["lam"][np.isfinite(h.metrics["lam"])]
        rows.append(RaceRow(name, best_within_budget(h, budget), target, t,
                            t_ref / t if np.isfinite(t) and t > 0 else math.nan, float(lam[-1]),
                            math.nan if n_test is None else reach))  # fmt: skip
    return rows


@dataclasses.dataclass(frozen=True)
class PredictionVerdict:
    """Section 3's claim over the budgets of one factor: at how many the tuned λ lies within 10× of λ_pred, the
    geometric-mean ratio, the largest accuracy gap and its budget, and the smallest budget from which the tuned λ
    stays within 10× at every larger budget (None: not even at the largest); ``n_at_edge``: budgets whose tuned λ
    is the sweep's smallest or largest λ (its ratio then bounds the true one only from one side); ``n_lam0_as_good``:
    budgets at which λ = 0 reaches the tuned λ's accuracy (L2 does not help there)."""

    factor: float
    n_within: int
    n_budgets: int
    mean_ratio: float
    worst_gap: float
    worst_budget: float
    holds_from: float | None
    n_at_edge: int = 0
    n_lam0_as_good: int = 0

    def describe_holds(self, t_star: float) -> str:
        """One sentence: from which budget on the tuned λ stays within 10× of λ_pred, in epochs and in units of
        the measurement run's ``t_star``."""
        if self.holds_from is None:
            return "The tuned λ is not within 10× of c/T even at the largest budget."
        span = f"T ≥ {self.holds_from:g} epochs, i.e. T ≥ {self.holds_from / t_star:.1f} × the measurement run's t*"
        if self.n_within == self.n_budgets:  # then it holds from the smallest budget on
            return f"λ_tuned is within 10× of c/T at every budget ({span})."
        return f"λ_tuned is within 10× of c/T for every budget {span}; not at every smaller one (the table above)."

    def caveats(self) -> str:
        """One sentence on what weakens the comparison ("" if nothing does)."""
        parts = []
        if self.n_at_edge:
            parts.append(f"the tuned λ is at the edge of the swept grid at {self.n_at_edge} of {self.n_budgets} "
                         "budgets (the optimum may lie outside it)")  # fmt: skip
        if self.n_lam0_as_good:
            parts.append(f"λ = 0 does as well as the tuned λ at {self.n_lam0_as_good} of {self.n_budgets} budgets "
                         "(there L2 does not help, so no λ is singled out)")  # fmt: skip
        return ("Caveat: " + "; ".join(parts) + ".") if parts else ""


def summarize_predictions(rows: list[PredictionRow], *, factor: float = 1.0) -> PredictionVerdict:
    mine = sorted((r for r in rows if r.factor == factor), key=lambda r: r.budget)
    if not mine:
        raise ValueError(f"no prediction rows with factor={factor:g}.")
    worst = max(mine, key=lambda r: r.gap)
    holds = next((r.budget for i, r in enumerate(mine) if all(x.within_decade for x in mine[i:])), None)
    mean_ratio = float(np.exp(np.mean(np.log([r.ratio for r in mine]))))
    return PredictionVerdict(factor, sum(r.within_decade for r in mine), len(mine), mean_ratio, worst.gap,
                             worst.budget, holds, sum(bool(r.tuned.edge) for r in mine),
                             sum(r.tuned.lam0_as_good for r in mine))  # fmt: skip


def lambda_decays(h: History) -> list[float]:
    """The evaluated epochs at which λ is lower than at the evaluation before (AutoL2's decays, Fig. 1c)."""
    lam, epoch = h.metrics["lam"], h.metrics["epoch"]
    return [float(e) for e in epoch[1:][np.diff(lam) < 0]]
