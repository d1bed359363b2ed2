"""Seeds as error bars (beyond the paper, which trains one initialization per configuration): the spread of each
run's t* and peak accuracy over initialization seeds, and a bootstrap confidence interval over seeds for the fitted
t* ∝ (ηλ)^exponent (Fig. 2a) and for c = median t*·ηλ.

The bootstrap resamples whole seeds with replacement (a seed's runs share its initialization, so they are not
independent of each other) and refits the pooled points of the drawn seeds; the interval is the percentile interval
of the refitted exponents. With S seeds there are only C(2S−1, S) distinct resamples (10 for S = 3), so the interval
is coarse at a few seeds: it says how much the initialization moves the fit, not a precise error bar.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from replication.analysis.peaks import PAPER_PEAK_TOL
from replication.analysis.sweeps import RunSummary, SweepAnalysis, analyze_sweep, fittable, learned
from replication.core.validation import check_positive_int
from replication.training.records import History

__all__ = [
    "SeedSpread",
    "seed_spread",
    "SeedFit",
    "bootstrap_tstar_fit",
    "bootstrap_slope",
    "SeedAnalysis",
    "analyze_seeds",
    "seed_list",
]


@dataclasses.dataclass(frozen=True)
class SeedSpread:
    """One (η, λ) over seeds: mean and standard deviation (ddof = 1; 0 for one seed) of t* (epochs) and of the peak
    test accuracy, over the seeds where the run did not diverge (``n_seeds`` of them)."""

    lr: float
    lam: float
    n_seeds: int
    t_star_mean: float
    t_star_std: float
    peak_mean: float
    peak_std: float


def _mean_std(values) -> tuple[float, float]:
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        return math.nan, math.nan
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0


def seed_spread(rows_by_seed: list[list[RunSummary]]) -> list[SeedSpread]:
    """Per run (the same (η, λ) in every seed's list, in the same order), t* and peak accuracy as mean ± std."""
    if not rows_by_seed:
        raise ValueError("rows_by_seed must hold at least one seed's summaries.")
    n = len(rows_by_seed[0])
    if any(len(rows) != n for rows in rows_by_seed):
        raise ValueError(f"every seed must have the same runs; got {[len(r) for r in rows_by_seed]} runs.")
    out = []
    for i in range(n):
        runs = [rows[i] for rows in rows_by_seed]
        if len({(r.lr, r.lam) for r in runs}) != 1:
            raise ValueError(f"run {i} has different (η, λ) across seeds: {[(r.lr, r.lam) for r in runs]}.")
        ok = [r for r in runs if not r.diverged]
        t_mean, t_std = _mean_std(r.t_star for r in ok)
        p_mean, p_std = _mean_std(r.max_test_accuracy for r in ok)
        out.append(SeedSpread(runs[0].lr, runs[0].lam, len(ok), t_mean, t_std, p_mean, p_std))
    return out


def bootstrap_slope(xs: list[np.ndarray], ys: list[np.ndarray], *, resamples: int, rng) -> np.ndarray:
    """Least-squares slopes of y on x over the pooled points of ``resamples`` bootstrap draws of the groups (the
    seeds), vectorized through each group's sums; a draw whose pooled x has no spread gives NaN."""
    sums = np.array([[len(x), x.sum(), y.sum(), (x * x).sum(), (x * y).sum()] for x, y in zip(xs, ys)])
    counts = rng.multinomial(len(xs), np.full(len(xs), 1.0 / len(xs)), size=resamples)
    n, sx, sy, sxx, sxy = (counts @ sums).T
    den = n * sxx - sx * sx
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 1e-12 * np.maximum(n * sxx, 1e-300), (n * sxy - sx * sy) / den, np.nan)


@dataclasses.dataclass(frozen=True)
class SeedFit:
    """The t* fit over all seeds' runs pooled, with bootstrap intervals over seeds at ``level``: the exponent
    (``exponent_ci``), c = median t*·ηλ (``c_ci``); each seed's own exponent and c; how many seeds, pooled points and
    decades of ηλ went in. NaN where fewer than two distinct ηλ could be fitted."""

    exponent: float
    exponent_ci: tuple[float, float]
    prefactor: float
    c: float
    c_ci: tuple[float, float]
    per_seed_exponents: tuple[float, ...]
    per_seed_c: tuple[float, ...]
    level: float
    n_seeds: int
    n_points: int
    decades: float
    resamples: int

    def describe(self) -> str:
        """E.g. "−0.95 (90% CI −1.02 … −0.90, 3 seeds, 42 points over 2.2 decades); c = 0.48 (0.45 … 0.52)"."""
        if not np.isfinite(self.exponent):
            return f"no exponent (only {self.n_points} usable points)"
        lo, hi = self.exponent_ci
        clo, chi = self.c_ci
        return (
            f"{self.exponent:.3f} ({self.level:.0%} CI {lo:.3f} … {hi:.3f}; {self.n_seeds} seeds, {self.n_points} "
            f"points over {self.decades:.1f} decades); c = {self.c:.3g} ({clo:.3g} … {chi:.3g})"
        )


def _points(rows: list[RunSummary], min_peak_accuracy: float | None) -> tuple[np.ndarray, np.ndarray]:
    use = [r for r in rows if fittable(r) and learned(r, min_peak_accuracy)]
    return np.log([r.lr_lam for r in use]), np.log([r.t_star for r in use])


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.polyfit(x, y, 1)[0]) if len(np.unique(x)) >= 2 else math.nan


