"""The Wide ResNet experiments: Fig. 2d–f (SGD, no augmentation), Fig. 1a (momentum, augmentation, the step
schedule, fixed T against T(λ) ∝ 1/λ), S2 (the same at a constant learning rate) and S12 (several σ_w)."""

from __future__ import annotations

import dataclasses
import math

from replication.analysis.plan import SweepRun, plan_sweep
from replication.experiments.cifar import run_sweep
from replication.experiments.grid import GridResult
from replication.experiments.results import SweepResult, analyzed

__all__ = ["AUGMENT", "steps_per_epoch", "sgd_sweep", "budget_lr", "ScheduleComparison", "schedule_comparison",
           "momentum_constant", "sigma_runs"]  # fmt: skip

AUGMENT = ("flip", "crop", "mixup")
SCHEDULED = dict(optimizer="momentum", momentum=0.9, augment=AUGMENT, schedule="step")


def steps_per_epoch(cfg) -> int:
    return cfg.data.train_samples // cfg.train.batch_size


def _model(cfg, **extra) -> dict:
    return dict(kind="wrn", depth=cfg.model.depth, widen=cfg.model.widen, **extra)


def sgd_sweep(cfg, *, seed: int) -> SweepResult:
    """Fig. 2d–f: the (η, λ) grid with plain SGD, each run trained ``sgd.physical_steps``/(ηλ) steps."""
    s = cfg.sgd
    runs = plan_sweep(s.lrs, s.lams, physical_time=s.physical_steps / steps_per_epoch(cfg), min_lr_lam=s.min_lr_lam,
                      max_lr_lam=s.max_lr_lam, max_epochs=s.max_epochs, zero_epochs=s.zero_epochs)  # fmt: skip
    return analyzed(run_sweep(cfg, runs, seed=seed, name="wrn_sgd", model=_model(cfg)))


def budget_lr(cfg) -> float:
    """Fig. 2f's η: ``sgd.budget_lr`` (the paper's 0.2, in our units), else the grid's largest η."""
    return cfg.sgd.budget_lr if cfg.sgd.budget_lr is not None else max(cfg.sgd.lrs)


@dataclasses.dataclass(frozen=True)
class ScheduleComparison:
    """Fig. 1a: the same λ grid trained with the step schedule for a fixed T and for T(λ) = T_scale/λ."""

    fixed: SweepResult
    scaled: SweepResult


def scaled_epochs(cfg, lam: float) -> int:
    return int(min(cfg.schedule.max_epochs, max(1, math.ceil(cfg.schedule.T_scale / lam))))


def schedule_comparison(cfg, *, seed: int) -> ScheduleComparison:
    s = cfg.schedule
    fixed = [SweepRun(s.lr, float(lam), int(s.fixed_T)) for lam in s.lams]
    scaled = [SweepRun(s.lr, float(lam), scaled_epochs(cfg, lam)) for lam in s.lams]
    grids = [run_sweep(cfg, runs, seed=seed, name=name, model=_model(cfg), **SCHEDULED)
             for runs, name in ((fixed, "wrn_fixed_T"), (scaled, "wrn_scaled_T"))]  # fmt: skip
    return ScheduleComparison(*(analyzed(g) for g in grids))


def momentum_constant(cfg, *, seed: int) -> SweepResult:
    """Fig. S2: momentum and augmentation at a constant learning rate: the runs of Fig. 4 (``cfg.s2``: η, λ grid
    and epochs), or, where ``cfg.s2`` is None, the schedule group's η and λ, each λ trained T(λ) epochs."""
    s = cfg.schedule
    if cfg.s2 is not None:
        runs = [SweepRun(cfg.s2.lr, float(lam), int(cfg.s2.epochs)) for lam in cfg.s2.lams]
    else:
        runs = [SweepRun(s.lr, float(lam), scaled_epochs(cfg, lam)) for lam in s.lams]
    grid = run_sweep(cfg, runs, seed=seed, name="wrn_momentum_constant", model=_model(cfg), optimizer="momentum",
                     momentum=0.9, augment=AUGMENT)  # fmt: skip
    return analyzed(grid)


def sigma_runs(cfg, *, seed: int) -> dict[float, GridResult]:
    """Fig. S12 (appendix F): Fig. 1a's setup at ``sigma.lam`` for ``sigma.epochs`` epochs, one run per σ_w."""
    s, run = cfg.sigma, SweepRun(cfg.schedule.lr, cfg.sigma.lam, cfg.sigma.epochs)
    return {sigma: run_sweep(cfg, [run], seed=seed, name=f"wrn_sigma_{sigma:g}",
                             model=_model(cfg, sigma_w=float(sigma)), **SCHEDULED) for sigma in s.scales}  # fmt: skip
