"""The verdicts the chapters print beside the paper's claims, computed once here and unit-tested: does the smallest
λ match λ = 0 (Fig. 2b, 3b/e, S7), which λ wins a fixed budget (Fig. 2c, 2f, 3c/f), the test accuracy when the
training accuracy first reaches 1 (Fig. S5), and the deep linear fixed point (App. B.1, eq. S21)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from replication.analysis.criteria import (
    ExponentVerdict,
    TiedBest,
    Verdict,
    all_of,
    exponent_verdict,
    seeds_agree,
    tied_best,
    zero_comparison,
)
from replication.analysis.sweeps import (
    RunSummary,
    TstarFit,
    analyze_sweep,
    best_within_budget,
    final_test_accuracy,
    fit_tstar,
    learning_threshold,
    test_accuracy_at,
)
from replication.core.validation import check_nonnegative, check_positive
from replication.training.records import History

__all__ = [
    "TstarReadings",
    "tstar_readings",
    "SmallestLambdaVerdict",
    "smallest_lambda_vs_zero",
    "smallest_lambda_over_seeds",
    "ZeroComparison",
    "compare_with_zero",
    "BudgetVerdict",
    "best_lambda_within_budget",
    "accuracy_when_train_reaches_one",
    "OptimumVerdict",
    "optimal_lambda",
    "best_final_accuracy",
    "fixed_budget_optimum",
    "Spread",
    "accuracy_spread",
    "max_ratio_until",
    "deep_linear_fixed_point_prediction",
]


@dataclasses.dataclass(frozen=True)
class SmallestLambdaVerdict:
    """For one η: the smallest λ > 0 and the best λ > 0 with their peak accuracies, λ = 0's peak and length in
    epochs beside the paper's length for it (None if not given), and the verdict on Fig. 2b's claim
    (:func:`replication.analysis.criteria.zero_comparison`: a tie within the test set's resolution counts; a tie or
    a win against a λ = 0 cut short of the paper's length while still improving is inconclusive)."""

    lr: float
    smallest_lam: float
    smallest_accuracy: float
    best_lam: float
    best_accuracy: float
    zero_accuracy: float
    verdict: Verdict
    zero_epochs: float = math.nan
    paper_zero_epochs: float | None = None
    seeds: int = 1  # more than one: the accuracies are means over that many seeds, the verdict is theirs together

    @property
    def matches_zero(self) -> bool:
        return self.verdict.outcome == "reproduced"

    def describe(self) -> str:
        length = f"trained {self.zero_epochs:g} epochs"
        if self.paper_zero_epochs is not None:
            capped = "capped: " if self.zero_epochs < self.paper_zero_epochs - 1 else ""
            length = f"{capped}{length}, the paper {self.paper_zero_epochs:.4g}"
        if self.seeds > 1:
            return (
                f"η = {self.lr:g}, mean over {self.seeds} seeds: smallest λ = {self.smallest_lam:g} reaches "
                f"{self.smallest_accuracy:.4f}, the best λ > 0 {self.best_accuracy:.4f}; λ = 0 ({length}) reaches "
                f"{self.zero_accuracy:.4f}: {self.verdict.describe()}"
            )
        return (
            f"η = {self.lr:g}: smallest λ = {self.smallest_lam:g} reaches {self.smallest_accuracy:.4f}, best λ = "
            f"{self.best_lam:g} reaches {self.best_accuracy:.4f}; λ = 0 ({length}) reaches {self.zero_accuracy:.4f}: "
            f"{self.verdict.describe()}"
        )


def smallest_lambda_vs_zero(
    rows: list[RunSummary], *, n_test: int, paper_zero_epochs=None, short_of_paper: bool = False
) -> list[SmallestLambdaVerdict]:
    """One verdict per η that has both a λ = 0 run and a non-diverged λ > 0 run (Fig. 2b's claim: trained for
    τ/(ηλ), small λ is as good as λ = 0 or better), on ``n_test`` test images. ``paper_zero_epochs``: how long the
    paper trains λ = 0, a number of epochs or a function of η (FC: 10⁶/η); a λ = 0 run shorter than that which still
    improves at its end makes the comparison inconclusive. ``short_of_paper``: the runs' τ is shorter than the
    paper's (:func:`~replication.analysis.criteria.zero_comparison`, which also needs one of the two runs to have
    learned by ``rows``' learning threshold, and reads a loss by a smallest λ that still climbs above the next λ up,
    beyond chance, as inconclusive)."""
    check_positive("n_test", n_test)
    threshold = learning_threshold(rows)
    out = []
    for lr in sorted({r.lr for r in rows}):
        mine = [r for r in rows if r.lr == lr and r.lam > 0 and not r.diverged and np.isfinite(r.max_test_accuracy)]
        zero = [r for r in rows if r.lr == lr and r.lam == 0]
        if not mine or not zero:
            continue
        paper = paper_zero_epochs(lr) if callable(paper_zero_epochs) else paper_zero_epochs
        paper = None if paper is None else float(paper)
        smallest = min(mine, key=lambda r: r.lam)
        above = min((r for r in mine if r.lam > smallest.lam), key=lambda r: r.lam, default=None)
        best = max(mine, key=lambda r: r.max_test_accuracy)
        verdict = zero_comparison(smallest, zero[0], n_test, paper_zero_epochs=paper, short_of_paper=short_of_paper,
                                  threshold=threshold, next_smallest=above)  # fmt: skip
        out.append(SmallestLambdaVerdict(lr, smallest.lam, smallest.max_test_accuracy, best.lam,
                                         best.max_test_accuracy, zero[0].max_test_accuracy, verdict,
                                         float(zero[0].epochs), paper))  # fmt: skip
    return out


@dataclasses.dataclass(frozen=True)
class ZeroComparison:
    """Fig. 2b's claim (2e, 3b/e) over every η of one or several settings (e.g. the CNN with and without batch norm):
    each setting's per-η :class:`SmallestLambdaVerdict`, and the verdict over all of them."""

    per_setting: dict[str, tuple[SmallestLambdaVerdict, ...]]  # "" when there is one setting

    def lines(self) -> list[str]:
        return [f"{k}: {v.describe()}" if k else v.describe() for k, vs in self.per_setting.items() for v in vs]

    def count(self) -> str:
        """``2 of 3 η`` (per setting where there are several): the η at which the smallest λ matches or beats λ = 0."""
        return "; ".join(f"{k + ': ' if k else ''}{sum(v.matches_zero for v in vs)} of {len(vs)} η"
                         for k, vs in self.per_setting.items())  # fmt: skip

    def verdict(self) -> Verdict:
        """:func:`replication.analysis.criteria.all_of` the η's verdicts (of every setting); inconclusive where a
        setting has no η with both a λ = 0 and a λ > 0 run."""

        def one(vs) -> Verdict:
            if not vs:
                return Verdict("inconclusive", "no η has both a λ = 0 run and a λ > 0 run to compare")
            return all_of({f"η = {v.lr:g}": v.verdict for v in vs})

        if list(self.per_setting) == [""]:
            return one(self.per_setting[""])
        return all_of({k: one(vs) for k, vs in self.per_setting.items()})


def smallest_lambda_over_seeds(
    rows_by_seed, *, n_test: int, paper_zero_epochs=None, short_of_paper: bool = False
) -> list[SmallestLambdaVerdict]:
    """:func:`smallest_lambda_vs_zero` in each seed's rows (``rows_by_seed[k]``: seed k's runs), per η together:
    the accuracies averaged over the seeds, the verdict :func:`~replication.analysis.criteria.seeds_agree` of the
    seeds' (inconclusive when they disagree, a seed lacks the comparison, or the seeds compare different smallest λ
    because one diverged in some seed). One seed: its own verdicts."""
    per_seed = [smallest_lambda_vs_zero(list(rows), n_test=n_test, paper_zero_epochs=paper_zero_epochs,
                                        short_of_paper=short_of_paper) for rows in rows_by_seed]  # fmt: skip
    if len(per_seed) == 1:
        return per_seed[0]
    by_lr: dict[float, list[SmallestLambdaVerdict]] = {}
    for verdicts_of_seed in per_seed:
        for v in verdicts_of_seed:
            by_lr.setdefault(v.lr, []).append(v)
    out = []
    for lr, vs in sorted(by_lr.items()):

        def mean(field: str, vs=vs) -> float:
            return float(np.mean([getattr(v, field) for v in vs]))

        verdict = seeds_agree([v.verdict for v in vs], len(per_seed))
        compared = sorted({v.smallest_lam for v in vs})
        if len(compared) > 1:
            named = ", ".join(f"{x:g}" for x in compared)
            verdict = Verdict("inconclusive", f"the seeds compare different smallest λ ({named}: a smaller one "
                                              f"diverged in some seed); {verdict.reason}")  # fmt: skip
        out.append(SmallestLambdaVerdict(lr, vs[0].smallest_lam, mean("smallest_accuracy"), math.nan,
                                         mean("best_accuracy"), mean("zero_accuracy"), verdict, vs[0].zero_epochs,
                                         vs[0].paper_zero_epochs, seeds=len(per_seed)))  # fmt: skip
    return out


def compare_with_zero(settings: dict[str, tuple], *, n_test: int, short_of_paper: bool = False) -> ZeroComparison:
    """``settings``: name ("" for one) → (its sweep's rows by seed — ``[rows]`` for one seed —, the paper's λ = 0
    length: epochs, a function of η, or None); each decided by :func:`smallest_lambda_over_seeds` on ``n_test``
    test images. ``short_of_paper``: the preset trains each λ > 0 for less physical time than the paper."""
    return ZeroComparison({name: tuple(smallest_lambda_over_seeds(rows, n_test=n_test, paper_zero_epochs=paper,
                                                                  short_of_paper=short_of_paper))
                           for name, (rows, paper) in settings.items()})  # fmt: skip


@dataclasses.dataclass(frozen=True)
class BudgetVerdict:
    """Fig. 2c's fixed budget at one η: the best accuracy within ``budget`` epochs of each λ > 0 and the winner."""

    lr: float
    budget: float
    accuracies: tuple[tuple[float, float], ...]  # (λ, best accuracy within the budget), by increasing λ
    best_lam: float
    best_accuracy: float

    def describe(self) -> str:
        each = ", ".join(f"λ = {lam:g}: {acc:.4f}" for lam, acc in self.accuracies)
        return f"within {self.budget:g} epochs at η = {self.lr:g}: {each}; best λ = {self.best_lam:g}"


def best_lambda_within_budget(histories: list[History], *, lr: float, budget: float) -> BudgetVerdict:
    """Which λ > 0 of the runs at ``lr`` reaches the best test accuracy within ``budget`` epochs (ties: smaller λ)."""
    check_positive("budget", budget)
    pairs = sorted((h.lam, best_within_budget(h, budget)) for h in histories if h.lr == lr and h.lam > 0)
    pairs = [(lam, acc) for lam, acc in pairs if np.isfinite(acc)]
    if not pairs:
        raise ValueError(f"no run at lr={lr:g} with λ > 0 has a finite accuracy within budget={budget:g} epochs.")
    best_lam, best_acc = max(pairs, key=lambda p: (p[1], -p[0]))
    return BudgetVerdict(float(lr), float(budget), tuple(pairs), best_lam, best_acc)


def accuracy_when_train_reaches_one(history: History, row: RunSummary) -> float:
    """The test accuracy at the first evaluation where the training accuracy is 1 (Fig. S5); NaN if it never is."""
    return test_accuracy_at(history, row.t_train_zero) if np.isfinite(row.t_train_zero) else math.nan


def deep_linear_fixed_point_prediction(lam_sqrt_n: float) -> float:
    """App. B.1: f of the non-trivial fixed point of the deep linear model with L2 on x = y = 1, f = 1 − λ√n while
    λ√n < 1 (eq. S21, whose printed sign we correct), and f = 0 (the trivial fixed point) above."""
    check_nonnegative("lam_sqrt_n", lam_sqrt_n)
    return max(1.0 - float(lam_sqrt_n), 0.0)


@dataclasses.dataclass(frozen=True)
class OptimumVerdict:
    """Fig. S7: the λ > 0 with the best peak accuracy, λ = 0's peak, whether the optimum is interior (not the
    smallest λ swept), the t* fits below and above it (None with fewer than two λ), and the runs that
    ``max_epochs`` cut short of their planned physical time, as (λ, epochs trained, epochs planned)."""

    best_lam: float
    best_accuracy: float
    zero_accuracy: float
    interior: bool
    fit_below: TstarFit | None
    fit_above: TstarFit | None
    cut_short: tuple[tuple[float, float, float], ...]


def optimal_lambda(rows: list[RunSummary], *, physical_time: float) -> OptimumVerdict:
    """Where the peak accuracy is best over λ, and whether t* ∝ 1/(ηλ) holds on either side of it."""
    check_positive("physical_time", physical_time)
    positive = [r for r in rows if r.lam > 0 and not r.diverged and np.isfinite(r.max_test_accuracy)]
    if not positive:
        raise ValueError("no non-diverged run with λ > 0 to find an optimum among.")
    best = max(positive, key=lambda r: r.max_test_accuracy)
    zero = [r.max_test_accuracy for r in rows if r.lam == 0]

    def side_fit(part):
        return fit_tstar(part) if len({r.lam for r in part}) >= 2 else None

    planned = [(r, physical_time / r.lr_lam) for r in positive]
    return OptimumVerdict(
        best.lam, best.max_test_accuracy, zero[0] if zero else math.nan, best.lam != min(r.lam for r in positive),
        side_fit([r for r in positive if r.lam <= best.lam]), side_fit([r for r in positive if r.lam >= best.lam]),
        tuple((r.lam, r.epochs, p) for r, p in planned if r.epochs < p - 1),
    )  # fmt: skip


def best_final_accuracy(histories: list[History]) -> tuple[float, float]:
    """(λ, final test accuracy) of the run that ends best (Fig. 1a's fixed-T optimum; ties: smaller λ)."""
    finals = [(h.lam, final_test_accuracy(h)) for h in histories]
    finals = [(lam, acc) for lam, acc in finals if np.isfinite(acc)]
    if not finals:
        raise ValueError("no run has a finite final test accuracy.")
    return max(finals, key=lambda p: (p[1], -p[0]))


def fixed_budget_optimum(histories: list[History], n_test: int) -> TiedBest:
    """Fig. 1a's fixed-T optimum as a reader should see it: the best final test accuracy and every λ within the
    test set's resolution of it (:func:`replication.analysis.criteria.tied_best`; a tie is named, never broken)."""
    return tied_best([(h.lam, final_test_accuracy(h)) for h in histories], n_test)


@dataclasses.dataclass(frozen=True)
class Spread:
    """Test accuracy of named runs at one time, and the spread (max − min) between them (Fig. S12)."""

    when: str
    accuracies: tuple[tuple[str, float], ...]

    @property
    def spread(self) -> float:
        values = [a for _, a in self.accuracies]
        return max(values) - min(values)

    def describe(self) -> str:
        each = ", ".join(f"{name}: {acc:.4f}" for name, acc in self.accuracies)
        return f"test accuracy {self.when}: {each}; spread {self.spread:.4f}"


def accuracy_spread(runs: dict[str, History], *, epoch: float | None = None) -> Spread:
    """The runs' test accuracy at the first evaluation at or after ``epoch`` (None: at the end) and its spread."""
    if not runs:
        raise ValueError("runs must name at least one history.")
    if epoch is None:
        return Spread("at the end", tuple((k, final_test_accuracy(h)) for k, h in runs.items()))
    return Spread(f"after {epoch:g} epochs", tuple((k, test_accuracy_at(h, epoch)) for k, h in runs.items()))


def max_ratio_until(time, reference, other, *, until: float) -> float:
    """The largest factor between two positive curves over 0 < t ≤ ``until``: max exp|log(reference/other)|
    (Fig. 5c: gradient descent against eq. (1) up to the theory's loss minimum). NaN if no time qualifies."""
    time, reference, other = (np.asarray(a, dtype=float) for a in (time, reference, other))
    keep = (time > 0) & (time <= until)
    if not keep.any():
        return math.nan
    return float(np.exp(np.max(np.abs(np.log(reference[keep] / other[keep])))))


@dataclasses.dataclass(frozen=True)
class TstarReadings:
    """The t* exponent under both readings of the paper's rule, "the minimum time required to be within .5% of the
    maximum test accuracy" (Section 2): absolute, accuracy ≥ max − 0.005 (this book's reading; its headlines widen
    it to one tie on fewer than 600 test images: :meth:`~replication.analysis.criteria.Criteria.peak_tolerance`), and
    relative, accuracy ≥ 0.995·max (what "of the maximum" says). ``largest_gap``: the largest difference of the two
    thresholds over the runs, 0.005·(1 − max) at each run's peak."""

    absolute: ExponentVerdict
    relative: ExponentVerdict
    largest_gap: float

    def lines(self) -> list[str]:
        return [
            f"absolute reading (accuracy ≥ max − 0.005, this book's reading): {self.absolute.fit.describe()}; "
            f"{self.absolute.verdict.outcome}",
            f"relative reading (accuracy ≥ 0.995·max, the paper's words): {self.relative.fit.describe()}; "
            f"{self.relative.verdict.outcome}",
            f"the two thresholds differ by at most {self.largest_gap:.4f} in accuracy over these runs",
        ]


def tstar_readings(histories: list[History], *, target: float = -1.0) -> TstarReadings:
    """:class:`TstarReadings` of a sweep's runs (one seed), each decided by the same rule as the headline."""
    analyses = [analyze_sweep(histories, relative=relative) for relative in (False, True)]
    absolute, relative = (exponent_verdict(list(a.rows), threshold=a.threshold, target=target) for a in analyses)
    peaks = [r.max_test_accuracy for r in analyses[0].rows if np.isfinite(r.max_test_accuracy)]
    return TstarReadings(absolute, relative, largest_gap=max((0.005 * (1.0 - p) for p in peaks), default=math.nan))
