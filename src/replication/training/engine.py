"""The training engine: SGD, momentum or Adam (Optax) with the explicit L2 term ½λ‖θ‖², or SGDW/AdamW with decoupled
weight decay (``TrainSpec.optimizer``; Optax chains, :mod:`replication.training.optimizers`), for a whole (η, λ)
grid at once.

* Loss (appendix A): softmax cross-entropy normalized as −1/(2k|B|) Σ_{x∈B,i} y_i log p_i(x), k = number of classes;
  or MSE normalized the same way, 1/(2k|B|) Σ (f_i − y_i)² (Fig. S5). The L2 term ½λ‖θ‖² covers every parameter.
  google/autol2 instead minimizes mean-over-classes cross-entropy + λΣθ²: its (η, λ) is our (2η, λ).
* A grid of configurations that share one initialization (appendix A: same seed everywhere), or one per run
  (``per_run_params``; :func:`train_seeds` trains runs × initialization seeds), trains as ``jax.vmap``-ed programs;
  the inner loop is a jitted loop between evaluations whose step count is an argument, so one compiled program serves
  every chunk length of a grid. The engine is in three parts: :func:`plan_grid`
  (pure: buckets of equal length, programs, padding, placement, work; :mod:`replication.training.plan`), the jitted
  programs (:class:`replication.training.step.GridPrograms`), and the loop of :func:`train_grid`, which runs the
  plan and calls a :class:`~replication.training.checkpoint.GridCheckpoint` and a
  :class:`~replication.training.plan.GridProgress`.
* λ is part of the state the loop carries: constant per run, or driven by AutoL2 (``TrainSpec.autol2``), which measures
  the bare loss and the error of each step's training batch every k steps. Coupled optimizers feed ∇loss + λθ to
  their statistics, decoupled ones add λθ after them (:mod:`replication.training.optimizers`).
* Long grids checkpoint (``checkpoint=``) and resume with identical histories (tests/test_faults.py).
* With several devices (``devices=``, default all of them) the grid's runs are split over the devices, or each
  step's batch is (``shard="batch"``, data parallel; ``TrainSpec.bn_group`` gives per-device batch norm); see
  :mod:`replication.training.sharding`. One device: nothing changes.
* A run whose loss turns NaN/inf is marked diverged at the first evaluation that sees it; its history is kept up
  to there (NaN afterwards) and the rest of the grid goes on.
"""

from __future__ import annotations

import dataclasses
import os
from collections import OrderedDict
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from replication.core import ledger
from replication.core.progress import grid_label, reporter
from replication.core.validation import check_nonnegative
from replication.training.checkpoint import GridCheckpoint
from replication.training.plan import GridProgress, Program, bucket_steps, plan_grid
from replication.training.records import METRICS, Dataset, History, TrainSpec
from replication.training.sharding import Placement, make_placement
from replication.training.step import GridPrograms, make_grid_programs, schedule_horizon

__all__ = ["train_grid", "train", "train_seeds", "start_program", "bucket_steps", "plan_grid"]


def _history(records: list[dict], j: int, lr: float, lam: float, steps: int, every: int) -> History:
    series = {k: np.asarray([r[k][j] if np.ndim(r[k]) else r[k] for r in records], dtype=float) for k in METRICS}
    # a run of a vmapped program trains on past its own steps while a longer run of the program finishes: only its
    # own evaluations (up to steps + every - 1) count, so a divergence after its budget does not mark it diverged
    keep = series["step"] <= steps + every - 1
    series = {k: v[keep] for k, v in series.items()}
    bad = ~(np.isfinite(series["train_loss"]) & np.isfinite(series["sq_norm"]))
    diverged_at = None
    if bad.any():
        first_bad = int(np.argmax(bad))
        diverged_at = float(series["step"][first_bad])
        for k in METRICS:
            if k != "step":
                series[k][first_bad:] = np.nan
    return History(
        lr=float(lr),
        lam=float(lam),
        steps=int(steps),
        diverged=bool(bad.any()),
        diverged_at=diverged_at,
        metrics=series,
    )


def _check_inputs(params, data: Dataset, spec: TrainSpec, n_runs: int, per_run_params: bool) -> None:
    """What :func:`plan_grid` cannot see: the parameters' runs axis and the inputs' shape."""
    if per_run_params:
        leading = {np.shape(a)[0] if np.ndim(a) else None for a in jax.tree.leaves(params)}
        if leading != {n_runs}:
            raise ValueError(
                f"per_run_params=True needs every parameter array to have a leading runs axis of length {n_runs}; "
                f"got leading sizes {sorted(map(str, leading))}."
            )
    if spec.augment and np.ndim(data.x_train) != 4:
        raise ValueError(
            f"augment={spec.augment!r} needs NHWC image inputs; x_train has shape "
            f"{np.shape(data.x_train)}. Use augment=() for flattened inputs."
        )


