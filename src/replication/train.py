"""The training engine: SGD or momentum (Optax) with the explicit L2 term ½λ‖θ‖², for a whole (η, λ) grid at once.

* Loss (appendix A): softmax cross-entropy normalized as −1/(2k|B|) Σ_{x∈B,i} y_i log p_i(x), k = number of classes;
  or MSE normalized the same way, 1/(2k|B|) Σ (f_i − y_i)² (Fig. S5). The L2 term ½λ‖θ‖² covers every parameter.
  google/autol2 instead minimizes mean-over-classes cross-entropy + λΣθ²: its (η, λ) is our (2η, λ).
* A grid of configurations that share one initialization (appendix A: same seed everywhere) trains as one
  ``jax.vmap``-ed program; the inner loop is a jitted ``lax.scan`` between evaluations. Configurations are grouped
  into buckets of equal length (their step budget rounded up to a power of two) so that a run of 20 steps does not
  wait for one of 20000; each run is evaluated ``evals`` times over its bucket.
* A run whose loss turns NaN/inf is marked diverged at the first evaluation that sees it; its history is kept up
  to there (NaN afterwards) and the rest of the grid goes on.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .validation import check_choice, check_nonnegative, check_positive, check_positive_int

__all__ = ["TrainSpec", "Dataset", "History", "train_grid", "train", "softmax_xent", "mse", "l2_term", "bucket_steps",
           "METRICS"]

LOSSES = ("xent", "mse")
OPTIMIZERS = ("sgd", "momentum")
SCHEDULES = ("constant", "step")
METRICS = ("step", "epoch", "train_loss", "train_error", "test_accuracy", "test_loss", "sq_norm", "lam", "lr")


@dataclasses.dataclass(frozen=True)
class TrainSpec:
    """What is shared by every run of a grid (η, λ and the step budget vary per run)."""

    loss: str = "xent"
    optimizer: str = "sgd"
    momentum: float = 0.9
    batch_size: int | None = None   # None: full batch
    schedule: str = "constant"      # "step": η × 0.2 at 0.3T, 0.6T, 0.9T (Fig. 1a)
    evals: int = 100                # evaluations per run (over its bucket)

    def __post_init__(self):
        check_choice("loss", self.loss, LOSSES)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("schedule", self.schedule, SCHEDULES)
        check_positive_int("evals", self.evals)
        if self.batch_size is not None:
            check_positive_int("batch_size", self.batch_size)
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum={self.momentum!r} must lie in [0, 1).")


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Training and test arrays: inputs float32, targets one-hot (or regression targets), labels int."""

    x_train: np.ndarray
    y_train: np.ndarray
    labels_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels_test: np.ndarray


@dataclasses.dataclass
class History:
    """One run: its hyperparameters, whether it diverged, and METRICS at each evaluation (arrays)."""

    lr: float
    lam: float
    steps: int
    diverged: bool
    diverged_at: float | None            # step of the first non-finite evaluation
    metrics: dict[str, np.ndarray]

    def to_json(self) -> dict:
        def clean(a):
            return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=float)]

        return dict(lr=self.lr, lam=self.lam, steps=self.steps, diverged=self.diverged, diverged_at=self.diverged_at,
                    metrics={k: clean(v) for k, v in self.metrics.items()})

    @classmethod
    def from_json(cls, d: dict) -> "History":
        metrics = {k: np.array([np.nan if v is None else v for v in vals], dtype=float) for k, vals in d["metrics"].items()}
        return cls(lr=d["lr"], lam=d["lam"], steps=d["steps"], diverged=d["diverged"], diverged_at=d["diverged_at"],
                   metrics=metrics)


def softmax_xent(logits, targets):
    """Appendix A: −1/(2k|B|) Σ y_i log p_i (k classes, |B| samples)."""
    k = logits.shape[-1]
    return -jnp.sum(targets * jax.nn.log_softmax(logits)) / (2.0 * k * logits.shape[0])


