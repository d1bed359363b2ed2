"""Section 3's optimal λ on the FC/MNIST setup (Fig. 1b, 4, S3, S4): c measured from one short run at a large λ,
a λ sweep as long as the largest budget (every shorter budget is a prefix of it), and one run per budget at
λ_pred = f·c/T."""

from __future__ import annotations

import dataclasses

from replication.analysis.budgets import PredictionRow, prediction_runs, prediction_table
from replication.analysis.peaks import measure_c as measure_c_from_history
from replication.analysis.plan import SweepRun
from replication.core.provenance import Provenance
from replication.experiments.fc_mnist import run_sweep
from replication.experiments.grid import GridResult

__all__ = ["CMeasurement", "measure_c", "tuning_sweep", "PredictionStudy", "prediction_study"]


@dataclasses.dataclass(frozen=True)
class CMeasurement:
    """Fig. 4a: the short run at ``lam`` and c = t*·λ read off it (t* in epochs)."""

    grid: GridResult
    lam: float
    c: float

    @property
    def t_star(self) -> float:
        return self.c / self.lam


def measure_c(cfg, *, seed: int) -> CMeasurement:
    grid = run_sweep(cfg, [SweepRun(cfg.lr, cfg.c.lam, cfg.c.epochs)], seed=seed, name="optimal_l2_measure_c",
                     evals=cfg.c.evals)  # fmt: skip
    m = grid.histories[0].metrics
    return CMeasurement(grid, cfg.c.lam, measure_c_from_history(m["epoch"], m["test_accuracy"], cfg.c.lam))


def tuning_sweep(cfg, *, seed: int, budget: int | None = None, **spec_options) -> GridResult:
    """λ = 0 and every λ of ``cfg.lams``, each trained ``budget`` epochs (default: the largest budget)."""
    budget = budget or max(cfg.budgets)
    runs = [SweepRun(cfg.lr, float(lam), budget) for lam in (0.0,) + tuple(cfg.lams)]
    return run_sweep(cfg, runs, seed=seed, name="optimal_l2_sweep", evals=cfg.evals, **spec_options)


@dataclasses.dataclass(frozen=True)
class PredictionStudy:
    """c, the tuning sweep, the runs at λ_pred, and one :class:`PredictionRow` per (factor, budget)."""

    c: CMeasurement
    tuning: GridResult
    predicted: GridResult
    rows: tuple[PredictionRow, ...]

    @property
    def provenance(self) -> Provenance:
        return Provenance.combine([self.c.grid.provenance, self.tuning.provenance, self.predicted.provenance])


def prediction_study(cfg, *, seed: int) -> PredictionStudy:
    c = measure_c(cfg, seed=seed)
    tuning = tuning_sweep(cfg, seed=seed)
    predicted = run_sweep(cfg, prediction_runs(c.c, cfg.budgets, cfg.lr), seed=seed, name="optimal_l2_predicted",
                          evals=cfg.evals)  # fmt: skip
    rows = prediction_table(c.c, cfg.budgets, list(tuning.histories), list(predicted.histories))
    return PredictionStudy(c, tuning, predicted, tuple(rows))
