"""One stored, resumable grid: the glue between a chapter's data and model and the engine.

:func:`cached_grid` trains a list of :class:`~replication.analysis.plan.SweepRun` (η, λ, epochs) from one initialization
as one vmapped grid, stores the histories keyed by the full configuration and the code that computes them
(:func:`replication.experiments.store.cached_result`), and checkpoints the computation under
``results/<preset>/checkpoints/`` so that a killed chapter resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

from replication.analysis.plan import SweepRun
from replication.core.provenance import Provenance
from replication.experiments.code_key import code_key
from replication.experiments.store import cached_result, run_path
from replication.training import Dataset, History, TrainSpec, train_grid, train_seeds

__all__ = ["GridResult", "cached_grid", "spec_config"]


@dataclasses.dataclass(frozen=True)
class GridResult:
    """A trained grid: its runs, their histories (same order), the provenance of the computation (the original one
    when ``reused`` from the store), the data's notice (the stand-in's name, or None for the real data), the shape
    of one input and the data set's name (``"cifar10"``, ``"fashion-mnist"``, ``"mnist"``), where the experiment
    records them."""

    runs: tuple[SweepRun, ...]
    histories: tuple[History, ...]
    provenance: Provenance
    reused: bool
    notice: str | None = None
    input_shape: tuple[int, ...] | None = None
    data_name: str | None = None
    seeds: tuple[int, ...] = ()
    by_seed: tuple[tuple[History, ...], ...] = ()  # by_seed[k][i]: run i from initialization seed seeds[k]

    def describe(self) -> str:
        """One line: how many runs, how long they took and where, and whether the stored result was reused."""
        p = self.provenance
        stored = "stored result reused; " if self.reused else ""
        times = f" × {len(self.seeds)} seeds" if len(self.seeds) > 1 else ""
        return (
            f"{len(self.runs)} runs{times}: {stored}computed in {p.wall_time_s:.0f} s on {p.device} (commit {p.commit})"
        )


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
    seeds: Sequence[int] | None = None,
) -> GridResult:
    """Train ``runs`` (``epochs`` converted to steps with the data's size and ``spec.batch_size``), or reuse the stored
    result of the same ``config`` (which must describe everything that decides the result) and the same ``code`` (the
    experiment function that calls this one; see :func:`replication.experiments.code_key.code_key`).

    ``seeds``: train every run from each initialization ``build(s)`` (then ``build`` takes the seed), all in one
    vmapped program (:func:`replication.training.train_seeds`; the data order is ``seed``'s for every one); the result
    holds ``by_seed`` and its ``histories`` are the first seed's."""
    key = code_key(code)
    ckpt = run_path(name, config, key, preset=preset, kind="checkpoints")

    def compute():
        ds = load()
        n = ds.x_train.shape[0]
        per_epoch = n // min(spec.batch_size or n, n)
        steps = [max(1, math.ceil(r.epochs * per_epoch)) for r in runs]
        if seeds is not None:
            apply_fn = build(seeds[0])[0]
            by_seed = train_seeds(
                apply_fn, lambda s: build(s)[1], list(seeds), ds, [r.lr for r in runs], [r.lam for r in runs],
                steps, spec, seed=seed, checkpoint=ckpt, code_key=key.key, log=log,
            )  # fmt: skip
            return {"by_seed": [[h.to_json() for h in hist] for hist in by_seed]}
        apply_fn, params = build()
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

    got = cached_result(name, config, compute, preset=preset, code=key, log=log)
    if seeds is not None:
        by_seed = tuple(tuple(History.from_json(h) for h in hist) for hist in got.payload["by_seed"])
        return GridResult(tuple(runs), by_seed[0], got.provenance, got.reused, seeds=tuple(seeds), by_seed=by_seed)
    histories = tuple(History.from_json(h) for h in got.payload["histories"])
    return GridResult(tuple(runs), histories, got.provenance, got.reused)
