"""The objective of appendix A: softmax cross-entropy (or MSE, Fig. S5) normalized by 2k|B|, plus ½λ‖θ‖².
google/autol2 instead minimizes mean-over-classes cross-entropy + λΣθ²: its (η, λ) is our (2η, λ)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


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