# The programs of the last few grids, reused by a later grid of the same network, data and program (a chapter's
# measurement, sweep and predicted runs; a study's seeds; NOTES.md, session 27: 12 of the smoke book's 37 chunk
# programs were a trace of one already compiled in the same process). Keyed by the identity of apply_fn and the
# data (both held by the entry, so an id is not reused while it is cached) and by what the programs are built from.
# Each entry keeps its programs' device copy of the data (about 1 GB at the paper's CIFAR-10 size), so only a few:
# 4 caught as many repeats as 8 in the smoke book (2: 6 of the 12 left).
PROGRAM_CACHE_SIZE = 4
_PROGRAMS: OrderedDict = OrderedDict()


def program_spec(spec: TrainSpec) -> TrainSpec:
    """``spec`` with only what its compiled programs depend on: the evaluation cadence and the runs per program are
    the plan's, and the schedule is each run's horizon, an argument (:func:`step.schedule_horizon`)."""
    return dataclasses.replace(spec, evals=1, evals_per_octave=None, runs_per_program=None, schedule="constant")


def grid_programs(apply_fn, spec: TrainSpec, data: Dataset, seed: int, place: Placement, stacked: bool):
    """:func:`make_grid_programs`, or the same programs built for an earlier grid of this process from the same
    ``apply_fn`` and ``data`` objects, ``program_spec``, seed and placement (JAX then finds their traces in its own
    cache instead of tracing and lowering them again, 1-2 s each for a small convnet). The data's arrays are read
    when the programs are built: a caller that changes them in place between grids must pass a new ``Dataset``."""
    key = (id(apply_fn), id(data), program_spec(spec), seed, place, stacked)
    cached = _PROGRAMS.get(key)
    if cached is not None and cached[0] is apply_fn and cached[1] is data:
        _PROGRAMS.move_to_end(key)
        return cached[2]._replace(schedule=spec.schedule)
    programs = make_grid_programs(apply_fn, spec, data, seed, place, per_run_params=stacked)
    _PROGRAMS[key] = (apply_fn, data, programs)
    while len(_PROGRAMS) > PROGRAM_CACHE_SIZE:
        _PROGRAMS.popitem(last=False)
    return programs


def start_program(jitted: GridPrograms, program: Program, place: Placement, params, lrs, lams, steps, stacked: bool):
    """A program's starting point: (the runs' (η, schedule horizon), the placed training state (params, optimizer state,
    λ state)), both with a leading runs axis. ``stacked``: ``params`` has a leading runs axis, one initialization
    per run."""
    runs = list(program.runs)
    horizons = [schedule_horizon(jitted.schedule, s) for s in steps]  # +inf: a constant η (step_decay)
    lr, lam, total = (jnp.asarray([values[i] for i in runs], jnp.float32) for values in (lrs, lams, horizons))
    lr, lam, total = place.put_runs((lr, lam, total))
    grid_params = place.start_runs(params, runs, stacked)  # each device gets its share only
    start = grid_params if stacked else params
    opt_state, ctrl = jitted.init(start, lr, lam)  # placed by the program (GridPrograms.init's out_shardings)
    return (lr, total), (grid_params, opt_state, ctrl)


