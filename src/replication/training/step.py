"""The jitted programs of a grid (:class:`GridPrograms`): the optimizer step (an Optax chain,
:mod:`replication.training.optimizers`; λ constant or driven by AutoL2), the evaluation on the training and test
sets (in chunks of ``eval_batch_size``), and a loop over the steps between two evaluations whose count is an argument
(so one compiled program serves every chunk length of a grid), all vmapped over the program's runs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from replication.core.validation import check_choice
from replication.data.augment import make_augmenter
from replication.models.conv_ops import forward_only
from replication.training.losses import l2_term, mse, softmax_xent
from replication.training.optimizers import optimizer_direction
from replication.training.records import SCHEDULES, Dataset, TrainSpec, check_bn_group
from replication.training.sharding import Placement

__all__ = [
    "GridPrograms",
    "make_grid_programs",
    "schedule_factor",
    "schedule_horizon",
    "step_decay",
    "grouped_apply",
    "optimizer_direction",
]


class GridPrograms(NamedTuple):
    """The jitted programs of a grid's placement, all vmapped over the runs (the leading axis of every argument but
    the steps): ``init(params, lr, lam) -> (opt_state, ctrl)`` builds the optimizer and λ states;
    ``run_chunk(params, opt_state, ctrl, start, count, lr, total) -> (params, opt_state, ctrl, metrics)`` trains
    ``count`` steps from step ``start``, then evaluates (``count`` 0: the evaluation at ``start``); ``train_chunk``
    the same without the evaluation (``-> (params, opt_state, ctrl)``; compiled only when a chunk is not evaluated:
    ``TrainSpec.evals_per_octave``). ``count`` is an argument, not part of the program: one compilation serves
    every chunk length (each shape of the runs axis compiles once). ``ctrl`` is λ itself, or an AutoL2State under
    AutoL2. ``total`` is each run's schedule horizon (:func:`schedule_horizon`), so that the constant and the step
    schedule are one compiled program; ``schedule`` is the grid's kind, which the engine turns into horizons."""

    init: Callable
    run_chunk: Callable
    train_chunk: Callable
    schedule: str


def schedule_factor(kind: str, step, total):
    """η's factor at ``step`` of a run of ``total`` steps: 1 (constant), or 0.2 at 0.3T, 0.04 at 0.6T and 0.008 at
    0.9T (``"step"``, Fig. 1a): :func:`step_decay` over the run's :func:`schedule_horizon`, as the programs use it."""
    check_choice("schedule", kind, SCHEDULES)
    return step_decay(step, total if kind == "step" else math.inf)


def step_decay(step, horizon):
    """The step schedule's factor at ``step`` over ``horizon`` steps: 0.2 per threshold 0.3, 0.6, 0.9 of the horizon
    passed; exactly 1 for an infinite horizon (0.2⁰), which is how the programs run a constant η."""
    frac = step / horizon
    return 0.2 ** ((frac >= 0.3).astype(jnp.float32) + (frac >= 0.6) + (frac >= 0.9))


def schedule_horizon(kind: str, steps: float) -> float:
    """The ``total`` a grid's program gets for a run of ``steps`` steps: ``steps`` under the step schedule, +∞ for a
    constant η (:func:`step_decay` is then 1 throughout). One program serves both schedules: the WRN chunk program
    compiles in 10-20 s on 2 cores, and the chapters train both schedules at one size (NOTES.md, session 26)."""
    check_choice("schedule", kind, SCHEDULES)
    return float(steps) if kind == "step" else math.inf


def eval_pieces(n: int, size: int | None) -> list[tuple[int, int]]:
    """(start, rows) of the chunks a set of ``n`` rows is evaluated in: the whole set when ``size`` is None or at
    least ``n``, else full chunks of ``size`` rows and then the rest (so every row counts once)."""
    if size is None or size >= n:
        return [(0, n)]
    full = n // size
    return [(c * size, size) for c in range(full)] + ([(full * size, n - full * size)] if full * size < n else [])


class EvalLayout(NamedTuple):
    """Evaluation sets laid out for :func:`summed_over_sets`: the chunks of equal rows of all the sets stacked along
    a new leading axis (``groups``: one pytree per row count, in the order first met), and for each group the set
    each of its chunks belongs to (``owners``; a set's chunks are contiguous and in row order)."""

    groups: tuple
    owners: tuple[tuple[int, ...], ...]
    n_sets: int


