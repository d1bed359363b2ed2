"""The criteria that decide a claim from our runs: ``reproduced``, ``not reproduced`` or ``inconclusive`` with its
reason, the same everywhere in the book.

* A run **qualifies** for a t* fit when it learned (its peak clears the sweep's learning threshold) and its peak is
  **interior**: after its first evaluation past the start, and before the last ``end_fraction`` of its run. Every
  Section 2 run lasts τ/(ηλ), so a peak at the first evaluation or at the end of the run scales as 1/(ηλ) whatever
  the network does: such runs are agreement by construction and never count. So, for the same reason, does a peak
  at one of a run's first few evaluations (ours): its evaluations are spaced in proportion to its length, 1/(ηλ), so
  runs whose true t* differ are read at the same evaluation, pulled toward 1/(ηλ); a run qualifies only where t* is
  resolved, the evaluation before it at least (1 − ``peak_resolution``)·t* (with evenly spaced evaluations: the
  fourth or a later one).
* t* is the first evaluation within the paper's 0.5% of the run's best test accuracy, or within one tie where 0.5%
  is finer than a tie (below 600 test images: :meth:`Criteria.peak_tolerance`, ours).
* An exponent is decided only over at least ``min_runs`` qualifying runs spanning at least ``min_decades`` of ηλ,
  and still spanning them with any one run left out (ours: a span that one run carries rests on that run's t*, and
  a t* on a plateau can move several-fold with the CPU's rounding); it is reproduced when it lies within
  ``tolerance`` of the paper's exponent, and with seeds the whole seed interval must: an interval across the
  tolerance's edge is inconclusive, one outside it is not reproduced.
* Two test accuracies that differ by at most ``tie_images`` test images are a **tie**: reported as one, never
  broken toward either λ.
* A smallest λ whose peak lies below λ = 0's by more than a tie but within ``chance_sigmas`` standard errors of the
  difference two classifiers can show by chance on the same test images (:func:`chance_band`) is **within chance**:
  the claim that it does as well is neither shown nor refuted, so the comparison is inconclusive (ours: on a few
  hundred test images a gap of 1% is within chance, and the same runs trained on another CPU, which rounds
  differently, land on either side of a 3-image tie).
* A comparison against λ = 0 needs a λ = 0 run that was no longer improving at its end; one cut short of the
  paper's length while still improving (:func:`still_improving`: its t* in its last 10%, or its best rising there by
  more than a tie; or, ours, :func:`still_rising_per_doubling`: its best rising by more than a tie over its second
  half, its last doubling, and not turned down since, when the paper trains it longer by enough doublings to close
  the gap at that rate: a run that gains in log time may gain as much again in each doubling it was denied) makes a
  tie or a win against it inconclusive ("λ = 0 capped"); a loss to it stands.
* Where a preset trains each λ > 0 for less physical time than the paper (``short_of_paper``), a smallest λ below
  λ = 0 that was still improving at the end of its run is inconclusive too: the paper's length could close the gap.
  So is one below λ = 0 that peaks above the grid's next λ up by more than chance (ours): still climbing as λ falls,
  it is not yet the small λ the claim is about.
* AutoL2's race tests its detection rule only where the rule decides when λ decays: when most of its decays came at
  the first measurement its refractory period (``delay``/λ steps) allowed, the race measures that constant instead
  and is inconclusive (:func:`refractory_bound`). AutoL2 ending below the tuned λ within chance is inconclusive too,
  as for λ = 0 above.
"""

from __future__ import annotations

import collections
import dataclasses
import math
from typing import TYPE_CHECKING

import numpy as np

from replication.analysis.peaks import PAPER_PEAK_TOL
from replication.analysis.seeds import SeedAnalysis, SeedFit, bootstrap_tstar_fit
from replication.analysis.sweeps import (
    END_FRACTION,
    RunSummary,
    SweepAnalysis,
    TstarFit,
    fit_tstar,
    fittable,
    learned,
    span_without_one,
    weakest_end,
)
from replication.core.validation import check_positive_int

if TYPE_CHECKING:  # types only: budgets builds on this module's ties
    from replication.analysis.budgets import PredictionRow, RaceRow

__all__ = [
    "OUTCOMES",
    "Criteria",
    "Verdict",
    "peak_position",
    "still_improving",
    "still_rising_per_doubling",
    "qualifies",
    "ExponentVerdict",
    "exponent_verdict",
    "qualifying_seed_fit",
    "sweep_verdict",
    "RefractoryCount",
    "refractory_bound",
    "all_of",
    "seeds_agree",
    "images_apart",
    "is_tie",
    "chance_band",
    "within_chance",
    "fixed_budget_optimum_verdict",
    "TiedBest",
    "tied_best",
    "zero_comparison",
    "scaling_failure_verdict",
    "independence_verdict",
    "EtaSpreads",
    "eta_spreads",
    "eta_flattening_verdict",
    "prediction_verdict",
    "race_verdict",
    "within_tolerance",
]

OUTCOMES = ("reproduced", "not reproduced", "inconclusive")


