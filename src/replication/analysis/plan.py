"""(η, λ) sweeps as the paper plans them (Section 2, appendix A): every (η, λ) whose product lies in a window, each
trained for a fixed *physical time* τ = epochs·η·λ (Fig. 2a–c: τ = 2) so that its test accuracy can peak; λ = 0 as
long as the longest run with the same η (the paper runs it longer still; each chapter says by how much)."""

from __future__ import annotations

import dataclasses
import math

from replication.core.validation import check_positive

__all__ = ["SweepRun", "plan_sweep"]


@dataclasses.dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: learning rate, L2 coefficient and length in epochs."""

    lr: float
    lam: float
    epochs: int


def plan_sweep(
    lrs, lams, *, physical_time: float, min_lr_lam: float, max_lr_lam: float, max_epochs: int, include_zero: bool = True
) -> list[SweepRun]:
    """Every (η, λ > 0) with min ≤ ηλ ≤ max, trained for ceil(τ/(ηλ)) epochs (capped at ``max_epochs``), plus
    λ = 0 for each η, trained as long as that η's longest run."""
    check_positive("physical_time", physical_time)
    runs = []
    for lr in lrs:
        mine = []
        for lam in lams:
            if lam <= 0:
                continue
            p = lr * lam
            if min_lr_lam <= p <= max_lr_lam:
                mine.append(SweepRun(float(lr), float(lam), min(max_epochs, math.ceil(physical_time / p))))
        runs += mine
        if include_zero and mine:
            runs.append(SweepRun(float(lr), 0.0, max(r.epochs for r in mine)))
    if not runs:
        raise ValueError(f"no (η, λ) in the grid has {min_lr_lam} <= η·λ <= {max_lr_lam}; widen the window.")
    return runs
