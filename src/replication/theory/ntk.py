"""The empirical neural tangent kernel and the homogeneity degree (Section 4, Lemma 1).

Both take any ``apply_fn(params, x)`` with ``params`` a pytree, so they work with Flax NNX models (via
``nnx.split``) and plain JAX functions alike. Scalar-output networks (``(N,)`` or ``(N, 1)``) are the case of
Theorem 1 and Fig. 5c.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from replication.core.validation import check_choice

__all__ = ["empirical_ntk", "homogeneity_degree", "homogeneity_ratios"]

NTK_METHODS = ("jacobian", "jvp")


def _scalar_fn(apply_fn):
    def f(params, x):
        out = apply_fn(params, x)
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if out.ndim != 1:
            raise ValueError(f"apply_fn must return one scalar per sample, shape (N,) or (N, 1); got {out.shape}.")
        return out

    return f


def _ntk_jacobian(f, params, x1, x2):
    """Θ = Σ_leaves J(x1) J(x2)ᵀ with the Jacobians materialized (memory: N × #params)."""
    j1 = jax.jacrev(f)(params, x1)
    j2 = j1 if x2 is x1 else jax.jacrev(f)(params, x2)
    contract = lambda a, b: jnp.einsum("i...,j...->ij", a, b)  # noqa: E731
    return sum(jax.tree.leaves(jax.tree.map(contract, j1, j2)))


def _ntk_jvp(f, params, x1, x2):
    """Θ[:, j] = J(x1) · (J(x2)ᵀ e_j): one VJP and one JVP per column, never materializing a Jacobian."""
    _, vjp = jax.vjp(lambda p: f(p, x2), params)

    def column(e_j):
        (grad_j,) = vjp(e_j)
        return jax.jvp(lambda p: f(p, x1), (params,), (grad_j,))[1]

    return jax.vmap(column, out_axes=1)(jnp.eye(x2.shape[0], dtype=jnp.result_type(*jax.tree.leaves(params))))


def empirical_ntk(apply_fn, params, x1, x2=None, *, method: str = "jacobian"):
    """Empirical NTK Θ(x1, x2) = ∇_θ f(x1) · ∇_θ f(x2), shape ``(N1, N2)``.

    ``method="jacobian"`` contracts explicit Jacobians (fast for small models); ``method="jvp"`` builds each
    column from a VJP and a JVP (memory-light for wide models). The two are independent implementations of the
    same quantity, cross-checked in the tests.
    """
    check_choice("method", method, NTK_METHODS)
    f = _scalar_fn(apply_fn)
    x2 = x1 if x2 is None else x2
    impl = _ntk_jacobian if method == "jacobian" else _ntk_jvp
    return impl(f, params, x1, x2)


def _along_theta(apply_fn, params, x):
    """(f, Σ_μ θ_μ ∂f/∂θ_μ) on every sample: one JVP in the direction of θ itself."""
    f = _scalar_fn(apply_fn)
    return jax.jvp(lambda p: f(p, x), (params,), (params,))


def homogeneity_ratios(apply_fn, params, x):
    """Per-sample (Σ_μ θ_μ ∂f/∂θ_μ) / f (Lemma 1, m = 0): all equal to k for a k-homogeneous network, spread
    out for one that is not (biases, batch norm with an affine shift)."""
    value, along_theta = _along_theta(apply_fn, params, x)
    return along_theta / value


def homogeneity_degree(apply_fn, params, x) -> float:
    """Estimate k in f_{aθ} = a^k f_θ from Lemma 1 (m = 0): Σ_μ θ_μ ∂f/∂θ_μ = k f.

    The directional derivative along θ itself is one JVP; k is the least-squares ratio over the samples in ``x``.
    For an exactly k-homogeneous network every sample gives the same k.
    """
    value, along_theta = _along_theta(apply_fn, params, x)
    denom = jnp.sum(value * value)
    if not float(denom) > 0:
        raise ValueError("f is zero on every sample in x, so its homogeneity degree is undefined; use other inputs.")
    return float(jnp.sum(along_theta * value) / denom)
