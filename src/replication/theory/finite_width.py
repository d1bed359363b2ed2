"""Finite networks against the infinite-width theory of Section 4 (Fig. 5c, Theorem 1, Lemma 1, App. B.1).

Everything here trains with full-batch gradient descent on the *summed* MSE loss L = Σ ½(f − y)² plus
½λ‖θ‖² (Section 4's L_tot), so that physical time is t = step × η, as in Fig. 5c.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from replication import data as data_lib
from replication.core.validation import check_nonnegative, check_positive, check_positive_int
from replication.models import MLP, functional
from replication.models.init import standard_normal
from replication.theory.modes import function_dynamics
from replication.theory.ntk import empirical_ntk, homogeneity_ratios
from replication.training import l2_term

__all__ = [
    "even_odd_mnist",
    "ntk_mlp",
    "train_mse_gd",
    "GDHistory",
    "Fig5cCurves",
    "fig5c",
    "KernelEvolution",
    "kernel_evolution",
    "HomogeneityRow",
    "kernel_deviation",
    "homogeneity_table",
    "deep_linear_fixed_point",
]


def even_odd_mnist(n: int, source: str = "full"):
    """The first ``n`` MNIST training images (centred, each scaled to ‖x‖² = d) and ±1 even/odd labels (Fig. 5c)."""
    ds = data_lib.first_n(data_lib.load_mnist("train", source), n)
    x = data_lib.flatten(ds.images.astype(np.float32) / 255.0)
    x = x - x.mean(axis=0)
    x = x / np.linalg.norm(x, axis=1, keepdims=True) * math.sqrt(x.shape[1])
    return jnp.asarray(x), jnp.asarray(data_lib.even_odd_targets(ds.labels))


def ntk_mlp(n_in: int, width: int, layers: int, seed: int, *, use_bias: bool = False):
    """A scalar-output ReLU net in NTK parameterization with ``layers`` weight matrices (k = layers when
    bias-free; Theorem 1's k-homogeneous network). Returns ``(apply_fn, params)`` with apply_fn → shape (N,)."""
    check_positive_int("layers", layers)
    model = MLP(
        n_in,
        1,
        width=width,
        depth=layers - 1,
        rngs=nnx.Rngs(seed),
        parameterization="ntk",
        sigma_w=1.0,
        sigma_b=1.0 if use_bias else 0.0,
        use_bias=use_bias,
    )
    apply_fn, params = functional(model)
    return (lambda p, x: apply_fn(p, x)[:, 0]), params


@dataclasses.dataclass
class GDHistory:
    time: np.ndarray  # t = step × η at each record
    loss: np.ndarray  # Σ ½(f − y)² (bare loss, without the L2 term)
    outputs: np.ndarray  # f on the training set at each record, (records, N)
    params: list  # parameters at each record (only when keep_params=True)
    diverged: bool


def train_mse_gd(
    apply_fn, params, x, y, *, lr: float, lam: float, steps: int, record_every: int, keep_params: bool = False
) -> GDHistory:
    """Full-batch GD on Σ ½(f − y)² + ½λ‖θ‖², recording every ``record_every`` steps (jitted ``lax.scan``)."""
    check_positive("lr", lr)
    check_nonnegative("lam", lam)
    check_positive_int("steps", steps)
    check_positive_int("record_every", record_every, maximum=steps)

    def total_loss(p):
        return 0.5 * jnp.sum(jnp.square(apply_fn(p, x) - y)) + lam * l2_term(p)

    @jax.jit
    def chunk(p):
        def step(p, _):
            g = jax.grad(total_loss)(p)
            return jax.tree.map(lambda a, b: a - lr * b, p, g), None

        p, _ = jax.lax.scan(step, p, None, length=record_every)
        return p, apply_fn(p, x)

    times, losses, outs, kept = [0.0], [], [], [params] if keep_params else []
    f = apply_fn(params, x)
    outs.append(np.asarray(f))
    losses.append(float(0.5 * jnp.sum(jnp.square(f - y))))
    diverged = False
    for i in range(steps // record_every):
        params, f = chunk(params)
        loss = float(0.5 * jnp.sum(jnp.square(f - y)))
        if not math.isfinite(loss):
            diverged = True
            break
        times.append((i + 1) * record_every * lr)
        losses.append(loss)
        outs.append(np.asarray(f))
        if keep_params:
            kept.append(params)
    return GDHistory(np.asarray(times), np.asarray(losses), np.stack(outs), kept, diverged)


@dataclasses.dataclass(frozen=True)
class Fig5cCurves:
    """Fig. 5c: training loss against time t = step·η from eq. (1) with k = 1 and k = 2 and from gradient descent
    (NaN-free up to where it diverged), the initial kernel's eigenvalues and the number of GD steps."""

    time: np.ndarray
    loss_gd: np.ndarray
    loss_k1: np.ndarray
    loss_k2: np.ndarray
    diverged: bool
    kernel_eigenvalues: np.ndarray
    steps: int


def fig5c(
    x,
    y,
    *,
    kernel_width: int,
    train_width: int,
    lam: float,
    lr: float,
    t_max: float,
    seed: int,
    records: int = 200,
    ntk_method: str = "jvp",
):
    """Fig. 5c: training loss against time from eq. 1 with k = 1 and k = 2 (the kernel of a 2-layer ReLU net of
    ``kernel_width``), and from GD on a 2-layer ReLU net of ``train_width``."""
    kernel_fn, kernel_params = ntk_mlp(x.shape[1], kernel_width, 2, seed)
    theta0 = np.asarray(empirical_ntk(kernel_fn, kernel_params, x, method=ntk_method), dtype=np.float64)
    steps = max(1, int(round(t_max / lr)))
    record_every = max(1, steps // records)
    steps = record_every * (steps // record_every)
    train_fn, train_params = ntk_mlp(x.shape[1], train_width, 2, seed + 1)
    hist = train_mse_gd(train_fn, train_params, x, y, lr=lr, lam=lam, steps=steps, record_every=record_every)
    t = hist.time
    yy = np.asarray(y, dtype=np.float64)
    # The theory curves start from the trained network's own f0, so that all three share t = 0.
    f0 = hist.outputs[0].astype(np.float64)
    theory = {k: 0.5 * np.sum((function_dynamics(theta0, f0, yy, lam, k, t) - yy) ** 2, axis=-1) for k in (1, 2)}
    eig = np.linalg.eigvalsh(theta0)
    return Fig5cCurves(t, hist.loss, theory[1], theory[2], hist.diverged, eig, steps)


def kernel_deviation(kernels, times, lam: float, k: int) -> np.ndarray:
    """‖Θ_t − e^{−2(k−1)λt}Θ_0‖_F / ‖e^{−2(k−1)λt}Θ_0‖_F at each time (0 for an exact Theorem 1)."""
    theta0 = kernels[0]
    out = []
    for theta, t in zip(kernels, times):
        pred = math.exp(-2 * (k - 1) * lam * t) * theta0
        out.append(float(np.linalg.norm(theta - pred) / np.linalg.norm(pred)))
    return np.asarray(out)


@dataclasses.dataclass(frozen=True)
class KernelEvolution:
    """Theorem 1 on one finite network (k = ``layers``, ``width``): at each recorded time, the kernel ratio
    tr(Θ_tΘ_0)/tr(Θ_0Θ_0), the prediction e^{−2(k−1)λt}, the relative deviation from it, and the loss."""

    layers: int
    width: int
    time: np.ndarray
    ratio: np.ndarray
    predicted: np.ndarray
    deviation: np.ndarray
    loss: np.ndarray
    diverged: bool


def kernel_evolution(
    x,
    y,
    *,
    layers: int,
    width: int,
    lam: float,
    lr: float,
    t_max: float,
    seed: int,
    records: int = 8,
    ntk_method: str = "jvp",
):
    """Theorem 1 measured: train a bias-free ``layers``-layer ReLU net (k = layers) with GD + L2 and return the
    kernel ratio tr(Θ_tΘ_0)/tr(Θ_0Θ_0), the prediction e^{−2(k−1)λt} and the relative deviation over time."""
    apply_fn, params = ntk_mlp(x.shape[1], width, layers, seed)
    steps = max(records, int(round(t_max / lr)))
    record_every = steps // records
    hist = train_mse_gd(
        apply_fn,
        params,
        x,
        y,
        lr=lr,
        lam=lam,
        steps=record_every * records,
        record_every=record_every,
        keep_params=True,
    )
    kernels = [np.asarray(empirical_ntk(apply_fn, p, x, method=ntk_method), dtype=np.float64) for p in hist.params]
    theta0 = kernels[0]
    ratio = np.asarray([np.sum(th * theta0) / np.sum(theta0 * theta0) for th in kernels])
    t = hist.time[: len(kernels)]
    predicted = np.exp(-2 * (layers - 1) * lam * t)
    deviation = kernel_deviation(kernels, t, lam, layers)
    return KernelEvolution(layers, width, t, ratio, predicted, deviation, hist.loss, hist.diverged)


@dataclasses.dataclass(frozen=True)
class HomogeneityRow:
    """Lemma 1 on one network: the estimated degree k over the samples (mean, spread, range)."""

    variant: str
    layers: int
    k_mean: float
    k_spread: float
    k_min: float
    k_max: float


def homogeneity_table(x, *, width: int, seed: int, depths=(1, 2, 3, 4)) -> list[HomogeneityRow]:
    """Lemma 1 measured on standard-parameterization FC nets (appendix A's init): the estimated k and its
    spread over samples, for ``depths`` weight layers without biases, with biases, and with batch norm."""
    rows = []
    variants = [
        ("no biases", dict(use_bias=False)),
        ("biases (σ_b = 0.5)", dict(use_bias=True, sigma_b=0.5)),
        ("batch norm, no biases", dict(use_bias=False, batch_norm=True)),
    ]
    for label, kw in variants:
        for layers in depths:
            if kw.get("batch_norm") and layers == 1:
                continue
            model = MLP(x.shape[1], 1, width=width, depth=layers - 1, rngs=nnx.Rngs(seed), **kw)
            apply_fn, params = functional(model)
            ratios = np.asarray(homogeneity_ratios(apply_fn, params, x))
            rows.append(HomogeneityRow(label, layers, float(np.mean(ratios)), float(np.std(ratios)),
                                       float(ratios.min()), float(ratios.max())))  # fmt: skip
    return rows


def deep_linear_fixed_point(width: int, lam: float, *, lr: float = 0.2, steps: int | None = None, seed: int = 0):
    """App. B.1 (L = 1): f = n^{−1/2} W₁·W₀ x on one sample x = y = 1 with MSE, trained by GD with L2 from
    N(0, 1) weights. Returns the final f; the fixed point is f = 1 − λ√n when λ√n < 1, else f = 0 (eq. S21)."""
    check_positive_int("width", width)
    check_positive("lam", lam)
    steps = steps or int(40 / (lr * lam))
    k0, k1 = jax.random.split(jax.random.PRNGKey(seed))
    params = (standard_normal(k0, (width,)), standard_normal(k1, (width,)))
    beta = 1.0 / math.sqrt(width)

    def loss(p):
        f = beta * jnp.dot(p[1], p[0])
        return 0.5 * (f - 1.0) ** 2 + lam * l2_term(p)

    @jax.jit
    def run(p):
        def step(p, _):
            g = jax.grad(loss)(p)
            return jax.tree.map(lambda a, b: a - lr * b, p, g), None

        return jax.lax.scan(step, p, None, length=steps)[0]

    p = run(params)
    return float(beta * jnp.dot(p[1], p[0]))