def train_grid(
    apply_fn,
    params,
    data: Dataset,
    lrs: Sequence[float],
    lams: Sequence[float],
    steps: Sequence[int],
    spec: TrainSpec = TrainSpec(),
    *,
    seed: int = 0,
    vmap: bool = True,
    progress=None,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_seconds: float = 300.0,
    code_key: str = "",
    log=print,
    devices=None,
    shard: str = "auto",
    per_run_params: bool = False,
) -> list[History]:
    """Train one run per (lrs[i], lams[i], steps[i]) from the same ``params`` and return their histories.

    ``per_run_params=True``: ``params`` carries a leading axis of length len(lrs), run i starting from params[i]
    (e.g. one initialization seed per run; :func:`train_seeds` builds such grids). ``seed`` is then still the one
    data-order seed (minibatch order and augmentation) shared by every run.

    With ``spec.autol2`` set, λ follows AutoL2 in every run, starting from lams[i]. ``vmap=False`` trains the same
    runs one by one (the reference the vectorized grid is tested and benchmarked against), with the same progress,
    checkpoint and logging. ``progress(done, total,
    fraction)`` is called as each bucket starts and after every chunk: chunks done and in all, and the share of the
    grid's run-steps done. By default it is :func:`replication.core.progress.reporter`, which writes a line at most
    every 30 s to the file named by ``$REPLICATION_PROGRESS`` (``make book`` streams it to the terminal) and does
    nothing when that variable is unset; progress never goes to stdout, so executed notebooks stay free of it.

    ``checkpoint``: a file that holds the grid's state (parameters, optimizer and AutoL2 state, the evaluations so
    far, finished runs), rewritten atomically at most every ``checkpoint_seconds`` (0: after every evaluation) and
    deleted at the end. If it exists when the call starts and belongs to the same call (same runs, spec, seed, data,
    initial parameters and ``code_key``, the caller's key of the code that decides the run), training resumes from
    it with the same histories as without the interruption. A damaged or foreign checkpoint is reported through
    ``log`` and ignored.

    ``devices``: the devices to spread the grid over (None: every device JAX sees; one device: no sharding).
    ``shard="runs"`` splits the runs over them (a bucket is padded with copies of its last run to a multiple of the
    device count; the copies' histories are dropped); ``shard="batch"`` trains every run data parallel, each step's
    batch (or its ``spec.bn_group`` groups, whose count must then be a multiple of the device count) split over them;
    ``shard="auto"`` (the default) trains a bucket with fewer runs than devices data parallel when its batch splits
    evenly, and splits the runs otherwise. The results are the same either way, to float rounding.
    """
    lrs, lams, steps = list(lrs), list(lams), list(steps)
    check_nonnegative("checkpoint_seconds", checkpoint_seconds)
    placement = make_placement(devices)
    plan = plan_grid(lrs, lams, steps, spec, n_train=data.n_train, n_devices=placement.size, shard=shard, vmap=vmap,
                     data_parallel=not placement.on_cpu)  # fmt: skip
    _check_inputs(params, data, spec, len(lrs), per_run_params)
    separate = not vmap and len(lrs) > 1  # vmap=False: each run a grid of its own (a grid of one already is)
    stacked = per_run_params and not separate  # programs take one initialization per run (else one shared)
    # the plan's programs too: their runs differ with the device count (CPU devices cut a bucket in two)
    layout = [(list(p.runs), list(p.retire)) for p in plan.programs]
    identity = (lrs, lams, steps, repr(spec), seed, params, dataclasses.astuple(data), code_key, separate, layout)
    saved = GridCheckpoint(checkpoint, identity, seconds=checkpoint_seconds, log=log, placement=placement)
    histories = saved.finished()
    meter = GridProgress(plan, progress or reporter(grid_label(checkpoint, len(lrs))), saved.first_program)
    for b, program in enumerate(plan.programs[saved.first_program :], start=saved.first_program):
        place = Placement() if program.mode == "single" else dataclasses.replace(placement, mode=program.mode)
        jitted = grid_programs(apply_fn, spec, data, seed, place, stacked)  # every chunk length, one compile a shape
        own = jax.tree.map(lambda a: a[program.runs[0]], params) if per_run_params and separate else params
        hyper, state = start_program(jitted, program, place, own, lrs, lams, steps, stacked)
        width = len(program.runs)  # records keep every run's column; a retired run's later ones are NaN
        positions = program.active(saved.resume_chunk(b) - 1)  # the runs a checkpoint's state holds
        like = _narrow(state, range(width), positions)
        if (resumed := saved.resume(b, like)) is not None:
            first_chunk, records, alive = resumed.chunk, resumed.records, resumed.alive
            state, hyper = place.put_runs(resumed.state), _narrow(hyper, range(width), positions)
        else:  # afresh (also when a checkpoint could not be read): every run from the start
            positions = program.active(-1)
            first_chunk, alive = 0, np.ones(len(program.runs), bool)
            with ledger.timed("first evaluation"):  # the chunk program with no steps: the evaluation at step 0
                *_, metrics = jitted.run_chunk(*state, jnp.int32(0), jnp.int32(0), *hyper)
                records = [placement.to_host(metrics)]
            _count_evaluations("first", len(program.runs), data, spec)
        meter.start(program, first_chunk)
        for c in range(first_chunk, program.n_chunks):
            if not alive.any():  # every run diverged: nothing left to train in this program
                meter.skip(program, c)
                break
            if (now := program.active(c)) != positions:  # runs that have ended leave the runs axis
                hyper, state, positions = _narrow(hyper, positions, now), _narrow(state, positions, now), now
            start_step, count, evaluated = jnp.int32(c * program.every), jnp.int32(program.every), program.evaluates(c)
            with ledger.timed("training"):  # program.every steps of each run, then an evaluation where the plan has one
                if evaluated:
                    *state, metrics = jitted.run_chunk(*state, start_step, count, *hyper)
                    records.append(_widen(placement.to_host(metrics), positions, width))
                else:  # evals_per_octave (TrainSpec): steps only
                    state = jitted.train_chunk(*state, start_step, count, *hyper)
            ledger.count("steps", program.every * len(positions))
            if evaluated:
                _count_evaluations("in chunks", len(positions), data, spec)
                on = list(positions)
                alive[on] &= np.isfinite(records[-1]["train_loss"][on]) & np.isfinite(records[-1]["sq_norm"][on])
            meter.chunk_done(program, c)
            if c + 1 < program.n_chunks:
                saved.after_chunk(b, c + 1, tuple(state), records, alive, histories)
        for j, i in enumerate(program.runs[: program.n_real]):
            histories[i] = _history(records, j, lrs[i], lams[i], steps[i], program.every)
        if b + 1 < len(plan.programs):
            saved.between_programs(b + 1, records[0], histories)
        meter.end()
    saved.remove()
    return [histories[i] for i in range(len(lrs))]


