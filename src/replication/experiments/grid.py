"""One stored, resumable grid: the glue between a chapter's data and model and the engine.

:func:`cached_grid` trains a list of :class:`~replication.analysis.plan.SweepRun` (η, λ, epochs) from one initialization
as one vmapped grid, stores the histories keyed by the full configuration and the code that computes them
(:func:`replication.experiments.store.cached_result`), and checkpoints the computation under
``results/<preset>/checkpoints/`` so that a killed chapter resumes where it stopped.

Under :func:`rehearsing` (the rehearsal, :mod:`replication.experiments.rehearsal`) nothing trains and nothing is
written: each grid that is not stored is planned (:func:`replication.training.plan_grid`), recorded as a
:class:`PlannedGrid`, and answered with placeholder histories of the right shape so that the study goes on to its
next grid; a stored grid is recorded as stored and returned as it is.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from replication.analysis.plan import SweepRun
from replication.core.provenance import Provenance
from replication.experiments.code_key import CodeKey, code_key
from replication.experiments.store import TrainingRefused, cached_result, run_path
from replication.training import Dataset, History, TrainSpec, train_grid, train_seeds
from replication.training.plan import GridPlan, bucket_steps, chunking, plan_grid

__all__ = ["GridResult", "cached_grid", "spec_config", "PlannedGrid", "rehearsing", "rehearsal_active",
           "rehearsal_cifar_shapes", "run_steps"]  # fmt: skip


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


@dataclasses.dataclass(frozen=True)
class PlannedGrid:
    """A grid as the rehearsal saw it: stored already (nothing to train), or planned, with what its cost needs."""

    name: str
    preset: str
    identity: str  # the stored result's file name: name, configuration key and code key
    stored: bool
    n_runs: int  # runs of the grid (× initializations when several are trained together)
    plan: GridPlan | None  # None when stored
    steps: tuple[int, ...]  # each run's step budget (every copy for several initializations); () when stored
    n_train: int
    n_test: int
    input_shape: tuple[int, ...]
    spec: TrainSpec
    build: Callable[[], tuple] | None  # () -> (apply_fn, params) of one initialization; None when stored
    config: dict | None = None  # the request: what the stored result's name keys (with the code key)
    code: CodeKey | None = None


_REHEARSAL: contextvars.ContextVar[list | None] = contextvars.ContextVar("rehearsal", default=None)
_CIFAR_SHAPES: contextvars.ContextVar[bool] = contextvars.ContextVar("rehearsal_cifar_shapes", default=False)


@contextlib.contextmanager
def rehearsing(*, cifar_shapes: bool = True) -> Iterator[list[PlannedGrid]]:
    """Within this block :func:`cached_grid` trains and writes nothing; the list it yields collects a
    :class:`PlannedGrid` per grid asked for, in order. ``cifar_shapes``: plan CIFAR-10's shapes where only its
    stand-in is on this machine (what a run with CIFAR-10 would cost); False: the grids exactly as a run here would
    ask for them (their stored identity)."""
    grids: list[PlannedGrid] = []
    token, shapes = _REHEARSAL.set(grids), _CIFAR_SHAPES.set(cifar_shapes)
    try:
        yield grids
    finally:
        _REHEARSAL.reset(token)
        _CIFAR_SHAPES.reset(shapes)


def rehearsal_active() -> bool:
    """Whether this code runs inside :func:`rehearsing` (nothing trains)."""
    return _REHEARSAL.get() is not None


def rehearsal_cifar_shapes() -> bool:
    """Whether a rehearsal under way plans CIFAR-10's shapes in place of a stand-in (see :func:`rehearsing`)."""
    return rehearsal_active() and _CIFAR_SHAPES.get()


class _NotStored(Exception):
    pass


def run_steps(runs: Sequence[SweepRun], n_train: int, spec: TrainSpec) -> list[int]:
    """Each run's step budget: its ``epochs`` × whole batches per epoch, rounded up, at least one step."""
    per_epoch = spec.steps_per_epoch(n_train)
    return [max(1, math.ceil(r.epochs * per_epoch)) for r in runs]