def eval_layout(sets, size: int | None) -> EvalLayout:
    """Lay out ``sets`` (each a pytree of host arrays with one leading dimension) in the chunks of
    :func:`eval_pieces`, stacked by row count (numpy: built once, outside any program)."""
    by_rows: dict[int, list] = {}
    for i, tree in enumerate(sets):
        for start, rows in eval_pieces(jax.tree.leaves(tree)[0].shape[0], size):
            by_rows.setdefault(rows, []).append((i, jax.tree.map(lambda a: a[start : start + rows], tree)))
    groups = tuple(
        jax.tree.map(lambda *a: jnp.asarray(np.stack(a)), *[t for _, t in items]) for items in by_rows.values()
    )
    return EvalLayout(groups, tuple(tuple(i for i, _ in items) for items in by_rows.values()), len(sets))


def summed_over_sets(fn, layout: EvalLayout) -> list:
    """Per set, the sum of ``fn(chunk)`` over its chunks (``fn`` maps a chunk's pytree to a pytree of sums). All the
    chunks of one row count run through one ``lax.map``, so the program holds one copy of ``fn`` per row count, not
    one per set and row count: the training and test sets' evaluation share the model's forward pass (a WRN chunk
    program compiled in 13.6 s with one forward per set, NOTES.md session 26)."""
    totals = [None] * layout.n_sets
    for stacked, owners in zip(layout.groups, layout.owners):
        if len(owners) == 1:
            outs = jax.tree.map(lambda a: a[None], fn(jax.tree.map(lambda a: a[0], stacked)))
        else:
            outs = jax.lax.map(fn, stacked)
        for i in dict.fromkeys(owners):
            lo, hi = owners.index(i), len(owners) - owners[::-1].index(i)
            part = jax.tree.map(lambda a: jnp.sum(a[lo:hi], 0), outs)
            totals[i] = part if totals[i] is None else jax.tree.map(jnp.add, totals[i], part)
    return totals


