"""One stored, resumable grid: the glue between a chapter's data and model and the engine.

:func:`cached_grid` trains a list of :class:`~replication.sweeps.SweepRun` (η, λ, epochs) from one initialization
as one vmapped grid, stores the histories keyed by the full configuration and the code that computes them
(:func:`replication.experiments.store.cached_result`), and checkpoints the computation under
``results/<preset>/checkpoints/`` so that a killed chapter resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from replication.analysis.sweeps import SweepRun
from replication.core.provenance import Provenance
from replication.experiments.code_key import code_key
from replication.experiments.store import cached_result, run_path
from replication.training import Dataset, History, TrainSpec, train_grid

__all__ = ["cached_grid", "spec_config"]


def spec_config(spec_options: dict) -> dict:
    """``TrainSpec`` options as plain JSON (dataclasses such as AutoL2 become dicts) for the configuration key."""
    return {k: dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for k, v in sorted(spec_options.items())}


def cached_grid(
    name: str,
    preset: str,
    config: dict,
    runs: list[SweepRun],
    *,
    seed: int,
    load: Callable[[], Dataset],
    build: Callable[[], tuple],
    spec: TrainSpec,
    code: Callable,
    log=print,
) -> tuple[list[History], Provenance, bool]:
    """Train ``runs`` (``epochs`` converted to steps with the data's size and ``spec.batch_size``), or reuse the stored
    result of the same ``config`` (which must describe everything that decides the result) and the same ``code`` (the
    experiment function that calls this one; see :func:`replication.experiments.code_key.code_key`). Returns (histories,
    provenance of the computation, reused)."""
    key = code_key(code)
    ckpt = run_path(name, config, key, preset=preset, kind="checkpoints")

    def compute():
        ds = load()
        apply_fn, params = build()
        n = ds.x_train.shape[0]
        per_epoch = n // min(spec.batch_size or n, n)
        steps = [max(1, math.ceil(r.epochs * per_epoch)) for r in runs]
        hist = train_grid(
            apply_fn,
            params,
            ds,
            [r.lr for r in runs],
            [r.lam for r in runs],
            steps,
            spec,
            seed=seed,
            checkpoint=ckpt,
            code_key=key.key,
            log=log,
        )
        return {"histories": [h.to_json() for h in hist]}

    got = cached_result(name, config, compute, preset=preset, code=code, log=log)
    return [History.from_json(h) for h in got.payload["histories"]], got.provenance, got.reused
