"""One stored, resumable grid: the glue between a chapter's request and the engine.

:func:`cached_grid` trains the runs (η, λ, epochs) of a :class:`~replication.experiments.request.GridRequest` as one
vmapped grid, stores the histories keyed by the request's canonical JSON and the code that computes them
(:func:`train_request` and every module it executes; :func:`replication.experiments.store.cached_result`), and
checkpoints the computation under ``results/<preset>/checkpoints/`` so that a killed chapter resumes where it stopped.
The store is checked before any data is loaded.

Under :func:`rehearsing` (the rehearsal, :mod:`replication.experiments.rehearsal`) nothing trains and nothing is
written: each grid that is not stored is planned (:func:`replication.training.plan_grid`), recorded as a
:class:`PlannedGrid`, and answered with placeholder histories of the right shape so that the study goes on to its
next grid; a stored grid is recorded as stored and returned as it is.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import os
from collections.abc import Callable, Iterator

import numpy as np

from replication.analysis.plan import SweepRun
from replication.core.progress import grid_label, reporter
from replication.core.provenance import Provenance
from replication.data.cifar10 import CIFAR10_ENV
from replication.data.fashion_mnist import FASHION_MNIST_ENV
from replication.data.mnist import MNIST_IDX_ENV
from replication.experiments.code_key import CodeKey, code_key
from replication.experiments.request import (
    DataRequest,
    GridRequest,
    ModelRequest,
    build_model,
    load_data,
    stand_in_name,
)
from replication.experiments.store import StoredResult, TrainingRefused, cached_result, run_path
from replication.training import History, TrainSpec, train_grid, train_seeds
from replication.training.plan import GridPlan, bucket_steps, chunking, plan_grid

__all__ = ["GridResult", "cached_grid", "grid_from_stored", "train_request", "PlannedGrid", "rehearsing",
           "rehearsal_active", "rehearsal_cifar_shapes", "recording"]  # fmt: skip


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
    request: GridRequest | None = None  # what was asked for: the grid's identity

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
    identity: str  # the stored result's file name: the request's label, and the key of the request and the code
    stored: bool
    n_runs: int  # runs of the grid (× initializations when several are trained together)
    plan: GridPlan | None  # None when stored
    steps: tuple[int, ...]  # each run's step budget (every copy for several initializations); () when stored
    n_train: int
    n_test: int
    input_shape: tuple[int, ...]
    spec: TrainSpec
    build: Callable[[], tuple] | None  # () -> (apply_fn, params) of one initialization; None when stored
    config: dict | None = None  # the request's canonical JSON: what the stored result's name keys (with the code key)
    code: CodeKey | None = None


_REHEARSAL: contextvars.ContextVar[list | None] = contextvars.ContextVar("rehearsal", default=None)
_RECORDING: contextvars.ContextVar[list | None] = contextvars.ContextVar("recording", default=None)


@contextlib.contextmanager
def recording() -> Iterator[list[GridResult]]:
    """Within this block every grid :func:`cached_grid` returns is also appended to the list it yields (in order):
    what a study trained or reused, whatever the study returns (the headless runner counts reuse with it)."""
    token = _RECORDING.set(grids := [])
    try:
        yield grids
    finally:
        _RECORDING.reset(token)


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


def _rehearse(grids, name: str, preset: str, request: GridRequest, key: CodeKey, log) -> GridResult:
    def not_stored():
        raise _NotStored

    config = request.to_json()
    try:
        got = cached_result(request.label, config, not_stored, preset=preset, code=key, log=log)
    except (_NotStored, TrainingRefused):  # not stored (a rehearsal trains nothing either way)
        got = None
    identity = run_path(request.label, config, key, preset=preset).name
    d = request.data
    copies = len(request.seeds) or 1
    if got is not None:
        grids.append(PlannedGrid(name, preset, identity, True, len(request.runs) * copies, None, (), d.train_samples,
                                 d.test_samples, d.input_shape, request.spec, None, config, key))  # fmt: skip
        return _result(got, request)
    steps = list(request.steps())
    runs = request.runs
    plan = plan_grid([r.lr for r in runs] * copies, [r.lam for r in runs] * copies, steps * copies, request.spec,
                     n_train=d.train_samples)  # fmt: skip
    seed = (request.seeds or (request.seed,))[0]  # one initialization: what the rehearsal compiles
    grids.append(PlannedGrid(name, preset, identity, False, len(runs) * copies, plan, tuple(steps * copies),
                             d.train_samples, d.test_samples, d.input_shape, request.spec,
                             lambda: build_model(request.model, d.input_shape, seed), config, key))  # fmt: skip
    per_epoch = request.train.steps_per_epoch(d.train_samples)
    hist = tuple(_placeholder(r, s, chunking(bucket_steps(s), request.train.evals)[0], per_epoch)
                 for r, s in zip(runs, steps))  # fmt: skip
    payload = dict(histories=hist, notice=None)
    prov = Provenance(preset, "rehearsal (nothing trained)", 0.0)
    return _grid_result(request, payload, prov, False, by_seed=(hist,) * copies if request.seeds else ())


def _grid_result(request: GridRequest, payload: dict, provenance: Provenance, reused: bool, by_seed=()) -> GridResult:
    return GridResult(request.runs, payload["histories"], provenance, reused, notice=payload["notice"],
                      input_shape=request.data.input_shape, data_name=stand_in_name(request.data.dataset),
                      seeds=request.seeds, by_seed=by_seed, request=request)  # fmt: skip


def _result(got, request: GridRequest) -> GridResult:
    payload = got.payload
    if request.seeds:
        by_seed = tuple(tuple(History.from_json(h) for h in hist) for hist in payload["by_seed"])
        return _grid_result(request, dict(histories=by_seed[0], notice=payload["notice"]), got.provenance,
                            got.reused, by_seed=by_seed)  # fmt: skip
    histories = tuple(History.from_json(h) for h in payload["histories"])
    return _grid_result(request, dict(histories=histories, notice=payload["notice"]), got.provenance, got.reused)


def grid_from_stored(payload: dict, provenance: Provenance, config: dict) -> GridResult:
    """A grid :func:`cached_grid` stored, from its file's payload, provenance and config (the request's JSON),
    whatever code stored it: what a recorded probe reads (:mod:`replication.experiments.probes`)."""
    return _result(StoredResult(payload, provenance, True, ""), GridRequest.from_json(config))


# Where the data files are found (the cache folder and each data set's own variable): another location may hold other
# files for the same request
DATA_LOCATIONS = ("REPLICATION_DATA", CIFAR10_ENV, FASHION_MNIST_ENV, MNIST_IDX_ENV)


def _loaded(request: DataRequest):
    """:func:`load_data`, once per process for consecutive grids of the same data (and the same data locations): the
    same ``Dataset`` object, so that the engine reuses a grid's compiled programs for the next
    (``training.engine.grid_programs``)."""
    return _loaded_from(request, tuple(os.environ.get(v) for v in DATA_LOCATIONS))


@functools.lru_cache(maxsize=2)
def _loaded_from(request: DataRequest, locations: tuple):
    return load_data(request)


_NETWORKS: dict = {}  # (model, input shape) -> the apply_fn of its first build in this process; the last 8 kept


def _built(model: ModelRequest, input_shape: tuple[int, ...], seed: int) -> tuple[Callable, object]:
    """:func:`build_model`, with one ``apply_fn`` object per network in this process (for the same reason): it
    depends only on the network's structure (the parameters are an argument; no other state is split off), so the
    first build's serves every initialization, as :func:`train_request` already did for a grid's several seeds."""
    apply_fn, params = build_model(model, input_shape, seed)
    if (model, input_shape) not in _NETWORKS and len(_NETWORKS) >= 8:
        del _NETWORKS[next(iter(_NETWORKS))]
    return _NETWORKS.setdefault((model, input_shape), apply_fn), params


def train_request(request: GridRequest, *, name: str, checkpoint, key: str, log=print) -> dict:
    """Train the grid ``request`` asks for (the store's computation): load its data, build its network from each
    initialization seed, train every run (:func:`replication.training.train_grid`, or
    :func:`~replication.training.train_seeds` for several seeds, all in one vmapped program), checkpointing into
    ``checkpoint`` under ``key``; returns the payload: the histories (by seed) and the data's notice."""
    ds, notice = _loaded(request.data)
    shape = request.data.input_shape
    lrs, lams, steps = [r.lr for r in request.runs], [r.lam for r in request.runs], list(request.steps())
    options = dict(seed=request.seed, checkpoint=checkpoint, code_key=key, log=log,
                   progress=reporter(grid_label(name, len(lrs) * (len(request.seeds) or 1))))  # fmt: skip
    if request.seeds:
        apply_fn = _built(request.model, shape, request.seeds[0])[0]
        by_seed = train_seeds(apply_fn, lambda s: build_model(request.model, shape, s)[1], list(request.seeds), ds,
                              lrs, lams, steps, request.spec, **options)  # fmt: skip
        return {"by_seed": [[h.to_json() for h in hist] for hist in by_seed], "notice": notice}
    apply_fn, params = _built(request.model, shape, request.seed)
    hist = train_grid(apply_fn, params, ds, lrs, lams, steps, request.spec, **options)
    return {"histories": [h.to_json() for h in hist], "notice": notice}


def cached_grid(name: str, preset: str, request: GridRequest, *, log=print) -> GridResult:
    """The grid ``request`` asks for: stored (same request, same code: :func:`train_request` and every module it
    executes), or trained now, stored and returned. The store is checked before any data is loaded; a killed
    computation resumes from its checkpoint (``results/<preset>/checkpoints/``). ``name`` is the study's name for
    the grid, in progress lines and the rehearsal; it is not part of the identity, so two chapters that build the
    same request share one stored result."""
    key = code_key(train_request)
    if (grids := _REHEARSAL.get()) is not None:
        return _rehearse(grids, name, preset, request, key, log)
    result = _stored_or_trained(name, preset, request, key, log)
    if (used := _RECORDING.get()) is not None:
        used.append(result)
    return result


def _stored_or_trained(name: str, preset: str, request: GridRequest, key: CodeKey, log) -> GridResult:
    config = request.to_json()
    ckpt = run_path(request.label, config, key, preset=preset, kind="checkpoints")
    store_key = request.key(key.key)

    def compute():
        return train_request(request, name=name, checkpoint=ckpt, key=store_key, log=log)

    return _result(cached_result(request.label, config, compute, preset=preset, code=key, log=log), request)
