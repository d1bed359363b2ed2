"""One convention for (η, λ): the conversion between the authors' code (google/autol2) and ours, in one place.

Ours (appendix A, :mod:`replication.training.losses`) for a batch B of |B| samples and k classes:

    L_ours(θ) = −1/(2k|B|) Σ_{x∈B,i} y_i log p_i(x) + ½λ‖θ‖².

The authors' code minimizes ``-mean(log_softmax(logits) * labels) + L2 * Σθ²``, the mean taken over the batch *and*
the classes:

    L_auth(θ) = −1/(k|B|) Σ_{x∈B,i} y_i log p_i(x) + λ‖θ‖² = 2 L_ours(θ)   (at the same λ).

So ∇L_auth = 2 ∇L_ours, and one SGD (or heavy-ball momentum) step θ ← θ − η ∇L_auth is the step θ ← θ − (2η) ∇L_ours:
a run of theirs at (η, λ) is ours at (2η, λ). λ is unchanged; the per-step L2 decay θ ← (1 − 2ηλ)θ of theirs is
our (1 − η_ours λ)θ, so a product ηλ quoted in their units is half of ours.

Physical times quoted with the authors' η (epochs·η·λ or steps·η·λ, e.g. appendix A's "2/(ηλ) epochs", and the
bounds of an ηλ window) are therefore half of ours for the same run: :func:`physical_time_from_authors` doubles them.

**MSE (Fig. S5) converts differently.** The authors' MSE is ``0.5 * mean((y - f)**2)`` over the batch *and* the
classes, which is ours, 1/(2k|B|) Σ (f_i − y_i)²; only the L2 term differs (λΣθ² against ½λ‖θ‖²). So their MSE
run at (η, λ) is ours at (η, 2λ) (:func:`mse_from_authors`): the step's size is the same, the decay doubles. A
physical time η·λ·t quoted in their units is again half of ours (λ doubles), but a λ = 0 length "10⁵/η epochs" is
the same number in both (η does not change).

The presets (:mod:`replication.experiments.configs`: ``paper_lr``, ``paper_time``, ``paper_mse_lam``) are the one
place that applies these functions: a number of the paper is converted where a preset writes it. This module is not
imported by :mod:`replication.training` or by any experiment, so it is in no stored run's code key.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from replication.core.validation import check_nonnegative, check_positive

__all__ = ["AUTHORS_LR_FACTOR", "from_authors", "to_authors", "physical_time_from_authors", "authors_objective",
           "mse_from_authors", "authors_mse_objective"]  # fmt: skip

# L_auth = AUTHORS_LR_FACTOR × L_ours at the same λ, so η_ours = AUTHORS_LR_FACTOR × η_auth.
AUTHORS_LR_FACTOR = 2.0


def from_authors(lr: float, lam: float) -> tuple[float, float]:
    """The authors' (η, λ) in our units: (2η, λ), since their objective is twice ours at the same λ."""
    lr, lam = check_positive("lr", lr), check_nonnegative("lam", lam)
    return AUTHORS_LR_FACTOR * lr, lam


def to_authors(lr: float, lam: float) -> tuple[float, float]:
    """Our (η, λ) in the authors' units: (η/2, λ); the inverse of :func:`from_authors`."""
    lr, lam = check_positive("lr", lr), check_nonnegative("lam", lam)
    return lr / AUTHORS_LR_FACTOR, lam


def physical_time_from_authors(time: float) -> float:
    """A physical time (epochs·η·λ, steps·η·λ or an ηλ bound) quoted with the authors' η, in ours: 2× the number,
    since the same run has twice their η in our units."""
    return AUTHORS_LR_FACTOR * check_nonnegative("time", time)


def authors_objective(logits, targets, params, lam):
    """google/autol2's objective: −mean over batch and classes of y·log_softmax(logits), plus λΣθ² over every
    parameter; twice our ``softmax_xent(logits, targets) + lam * l2_term(params)``."""
    xent = -jnp.mean(jax.nn.log_softmax(logits) * targets)
    return xent + lam * sum(jnp.sum(jnp.square(p)) for p in jax.tree.leaves(params))


def mse_from_authors(lr: float, lam: float) -> tuple[float, float]:
    """The authors' (η, λ) of an MSE run (Fig. S5) in our units: (η, 2λ), since their MSE equals ours and their
    λΣθ² is our ½(2λ)‖θ‖²."""
    lr, lam = check_positive("lr", lr), check_nonnegative("lam", lam)
    return lr, AUTHORS_LR_FACTOR * lam


def authors_mse_objective(outputs, targets, params, lam):
    """google/autol2's MSE objective: 0.5·mean over batch and classes of (y − f)², plus λΣθ² over every parameter."""
    data = 0.5 * jnp.mean(jnp.square(targets - outputs))
    return data + lam * sum(jnp.sum(jnp.square(p)) for p in jax.tree.leaves(params))
