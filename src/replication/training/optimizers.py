"""The optimizers as Optax chains, without their learning rate (the step scales the chain's output by −η × the
schedule factor, :func:`replication.training.step.schedule_factor`).

Where the L2 term enters is the only difference between a coupled optimizer and its decoupled twin, as in Optax:

* coupled (sgd, momentum, adam): ``chain(add_l2, core)``: the core transform sees ∇(loss + ½λ‖θ‖²) = ∇loss + λθ;
* decoupled (sgdw, adamw): ``chain(core, add_l2)``: λθ is added after the core's statistics, exactly as
  ``optax.adamw`` = ``chain(scale_by_adam, add_decayed_weights, scale_by_learning_rate)`` (Loshchilov & Hutter 2019).

λ is per run and may change during a run (AutoL2 drives it; it is part of the state the training loop carries), so
:func:`add_l2` takes it as an extra argument of each update (``tx.update(grads, state, params, lam=λ)``) instead of a
constant.
"""

from __future__ import annotations

import jax
import optax

from replication.training.records import TrainSpec

__all__ = ["DECOUPLED", "add_l2", "optimizer_direction"]

DECOUPLED = ("sgdw", "adamw")  # weight decay λθ added after the optimizer's statistics (not fed to them)


def add_l2() -> optax.GradientTransformationExtraArgs:
    """u ← u + λθ with λ given to each update as ``lam=``: ``optax.add_decayed_weights(λ)`` (same arithmetic) for
    a λ that is traced state rather than a constant. Before a core transform it is the gradient of ½λ‖θ‖²."""

    def init_fn(params):
        del params
        return optax.EmptyState()

    def update_fn(updates, state, params, *, lam, **extra_args):
        del extra_args
        return jax.tree.map(lambda u, p: u + lam * p, updates, params), state

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)


def _core(spec: TrainSpec) -> optax.GradientTransformation:
    """sgd: the identity; momentum and sgdw: m ← βm + u (``optax.trace``, heavy ball); adam and adamw:
    ``optax.scale_by_adam`` (β1 = 0.9, β2 = 0.999, ε = 1e-8)."""
    if spec.optimizer == "sgd":
        return optax.identity()
    if spec.optimizer in ("momentum", "sgdw"):
        return optax.trace(decay=spec.momentum)
    return optax.scale_by_adam()


def optimizer_direction(spec: TrainSpec) -> optax.GradientTransformationExtraArgs:
    """The optimizer without its learning rate: the direction d that the step scales by −η × the schedule factor,
    with λ passed to each update (``lam=``).

    Coupled: d = core(∇loss + λθ). Decoupled: d = core(∇loss) + λθ, so that θ ← θ − η(d + λθ) (SGDW: θ − ηm − ηλθ;
    AdamW: ``optax.adamw``). For plain SGD both orders are the same."""
    if spec.optimizer in DECOUPLED:
        return optax.chain(_core(spec), add_l2())
    return optax.chain(add_l2(), _core(spec))
