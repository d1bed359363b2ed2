"""A trained grid together with its Section 2 analysis: what every sweep chapter shows."""

from __future__ import annotations

import dataclasses
import functools

from replication.analysis.criteria import DEFAULT, ExponentVerdict, sweep_verdict
from replication.analysis.seeds import SeedAnalysis, analyze_seeds
from replication.analysis.sweeps import SweepAnalysis, analyze_sweep
from replication.experiments.grid import GridResult

__all__ = ["SweepResult", "n_test_images", "analyzed", "PooledRuns", "pooled", "only_grid"]


@dataclasses.dataclass(frozen=True)
class SweepResult:
    """A :class:`GridResult` and its :class:`SweepAnalysis` (summaries, learning threshold, both t* fits) of the first
    seed; with several initialization seeds also their :class:`SeedAnalysis` (spreads, fits with intervals)."""

    grid: GridResult
    analysis: SweepAnalysis
    seeds: SeedAnalysis | None = None

    @property
    def histories(self):
        return self.grid.histories

    @property
    def rows(self):
        return self.analysis.rows

    @property
    def fit(self):
        return self.analysis.fit

    @property
    def analyses_by_seed(self) -> tuple[SweepAnalysis, ...]:
        """Each initialization seed's :class:`SweepAnalysis` (one entry, :attr:`analysis`, for one seed)."""
        return self.seeds.analyses if self.seeds is not None else (self.analysis,)

    @property
    def rows_by_seed(self) -> tuple:
        """Each initialization seed's run summaries."""
        return tuple(a.rows for a in self.analyses_by_seed)

    @property
    def provenance(self):
        return self.grid.provenance

    @functools.cached_property
    def verdict(self) -> ExponentVerdict:
        """Does t* ∝ 1/(ηλ) hold here? Decided by :mod:`replication.analysis.criteria` (seed interval if any)."""
        return sweep_verdict(self.analysis, self.seeds)


def n_test_images(grid: GridResult) -> int | None:
    """How many test images a grid's accuracies are over (None where its request is not known)."""
    return None if grid.request is None else grid.request.data.test_samples


def analyzed(grid: GridResult) -> SweepResult:
    """The grid's sweep analysis (and per seed, with several), t* read to within :meth:`~replication.analysis.
    criteria.Criteria.peak_tolerance` of its test images."""
    tol = DEFAULT.peak_tolerance(n_test_images(grid))
    seeds = analyze_seeds([list(h) for h in grid.by_seed], grid.seeds, tol=tol) if len(grid.seeds) > 1 else None
    return SweepResult(grid, analyze_sweep(list(grid.histories), tol=tol), seeds)


@dataclasses.dataclass(frozen=True)
class PooledRuns:
    """The runs of several grids of one study taken together (a size trained in parts, as a probe may be): their
    histories and summaries in order, and each initialization seed's summaries."""

    histories: tuple
    rows: tuple
    rows_by_seed: tuple


def only_grid(sweeps, what: str) -> SweepResult:
    """The one grid (all its seeds) of a probe of ``what`` (a decider's judge takes the probe's grids); a
    ``ValueError`` naming the count where there is not exactly one."""
    if len(sweeps) != 1:
        raise ValueError(f"a probe of {what} holds one grid (all its seeds), not {len(sweeps)}.")
    return sweeps[0]


def pooled(sweeps) -> PooledRuns:
    """:class:`PooledRuns` of ``sweeps`` (:class:`SweepResult`), which must be trained from as many initialization
    seeds each: seed k's summaries are those of seed k of every sweep."""
    sweeps = tuple(sweeps)
    if not sweeps:
        raise ValueError("sweeps must hold at least one SweepResult.")
    counts = {len(s.rows_by_seed) for s in sweeps}
    if len(counts) != 1:
        raise ValueError(f"sweeps were trained from different numbers of initialization seeds ({sorted(counts)}).")
    by_seed = tuple(tuple(r for s in sweeps for r in s.rows_by_seed[k]) for k in range(counts.pop()))
    return PooledRuns(tuple(h for s in sweeps for h in s.histories), tuple(r for s in sweeps for r in s.rows), by_seed)