def grouped_apply(apply_fn, params, x, group: int | None, constrain=lambda a: a):
    """``apply_fn(params, x)`` with batch-norm statistics over consecutive groups of ``group`` rows of ``x`` ("ghost"
    batch norm): the model is vmapped over the groups (``constrain`` places the group axis, e.g. over devices), and
    the outputs come back in the rows' order. ``group`` None or the whole batch: one plain call."""
    n = x.shape[0]
    if group is None or group == n:
        return apply_fn(params, constrain(x))
    check_bn_group(n, group)
    xg = constrain(x.reshape((n // group, group) + x.shape[1:]))
    out = jax.vmap(apply_fn, in_axes=(None, 0))(params, xg)
    return out.reshape((n,) + out.shape[2:])


def make_grid_programs(
    apply_fn,
    spec: TrainSpec,
    data: Dataset,
    seed: int,
    placement: Placement = Placement(),
    *,
    per_run_params=False,
) -> GridPrograms:
    """The :class:`GridPrograms` of a grid's programs placed by ``placement`` (in ``"batch"`` mode each training
    batch, or its batch-norm groups, is split over its devices). The initial parameters given to ``init`` are
    shared by the runs, or with ``per_run_params`` stacked along a leading runs axis (each run its
    own initialization, e.g. its own seed)."""
    loss_fn = softmax_xent if spec.loss == "xent" else mse
    x_tr, y_tr = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    k = spec.train_eval_size(data.n_train)  # the training metrics' images: the split's first k
    n_eval = (k, data.x_test.shape[0])
    layout = eval_layout(
        [
            (np.asarray(data.x_train[:k]), np.asarray(data.y_train[:k]), np.asarray(data.labels_train[:k])),
            (np.asarray(data.x_test), np.asarray(data.y_test), np.asarray(data.labels_test)),
        ],
        spec.eval_batch_size,
    )
    n = data.n_train
    batch, per_epoch = spec.batch_for(n), spec.steps_per_epoch(n)
    data_key = jax.random.PRNGKey(seed)
    tx = optimizer_direction(spec)  # λ goes in per update: lam=current_lam(ctrl)
    controller = spec.autol2
    augment = make_augmenter(spec.augment) if spec.augment else None

    def current_lam(ctrl):  # the carried λ state: an AutoL2State, or λ itself for a constant-λ run
        return ctrl.lam if controller is not None else ctrl

    def epoch_order(step):  # the shuffled order of the epoch that ``step`` is in (None: full batch)
        return None if batch == n else jax.random.permutation(jax.random.fold_in(data_key, step // per_epoch), n)

    def batch_at(step, order):
        if order is None:
            xb, yb = x_tr, y_tr
        else:
            idx = jax.lax.dynamic_slice(order, ((step % per_epoch) * batch,), (batch,))
            xb, yb = x_tr[idx], y_tr[idx]
        if augment is not None:
            xb, yb = augment(jax.random.fold_in(jax.random.fold_in(data_key, 1 << 30), step), xb, yb)
        return xb, yb

    def one_step(params, opt_state, ctrl, step, lr, total, order):
        xb, yb = batch_at(step, order)

        def bare(p):
            out = grouped_apply(apply_fn, p, xb, spec.bn_group, placement.constrain_batch)
            return loss_fn(out, yb), out

        (loss, out), grads = jax.value_and_grad(bare, has_aux=True)(params)
        if controller is not None:  # Algorithm 1: measure at step (before its update), maybe decay λ
            error = jnp.mean(jnp.argmax(out, -1) != jnp.argmax(yb, -1))
            ctrl = controller.maybe_update(ctrl, step, loss, error)
        direction, opt_state = tx.update(grads, opt_state, params, lam=current_lam(ctrl))
        step_size = -(lr * step_decay(step, total))  # optax applies −η last, as here
        updates = jax.tree.map(lambda d: step_size * d, direction)
        return optax.apply_updates(params, updates), opt_state, ctrl

    def evaluate(params, ctrl, step, lr, total):
        def part(chunk):
            xc, yc, lc = chunk
            split = placement.splits_batch and xc.shape[0] % placement.size == 0  # rows over devices (same numbers)
            with forward_only():  # no gradient here: XLA's own convolutions on CPU (conv_ops.forward_only)
                out = apply_fn(params, placement.constrain_batch(xc) if split else xc)
            return loss_fn(out, yc) * xc.shape[0], jnp.sum(jnp.argmax(out, -1) == lc)

        (train_loss, train_correct), (test_loss, test_correct) = summed_over_sets(part, layout)
        train_loss, train_acc = train_loss / n_eval[0], train_correct / n_eval[0]
        test_loss, test_acc = test_loss / n_eval[1], test_correct / n_eval[1]
        return dict(
            step=step.astype(jnp.float32),
            epoch=step * (batch / n),
            train_loss=train_loss,
            train_error=1.0 - train_acc,
            test_accuracy=test_acc,
            test_loss=test_loss,
            sq_norm=2.0 * l2_term(params),
            lam=current_lam(ctrl),
            lr=lr * step_decay(step, total),
        )

    def steps(params, opt_state, ctrl, start, count, lr, total):
        # a loop whose trip count is traced (a while loop, not a scan of fixed length): the same steps, bit for
        # bit, for any count (NOTES.md, session 18). The epoch's order is carried and drawn again only where an
        # epoch starts: drawn at every step, its sorts were ~7% of a WRN-10-1 step's work on CPU (NOTES.md, session 31).
        def body(i, carry):
            *state, order = carry
            step = start + i
            if order is not None:
                order = jax.lax.cond((step % per_epoch == 0) & (i > 0), epoch_order, lambda _: order, step)
            return (*one_step(*state, step, lr, total, order), order)

        return jax.lax.fori_loop(0, count, body, (params, opt_state, ctrl, epoch_order(start)))[:3]

    def chunk(params, opt_state, ctrl, start, count, lr, total):
        params, opt_state, ctrl = steps(params, opt_state, ctrl, start, count, lr, total)
        return params, opt_state, ctrl, evaluate(params, ctrl, start + count, lr, total)

    def init_ctrl(lam):
        return controller.init(lam) if controller is not None else lam

    p_axis = 0 if per_run_params else None
    placed = {} if placement.mesh is None else dict(out_shardings=placement.runs_sharding())  # made where they live
    init = jax.jit(jax.vmap(lambda p, lr, lam: (tx.init(p), init_ctrl(lam)), in_axes=(p_axis, 0, 0)), **placed)
    run_chunk = jax.jit(jax.vmap(chunk, in_axes=(0, 0, 0, None, None, 0, 0)))
    train_chunk = jax.jit(jax.vmap(steps, in_axes=(0, 0, 0, None, None, 0, 0)))
    return GridPrograms(init, run_chunk, train_chunk, spec.schedule)
