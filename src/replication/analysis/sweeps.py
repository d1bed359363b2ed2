"""Summaries of a sweep's histories (Section 2): per-run t* and peak accuracy, the t* ∝ (ηλ)^exponent fit, and
the "did it learn" threshold that decides which runs a fit can use."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from replication.analysis.peaks import PAPER_PEAK_TOL, estimate_c, fit_power_law, time_to_peak
from replication.core.validation import check_positive
from replication.training.records import History

__all__ = [
    "RunSummary",
    "summarize",
    "fittable",
    "learned",
    "END_FRACTION",
    "gain_at_end",
    "gain_over_last_doubling",
    "peaked_at_end",
    "TstarFit",
    "fit_tstar",
    "span_without_one",
    "weakest_end",
    "learning_threshold",
    "SweepAnalysis",
    "analyze_sweep",
    "best_within_budget",
    "final_test_accuracy",
    "test_accuracy_at",
    "first_time_train_error_zero",
    "ConvergenceState",
    "convergence_state",
]


@dataclasses.dataclass(frozen=True)
class RunSummary:
    """One run: η, λ, ηλ, its length and t* in epochs (NaN if it diverged), its peak test accuracy, whether and at
    which step it diverged, the epochs until the training accuracy first reached 1 (Fig. S1; NaN if never), and
    the epoch of its first evaluation after the start (a t* there is no peak: :mod:`replication.analysis.criteria`),
    and ``end_gain``: how much its best test accuracy rose at its evaluations after :data:`END_FRACTION` of its
    epochs, over its best before (0 when it did not; NaN without an evaluation on both sides; with sparse
    evaluations that is the rise since its last evaluation before that point). t* reads the peak to within 0.5%,
    so a run that gains less than that at its end has t* before it; ``end_gain`` still shows it was improving.
    ``t_star_before``: the epoch of the evaluation before t* (NaN at the first, or when t* is NaN): the run came
    within the tolerance of its best somewhere after it, so t* is known only to within t* − ``t_star_before``.
    ``half_gain``: as ``end_gain`` over the run's second half, its last doubling (a run that still gains there may
    gain as much in each doubling of a longer run)."""

    lr: float
    lam: float
    lr_lam: float
    epochs: float
    t_star: float
    max_test_accuracy: float
    diverged: bool
    diverged_at: float | None
    t_train_zero: float
    first_eval: float = math.nan
    end_gain: float = math.nan
    t_star_before: float = math.nan  # the evaluation before t*: the peak was reached in between (t*'s resolution)
    half_gain: float = math.nan  # as end_gain, over the run's second half: its last doubling in log time
    final_accuracy: float = math.nan  # its last finite test accuracy


def best_within_budget(h: History, budget_epochs: float) -> float:
    """Peak test accuracy reached within the first ``budget_epochs`` epochs (Fig. 2c's fixed budget)."""
    m = h.metrics
    acc = m["test_accuracy"][m["epoch"] <= budget_epochs]
    return float(np.nanmax(acc)) if np.isfinite(acc).any() else math.nan


def final_test_accuracy(h: History) -> float:
    """The last finite test accuracy of a run (Fig. 1a plots it at the end of the schedule); NaN if there is none."""
    acc = h.metrics["test_accuracy"]
    ok = np.isfinite(acc)
    return float(acc[ok][-1]) if ok.any() else math.nan


def test_accuracy_at(h: History, epoch: float) -> float:
    """The test accuracy at the first finite evaluation at or after ``epoch`` (NaN if there is none, or if
    ``epoch`` is NaN)."""
    m = h.metrics
    ok = np.isfinite(m["test_accuracy"]) & (m["epoch"] >= epoch)
    return float(m["test_accuracy"][ok][0]) if ok.any() else math.nan


def first_time_train_error_zero(h: History) -> float:
    """Epochs until the training accuracy first reaches 1 (Fig. S1); NaN if it never does."""
    err = h.metrics["train_error"]
    hit = np.isfinite(err) & (err <= 0.0)
    return float(h.metrics["epoch"][np.argmax(hit)]) if hit.any() else math.nan


END_FRACTION = 0.9  # a run's last 10% is its "end" (criteria.Criteria.end_fraction, peaked_at_end)


def gain_at_end(epoch, test_acc, epochs: float, fraction: float = END_FRACTION) -> float:
    """How much the best test accuracy rose at the end of a run of ``epochs`` epochs: the best at the evaluations at
    or after ``fraction``·epochs minus the best before them, at least 0 (with sparse evaluations, the rise since the
    last evaluation before ``fraction``·epochs); NaN without a finite evaluation on both sides."""
    epoch, acc = np.asarray(epoch, dtype=float), np.asarray(test_acc, dtype=float)
    ok = np.isfinite(acc) & np.isfinite(epoch)
    late = ok & (epoch >= fraction * epochs)
    early = ok & (epoch < fraction * epochs)
    if not late.any() or not early.any():
        return math.nan
    return max(0.0, float(acc[late].max() - acc[early].max()))


def gain_over_last_doubling(epoch, test_acc, epochs: float) -> float:
    """How much the best test accuracy rose over the second half of a run of ``epochs`` epochs, its last doubling in
    log time: the best after ``epochs``/2 minus the best at or before it, at least 0; NaN without a finite evaluation
    on both sides."""
    epoch, acc = np.asarray(epoch, dtype=float), np.asarray(test_acc, dtype=float)
    ok = np.isfinite(acc) & np.isfinite(epoch)
    late, early = ok & (epoch > epochs / 2), ok & (epoch <= epochs / 2)
    if not late.any() or not early.any():
        return math.nan
    return max(0.0, float(acc[late].max() - acc[early].max()))


def summarize(histories: list[History], *, tol: float = PAPER_PEAK_TOL, relative: bool = False) -> list[RunSummary]:
    """One :class:`RunSummary` per history (t* with the paper's 0.5% tolerance, absolute unless ``relative``: see
    :func:`~replication.analysis.peaks.time_to_peak`)."""
    rows = []
    for h in histories:
        m = h.metrics
        acc = m["test_accuracy"]
        ok = np.isfinite(acc)
        t_star = time_to_peak(m["epoch"], acc, tol=tol, relative=relative) if ok.any() and not h.diverged else math.nan
        good = np.isfinite(m["epoch"]) & (m["step"] > 0)
        per_step = float(m["epoch"][good][0] / m["step"][good][0]) if good.any() else 1.0  # 1 with full batches
        epochs = float(h.steps * per_step)
        rows.append(
            RunSummary(
                lr=h.lr, lam=h.lam, lr_lam=h.lr * h.lam, epochs=epochs, t_star=t_star,
                max_test_accuracy=float(np.nanmax(acc)) if ok.any() else math.nan, diverged=h.diverged,
                diverged_at=h.diverged_at, t_train_zero=first_time_train_error_zero(h),
                first_eval=float(m["epoch"][good][0]) if good.any() else math.nan,
                end_gain=gain_at_end(m["epoch"], acc, epochs) if not h.diverged else math.nan,
                t_star_before=_evaluation_before(m["epoch"], acc, t_star),
                half_gain=gain_over_last_doubling(m["epoch"], acc, epochs) if not h.diverged else math.nan,
                final_accuracy=final_test_accuracy(h),
            )
        )  # fmt: skip
    return rows


def _evaluation_before(epoch, test_acc, t_star: float) -> float:
    """The epoch of the last finite evaluation before ``t_star`` (NaN if there is none, or ``t_star`` is NaN)."""
    epoch, acc = np.asarray(epoch, dtype=float), np.asarray(test_acc, dtype=float)
    before = np.isfinite(acc) & np.isfinite(epoch) & (epoch < t_star)
    return float(epoch[before].max()) if np.isfinite(t_star) and before.any() else math.nan


def weakest_end(rows: list[RunSummary]) -> tuple[float, RunSummary | None]:
    """The decades of ηλ the runs span with any one of them left out, and the run whose leaving out shrinks it to
    that: of the runs of smallest and largest ηλ (leaving out any other run leaves the span as it is), the one whose
    removal leaves less (the smallest on a tie). Rounded to 1e-9 decades, so that a span of exactly 1.5 in floating
    point reads 1.5. (0, None) for fewer than three runs."""
    ordered = sorted(rows, key=lambda r: r.lr_lam)
    if len(ordered) < 3:
        return 0.0, None
    without_low = round(float(np.log10(ordered[-1].lr_lam / ordered[1].lr_lam)), 9)
    without_high = round(float(np.log10(ordered[-2].lr_lam / ordered[0].lr_lam)), 9)
    return (without_low, ordered[0]) if without_low <= without_high else (without_high, ordered[-1])


def span_without_one(rows: list[RunSummary]) -> float:
    """Decades of ηλ the runs span with any one of them left out (:func:`weakest_end`); 0 for fewer than three runs.
    A span that only one run carries rests on that run's t*."""
    return weakest_end(rows)[0]


def fittable(row: RunSummary) -> bool:
    """Whether a run can enter the t* fit: λ > 0, not diverged, and peaked after the first evaluation (t* > 0)."""
    return row.lam > 0 and not row.diverged and bool(np.isfinite(row.t_star)) and row.t_star > 0


def learned(row: RunSummary, min_peak_accuracy: float | None) -> bool:
    """Whether a run's peak test accuracy reaches ``min_peak_accuracy`` (None: every run counts as learned)."""
    return min_peak_accuracy is None or bool(row.max_test_accuracy >= min_peak_accuracy)


def peaked_at_end(row: RunSummary, *, fraction: float = END_FRACTION) -> bool:
    """Whether a run's t* falls in the last (1 − ``fraction``) of its epochs: it was still improving when it stopped,
    so its t* measures the run's length, not a peak (in a sweep whose lengths are ∝ 1/λ that alone gives slope −1)."""
    return bool(np.isfinite(row.t_star) and row.t_star >= fraction * row.epochs)


@dataclasses.dataclass(frozen=True)
class TstarFit:
    """t* ≈ prefactor·(ηλ)^exponent over ``n_runs`` runs spanning ``decades`` of ηλ; c = median t*·ηλ. Runs left
    out because they did not learn are listed as (η, λ) in ``not_learned``. NaN exponent: fewer than two runs."""

    exponent: float
    prefactor: float
    c: float
    n_runs: int
    decades: float
    not_learned: tuple[tuple[float, float], ...] = ()

    def short(self) -> str:
        """The exponent alone ("−1.080"), or "none" when fewer than two runs could be fitted (a label's number)."""
        return f"{self.exponent:.3f}" if np.isfinite(self.exponent) else "none"

    def describe(self) -> str:
        """In words: "−1.080 over 1.6 decades (6 runs)", or why there is no exponent."""
        if not np.isfinite(self.exponent):
            return f"no exponent (only {self.n_runs} usable run{'s' if self.n_runs != 1 else ''})"
        return f"{self.exponent:.3f} over {self.decades:.1f} decades ({self.n_runs} runs)"


def fit_tstar(rows: list[RunSummary], *, min_peak_accuracy: float | None = None) -> TstarFit:
    """Fit t* ∝ (ηλ)^exponent over the :func:`fittable` runs (Fig. 2a); with ``min_peak_accuracy``, runs that never
    reach it are left out too (they did not learn, so their "peak" is noise)."""
    use = [r for r in rows if fittable(r)]
    not_learned = tuple((r.lr, r.lam) for r in use if not learned(r, min_peak_accuracy))
    use = [r for r in use if learned(r, min_peak_accuracy)]
    x = np.array([r.lr_lam for r in use])
    y = np.array([r.t_star for r in use])
    c = estimate_c(y, np.ones_like(x), x) if use else math.nan
    if len(np.unique(x)) < 2:
        return TstarFit(math.nan, math.nan, c, len(use), 0.0, not_learned)
    exponent, prefactor = fit_power_law(x, y)
    return TstarFit(exponent, prefactor, c, len(use), float(np.log10(x.max() / x.min())), not_learned)


def learning_threshold(rows: list[RunSummary], *, chance: float = 0.1) -> float:
    """Halfway between chance and the best λ = 0 run's peak test accuracy (the best run's if there is no λ = 0):
    a run whose peak stays below it has not learned, and its t* says nothing about the claim."""
    finite = [r for r in rows if np.isfinite(r.max_test_accuracy)]
    zero = [r.max_test_accuracy for r in finite if r.lam == 0]
    ref = max(zero) if zero else max((r.max_test_accuracy for r in finite), default=math.nan)
    return chance + 0.5 * (ref - chance)


@dataclasses.dataclass(frozen=True)
class SweepAnalysis:
    """A sweep's summaries with its learning threshold, the fit over every usable run and over those that learned."""

    rows: tuple[RunSummary, ...]
    threshold: float
    fit: TstarFit
    fit_learned: TstarFit


def analyze_sweep(
    histories: list[History], *, chance: float = 0.1, relative: bool = False, tol: float = PAPER_PEAK_TOL
) -> SweepAnalysis:
    """:func:`summarize` (t* read to within ``tol``, as ``relative`` or not), :func:`learning_threshold` and both fits
    of :func:`fit_tstar` in one call."""
    rows = summarize(histories, tol=tol, relative=relative)
    threshold = learning_threshold(rows, chance=chance)
    return SweepAnalysis(tuple(rows), threshold, fit_tstar(rows), fit_tstar(rows, min_peak_accuracy=threshold))


CONVERGENCE_STATES = ("still improving", "converged", "declining")


@dataclasses.dataclass(frozen=True)
class ConvergenceState:
    """How far a run is from converged (Fig. 1a): the test accuracy at the start of its last ``window`` fraction of
    epochs and at the end, their relative change, and the state that change puts it in: "still improving" (above
    +``tol``), "declining" (below −``tol``) or "converged"."""

    window: float
    tol: float
    start_epoch: float
    start_accuracy: float
    final_accuracy: float

    @property
    def relative_change(self) -> float:
        if not self.start_accuracy > 0:
            return math.nan
        return (self.final_accuracy - self.start_accuracy) / self.start_accuracy

    @property
    def state(self) -> str:
        change = self.relative_change
        if not np.isfinite(change):
            return "diverged"
        return CONVERGENCE_STATES[0] if change > self.tol else CONVERGENCE_STATES[2] if change < -self.tol else (
            CONVERGENCE_STATES[1])  # fmt: skip


def convergence_state(h: History, *, window: float = 0.15, tol: float = 0.01) -> ConvergenceState:
    """The relative change of the test accuracy over the last ``window`` fraction of the run's epochs (from the first
    evaluation at or after (1 − window)·T to the last finite one); "converged" if it lies within ±``tol``."""
    if not 0.0 < window < 1.0:
        raise ValueError(f"window={window!r} must lie in (0, 1).")
    check_positive("tol", tol)
    epoch, acc = h.metrics["epoch"], h.metrics["test_accuracy"]
    ok = np.isfinite(acc)
    if not ok.any():
        return ConvergenceState(window, tol, math.nan, math.nan, math.nan)
    end = float(epoch[ok][-1])
    start = np.flatnonzero(ok & (epoch >= (1.0 - window) * end))[0]
    return ConvergenceState(window, tol, float(epoch[start]), float(acc[start]), float(acc[ok][-1]))