@dataclasses.dataclass(frozen=True)
class Criteria:
    """The thresholds of the rules above; one instance serves the whole book (:data:`DEFAULT`)."""

    min_runs: int = 4
    min_decades: float = 1.5
    end_fraction: float = END_FRACTION  # RunSummary.end_gain is measured over the same last 10%
    tolerance: float = 0.25
    tie_images: int = 3
    peak_tol: float = PAPER_PEAK_TOL  # t* reads the peak to within this (peak_tolerance)
    chance_sigmas: float = 2.0
    # t* is resolved when the evaluation before it lies within this fraction of t* below it (ours). A t* read up to
    # a factor 1/(1 − r) late at one end of a ``min_decades`` span tilts the slope by up to log10(1/(1 − r))/1.5:
    # 0.083 at r = 0.25, a third of the tolerance (0.20 at r = 0.5: most of it).
    peak_resolution: float = 0.25

    def peak_tolerance(self, n_test: int | None) -> float:
        """How close to its best a run's test accuracy must come for t* (:func:`~replication.analysis.peaks.
        time_to_peak`): the paper's 0.5%, or one tie where that is finer than a tie (ours: below 600 test images,
        where 0.5% is less than 3 images, a plateau's t* would otherwise hang on a difference the book calls a tie);
        the paper's where ``n_test`` is not known."""
        if n_test is None:
            return self.peak_tol
        return max(self.peak_tol, self.tie_images / n_test)

    def describe(self) -> str:
        return (
            f"t* is the first evaluation within {100 * self.peak_tol:g}% of a run's best test accuracy, or within a "
            f"tie where that is finer; reproduced: at least {self.min_runs} runs that learned and peaked inside their "
            f"run (t* resolved: the evaluation before it within {100 * self.peak_resolution:g}% of t*; before the "
            f"last {100 * (1 - self.end_fraction):.0f}%), spanning at least {self.min_decades:g} decades of ηλ with "
            f"any one run left out (with seeds: in each seed), with an exponent (with seeds: its whole interval) "
            f"within ±{self.tolerance:g} of the paper's; accuracies {self.tie_images} or fewer test images "
            f"apart are a tie; a smallest λ below λ = 0 (or AutoL2 below the tuned λ) by more than a tie but within "
            f"{self.chance_sigmas:g} standard errors of chance on the test set is inconclusive; so is one below λ = 0 "
            f"that still peaks above the grid's next λ up by more than chance (not yet a small λ), and AutoL2's race "
            f"where most of its decays came at the first measurement its refractory period allowed; a λ that "
            f"matches or beats a λ = 0 cut short of the paper's length while still improving (its t* in its last "
            f"{100 * (1 - self.end_fraction):.0f}%, or its best rising by more than a tie there, or over its second "
            f"half, its last doubling, without turning down since) is inconclusive; a comparison is decided only "
            f"where every seed agrees"
        )


DEFAULT = Criteria()


@dataclasses.dataclass(frozen=True)
class Verdict:
    """One of :data:`OUTCOMES` and the reason, in words a reader can check against the runs."""

    outcome: str
    reason: str

    def __post_init__(self):
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome={self.outcome!r} must be one of {OUTCOMES}.")

    def describe(self) -> str:
        return f"{self.outcome}: {self.reason}"


def peak_position(row: RunSummary, criteria: Criteria = DEFAULT) -> str:
    """Where a run's t* falls: "diverged", "first evaluation" (at or before its first evaluation past the start),
    "end" (in the last 1 − ``end_fraction`` of its epochs: still improving when it stopped), "unresolved" (at one of
    its first few: the evaluation before t* more than ``peak_resolution``·t* below it) or "interior"."""
    if row.diverged or not np.isfinite(row.t_star):
        return "diverged"
    first = row.first_eval if np.isfinite(row.first_eval) else 0.0
    if row.t_star <= first:
        return "first evaluation"
    if row.t_star >= criteria.end_fraction * row.epochs:
        return "end"
    gap = row.t_star - row.t_star_before  # NaN at the first evaluation; 1e-9: exactly at the resolution passes
    if gap > criteria.peak_resolution * row.t_star * (1 + 1e-9):
        return "unresolved"
    return "interior"


def still_improving(row: RunSummary, n_test: int, criteria: Criteria = DEFAULT) -> bool:
    """Whether a run was still improving when it stopped: its t* at its end (:func:`peak_position`), or its best
    test accuracy rising by more than a tie (``criteria.tie_images`` of ``n_test``) at its evaluations after 90% of
    its run (``RunSummary.end_gain``, measured at :data:`~replication.analysis.sweeps.END_FRACTION` whatever
    ``criteria.end_fraction``). t* reads the peak to within 0.5%, which on a large test set hides gains of many
    images: a comparison with such a run's peak understates it."""
    if peak_position(row, criteria) == "end":
        return True
    return bool(np.isfinite(row.end_gain) and row.end_gain * n_test > criteria.tie_images + 1e-9)


def still_rising_per_doubling(row: RunSummary, n_test: int, criteria: Criteria = DEFAULT) -> bool:
    """Whether a run's best test accuracy rose by more than a tie over its second half (``RunSummary.half_gain``),
    its last doubling in log time, and its last evaluation is still within a tie of that best (it had not turned
    down). Training curves slow down in linear time; one still rising per doubling, cut short of a length many
    doublings longer, says nothing yet about where it ends."""
    tie = criteria.tie_images + 1e-9
    return bool(np.isfinite(row.half_gain) and row.half_gain * n_test > tie
                and is_tie(row.final_accuracy, row.max_test_accuracy, n_test, criteria))  # fmt: skip


def qualifies(row: RunSummary, threshold: float | None, criteria: Criteria = DEFAULT) -> bool:
    """Whether a run enters a decided t* fit: fittable, learned (peak ≥ ``threshold``) and peaked in its interior."""
    return fittable(row) and learned(row, threshold) and peak_position(row, criteria) == "interior"


@dataclasses.dataclass(frozen=True)
class ExponentVerdict:
    """t* ∝ (ηλ)^exponent decided: the fit over the qualifying runs (the headline), the fit over every fittable run
    (shown beside it, labelled), how many runs each exclusion removed, and the verdict."""

    target: float
    fit: TstarFit
    fit_all: TstarFit
    excluded: tuple[tuple[str, int], ...]  # (why, how many runs)
    interval: tuple[float, float] | None
    verdict: Verdict
    pooled: float | None = None  # the exponent pooled over seeds that ``interval`` belongs to

    @property
    def exponent(self) -> float:
        """The number that stands for the sweep: the exponent pooled over the seeds where it has several (the one
        the verdict's interval belongs to), else the fit over the qualifying runs of its one seed."""
        return self.pooled if self.pooled is not None else self.fit.exponent

    def short(self) -> str:
        """:attr:`exponent` alone ("−1.080"), or "none" where there is none (a label's number)."""
        return f"{self.exponent:.3f}" if np.isfinite(self.exponent) else "none"

    def exponent_label(self) -> str:
        """Which runs :attr:`exponent` is fitted over, in words."""
        if self.pooled is not None:
            return f"pooled over the seeds' runs that qualify (the first seed alone: {self.fit.short()})"
        return f"over the {self.fit.n_runs} runs that qualify"

    def describe(self) -> str:
        left_out = ", ".join(f"{n} {why}" for why, n in self.excluded if n)
        return (
            f"{self.verdict.describe()}. Over the runs that qualify: {self.fit.describe()}"
            + (f"; left out: {left_out}" if left_out else "")
            + f"; over every run: {self.fit_all.describe()} (agreement by construction where runs peak at the end)"
        )