def _narrow(tree, positions: Sequence[int], keep: Sequence[int]):
    """``tree``'s leaves (leading runs axis, holding the runs at ``positions``) cut to the runs at ``keep``."""
    positions, keep = list(positions), list(keep)
    if keep == positions:
        return tree
    index = np.asarray([positions.index(j) for j in keep])
    return jax.tree.map(lambda a: a[index], tree)


def _widen(metrics: dict, positions: Sequence[int], width: int) -> dict:
    """An evaluation of the runs at ``positions`` as one of all ``width`` runs: NaN (the step where it is shared)
    for the retired ones, whose histories end before it."""
    if len(positions) == width:
        return metrics
    out = {}
    for k, v in metrics.items():
        v = np.asarray(v)
        if v.ndim == 0:
            out[k] = v
            continue
        full = np.full((width,) + v.shape[1:], np.nan if v.dtype.kind == "f" else v[0], v.dtype)
        full[list(positions)] = v
        out[k] = full
    return out


def _count_evaluations(where: str, runs: int, data: Dataset, spec: TrainSpec) -> None:
    """The ledger's evaluation counts: passes (one per run over both splits) and the images they see."""
    ledger.count(f"evaluation passes ({where})", runs)
    ledger.count("evaluation images", runs * (spec.train_eval_size(data.n_train) + len(data.x_test)))


def train(
    apply_fn,
    params,
    data: Dataset,
    *,
    lr: float,
    lam: float,
    steps: int,
    spec: TrainSpec = TrainSpec(),
    seed: int = 0,
    **kwargs,
) -> History:
    """Train a single run (a grid of one)."""
    return train_grid(apply_fn, params, data, [lr], [lam], [steps], spec, seed=seed, **kwargs)[0]


def train_seeds(
    apply_fn,
    init_params,
    seeds: Sequence[int],
    data: Dataset,
    lrs: Sequence[float],
    lams: Sequence[float],
    steps: Sequence[int],
    spec: TrainSpec = TrainSpec(),
    *,
    seed: int = 0,
    **kwargs,
) -> list[list[History]]:
    """Train every run (lrs[i], lams[i], steps[i]) from each initialization ``init_params(s)``, s in ``seeds``, as
    one grid of len(seeds) × len(lrs) runs (vmapped together: the seeds are one more axis of the program). Only the
    initialization differs between seeds; the data order (minibatches, augmentation) is ``seed``'s for all of them,
    so the spread across seeds is the spread due to the initialization alone. Returns histories[k][i]: seed
    ``seeds[k]``, run i. ``kwargs`` go to :func:`train_grid` (checkpoint, progress, ...)."""
    seeds = list(seeds)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds={seeds!r} must be a non-empty list of distinct integers.")
    n = len(list(lrs))
    inits = [init_params(s) for s in seeds]
    stacked = jax.tree.map(lambda *a: np.stack([np.asarray(x) for x in a for _ in range(n)]), *inits)
    flat = train_grid(
        apply_fn, stacked, data, list(lrs) * len(seeds), list(lams) * len(seeds), list(steps) * len(seeds), spec,
        seed=seed, per_run_params=True, **kwargs,
    )  # fmt: skip
    return [flat[k * n : (k + 1) * n] for k in range(len(seeds))]