def bootstrap_tstar_fit(
    rows_by_seed: list[list[RunSummary]],
    *,
    level: float = 0.9,
    resamples: int = 2000,
    rng_seed: int = 0,
    min_peak_accuracy: list[float | None] | None = None,
) -> SeedFit:
    """Fit t* ∝ (ηλ)^exponent over the :func:`fittable` runs of every seed pooled, and bootstrap over seeds (draw S of
    the S seeds with replacement, refit) for the ``level`` percentile intervals of the exponent and of c.
    ``min_peak_accuracy``: one learning threshold per seed (None: every fittable run counts)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level={level!r} must lie in (0, 1).")
    check_positive_int("resamples", resamples)
    if not rows_by_seed:
        raise ValueError("rows_by_seed must hold at least one seed's summaries.")
    thresholds = min_peak_accuracy or [None] * len(rows_by_seed)
    if len(thresholds) != len(rows_by_seed):
        raise ValueError(f"min_peak_accuracy has {len(thresholds)} entries for {len(rows_by_seed)} seeds.")
    pts = [_points(rows, t) for rows, t in zip(rows_by_seed, thresholds)]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x_all, y_all = np.concatenate(xs), np.concatenate(ys)
    per_c = tuple(float(np.median(np.exp(x + y))) if x.size else math.nan for x, y in zip(xs, ys))
    per_exp = tuple(_slope(x, y) for x, y in zip(xs, ys))
    n_points = int(x_all.size)
    if len(np.unique(x_all)) < 2:
        nan2 = (math.nan, math.nan)
        c = float(np.median(np.exp(x_all + y_all))) if n_points else math.nan
        return SeedFit(math.nan, nan2, math.nan, c, nan2, per_exp, per_c, level, len(pts), n_points, 0.0, resamples)
    rng = np.random.default_rng(rng_seed)
    slopes = bootstrap_slope(xs, ys, resamples=resamples, rng=rng)
    tail = 100 * (1 - level) / 2
    lo, hi = np.nanpercentile(slopes, [tail, 100 - tail])
    cs = []
    for _ in range(min(resamples, 500)):  # c is a median: no sufficient statistics, so fewer draws, one at a time
        pick = rng.integers(0, len(pts), len(pts))
        prod = np.concatenate([np.exp(xs[k] + ys[k]) for k in pick])
        if prod.size:
            cs.append(np.median(prod))
    c_lo, c_hi = np.percentile(cs, [tail, 100 - tail])
    slope, intercept = np.polyfit(x_all, y_all, 1)
    return SeedFit(
        exponent=float(slope),
        exponent_ci=(float(lo), float(hi)),
        prefactor=float(np.exp(intercept)),
        c=float(np.median(np.exp(x_all + y_all))),
        c_ci=(float(c_lo), float(c_hi)),
        per_seed_exponents=per_exp,
        per_seed_c=per_c,
        level=level,
        n_seeds=len(pts),
        n_points=n_points,
        decades=float((x_all.max() - x_all.min()) / math.log(10)),
        resamples=resamples,
    )


@dataclasses.dataclass(frozen=True)
class SeedAnalysis:
    """A sweep trained from several initialization seeds: each seed's :class:`SweepAnalysis`, the per-run spread
    over seeds, and the pooled t* fit with bootstrap intervals over seeds (all fittable runs, and only the runs that
    learned by each seed's own threshold)."""

    seeds: tuple[int, ...]
    analyses: tuple[SweepAnalysis, ...]
    spread: tuple[SeedSpread, ...]
    fit: SeedFit
    fit_learned: SeedFit

    def smallest_lambda_vs_zero(self) -> list[tuple[float, float, float, float, float, float]]:
        """Per η: (η, smallest λ > 0, its peak accuracy mean, std, λ = 0's peak accuracy mean, std) over seeds."""
        out = []
        for lr in sorted({s.lr for s in self.spread}):
            mine = [s for s in self.spread if s.lr == lr]
            pos = [s for s in mine if s.lam > 0]
            zero = [s for s in mine if s.lam == 0]
            if pos and zero:
                small = min(pos, key=lambda s: s.lam)
                out.append((lr, small.lam, small.peak_mean, small.peak_std, zero[0].peak_mean, zero[0].peak_std))
        return out


def analyze_seeds(
    by_seed: list[list[History]],
    seeds,
    *,
    level: float = 0.9,
    resamples: int = 2000,
    chance: float = 0.1,
    tol: float = PAPER_PEAK_TOL,
) -> SeedAnalysis:
    """:func:`analyze_sweep` per seed (t* to within ``tol``), :func:`seed_spread` and both :func:`bootstrap_tstar_fit`
    fits."""
    analyses = tuple(analyze_sweep(list(h), chance=chance, tol=tol) for h in by_seed)
    rows = [list(a.rows) for a in analyses]
    thresholds = [a.threshold for a in analyses]
    return SeedAnalysis(
        seeds=tuple(int(s) for s in seeds),
        analyses=analyses,
        spread=tuple(seed_spread(rows)),
        fit=bootstrap_tstar_fit(rows, level=level, resamples=resamples),
        fit_learned=bootstrap_tstar_fit(rows, level=level, resamples=resamples, min_peak_accuracy=thresholds),
    )


def seed_list(cfg, seed: int) -> list[int] | None:
    """The initialization seeds of a preset: ``seed``, ``seed`` + 1, … (``cfg.seeds.count`` of them); None for one
    seed (the paper's protocol: one initialization per configuration)."""
    count = cfg.seeds.count
    if count < 1:
        raise ValueError(f"seeds.count={count!r} must be at least 1.")
    return None if count == 1 else [seed + k for k in range(count)]