def exponent_verdict(
    rows: list[RunSummary],
    *,
    threshold: float | None,
    target: float = -1.0,
    interval: tuple[float, float] | None = None,
    pooled: float | None = None,
    criteria: Criteria = DEFAULT,
) -> ExponentVerdict:
    """Decide the claim t* ∝ (ηλ)^target from a sweep's runs (Fig. 2a, 2d, 3a/d); ``interval``: the exponent's
    interval over seeds where the sweep has seeds (:mod:`replication.analysis.seeds`), ``pooled``: the exponent
    of the fit that interval belongs to, named in the reason beside it."""
    fittable_rows = [r for r in rows if fittable(r)]
    not_learned = [r for r in fittable_rows if not learned(r, threshold)]
    positions = [peak_position(r, criteria) for r in fittable_rows if learned(r, threshold)]
    use = [r for r in rows if qualifies(r, threshold, criteria)]
    fit, fit_all = fit_tstar(use), fit_tstar(rows)
    excluded = (
        ("did not learn", len(not_learned)),
        ("peaked at their first evaluation", positions.count("first evaluation")),
        (
            f"peaked too early for t* to be resolved to {100 * criteria.peak_resolution:g}%",
            positions.count("unresolved"),
        ),
        ("peaked at the end of their run", positions.count("end")),
    )
    tol = criteria.tolerance
    if fit.n_runs < criteria.min_runs:
        verdict = Verdict(
            "inconclusive",
            f"{fit.n_runs} run{'s' * (fit.n_runs != 1)} learned and peaked inside their run; the rule needs "
            f"{criteria.min_runs}",
        )
    elif fit.decades < criteria.min_decades:
        span = f"{fit.decades:.1f}" if f"{fit.decades:.1f}" != f"{criteria.min_decades:.1f}" else f"{fit.decades:.2f}"
        verdict = Verdict(
            "inconclusive", f"the runs that qualify span {span} decades of ηλ; the rule needs {criteria.min_decades:g}"
        )  # fmt: skip
    elif span_without_one(use) < criteria.min_decades:
        verdict = Verdict("inconclusive", f"the runs that qualify span {fit.decades:.1f} decades of ηλ, but "
                                          f"{_carried_by(use)}; the rule needs {criteria.min_decades:g} that no "
                                          "single run carries")  # fmt: skip
    elif interval is not None:
        lo, hi = sorted(interval)
        band = f"{target:g} ± {tol:g}"
        named = f"the seed interval {lo:.3f} … {hi:.3f}"
        if pooled is not None:
            named += f" (pooled exponent {pooled:.3f})"
        if target - tol <= lo and hi <= target + tol:
            verdict = Verdict("reproduced", f"{named} lies within {band}")
        elif hi < target - tol or lo > target + tol:
            verdict = Verdict("not reproduced", f"{named} lies outside {band}")
        else:
            verdict = Verdict("inconclusive", f"{named} crosses the edge of {band}")
    elif abs(fit.exponent - target) <= tol:
        verdict = Verdict("reproduced", f"exponent {fit.exponent:.3f} within {target:g} ± {tol:g} (one seed)")
    else:
        verdict = Verdict("not reproduced", f"exponent {fit.exponent:.3f} outside {target:g} ± {tol:g} (one seed)")
    return ExponentVerdict(target, fit, fit_all, excluded, interval, verdict, pooled if interval is not None else None)


def _carried_by(rows: list[RunSummary]) -> str:
    """Which single run a span rests on, in words (:func:`~replication.analysis.sweeps.weakest_end`)."""
    left, run = weakest_end(rows)
    return f"{left:.1f} without its one run at ηλ = {run.lr_lam:.3g} (η = {run.lr:g}, λ = {run.lam:g})"


def qualifying_seed_fit(seeds: SeedAnalysis, criteria: Criteria = DEFAULT) -> SeedFit:
    """The t* fit pooled over seeds with its bootstrap interval (:func:`bootstrap_tstar_fit`), over the runs that
    qualify in each seed (learned by that seed's own threshold, peaked inside their run)."""
    rows = [[r for r in a.rows if qualifies(r, a.threshold, criteria)] for a in seeds.analyses]
    return bootstrap_tstar_fit(rows, level=seeds.fit.level, resamples=seeds.fit.resamples)


def sweep_verdict(
    analysis: SweepAnalysis, seeds: SeedAnalysis | None = None, *, target: float = -1.0, criteria: Criteria = DEFAULT
) -> ExponentVerdict:
    """:func:`exponent_verdict` of a sweep (its first seed's runs) with, where it has several seeds, the interval of
    :func:`qualifying_seed_fit` and its pooled exponent. The interval is decided only where every seed's qualifying
    runs meet the rule's count and span on their own (each seed replicates the sweep; a seed with too few would
    leave its share of the bootstrap draws without a slope); otherwise inconclusive, naming the seeds short of it."""
    interval = exponent = None
    if seeds is not None:
        pooled = qualifying_seed_fit(seeds, criteria)
        if np.isfinite(pooled.exponent):
            interval, exponent = pooled.exponent_ci, pooled.exponent
    decided = exponent_verdict(list(analysis.rows), threshold=analysis.threshold, target=target, interval=interval,
                               pooled=exponent, criteria=criteria)  # fmt: skip
    if interval is None or decided.verdict.outcome == "inconclusive":
        return decided
    qualifying = [[r for r in a.rows if qualifies(r, a.threshold, criteria)] for a in seeds.analyses]
    fits, spans = [fit_tstar(q) for q in qualifying], [span_without_one(q) for q in qualifying]
    need = criteria.min_decades
    short = [(k, f, w) for k, (f, w) in enumerate(zip(fits, spans))
             if f.n_runs < criteria.min_runs or f.decades < need or w < need]  # fmt: skip
    if not short:
        return decided
    each = "; ".join(f"seed {k + 1}: {f.n_runs} over {f.decades:.1f} decades"
                     + (f", {w:.1f} with one run left out" if f.decades >= criteria.min_decades else "")
                     for k, f, w in short)  # fmt: skip
    reason = (f"{decided.verdict.reason}, but not every seed's runs qualify on their own ({each}; the rule needs "
              f"{criteria.min_runs} over {criteria.min_decades:g} decades in each seed, with any one run left "
              "out)")  # fmt: skip
    return dataclasses.replace(decided, verdict=Verdict("inconclusive", reason))