def _placeholder(run: SweepRun, steps: int, every: int, per_epoch: int) -> History:
    """A rehearsal's stand-in history: the evaluation steps the engine would record, and smooth curves that learn
    and peak in the middle (so that a study's analysis runs); never stored, never shown."""
    t = np.arange(0, steps + every, every, dtype=float)
    x = t / max(t[-1], 1.0)
    accuracy = 0.1 + 0.8 * (2 * x) * np.exp(1 - 2 * x)
    metrics = dict(step=t, epoch=t / per_epoch, train_loss=2.3 * np.exp(-3 * x) + 1e-3,
                   train_error=0.9 * np.exp(-3 * x), test_accuracy=accuracy, test_loss=2.3 - 2 * (accuracy - 0.1),
                   sq_norm=1 + x,
                   lam=np.full_like(t, run.lam), lr=np.full_like(t, run.lr))  # fmt: skip
    return History(run.lr, run.lam, steps, False, None, metrics)


def _rehearse(grids, name, preset, config, runs, *, key, load, build, spec, seeds, log) -> GridResult:
    def not_stored():
        raise _NotStored

    try:
        got = cached_result(name, config, not_stored, preset=preset, code=key, log=log)
    except (_NotStored, TrainingRefused):  # not stored (a rehearsal trains nothing either way)
        got = None
    identity = run_path(name, config, key, preset=preset).name
    ds = load()
    n_train, n_test = ds.x_train.shape[0], ds.x_test.shape[0]
    shape = tuple(ds.x_train.shape[1:])
    copies = len(seeds) if seeds is not None else 1
    if got is not None:
        grids.append(PlannedGrid(name, preset, identity, True, len(runs) * copies, None, (), n_train, n_test, shape,
                                 spec, None, config, key))  # fmt: skip
        return _result(got, runs, seeds)
    steps = run_steps(runs, n_train, spec)
    plan = plan_grid([r.lr for r in runs] * copies, [r.lam for r in runs] * copies, steps * copies, spec,
                     n_train=n_train)  # fmt: skip
    one = (lambda: build(seeds[0])) if seeds is not None else build
    grids.append(PlannedGrid(name, preset, identity, False, len(runs) * copies, plan, tuple(steps * copies), n_train,
                             n_test, shape, spec, one, config, key))  # fmt: skip
    per_epoch = spec.steps_per_epoch(n_train)
    hist = tuple(_placeholder(r, s, chunking(bucket_steps(s), spec.evals)[0], per_epoch)
                 for r, s in zip(runs, steps))  # fmt: skip
    prov = Provenance(preset, "rehearsal (nothing trained)", 0.0)
    if seeds is not None:
        return GridResult(tuple(runs), hist, prov, False, seeds=tuple(seeds), by_seed=(hist,) * len(seeds))
    return GridResult(tuple(runs), hist, prov, False)


def _result(got, runs, seeds) -> GridResult:
    if seeds is not None:
        by_seed = tuple(tuple(History.from_json(h) for h in hist) for hist in got.payload["by_seed"])
        return GridResult(tuple(runs), by_seed[0], got.provenance, got.reused, seeds=tuple(seeds), by_seed=by_seed)
    histories = tuple(History.from_json(h) for h in got.payload["histories"])
    return GridResult(tuple(runs), histories, got.provenance, got.reused)


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
    if (grids := _REHEARSAL.get()) is not None:
        return _rehearse(grids, name, preset, config, runs, key=key, load=load, build=build, spec=spec, seeds=seeds,
                         log=log)  # fmt: skip
    ckpt = run_path(name, config, key, preset=preset, kind="checkpoints")

    def compute():
        ds = load()
        steps = run_steps(runs, ds.x_train.shape[0], spec)
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

    return _result(cached_result(name, config, compute, preset=preset, code=key, log=log), runs, seeds)
