"""One convention for (η, λ): the conversion between the authors' code (google/autol2) and ours, in one place.

Ours (appendix A, :mod:`replication.training.losses`) for a batch B of |B| samples and k classes:

    L_ours(θ) = −1/(2k|B|) Σ_{x∈B,i} y_i log p_i(x) + ½λ‖θ‖².

The authors' code minimizes ``-mean(log_softmax(logits) * labels) + L2 * Σθ²``, the mean taken over the batch *and*
the classes:

    L_auth(θ) = −1/(k|B|) Σ_{x∈B,i} y_i log p_i(x) + λ‖θ‖² = 2 L_ours(θ)   (at the same λ).

So ∇L_auth = 2 ∇L_ours, and one SGD (or heavy-ball momentum) step θ ← θ − η ∇L_auth is the step θ ← θ − (2η) ∇L_ours:
a run of theirs at (η, λ) is ours at (2η, λ). λ is unchanged; the per-step L2 decay θ ← (1 − 2ηλ)θ of theirs is
our (1 − η_ours λ)θ, so a product ηλ quoted in their units is half of ours.

This module is deliberately not imported by :mod:`replication.training` (or anything else in the package), so that
adding it leaves the code key of every stored run unchanged.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from replication.core.validation import check_nonnegative, check_positive

__all__ = ["AUTHORS_LR_FACTOR", "from_authors", "to_authors", "authors_objective"]

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


def authors_objective(logits, targets, params, lam):
    """google/autol2's objective: −mean over batch and classes of y·log_softmax(logits), plus λΣθ² over every
    parameter; twice our ``softmax_xent(logits, targets) + lam * l2_term(params)``."""
    xent = -jnp.mean(jax.nn.log_softmax(logits) * targets)
    return xent + lam * sum(jnp.sum(jnp.square(p)) for p in jax.tree.leaves(params))