def all_of(verdicts: dict[str, Verdict]) -> Verdict:
    """One claim tested in several settings (e.g. the CNN with and without batch norm): reproduced only if every
    setting reproduces it, not reproduced if any does not, else inconclusive; the reason names each setting's."""
    if not verdicts:
        raise ValueError("all_of needs at least one verdict.")
    outcomes = {v.outcome for v in verdicts.values()}
    outcome = "not reproduced" if "not reproduced" in outcomes else outcomes.pop() if len(outcomes) == 1 else (
        "inconclusive")  # fmt: skip
    return Verdict(outcome, "; ".join(f"{name}: {v.describe()}" for name, v in verdicts.items()))


def seeds_agree(verdicts: list[Verdict], n_seeds: int) -> Verdict:
    """One comparison made once per initialization seed (e.g. Fig. 2b's smallest λ against λ = 0): its outcome when
    every one of the ``n_seeds`` seeds gives the same, else inconclusive (the seeds disagree, or some seed has no
    comparison to make); the reason names each seed's."""
    check_positive_int("n_seeds", n_seeds)
    if len(verdicts) == 1 and n_seeds == 1:
        return verdicts[0]
    each = "; ".join(f"seed {k + 1}: {v.describe()}" for k, v in enumerate(verdicts))
    if len(verdicts) < n_seeds:
        return Verdict("inconclusive", f"only {len(verdicts)} of {n_seeds} seeds have the comparison ({each})")
    outcomes = collections.Counter(v.outcome for v in verdicts)
    if len(outcomes) == 1:
        return Verdict(verdicts[0].outcome, f"the same in each of {n_seeds} seeds ({each})")
    told = ", ".join(f"{n} {outcome}" for outcome, n in outcomes.most_common())
    return Verdict("inconclusive", f"the {n_seeds} seeds disagree ({told}: {each})")


def images_apart(a: float, b: float, n_test: int) -> float:
    """How many test images two accuracies on the same ``n_test`` images differ by."""
    return abs(a - b) * n_test


def is_tie(a: float, b: float, n_test: int, criteria: Criteria = DEFAULT) -> bool:
    """Whether two accuracies differ by at most ``criteria.tie_images`` test images (within the test set's
    resolution: neither is better)."""
    return images_apart(a, b, n_test) <= criteria.tie_images + 1e-9


@dataclasses.dataclass(frozen=True)
class TiedBest:
    """The best of several (λ, accuracy) and every λ tied with it; ``unique`` when no other λ ties."""

    best_accuracy: float
    lams: tuple[float, ...]  # the λ tied for best, increasing

    @property
    def unique(self) -> bool:
        return len(self.lams) == 1

    def describe(self) -> str:
        if self.unique:
            return f"λ = {self.lams[0]:g} ({self.best_accuracy:.4f})"
        return f"a tie between λ = {', '.join(f'{lam:g}' for lam in self.lams)} (best {self.best_accuracy:.4f})"


def tied_best(pairs, n_test: int, criteria: Criteria = DEFAULT) -> TiedBest:
    """The best accuracy among ``pairs`` of (λ, accuracy) and every λ within the test set's resolution of it."""
    finite = [(float(lam), float(acc)) for lam, acc in pairs if np.isfinite(acc)]
    if not finite:
        raise ValueError("tied_best needs at least one finite accuracy.")
    best = max(acc for _, acc in finite)
    return TiedBest(best, tuple(sorted(lam for lam, acc in finite if is_tie(acc, best, n_test, criteria))))


def fixed_budget_optimum_verdict(best: TiedBest, swept, expected: float, *, chance: float = 0.1) -> Verdict:
    """Fig. 1a at a fixed T: the λ that ends best (with every λ tied with it, :func:`tied_best`) against the λ the
    claim expects (the paper's 0.0005 = 0.1/T, i.e. the λ whose T(λ) is the fixed T). Inconclusive with fewer than
    three λ swept (no optimum to locate), when the best run did not learn (under twice ``chance``), when every λ
    swept ties (a flat curve locates no optimum) and when the tie reaches an edge of the grid (the optimum may lie
    outside it, whatever else ties). Otherwise reproduced when the swept λ nearest the expected one (in log) is
    among the tied best, else not reproduced."""
    swept = sorted(float(lam) for lam in swept if lam > 0)
    if not swept:
        raise ValueError("fixed_budget_optimum_verdict needs at least one λ > 0 swept.")
    if len(swept) < 3:
        return Verdict("inconclusive", f"{len(swept)} λ swept: too few to locate an optimum")
    if not best.best_accuracy >= 2 * chance:
        return Verdict("inconclusive", f"no run learned (best final accuracy {best.best_accuracy:.4f}, chance "
                                       f"{chance:g})")  # fmt: skip
    nearest = min(swept, key=lambda lam: abs(math.log(lam / expected)))
    where = best.describe()
    if set(swept) <= set(best.lams):
        return Verdict("inconclusive", f"every λ swept ties for the best ({where}): a flat curve locates no "
                                       f"optimum; expected λ = {expected:g}")  # fmt: skip
    if {swept[0], swept[-1]} & set(best.lams):
        return Verdict("inconclusive", f"the best is {where}, at the grid's edge (the optimum may lie outside it); "
                                       f"expected λ = {expected:g}")  # fmt: skip
    if nearest in best.lams:
        return Verdict("reproduced", f"the best is {where}, which includes λ = {nearest:g}, the grid's nearest to "
                                     f"the expected {expected:g}")  # fmt: skip
    return Verdict("not reproduced", f"the best is {where}, not λ = {nearest:g} (the grid's nearest to the expected "
                                     f"{expected:g})")  # fmt: skip