def mse(outputs, targets):
    """1/(2k|B|) Σ (f_i − y_i)² (the MSE of Fig. S5, normalized like appendix A's cross-entropy)."""
    k = outputs.shape[-1]
    return jnp.sum(jnp.square(outputs - targets)) / (2.0 * k * outputs.shape[0])


def l2_term(params):
    """½‖θ‖² over every parameter."""
    return 0.5 * sum(jnp.sum(jnp.square(p)) for p in jax.tree.leaves(params))


def bucket_steps(steps: int) -> int:
    """The bucket length of a run of ``steps`` steps: the next power of two (so runs differ by at most 2×)."""
    return 1 << max(0, math.ceil(math.log2(max(1, steps))))


def _schedule_factor(kind: str, step, total):
    if kind == "constant":
        return jnp.ones_like(total, dtype=jnp.float32)
    frac = step / total
    return 0.2 ** ((frac >= 0.3).astype(jnp.float32) + (frac >= 0.6) + (frac >= 0.9))


def _make_bucket_runner(apply_fn, spec: TrainSpec, data: Dataset, length: int, seed: int):
    loss_fn = softmax_xent if spec.loss == "xent" else mse
    x_tr, y_tr = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    lab_tr = jnp.asarray(data.labels_train)
    x_te, y_te, lab_te = jnp.asarray(data.x_test), jnp.asarray(data.y_test), jnp.asarray(data.labels_test)
    n = x_tr.shape[0]
    batch = n if spec.batch_size is None else min(spec.batch_size, n)
    per_epoch = n // batch
    data_key = jax.random.PRNGKey(seed)
    tx = optax.inject_hyperparams(optax.sgd)(
        learning_rate=1.0, momentum=spec.momentum if spec.optimizer == "momentum" else None)

    def batch_at(step):
        if batch == n:
            return x_tr, y_tr
        perm = jax.random.permutation(jax.random.fold_in(data_key, step // per_epoch), n)
        idx = jax.lax.dynamic_slice(perm, ((step % per_epoch) * batch,), (batch,))
        return x_tr[idx], y_tr[idx]

    def one_step(params, opt_state, step, lr, lam, total):
        xb, yb = batch_at(step)

        def objective(p):
            return loss_fn(apply_fn(p, xb), yb) + lam * l2_term(p)

        grads = jax.grad(objective)(params)
        hyper = {**opt_state.hyperparams, "learning_rate": lr * _schedule_factor(spec.schedule, step, total)}
        opt_state = opt_state._replace(hyperparams=hyper)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    def evaluate(params, step, lr, lam, total):
        out_tr = apply_fn(params, x_tr)
        out_te = apply_fn(params, x_te)
        return dict(
            step=step.astype(jnp.float32), epoch=step * (batch / n),
            train_loss=loss_fn(out_tr, y_tr), train_error=jnp.mean(jnp.argmax(out_tr, -1) != lab_tr),
            test_accuracy=jnp.mean(jnp.argmax(out_te, -1) == lab_te), test_loss=loss_fn(out_te, y_te),
            sq_norm=2.0 * l2_term(params), lam=lam, lr=lr * _schedule_factor(spec.schedule, step, total))

    every = max(1, length // spec.evals)

    def chunk(params, opt_state, start, lr, lam, total):
        def body(carry, i):
            p, s = carry
            return one_step(p, s, start + i, lr, lam, total), None

        (params, opt_state), _ = jax.lax.scan(body, (params, opt_state), jnp.arange(every))
        end = start + every
        return params, opt_state, evaluate(params, end, lr, lam, total)

    init = jax.jit(jax.vmap(lambda p, lr: tx.init(p), in_axes=(None, 0)))
    first_eval = jax.jit(jax.vmap(evaluate, in_axes=(None, None, 0, 0, 0)))
    run_chunk = jax.jit(jax.vmap(chunk, in_axes=(0, 0, None, 0, 0, 0)))
    return init, first_eval, run_chunk, every, length // every


def train_grid(apply_fn, params, data: Dataset, lrs: Sequence[float], lams: Sequence[float], steps: Sequence[int],
               spec: TrainSpec = TrainSpec(), *, seed: int = 0, vmap: bool = True, progress=None) -> list[History]:
    """Train one run per (lrs[i], lams[i], steps[i]) from the same ``params`` and return their histories.

    ``vmap=False`` trains the same runs one by one (the reference the vectorized grid is tested and benchmarked
    against). ``progress(done, total)`` is called after each bucket.
    """
    lrs, lams, steps = list(lrs), list(lams), list(steps)
    if not (len(lrs) == len(lams) == len(steps)) or not lrs:
        raise ValueError(f"lrs, lams and steps must be non-empty and of equal length; got {len(lrs)}, {len(lams)}, {len(steps)}.")
    for lr in lrs:
        check_positive("lr", lr)
    for lam in lams:
        check_nonnegative("lam", lam)
    for s in steps:
        check_positive_int("steps", s)
    groups: dict[int, list[int]] = {}
    for i, s in enumerate(steps):
        groups.setdefault(bucket_steps(s), []).append(i)
    if not vmap and len(lrs) > 1:
        return [train_grid(apply_fn, params, data, [lrs[i]], [lams[i]], [steps[i]], spec, seed=seed)[0]
                for i in range(len(lrs))]
    histories: dict[int, History] = {}
    for n_done, (length, members) in enumerate(sorted(groups.items())):
        init, first_eval, run_chunk, every, n_chunks = _make_bucket_runner(apply_fn, spec, data, length, seed)
        lr_a = jnp.asarray([lrs[i] for i in members], jnp.float32)
        lam_a = jnp.asarray([lams[i] for i in members], jnp.float32)
        tot_a = jnp.asarray([steps[i] for i in members], jnp.float32)
        opt_state = init(params, lr_a)
        p = jax.tree.map(lambda a: jnp.broadcast_to(a, (len(members),) + a.shape), params)
        records = [jax.device_get(first_eval(params, jnp.int32(0), lr_a, lam_a, tot_a))]
        alive = np.ones(len(members), bool)
        for c in range(n_chunks):
            p, opt_state, metrics = run_chunk(p, opt_state, jnp.int32(c * every), lr_a, lam_a, tot_a)
            metrics = jax.device_get(metrics)
            records.append(metrics)
            finite = np.isfinite(metrics["train_loss"]) & np.isfinite(metrics["sq_norm"])
            alive &= finite
            if not alive.any():
                break
        for j, i in enumerate(members):
            series = {k: np.asarray([r[k][j] if np.ndim(r[k]) else r[k] for r in records], dtype=float) for k in METRICS}
            bad = ~(np.isfinite(series["train_loss"]) & np.isfinite(series["sq_norm"]))
            diverged_at = None
            if bad.any():
                first_bad = int(np.argmax(bad))
                diverged_at = float(series["step"][first_bad])
                for k in METRICS:
                    if k != "step":
                        series[k][first_bad:] = np.nan
            keep = series["step"] <= steps[i] + every - 1
            histories[i] = History(lr=float(lrs[i]), lam=float(lams[i]), steps=int(steps[i]), diverged=bool(bad.any()),
                                   diverged_at=diverged_at, metrics={k: v[keep] for k, v in series.items()})
        if progress is not None:
            progress(n_done + 1, len(groups))
    return [histories[i] for i in range(len(lrs))]


def train(apply_fn, params, data: Dataset, *, lr: float, lam: float, steps: int, spec: TrainSpec = TrainSpec(),
          seed: int = 0) -> History:
    """Train a single run (a grid of one)."""
    return train_grid(apply_fn, params, data, [lr], [lam], [steps], spec, seed=seed)[0]
