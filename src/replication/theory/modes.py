"""Infinite-width gradient flow with L2 (Section 4): eq. 1–3, Theorem 2 and its functional form (eq. S10).

With MSE loss ℓ = ½(f − y)², eq. 1 projected on a kernel eigenvector ê_a (eigenvalue γ) reads

    df_a/dt = −γ e^{−2(k−1)λt} (f_a − y_a) − kλ f_a,

whose solution is eq. 3 (k ≥ 2). For k = 1 (a linear model, constant kernel) it is the ridge flow
f_a → γy/(γ + λ); for λ = 0 it is the NTK flow f_a = y + (f0 − y)e^{−γt}, for every k.

Eq. 3 as printed multiplies e^{+γ(t)/(2(k−1)λ)} by an integral of e^{−γ(t')/(2(k−1)λ)}, which overflows when
γ/λ is large. :func:`mode_solution` evaluates the equivalent form (a = γ/(2(k−1)λ), u = e^{−2(k−1)λt},
p = (k−2)/(2(k−1)) ∈ [0, ½))

    f_a(t) = e^{−a(1−u) − kλt} f0 + y a^{1−p} e^{−kλt} I(au, a),   I(x0, x1) = ∫_{x0}^{x1} s^{p−1} e^{−(s−x0)} ds,

in which every exponent is ≤ 0. I is computed by one of three routes, each used where it is accurate: a power
series (x1 ≤ 2), a short Gauss–Legendre rule (x1 − x0 ≤ 1, where the closed form cancels), and the incomplete
gamma function G(x) = e^{x}Γ(p, x) otherwise (asymptotic series above x = 50, where e^{x} would overflow).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from replication.core.validation import check_finite

__all__ = ["mode_solution", "function_dynamics", "kernel_decay", "mode_ode_rhs"]

_SERIES_MAX_X1 = 2.0  # power series of I for a ≤ 2 (alternating; loses at most e^{2·2}·eps)
_SERIES_TERMS = 40
_QUADRATURE_MAX_GAP = 1.0  # Gauss–Legendre on [x0, x1] when x1 − x0 ≤ 1 and x1 > 2 (smooth integrand there)
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(24)
_ASYMPTOTIC_MIN_X = 50.0
_ASYMPTOTIC_TERMS = 30


def _check_array(name: str, value, *, minimum: float | None = None, allowed: str = "") -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    if minimum is not None and np.any(arr < minimum):
        raise ValueError(f"{name} must be {allowed or f'>= {minimum}'}; got {value!r}.")
    return arr


def _check_k(k) -> np.ndarray:
    arr = _check_array("k", k, minimum=1.0, allowed="1 (linear model) or >= 2 (Theorem 2)")
    if np.any((arr > 1.0) & (arr < 2.0)):
        raise ValueError(f"k must be 1 (linear model) or >= 2 (Theorem 2 assumes k >= 2); got {k!r}.")
    return arr


def _scaled_upper_gamma(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """G(x) = e^{x} Γ(p, x) for x > 0 and 0 ≤ p < 1, without overflow."""
    out = np.empty_like(x)
    small = x <= _ASYMPTOTIC_MIN_X
    xs, ps = x[small], p[small]
    with np.errstate(over="ignore", under="ignore"):
        g = np.where(
            ps == 0.0,
            special.exp1(xs),
            special.gammaincc(np.maximum(ps, 1e-300), xs) * special.gamma(np.maximum(ps, 1e-300)),
        )
    out[small] = np.exp(xs) * g
    xl, pl = x[~small], p[~small]
    # Γ(p, x) ~ x^{p−1} e^{−x} Σ_n (p−1)(p−2)…(p−n) / x^n
    term = np.ones_like(xl)
    total = np.ones_like(xl)
    for n in range(1, _ASYMPTOTIC_TERMS + 1):
        term = term * (pl - n) / xl
        total = total + term
    out[~small] = xl ** (pl - 1.0) * total
    return out


def _forced_integral(p: np.ndarray, a: np.ndarray, two_k1_lam_t: np.ndarray) -> np.ndarray:
    """I(au, a) = ∫_{au}^{a} s^{p−1} e^{−(s−au)} ds with u = e^{−two_k1_lam_t}, elementwise (all arrays 1-D)."""
    out = np.zeros_like(a)
    u = np.exp(-two_k1_lam_t)
    x0, x1 = a * u, a
    gap = -a * np.expm1(-two_k1_lam_t)  # x1 − x0 without cancellation
    live = (a > 0) & (two_k1_lam_t > 0)

    series = live & (x1 <= _SERIES_MAX_X1)
    if np.any(series):
        ps, as_, ls, x0s = p[series], a[series], two_k1_lam_t[series], x0[series]
        # e^{x0} Σ_n (−1)^n/n! (x1^{p+n} − x0^{p+n})/(p+n); x1^q − x0^q = −a^q expm1(−q·ln(1/u)) exactly.
        total = np.zeros_like(as_)
        for n in range(_SERIES_TERMS):
            q = ps + n
            if n == 0:
                diff = np.where(ps == 0.0, ls, -np.expm1(-q * ls) / np.where(q == 0, 1.0, q))
                total = total + diff * as_**ps
            else:
                total = total + (-1.0) ** n / math.factorial(n) * (-(as_**q) * np.expm1(-q * ls)) / q
        out[series] = np.exp(x0s) * total

    quad = live & ~series & (gap <= _QUADRATURE_MAX_GAP)
    if np.any(quad):
        pq, x0q, gq = p[quad][:, None], x0[quad][:, None], gap[quad][:, None]
        v = 0.5 * gq * (_GL_NODES[None, :] + 1.0)  # s − x0 ∈ [0, gap]
        vals = (x0q + v) ** (pq - 1.0) * np.exp(-v)
        out[quad] = 0.5 * gq[:, 0] * (vals @ _GL_WEIGHTS)

    closed = live & ~series & ~quad
    if np.any(closed):
        pc = p[closed]
        out[closed] = _scaled_upper_gamma(pc, x0[closed]) - np.exp(-gap[closed]) * _scaled_upper_gamma(pc, x1[closed])
    return out


def mode_solution(t, gamma, lam, k, f0, y):
    """One kernel mode f_a(t) under gradient flow with L2 and MSE loss (Theorem 2, eq. 3).

    All arguments broadcast (NumPy rules; JAX arrays are accepted). ``gamma`` is the mode's kernel eigenvalue
    at initialization (≥ 0), ``lam`` the L2 coefficient λ (≥ 0), ``k`` the homogeneity degree (1 = linear
    model with a constant kernel, or ≥ 2), ``f0``/``y`` the mode of the initial function and of the labels.
    Exact for k = 1 and λ = 0 (NTK flow); stays finite for γ/λ up to 1e8 and λt up to 1e3 and beyond.
    """
    t = _check_array("t", t, minimum=0.0, allowed=">= 0")
    gamma = _check_array("gamma", gamma, minimum=0.0, allowed=">= 0 (a kernel eigenvalue)")
    lam = _check_array("lam", lam, minimum=0.0, allowed=">= 0")
    k = _check_k(k)
    f0 = _check_array("f0", f0)
    y = _check_array("y", y)
    try:
        t, gamma, lam, k, f0, y = np.broadcast_arrays(t, gamma, lam, k, f0, y)
    except ValueError:
        shapes = ", ".join(
            f"{n}{np.shape(v)}" for n, v in zip(("t", "gamma", "lam", "k", "f0", "y"), (t, gamma, lam, k, f0, y))
        )
        raise ValueError(f"t, gamma, lam, k, f0 and y must broadcast together; got shapes {shapes}.") from None
    shape = t.shape
    t, gamma, lam, k, f0, y = (np.ravel(v).astype(float) for v in (t, gamma, lam, k, f0, y))
    out = np.empty_like(t)

    with np.errstate(under="ignore"):
        # λ = 0: NTK flow, any k.
        ntk = lam == 0
        out[ntk] = y[ntk] + (f0[ntk] - y[ntk]) * np.exp(-gamma[ntk] * t[ntk])

        # k = 1: constant kernel, ridge flow to γy/(γ+λ).
        lin = (k == 1) & ~ntk
        rate = gamma[lin] + lam[lin]
        fixed = gamma[lin] * y[lin] / rate
        out[lin] = fixed + (f0[lin] - fixed) * np.exp(-rate * t[lin])

        # k ≥ 2 with λ > 0: eq. 3 in the stable form of the module docstring.
        deep = ~ntk & ~lin
        if np.any(deep):
            kd, ld, gd, td = k[deep], lam[deep], gamma[deep], t[deep]
            a = gd / (2.0 * (kd - 1.0) * ld)
            p = (kd - 2.0) / (2.0 * (kd - 1.0))
            two_k1_lam_t = 2.0 * (kd - 1.0) * ld * td
            decay = np.exp(-kd * ld * td)
            gap = -a * np.expm1(-two_k1_lam_t)
            homogeneous = np.exp(-gap) * decay * f0[deep]
            with np.errstate(over="ignore", invalid="ignore"):
                forced = y[deep] * a ** (1.0 - p) * decay * _forced_integral(p, a, two_k1_lam_t)
            forced = np.where(decay == 0.0, 0.0, forced)
            out[deep] = homogeneous + forced
    return out.reshape(shape)


def kernel_decay(t, lam, k):
    """Θ_t / Θ_0 = e^{−2(k−1)λt} (eq. 2 / S8)."""
    t = _check_array("t", t, minimum=0.0, allowed=">= 0")
    lam = _check_array("lam", lam, minimum=0.0, allowed=">= 0")
    k = _check_k(k)
    return np.exp(-2.0 * (k - 1.0) * lam * t)


def mode_ode_rhs(t, f, gamma, lam, k, y):
    """Right-hand side of eq. 1 for one mode with MSE loss (for ODE cross-checks)."""
    return -gamma * np.exp(-2.0 * (k - 1.0) * lam * t) * (f - y) - k * lam * f


def function_dynamics(theta0, f0, y, lam, k, t):
    """f_t on the training set under eq. 1 with MSE loss, via the eigenbasis of Θ_0 (eq. S10).

    ``theta0``: the (N, N) kernel on the training set (symmetric PSD); ``f0``, ``y``: (N,) initial outputs and
    labels; ``t``: times (scalar or 1-D). Returns an array of shape ``t.shape + (N,)``.
    """
    theta0 = np.asarray(theta0, dtype=float)
    if theta0.ndim != 2 or theta0.shape[0] != theta0.shape[1]:
        raise ValueError(f"theta0 must be a square (N, N) kernel matrix; got shape {theta0.shape}.")
    check_finite("theta0", float(np.abs(theta0).max()) if theta0.size else 0.0)
    n = theta0.shape[0]
    f0 = np.asarray(f0, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    for name, v in (("f0", f0), ("y", y)):
        if v.shape != (n,):
            raise ValueError(f"{name} must have one entry per training sample ({n}); got shape {v.shape}.")
    scale = max(float(np.abs(theta0).max()), 1e-300)
    if not np.allclose(theta0, theta0.T, rtol=1e-4, atol=1e-4 * scale):  # float32 kernels are symmetric to ~1e-6
        raise ValueError("theta0 must be symmetric (a kernel on the training set).")
    gammas, vecs = np.linalg.eigh(0.5 * (theta0 + theta0.T))
    if gammas.min() < -1e-6 * scale:
        raise ValueError(f"theta0 must be positive semi-definite; its smallest eigenvalue is {gammas.min():.3g}.")
    gammas = np.clip(gammas, 0.0, None)
    t = np.asarray(t, dtype=float)
    modes = mode_solution(t[..., None], gammas, lam, k, vecs.T @ f0, vecs.T @ y)
    return modes @ vecs.T