def scaling_failure_verdict(
    rows: list[RunSummary],
    *,
    threshold: float | None,
    n_test: int,
    cut_short=(),
    criteria: Criteria = DEFAULT,
) -> Verdict:
    """Fig. S7's claim for a network that is not overparameterized: its peak test accuracy over λ > 0 has an
    interior maximum λ_opt (the smallest λ swept, trained for the same physical time, ends below the best by more
    than a tie), and below λ_opt t* stops following 1/(ηλ) (the paper: t* is constant there). λ_opt is the smallest
    λ tied for the best peak. The exponent below it is decided as every exponent is (:func:`exponent_verdict`'s
    qualifying runs, their number and span) over the runs with λ ≤ λ_opt: reproduced when it lies outside −1 ±
    tolerance, not reproduced inside it or when no interior optimum appears (unless the smallest λ was ``cut_short``
    of its physical time: inconclusive); the reason says whether t* is also constant (0 ± tolerance). Inconclusive
    too when λ_opt lies above the smallest λ but the best ties the largest λ swept (the optimum may lie above the
    grid) and when a run below λ_opt was ``cut_short`` while still improving (its peak may be understated, and the
    optimum lie lower)."""
    positive = [r for r in rows if r.lam > 0 and not r.diverged and np.isfinite(r.max_test_accuracy)]
    if len({r.lam for r in positive}) < 3:
        return Verdict("inconclusive", f"{len({r.lam for r in positive})} λ > 0 trained: too few to locate an optimum")
    best = tied_best([(r.lam, r.max_test_accuracy) for r in positive], n_test, criteria)
    lam_opt, smallest = best.lams[0], min(r.lam for r in positive)
    if lam_opt == smallest:
        short = smallest in {float(c[0]) for c in cut_short}
        where = f"the best peak is {best.describe()}, at the smallest λ swept: no interior optimum"
        return Verdict("inconclusive" if short else "not reproduced",
                       where + (" (that run was cut short of its physical time)" if short else ""))  # fmt: skip
    largest = max(r.lam for r in positive)
    if largest in best.lams:
        return Verdict("inconclusive", f"the best peak is {best.describe()}, at the largest λ swept: the optimum may "
                                       "lie above the grid")  # fmt: skip
    short_lams = {float(c[0]) for c in cut_short}
    understated = [r.lam for r in sorted(positive, key=lambda r: r.lam)
                   if r.lam < lam_opt and r.lam in short_lams and still_improving(r, n_test, criteria)]  # fmt: skip
    if understated:
        named = ", ".join(f"{lam:g}" for lam in understated)
        return Verdict("inconclusive", f"the best peak is {best.describe()}, but λ = {named} below it was cut short "
                                       "of its physical time while still improving: its peak, and so where the "
                                       "optimum lies, may be understated")  # fmt: skip
    below = exponent_verdict([r for r in positive if r.lam <= lam_opt], threshold=threshold, target=-1.0,
                             criteria=criteria)  # fmt: skip
    fit, tol = below.fit, criteria.tolerance
    opt = f"interior optimum λ_opt = {lam_opt:g} (best peak {best.best_accuracy:.4f}); "
    if below.verdict.outcome == "inconclusive":
        return Verdict("inconclusive", opt + "below it " + below.verdict.reason)
    constant = "t* constant, as the paper" if abs(fit.exponent) <= tol else "t* not constant (the paper: constant)"
    if below.verdict.outcome == "reproduced":  # the exponent below λ_opt is still −1: the scaling did not fail
        return Verdict("not reproduced", opt + f"below it the t* exponent {fit.exponent:.3f} is within −1 ± {tol:g}")
    return Verdict("reproduced", opt + f"below it the t* exponent {fit.exponent:.3f} is outside −1 ± {tol:g} "
                                       f"({constant}: 0 ± {tol:g})")  # fmt: skip


def independence_verdict(finals: dict[str, list[float]], n_test: int, *, what: str = "σ_w", chance: float = 0.1,
                         criteria: Criteria = DEFAULT) -> Verdict:  # fmt: skip
    """Fig. S12's claim, "the late-time accuracy (nearly) does not depend on ``what``": ``finals`` maps each setting
    to its runs' final test accuracies (one per seed). Inconclusive when a run did not learn (under twice
    ``chance``). Reproduced when the settings' means are tied, or, with two seeds or more per setting, lie no
    further apart than the seeds of one setting do; not reproduced when they lie more than twice that and more than a
    tie apart; otherwise, and always with one run per setting and a spread beyond a tie, inconclusive: one run
    cannot tell a setting's effect from seed noise."""
    if any(not runs for runs in finals.values()):
        raise ValueError("independence_verdict needs a run for each setting.")
    if len(finals) < 2:
        return Verdict("inconclusive", f"{len(finals)} {what} trained: nothing to compare")
    values = [a for runs in finals.values() for a in runs]
    if not all(np.isfinite(values)) or min(values) < 2 * chance:
        return Verdict("inconclusive", f"a run did not learn (lowest final accuracy {min(values):.4f}, chance "
                                       f"{chance:g})")  # fmt: skip
    means = {k: float(np.mean(v)) for k, v in finals.items()}
    apart = images_apart(max(means.values()), min(means.values()), n_test)
    seeds = min(len(v) for v in finals.values())
    noise = max(images_apart(max(v), min(v), n_test) for v in finals.values()) if seeds >= 2 else math.nan
    each = ", ".join(f"{k}: {m:.4f}" for k, m in means.items())
    of_seeds = "" if seeds < 2 else f", means of {seeds} seeds or more"
    spread = f"final accuracy by {what} ({each}{of_seeds}) spans {apart:.0f} of {n_test} test images"
    if apart <= criteria.tie_images + 1e-9:
        return Verdict("reproduced", f"{spread}: a tie")
    if seeds < 2:
        return Verdict("inconclusive", f"{spread}, beyond a tie, with one run per {what}: seed noise cannot be told "
                                       "apart from an effect")  # fmt: skip
    if apart <= noise:
        return Verdict("reproduced", f"{spread}, no more than one {what}'s seeds span ({noise:.0f})")
    if apart > 2 * noise:
        return Verdict("not reproduced", f"{spread}, more than twice what one {what}'s seeds span ({noise:.0f})")
    return Verdict("inconclusive", f"{spread}; one {what}'s seeds span {noise:.0f}")


