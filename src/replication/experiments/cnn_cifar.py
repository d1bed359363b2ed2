"""Fig. 3a–f, S6: appendix A's CNN without and with batch norm, SGD, each λ trained for
``sweep.physical_steps``/(ηλ) steps; λ = 0 as long as the longest λ > 0 run."""

from __future__ import annotations

import math

from replication.analysis.plan import SweepRun, plan_sweep
from replication.experiments.cifar import run_sweep
from replication.experiments.results import SweepResult, analyzed

__all__ = ["sweep_runs", "sweeps"]


def sweep_runs(cfg) -> list[SweepRun]:
    """The λ grid at ``cfg.train.lr``; physical time in steps·η·λ converted to this preset's epochs."""
    steps_per_epoch = cfg.data.train_samples // cfg.train.batch_size
    return plan_sweep([cfg.train.lr], cfg.sweep.lams, physical_time=cfg.sweep.physical_steps / steps_per_epoch,
                      min_lr_lam=0.0, max_lr_lam=math.inf, max_epochs=cfg.sweep.max_epochs)  # fmt: skip


def sweeps(cfg, *, seed: int) -> dict[str, SweepResult]:
    """``{"without BN": ..., "with BN": ...}``: the same runs for both networks, each analysed."""
    out = {}
    for bn in (False, True):
        model = dict(kind="cnn", channels=cfg.model.channels, hidden=cfg.model.hidden, batch_norm=bn)
        name = f"cnn_cifar_{'bn' if bn else 'plain'}"
        out["with BN" if bn else "without BN"] = analyzed(run_sweep(cfg, sweep_runs(cfg), seed=seed, name=name,
                                                                    model=model))  # fmt: skip
    return out
