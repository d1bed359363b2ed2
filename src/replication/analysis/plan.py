"""(η, λ) sweeps as the paper plans them (Section 2, appendix A): every (η, λ) whose product lies in a window, each
trained for a fixed *physical time* τ = epochs·η·λ (Fig. 2a–c: τ = 2) so that its test accuracy can peak; λ = 0 as
long as the longest run with the same η, or as long as the paper's (``zero_epochs``, ``zero_lr_time``)."""

from __future__ import annotations

import dataclasses
import math

from replication.core.validation import check_positive, check_positive_int

__all__ = ["SweepRun", "plan_sweep"]


@dataclasses.dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: learning rate, L2 coefficient and length in epochs."""

    lr: float
    lam: float
    epochs: int


def _whole_epochs(epochs: float) -> int:
    """ceil(``epochs``), blind to floating-point dust: τ/(ηλ) = 200.00000000000003 is 200 epochs, not 201."""
    return math.ceil(round(epochs, 9))


def plan_sweep(
    lrs,
    lams,
    *,
    physical_time: float,
    min_lr_lam: float,
    max_lr_lam: float,
    max_epochs: int,
    include_zero: bool = True,
    zero_epochs: int | None = None,
    zero_lr_time: float | None = None,
) -> list[SweepRun]:
    """Every (η, λ > 0) with min ≤ ηλ ≤ max, trained for ceil(τ/(ηλ)) epochs (capped at ``max_epochs``), plus
    λ = 0 for each η, trained ``zero_epochs`` epochs (appendix A: WRN 10000, CNN 21000/9500), or ceil(``zero_lr_time``
    /η) epochs capped at ``max_epochs`` (FC: 10⁶/η), or by default as long as that η's longest run."""
    check_positive("physical_time", physical_time)
    if zero_epochs is not None and zero_lr_time is not None:
        raise ValueError("give zero_epochs or zero_lr_time (the length of the λ = 0 runs), not both.")
    if zero_epochs is not None:
        zero_epochs = check_positive_int("zero_epochs", zero_epochs)
    if zero_lr_time is not None:
        check_positive("zero_lr_time", zero_lr_time)
    runs = []
    for lr in lrs:
        mine = []
        for lam in lams:
            if lam <= 0:
                continue
            p = lr * lam
            if min_lr_lam <= p <= max_lr_lam:
                mine.append(SweepRun(float(lr), float(lam), min(max_epochs, _whole_epochs(physical_time / p))))
        runs += mine
        if include_zero and mine:
            if zero_epochs is not None:
                length = zero_epochs
            elif zero_lr_time is not None:
                length = min(max_epochs, _whole_epochs(zero_lr_time / lr))
            else:
                length = max(r.epochs for r in mine)
            runs.append(SweepRun(float(lr), 0.0, length))
    if not runs:
        raise ValueError(f"no (η, λ) in the grid has {min_lr_lam} <= η·λ <= {max_lr_lam}; widen the window.")
    return runs