@dataclasses.dataclass(frozen=True)
class EtaSpreads:
    """Fig. S5: over ``n_lams`` λ (each with two η or more, all reaching training accuracy 1), the median spread over
    η of the test accuracy, in test images, when training accuracy first reaches 1 and at the peak."""

    n_lams: int
    at_one: float
    at_peak: float

    def describe(self) -> str:
        if not self.n_lams:
            return "no λ with two η that reached training accuracy 1"
        return f"{self.at_one:.0f} test images at training accuracy 1 → {self.at_peak:.0f} at the peak"


def eta_spreads(by_lam: dict[float, list[tuple[float, float]]], n_test: int) -> EtaSpreads:
    """:class:`EtaSpreads` of ``by_lam``: each λ > 0 to its runs' (accuracy at training accuracy 1, peak accuracy),
    one per η."""
    spreads = []
    for lam, runs in sorted(by_lam.items()):
        if lam > 0 and len(runs) >= 2 and all(np.isfinite(a) and np.isfinite(p) for a, p in runs):
            at_one, peak = zip(*runs, strict=True)
            spreads.append((images_apart(max(at_one), min(at_one), n_test), images_apart(max(peak), min(peak), n_test)))
    if not spreads:
        return EtaSpreads(0, math.nan, math.nan)
    one, peak = (float(np.median(x)) for x in zip(*spreads, strict=True))
    return EtaSpreads(len(spreads), one, peak)


def eta_flattening_verdict(by_lam: dict[float, list[tuple[float, float]]], n_test: int, *,
                           criteria: Criteria = DEFAULT) -> Verdict:  # fmt: skip
    """Fig. S5's claim with MSE: the test accuracy when the training accuracy first reaches 1 depends on η, and this
    dependence flattens out when the runs are evolved to their peak (t_test). ``by_lam`` maps each λ > 0 to its
    runs' (accuracy at training accuracy 1, peak accuracy), one per η. Over the λ with at least two η whose runs
    all reached training accuracy 1, the median η-spread (max − min over η) at each time is compared: reproduced when
    the spread at training accuracy 1 is beyond a tie and the spread at the peak is at most half of it (ours: the
    paper says "flattens out"); not reproduced when the peak's spread is as large; inconclusive with fewer than two
    such λ, without an η-dependence beyond a tie at training accuracy 1 (nothing to flatten), or in between."""
    spreads = eta_spreads(by_lam, n_test)
    if spreads.n_lams < 2:
        return Verdict("inconclusive", f"{spreads.n_lams} λ with two η or more whose runs all reached training "
                                       "accuracy 1; the rule needs 2")  # fmt: skip
    one, peak = spreads.at_one, spreads.at_peak
    told = (f"median η-spread over {spreads.n_lams} λ: {one:.0f} of {n_test} test images at training accuracy 1, "
            f"{peak:.0f} at the peak")  # fmt: skip
    if one <= criteria.tie_images:
        return Verdict("inconclusive", f"{told}: no η-dependence beyond a tie at training accuracy 1 to flatten")
    if peak <= one / 2:
        return Verdict("reproduced", f"{told} (rule, ours: at most half)")
    if peak >= one:
        return Verdict("not reproduced", f"{told}: the dependence does not flatten")
    return Verdict("inconclusive", f"{told}: flatter, but by less than half (rule, ours)")


def zero_comparison(
    smallest: RunSummary,
    zero: RunSummary | None,
    n_test: int,
    *,
    paper_zero_epochs: float | None = None,
    short_of_paper: bool = False,
    threshold: float | None = None,
    chance: float = 0.1,
    next_smallest: RunSummary | None = None,
    criteria: Criteria = DEFAULT,
) -> Verdict:
    """Fig. 2b's claim: trained for τ/(ηλ), the smallest λ does as well as λ = 0 or better. Reproduced when its
    peak is at least λ = 0's or tied with it; inconclusive without a λ = 0 run, when neither run learned (each
    peak below ``threshold``, the sweep's learning threshold, or under twice ``chance``, as elsewhere in the book:
    two runs that learned nothing tie by default), when λ = 0 was cut short of the paper's length while still
    improving (:func:`still_improving`: its peak then understates it; or :func:`still_rising_per_doubling`, by as
    much each doubling as would close the gap over the doublings the paper trains it longer) and the smallest λ ties
    or beats it (a smallest λ below it stays below: a run's best only rises with more training), and, with
    ``short_of_paper`` (a
    preset whose τ is shorter than the paper's), when the smallest λ is below λ = 0 but still improving at the end
    of its run (the paper's τ could close the gap). A smallest λ below λ = 0 that peaks above ``next_smallest``
    (the grid's next λ up, same η, a run that learned) by more than chance is still climbing as λ falls (ours): the
    grid has not reached the small λ the claim is about, so its loss is inconclusive too."""
    if zero is None or not np.isfinite(zero.max_test_accuracy):
        return Verdict("inconclusive", "no λ = 0 run to compare with")
    if smallest.diverged or not np.isfinite(smallest.max_test_accuracy):
        return Verdict("inconclusive", f"λ = {smallest.lam:g} diverged: no peak to compare with λ = 0's")

    def learned_here(r: RunSummary) -> bool:
        return learned(r, threshold) and r.max_test_accuracy >= 2 * chance

    if not learned_here(smallest) and not learned_here(zero):
        bar = f", the sweep's learning threshold {threshold:.4f}" if threshold is not None else ""
        return Verdict("inconclusive", f"neither run learned (peaks: λ = {smallest.lam:g} "
                                       f"{smallest.max_test_accuracy:.4f}, λ = 0 {zero.max_test_accuracy:.4f}; chance "
                                       f"{chance:g}{bar})")  # fmt: skip
    apart = images_apart(smallest.max_test_accuracy, zero.max_test_accuracy, n_test)
    capped = paper_zero_epochs is not None and zero.epochs < paper_zero_epochs - 1
    improving = still_improving(zero, n_test, criteria)
    per_doubling = (capped and not improving and still_rising_per_doubling(zero, n_test, criteria)
                    and _could_close(zero, smallest.max_test_accuracy, paper_zero_epochs, n_test, criteria)
                    )  # fmt: skip
    zero_capped = (improving and (capped or paper_zero_epochs is None)) or per_doubling
    length = f"{zero.epochs:g} epochs" + (f" (the paper: {paper_zero_epochs:.4g})" if capped else "")
    tie = is_tie(smallest.max_test_accuracy, zero.max_test_accuracy, n_test, criteria)
    if zero_capped and (tie or smallest.max_test_accuracy > zero.max_test_accuracy):
        rose = _rose(zero, n_test, criteria)
        if per_doubling:
            rose = (f" (its best rose {zero.half_gain * n_test:.0f} of {n_test} test images over its second half, "
                    f"its last doubling; the paper's is {math.log2(paper_zero_epochs / zero.epochs):.1f} doublings "
                    "longer)")  # fmt: skip
        return Verdict("inconclusive", f"λ = 0 capped: still improving at the end of its {length}{rose}")
    if tie:
        return Verdict("reproduced", f"a tie with λ = 0 ({apart:.0f} of {n_test} test images apart)")
    if smallest.max_test_accuracy > zero.max_test_accuracy:
        return Verdict("reproduced", f"λ = {smallest.lam:g} beats λ = 0 by {apart:.0f} of {n_test} test images")
    below = f"λ = {smallest.lam:g} is {apart:.0f} of {n_test} test images below λ = 0"
    by_chance = within_chance(smallest.max_test_accuracy, zero.max_test_accuracy, n_test, criteria)
    if by_chance:
        return Verdict("inconclusive", below + by_chance)
    if short_of_paper and still_improving(smallest, n_test, criteria):
        return Verdict("inconclusive", f"{below} but still improving at the end of its run, shorter than the paper's"
                                       f"{_rose(smallest, n_test, criteria)}")  # fmt: skip
    if next_smallest is not None and learned_here(next_smallest):
        a, b = smallest.max_test_accuracy, next_smallest.max_test_accuracy
        rise = a - b
        if rise > 0 and not within_chance(a, b, n_test, criteria):
            return Verdict("inconclusive", f"{below}, but it peaks {rise * n_test:.0f} of {n_test} test images above "
                                           f"λ = {next_smallest.lam:g}, beyond chance: still climbing as λ falls, the "
                                           "grid has not reached the small λ the claim is about")  # fmt: skip
    if zero_capped:
        below += f" (λ = 0 was still improving at the end of its {length}: more training only widens the gap)"
    return Verdict("not reproduced", below)


