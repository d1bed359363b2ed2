"""Fewer evaluations, read from stored runs: what a run evaluated ``every`` times less often would have recorded.

Evaluation is a third of some chapters' training at `cpu` (NOTES.md, session 22: 38% of optimal_l2's, 33% of
cnn_cifar's), so the number of evaluations is a speed lever; but t* and the best accuracy are read at evaluations,
so fewer of them can move a verdict. Thinning a stored grid (keeping the first evaluation, every ``every``-th after
it and the last) and judging it again by the chapter's own rule tells, without training, whether a preset with
that many fewer evaluations would decide the same way (an approximation: a preset's own schedule places its
evaluations afresh). Nothing that trains imports this module, so it is in no stored result's code key.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from replication.experiments.grid import GridResult
from replication.training import History

__all__ = ["thinned_history", "thinned_grid", "kept_evaluations"]


def kept_evaluations(n: int, every: int) -> np.ndarray:
    """Indices of the evaluations kept out of ``n``: 0, ``every``, 2·``every``, … and the last (n − 1)."""
    if not isinstance(every, (int, np.integer)) or every < 1:
        raise ValueError(f"every must be an integer ≥ 1 (keep every every-th evaluation); got {every!r}.")
    if n < 0:
        raise ValueError(f"n must be ≥ 0; got {n}.")
    return np.unique(np.r_[np.arange(0, n, every), n - 1]) if n else np.arange(0)


def thinned_history(history: History, every: int) -> History:
    """``history`` with only :func:`kept_evaluations` of its evaluations (every metric alike)."""
    n = len(next(iter(history.metrics.values()), ()))
    keep = kept_evaluations(n, every)
    return dataclasses.replace(history, metrics={k: np.asarray(v)[keep] for k, v in history.metrics.items()})


def thinned_grid(grid: GridResult, every: int) -> GridResult:
    """``grid`` with every run of every seed thinned (:func:`thinned_history`); analyse it with
    :func:`replication.experiments.results.analyzed` and judge it as the chapter does."""
    return dataclasses.replace(
        grid,
        histories=tuple(thinned_history(h, every) for h in grid.histories),
        by_seed=tuple(tuple(thinned_history(h, every) for h in seed) for seed in grid.by_seed),
    )
