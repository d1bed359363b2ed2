"""The training engine: SGD, momentum or Adam (Optax) with the explicit L2 term ½λ‖θ‖², or SGDW/AdamW with decoupled
weight decay (``TrainSpec.optimizer``; :func:`replication.training.step.optimizer_direction`), for a whole (η, λ)
grid at once.

* Loss (appendix A): softmax cross-entropy normalized as −1/(2k|B|) Σ_{x∈B,i} y_i log p_i(x), k = number of classes;
  or MSE normalized the same way, 1/(2k|B|) Σ (f_i − y_i)² (Fig. S5). The L2 term ½λ‖θ‖² covers every parameter.
  google/autol2 instead minimizes mean-over-classes cross-entropy + λΣθ²: its (η, λ) is our (2η, λ).
* A grid of configurations that share one initialization (appendix A: same seed everywhere), or one per run
  (``per_run_params``; :func:`train_seeds` trains runs × initialization seeds), trains as one ``jax.vmap``-ed
  program; the inner loop is a jitted ``lax.scan`` between evaluations. Configurations are grouped into buckets of
  equal length (their step budget rounded up to a power of two) so that a run of 20 steps does not wait for one of
  20000; each run is evaluated ``evals`` times over its bucket. ``TrainSpec.runs_per_program``
  splits a bucket into programs of at most that many runs (one compilation serves all of a length).
* λ is part of the scanned state: constant per run, or driven by AutoL2 (``TrainSpec.autol2``), which measures
  the bare loss and the error of each step's training batch every k steps. The gradient is ∇loss + λθ (coupled
  optimizers) or ∇loss with −ηλθ added to the step (decoupled ones).
* Long grids checkpoint (``checkpoint=``) and resume with identical histories (tests/test_faults.py).
* With several devices (``devices=``, default all of them) the grid's runs are split over the devices, or each
  step's batch is (``shard="batch"``, data parallel; ``TrainSpec.bn_group`` gives per-device batch norm); see
  :mod:`replication.training.sharding`. One device: nothing changes.
* A run whose loss turns NaN/inf is marked diverged at the first evaluation that sees it; its history is kept up
  to there (NaN afterwards) and the rest of the grid goes on.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from replication.core.atomic import set_aside
from replication.core.progress import grid_label, reporter
from replication.core.validation import check_choice, check_nonnegative, check_positive, check_positive_int
from replication.training.checkpoint import (
    CheckpointError,
    arrays_to_tree,
    fingerprint,
    load_checkpoint,
    save_checkpoint,
    tree_to_arrays,
)
from replication.training.records import METRICS, Dataset, History, TrainSpec
from replication.training.sharding import SHARD_MODES, make_placement
from replication.training.step import chunking, make_bucket_runner

__all__ = ["train_grid", "train", "train_seeds", "bucket_steps"]


def bucket_steps(steps: int) -> int:
    """The bucket length of a run of ``steps`` steps: the next power of two (so runs differ by at most 2×)."""
    return 1 << max(0, math.ceil(math.log2(max(1, steps))))


def _history(records: list[dict], j: int, lr: float, lam: float, steps: int, every: int) -> History:
    series = {k: np.asarray([r[k][j] if np.ndim(r[k]) else r[k] for r in records], dtype=float) for k in METRICS}
    bad = ~(np.isfinite(series["train_loss"]) & np.isfinite(series["sq_norm"]))
    diverged_at = None
    if bad.any():
        first_bad = int(np.argmax(bad))
        diverged_at = float(series["step"][first_bad])
        for k in METRICS:
            if k != "step":
                series[k][first_bad:] = np.nan
    keep = series["step"] <= steps + every - 1
    return History(
        lr=float(lr),
        lam=float(lam),
        steps=int(steps),
        diverged=bool(bad.any()),
        diverged_at=diverged_at,
        metrics={k: v[keep] for k, v in series.items()},
    )


def _records_to_arrays(records: list[dict]) -> dict[str, np.ndarray]:
    return {f"records/{k}": np.stack([np.asarray(r[k], dtype=np.float32) for r in records]) for k in METRICS}


def _arrays_to_records(arrays: dict[str, np.ndarray]) -> list[dict]:
    n = arrays["records/step"].shape[0]
    return [{k: arrays[f"records/{k}"][i] for k in METRICS} for i in range(n)]


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
    runs one by one (the reference the vectorized grid is tested and benchmarked against). ``progress(done, total,
    fraction)`` is called as each bucket starts and after every chunk: chunks done and in all, and the share of the
    grid's run-steps done. By default it is :func:`replication.core.progress.reporter`, which writes a line at most
    every 30 s to the file named by ``$REPLICATION_PROGRESS`` (``make book`` streams it to the terminal) and does
    nothing when that variable is unset; progress never goes to stdout, so executed notebooks stay free of it.

    ``checkpoint``: a file that holds the grid's state (parameters, optimizer and AutoL2 state, the evaluations so
    far, finished runs), rewritten atomically at most every ``checkpoint_seconds`` (0: after every evaluation) and
    deleted at the end. If it exists when the call starts and belongs to the same call (same runs, spec, seed, data,
    initial parameters and ``code_key``, the caller's key of the code that decides the run), training resumes from
    it with the same histories as without the interruption. A damaged or foreign checkpoint is named through ``log``,
    set aside (renamed ``<name>.damaged-<UTC time>``) and ignored.

    ``devices``: the devices to spread the grid over (None: every device JAX sees; one device: no sharding).
    ``shard="runs"`` splits the runs over them (a bucket is padded with copies of its last run to a multiple of the
    device count; the copies' histories are dropped); ``shard="batch"`` trains every run data parallel, each step's
    batch (or its ``spec.bn_group`` groups, whose count must then be a multiple of the device count) split over them;
    ``shard="auto"`` (the default) trains a bucket with fewer runs than devices data parallel when its batch splits
    evenly, and splits the runs otherwise. The results are the same either way, to float rounding.
    """
    lrs, lams, steps = list(lrs), list(lams), list(steps)
    if not (len(lrs) == len(lams) == len(steps)) or not lrs:
        raise ValueError(
            f"lrs, lams and steps must be non-empty and of equal length; got {len(lrs)}, {len(lams)}, {len(steps)}."
        )
    for lr in lrs:
        check_positive("lr", lr)
    for lam in lams:
        check_nonnegative("lam", lam)
    for s in steps:
        check_positive_int("steps", s)
    if per_run_params:
        leading = {np.shape(a)[0] if np.ndim(a) else None for a in jax.tree.leaves(params)}
        if leading != {len(lrs)}:
            raise ValueError(
                f"per_run_params=True needs every parameter array to have a leading runs axis of length {len(lrs)}; "
                f"got leading sizes {sorted(map(str, leading))}."
            )
    check_nonnegative("checkpoint_seconds", checkpoint_seconds)
    check_choice("shard", shard, SHARD_MODES + ("auto",))
    placement = make_placement(devices, "runs" if shard == "auto" else shard)
    n_train = np.shape(data.x_train)[0]
    batch = min(spec.batch_size or n_train, n_train)
    if spec.bn_group is not None and batch % spec.bn_group:
        raise ValueError(f"bn_group={spec.bn_group} must divide the training batch of {batch} images.")
    units = batch // (spec.bn_group or 1)
    if shard == "batch" and placement.splits_batch and units % placement.size:
        what = f"batch of {units} groups of {spec.bn_group}" if spec.bn_group else f"batch of {batch} images"
        raise ValueError(
            f'shard="batch" over {placement.size} devices needs a multiple of {placement.size}; got a {what}.'
        )
    if spec.augment and np.ndim(data.x_train) != 4:
        raise ValueError(
            f"augment={spec.augment!r} needs NHWC image inputs; x_train has shape "
            f"{np.shape(data.x_train)}. Use augment=() for flattened inputs."
        )
    groups: dict[int, list[int]] = {}
    for i, s in enumerate(steps):
        groups.setdefault(bucket_steps(s), []).append(i)
    if not vmap and len(lrs) > 1:

        def own(i):  # run i's initial parameters
            return jax.tree.map(lambda a: a[i], params) if per_run_params else params

        return [
            train_grid(
                apply_fn, own(i), data, [lrs[i]], [lams[i]], [steps[i]], spec, seed=seed, devices=devices, shard=shard
            )[0]
            for i in range(len(lrs))
        ]

    ckpt_path = None if checkpoint is None else Path(checkpoint)
    fp = resumed = None
    if ckpt_path is not None:
        fp = fingerprint(lrs, lams, steps, repr(spec), seed, params, dataclasses.astuple(data), code_key)
        try:
            resumed = load_checkpoint(ckpt_path, fp)
        except CheckpointError as err:  # set aside (kept for a look, never read again) and named in one line
            set_aside(ckpt_path, err.reason, log, kind="checkpoint", then="starting this grid afresh")
    histories: dict[int, History] = {}
    start_bucket = 0
    if resumed is not None:
        meta, _ = resumed
        histories = {int(i): History.from_json(h) for i, h in meta["done"].items()}
        start_bucket = meta["bucket"]
    last_save = time.monotonic()

    def save(bucket, next_chunk, state, records, alive):
        done = {str(i): h.to_json() for i, h in histories.items()}
        arrays = {**tree_to_arrays("state", placement.to_host(state)), **_records_to_arrays(records), "alive": alive}
        save_checkpoint(ckpt_path, dict(fingerprint=fp, bucket=bucket, chunk=next_chunk, done=done), arrays)

    def bucket_placement(n_runs: int):  # "auto": data parallel for a bucket too small to fill the devices
        if shard == "auto" and placement.mesh is not None and n_runs < placement.size and units % placement.size == 0:
            return dataclasses.replace(placement, mode="batch")
        return placement

    per_program = spec.runs_per_program or len(lrs)
    ordered = [
        (length, members[j : j + per_program])
        for length, members in sorted(groups.items())
        for j in range(0, len(members), per_program)
    ]
    runners = {}  # (bucket length, placement) -> the jitted programs, shared by every bucket with the same pair
    # Progress in chunks; a chunk's cost is taken as its steps times its runs (the vmapped batch).
    plan = [(chunking(length, spec.evals), bucket_placement(len(m)).padded(len(m))) for length, m in ordered]
    total_chunks = sum(n for (_, n), _ in plan)
    total_work = sum(every * n * k for (every, n), k in plan)
    if progress is None:
        progress = reporter(grid_label(checkpoint, len(lrs)))
    done_chunks = sum(n for (_, n), _ in plan[:start_bucket])
    done_work = sum(every * n * k for (every, n), k in plan[:start_bucket])
    for b, (length, members) in enumerate(ordered):
        if b < start_bucket:
            continue
        n_real = len(members)  # pad to a multiple of the devices with copies of the last run (dropped at the end)
        place = bucket_placement(n_real)
        members = members + [members[-1]] * (place.padded(n_real) - n_real)
        if (length, place) not in runners:
            runners[length, place] = make_bucket_runner(
                apply_fn, spec, data, length, seed, place, per_run_params=per_run_params
            )
        init, first_eval, run_chunk, every, n_chunks = runners[length, place]
        lr_a = jnp.asarray([lrs[i] for i in members], jnp.float32)
        lam_a = jnp.asarray([lams[i] for i in members], jnp.float32)
        tot_a = jnp.asarray([steps[i] for i in members], jnp.float32)
        lr_a, lam_a, tot_a = place.put_runs((lr_a, lam_a, tot_a))
        if per_run_params:
            start_params = jax.tree.map(lambda a: jnp.asarray(a)[np.asarray(members)], params)
            p = start_params
        else:
            start_params = params
            p = jax.tree.map(lambda a: jnp.broadcast_to(a, (len(members),) + a.shape), params)
        opt_state, ctrl = init(start_params, lr_a, lam_a)
        state = place.put_runs((p, opt_state, ctrl))
        first_chunk = 0
        if resumed is not None and b == start_bucket and resumed[0]["chunk"] > 0:
            meta, arrays = resumed
            try:
                restored = jax.tree.map(jnp.asarray, arrays_to_tree("state", arrays, state))
                records, alive = _arrays_to_records(arrays), arrays["alive"].astype(bool)
                state, first_chunk = place.put_runs(restored), meta["chunk"]
            except (CheckpointError, KeyError) as err:
                log(f"{err}; starting this bucket afresh")
        done_chunks += first_chunk
        done_work += first_chunk * every * len(members)
        progress(done_chunks, total_chunks, done_work / total_work)
        if first_chunk == 0:
            records = [placement.to_host(first_eval(start_params, ctrl, jnp.int32(0), lr_a, tot_a))]
            alive = np.ones(len(members), bool)
        for c in range(first_chunk, n_chunks):
            if not alive.any():
                done_chunks += n_chunks - c
                done_work += (n_chunks - c) * every * len(members)
                break
            *state, metrics = run_chunk(*state, jnp.int32(c * every), lr_a, tot_a)
            metrics = placement.to_host(metrics)
            done_chunks += 1
            done_work += every * len(members)
            if c + 1 < n_chunks:
                progress(done_chunks, total_chunks, done_work / total_work)
            records.append(metrics)
            alive &= np.isfinite(metrics["train_loss"]) & np.isfinite(metrics["sq_norm"])
            due = time.monotonic() - last_save >= checkpoint_seconds  # (several processes: process 0's clock decides)
            if ckpt_path is not None and c + 1 < n_chunks and placement.agree(due):
                save(b, c + 1, tuple(state), records, alive)
                last_save = time.monotonic()
        for j, i in enumerate(members[:n_real]):
            histories[i] = _history(records, j, lrs[i], lams[i], steps[i], every)
        if ckpt_path is not None and b + 1 < len(ordered):
            save(b + 1, 0, (), [records[0]], np.ones(1, bool))
            last_save = time.monotonic()
        progress(done_chunks, total_chunks, done_work / total_work)
    if ckpt_path is not None:
        ckpt_path.unlink(missing_ok=True)
    return [histories[i] for i in range(len(lrs))]


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