def _could_close(zero: RunSummary, other: float, paper_epochs: float, n_test: int, criteria: Criteria) -> bool:
    """Whether λ = 0, gaining as much in each doubling it was denied as over its last (``half_gain``), could end
    within a tie of ``other``'s peak or above it: the per-doubling cap matters only then."""
    doublings = math.log2(paper_epochs / zero.epochs)
    lead = (other - zero.max_test_accuracy) * n_test
    return zero.half_gain * n_test * doublings >= lead - criteria.tie_images - 1e-9


def chance_band(a: float, b: float, n_test: int, criteria: Criteria = DEFAULT) -> float:
    """In test images: how far apart two classifiers' accuracies ``a`` and ``b`` on the same ``n_test`` images can
    lie by chance, ``chance_sigmas`` standard errors of the paired difference, √(n·d), where d is the fraction of
    images on which exactly one of them is right. We do not store which images each run got right, so d takes its
    largest value, every error on an image of its own: d = (1 − a) + (1 − b), at most 1 (conservative: it calls a
    gap undecided sooner than McNemar's test on the images would). Both at 87%: ±23 of 512 images, ±102 of 10000."""
    d = min(1.0, (1.0 - a) + (1.0 - b))
    return criteria.chance_sigmas * math.sqrt(d * n_test)


def within_chance(a: float, b: float, n_test: int, criteria: Criteria = DEFAULT) -> str:
    """Where accuracies ``a`` and ``b`` lie no further apart than :func:`chance_band`, the clause a verdict's reason
    adds to say so (", within chance on n test images (up to k: ...)"); empty where the gap is beyond chance."""
    band = chance_band(a, b, n_test, criteria)
    if images_apart(a, b, n_test) > band:
        return ""
    return (f", within chance on {n_test} test images (up to {band:.0f}: {criteria.chance_sigmas:g} standard errors "
            "of a paired difference)")  # fmt: skip


def _rose(row: RunSummary, n_test: int, criteria: Criteria) -> str:
    """How a run still improving while its t* lies inside it showed that (empty when its t* is at its end)."""
    if peak_position(row, criteria) == "end":
        return ""
    return f" (its best rose {row.end_gain * n_test:.0f} of {n_test} test images after 90% of its run, t* before)"


def prediction_verdict(rows: list[PredictionRow], *, factor: float = 1.0) -> Verdict:
    """Section 3's claim (Fig. 1b, 4b): the tuned λ lies within 10× of λ_pred = factor·c/T. A budget can decide it
    only when its tuned λ is inside the swept grid (else the optimum may lie outside it) and λ = 0 does not do as well
    (else L2 does not help there and no λ is singled out); at least half of the budgets, and two, must decide.
    Reproduced when every deciding budget agrees, not reproduced when fewer than half do."""
    mine = [r for r in rows if r.factor == factor]
    if not mine:
        raise ValueError(f"no prediction rows with factor={factor:g}.")
    edge = sum(bool(r.tuned.edge) for r in mine)
    lam0 = sum(bool(r.tuned.lam0_as_good) and not r.tuned.edge for r in mine)
    deciding = [r for r in mine if not r.tuned.edge and not r.tuned.lam0_as_good]
    within = sum(r.within_decade for r in deciding)
    of = (
        f"{len(deciding)} of {len(mine)} budgets can decide (tuned λ at the grid's edge: {edge}; λ = 0 as good: {lam0})"
    )
    if len(deciding) < max(2, (len(mine) + 1) // 2):
        return Verdict("inconclusive", f"only {of}")
    if within == len(deciding):
        return Verdict("reproduced", f"the tuned λ is within 10× of λ_pred at every budget that can decide; {of}")
    if 2 * within < len(deciding):
        return Verdict("not reproduced", f"the tuned λ is within 10× of λ_pred at {within} of the {of}")
    return Verdict("inconclusive", f"the tuned λ is within 10× of λ_pred at {within} of the {of}")


@dataclasses.dataclass(frozen=True)
class RefractoryCount:
    """Of an AutoL2 run's decays after its first: how many its history can time (``judged``) and how many of those
    came at the first measurement the refractory period allowed (``bound``)."""

    bound: int
    judged: int

    @property
    def mostly_bound(self) -> bool:
        """At least two decays judged, and more than half of them bound."""
        return self.judged >= 2 and 2 * self.bound > self.judged


def refractory_bound(steps, lams, *, delay: float, every: int) -> RefractoryCount:
    """Whether AutoL2's decays waited for its refractory period (Algorithm 1: after a decay at step d to λ', the next
    needs a step > d + ``delay``/λ'; measurements every ``every`` steps), from the evaluated ``steps`` and ``lams``
    of one run. A decay shows first at an evaluation; two decays' gap is known to within the evaluation interval r,
    so decay k is judged only when r + ``every`` is below its refractory period R = delay/λ', and counted bound when
    the evaluated gap is at most R + ``every`` + r (it came at the first measurement allowed, to that resolution)."""
    steps, lams = np.asarray(steps, float), np.asarray(lams, float)
    ok = np.isfinite(lams)
    steps, lams = steps[ok], lams[ok]
    dropped = np.flatnonzero(np.diff(lams) < 0) + 1  # indices of the evaluations that first show a decay
    bound = judged = 0
    for prev, k in zip(dropped[:-1], dropped[1:]):
        refractory = delay / lams[prev]  # λ' after the earlier decay
        resolution = float(steps[k] - steps[k - 1])
        if resolution + every >= refractory:
            continue  # the history cannot tell "at the first allowed measurement" from "later"
        judged += 1
        bound += bool(steps[k] - steps[prev] <= refractory + every + resolution)
    return RefractoryCount(bound, judged)


def race_verdict(
    auto: RaceRow, tuned: RaceRow, n_test: int, criteria: Criteria = DEFAULT, refractory: RefractoryCount | None = None
) -> Verdict:
    """Fig. 1c's claim: AutoL2 ends at least as well as the tuned constant λ (a tie counts) and reaches the tuned
    λ's best accuracy sooner (to within a tie where the race says so: ``RaceRow.reach``); AutoL2 ending below the tuned
    λ by more than a tie but within chance (:func:`chance_band`) is inconclusive. With ``refractory``
    (:func:`refractory_bound` of the AutoL2 run) mostly bound, the race timed the refractory constant rather than
    the detection rule: inconclusive, whatever the comparison. Inconclusive too when AutoL2 reaches the tuned best
    but no speed-up is defined (both at epoch 0: the race measured nothing)."""
    if not (np.isfinite(auto.best_accuracy) and np.isfinite(tuned.best_accuracy)):
        return Verdict("inconclusive", f"no best accuracy to compare (AutoL2 {auto.best_accuracy:.4f}, the tuned λ "
                                       f"{tuned.best_accuracy:.4f}): a run diverged or was not evaluated")  # fmt: skip
    apart = images_apart(auto.best_accuracy, tuned.best_accuracy, n_test)
    faster = bool(np.isfinite(auto.speedup) and auto.speedup > 1.0)
    best = "the tuned best" + (" (to within a tie)" if np.isfinite(auto.reach) and auto.reach < auto.target else "")
    undefined = not np.isfinite(auto.speedup) and np.isfinite(auto.epoch_to_target)
    if np.isfinite(auto.speedup):
        sooner = f"reaches {best} {auto.speedup:.2f}× as fast"
    elif undefined:  # e.g. both at the first evaluation (epoch 0): no ratio to take
        sooner = (f"reaches {best} at epoch {auto.epoch_to_target:g} and the tuned λ at epoch "
                  f"{tuned.epoch_to_target:g}, no speed-up defined")  # fmt: skip
    else:
        sooner = f"never reaches {best} within the budget"
    if is_tie(auto.best_accuracy, tuned.best_accuracy, n_test, criteria):
        ends = f"ends tied with the tuned λ ({apart:.0f} of {n_test} test images apart)"
    elif auto.best_accuracy > tuned.best_accuracy:
        ends = f"ends {apart:.0f} of {n_test} test images above the tuned λ"
    else:
        chance = within_chance(auto.best_accuracy, tuned.best_accuracy, n_test, criteria)
        below = f"AutoL2 ends {apart:.0f} of {n_test} test images below the tuned λ{chance}; {sooner}"
        return _unless_refractory_bound(Verdict("inconclusive" if chance else "not reproduced", below), refractory)
    if undefined:
        return Verdict("inconclusive", f"AutoL2 {ends} and {sooner}")
    return _unless_refractory_bound(
        Verdict("reproduced" if faster else "not reproduced", f"AutoL2 {ends} and {sooner}"), refractory
    )


def _unless_refractory_bound(verdict: Verdict, refractory: RefractoryCount | None) -> Verdict:
    if refractory is None or refractory.judged == 0:
        return verdict
    if not refractory.mostly_bound:
        said = f"{refractory.bound} of {refractory.judged} timed decays came at the first measurement allowed"
        return Verdict(verdict.outcome, f"{verdict.reason}; {said}")
    return Verdict(
        "inconclusive",
        f"{refractory.bound} of {refractory.judged} timed decays came at the first measurement the refractory period "
        f"allowed: the race measures that constant, not the detection rule (the comparison alone: {verdict.outcome}, "
        f"{verdict.reason})",
    )


def within_tolerance(what: str, value: float, target: float, tolerance: float, *, ours: bool = True) -> Verdict:
    """A computed quantity against the theory's value: reproduced within ``tolerance`` (``ours``: a tolerance the
    paper does not give, and the reason says so)."""
    mark = " (the tolerance is ours)" if ours else ""
    if not np.isfinite(value):
        return Verdict("inconclusive", f"{what} could not be computed")
    outcome = "reproduced" if abs(value - target) <= tolerance else "not reproduced"
    side = "within" if outcome == "reproduced" else "outside"
    return Verdict(outcome, f"{what} = {value:.3g}, {side} {target:g} ± {tolerance:g}{mark}")
