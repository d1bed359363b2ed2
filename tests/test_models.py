"""Models (appendix A init, NTK parameterization, stax-style batch norm) and the finite-width experiments."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from replication.models import MLP, functional, parameter_count
from replication.models.init import standard_normal
from replication.theory import finite_width
from replication.theory.ntk import homogeneity_degree, homogeneity_ratios


def test_standard_parameterization_is_lecun_init():
    model = MLP(400, 10, width=1000, depth=2, rngs=nnx.Rngs(0), sigma_w=math.sqrt(2.0), sigma_b=0.1)
    _, params = functional(model)
    w0, w1 = model.layers[0].kernel[...], model.layers[1].kernel[...]
    assert float(jnp.std(w0)) == pytest.approx(math.sqrt(2.0 / 400), rel=0.02)
    assert float(jnp.std(w1)) == pytest.approx(math.sqrt(2.0 / 1000), rel=0.02)
    assert float(jnp.std(model.layers[0].bias[...])) == pytest.approx(0.1, rel=0.1)
    assert parameter_count(params) == 400 * 1000 + 1000 + 1000 * 1000 + 1000 + 1000 * 10 + 10


def test_ntk_and_standard_parameterizations_compute_the_same_function_at_init():
    """With W_ntk = W_std·√N_in/σ_w the two forward passes agree (only the gradients' scale differs)."""
    x = standard_normal(jax.random.PRNGKey(1), (5, 30))
    ntk = MLP(30, 1, width=50, depth=2, rngs=nnx.Rngs(0), parameterization="ntk", sigma_w=1.3, use_bias=False)
    std = MLP(30, 1, width=50, depth=2, rngs=nnx.Rngs(0), parameterization="standard", sigma_w=1.3, use_bias=False)
    for ln, ls in zip(ntk.layers, std.layers):
        n_in = ln.kernel[...].shape[0]
        ls.kernel[...] = ln.kernel[...] * 1.3 / math.sqrt(n_in)
    np.testing.assert_allclose(ntk(x), std(x), rtol=1e-5)


@pytest.mark.parametrize("layers", [1, 2, 3, 4])
def test_bias_free_relu_mlp_is_L_homogeneous(layers):
    x = standard_normal(jax.random.PRNGKey(2), (7, 12))
    apply_fn, params = functional(MLP(12, 1, width=32, depth=layers - 1, rngs=nnx.Rngs(3), use_bias=False))
    assert homogeneity_degree(apply_fn, params, x) == pytest.approx(layers, abs=1e-4)
    # and directly: f(aθ) = a^L f(θ)
    scaled = jax.tree.map(lambda p: 1.7 * p, params)
    np.testing.assert_allclose(apply_fn(scaled, x), 1.7**layers * apply_fn(params, x), rtol=1e-4)


def test_biases_break_homogeneity_and_batch_norm_makes_k_two():
    x = standard_normal(jax.random.PRNGKey(2), (16, 12))
    apply_fn, params = functional(MLP(12, 1, width=32, depth=2, rngs=nnx.Rngs(3), use_bias=True, sigma_b=0.5))
    assert float(jnp.std(homogeneity_ratios(apply_fn, params, x))) > 0.05
    apply_fn, params = functional(MLP(12, 1, width=32, depth=3, rngs=nnx.Rngs(3), use_bias=False, batch_norm=True))
    np.testing.assert_allclose(homogeneity_ratios(apply_fn, params, x), 2.0, atol=1e-3)


def test_batch_norm_uses_batch_statistics():
    model = MLP(12, 3, width=16, depth=1, rngs=nnx.Rngs(0), batch_norm=True)
    x = standard_normal(jax.random.PRNGKey(0), (64, 12)) * 5 + 3
    h = model.norms[0](model.layers[0](x))
    np.testing.assert_allclose(jnp.mean(h, axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(jnp.std(h, axis=0), 1.0, atol=1e-2)


def test_batch_norms_closed_form_derivative_is_autodiffs_through_mean_and_variance():
    """``layers.batch_norm`` differentiates by its closed form (a custom JVP, transposed for the backward): against
    autodiff through jnp.mean / jnp.var in float64, forward, reverse and second order (a Hessian-vector product)."""
    from replication.models.layers import batch_norm

    def by_autodiff(x, scale, offset):
        mean, var = jnp.mean(x, axis=(0, 1, 2)), jnp.var(x, axis=(0, 1, 2))
        return (x - mean) / jnp.sqrt(var + 1e-5) * scale + offset

    with jax.enable_x64(True):
        kx, ks, kt, kr = jax.random.split(jax.random.PRNGKey(0), 4)
        x = standard_normal(kx, (4, 5, 3, 6), jnp.float64) * 3 + 1
        scale, offset = standard_normal(ks, (6,), jnp.float64), jnp.linspace(-1, 1, 6)
        tangents = (standard_normal(kt, x.shape, jnp.float64), jnp.ones(6), jnp.full(6, 0.5))
        r = standard_normal(kr, x.shape, jnp.float64)
        ours = lambda *a: batch_norm(*a, 1e-5)  # noqa: E731
        loss_ours = lambda *a: jnp.sum(ours(*a) ** 3 * r)  # noqa: E731
        loss_ref = lambda *a: jnp.sum(by_autodiff(*a) ** 3 * r)  # noqa: E731
        args = (x, scale, offset)
        for f_ours, f_ref in [(ours, by_autodiff), (loss_ours, loss_ref)]:
            np.testing.assert_allclose(f_ours(*args), f_ref(*args), rtol=1e-12, atol=1e-12)
            for a, b in zip(jax.jvp(f_ours, args, tangents), jax.jvp(f_ref, args, tangents)):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
        for a, b in zip(jax.grad(loss_ours, (0, 1, 2))(*args), jax.grad(loss_ref, (0, 1, 2))(*args)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
        hvp = lambda f: jax.jvp(jax.grad(lambda x: f(x, scale, offset)), (x,), (tangents[0],))[1]  # noqa: E731
        np.testing.assert_allclose(hvp(loss_ours), hvp(loss_ref), rtol=1e-8, atol=1e-8)


def test_model_arguments_are_validated():
    for kwargs, name in [
        (dict(width=0), "width"),
        (dict(depth=-1), "depth"),
        (dict(activation="gelu"), "activation"),
        (dict(parameterization="mup"), "parameterization"),
        (dict(sigma_w=-1.0), "sigma_w"),
    ]:
        args = dict(width=8, depth=1, rngs=nnx.Rngs(0)) | kwargs
        with pytest.raises(ValueError, match=name):
            MLP(4, 1, **args)


def test_deep_linear_fixed_point_is_eq_s21():
    """App. B.1: f → 1 − λ√n while λ√n < 1, else f → 0."""
    for c in (0.3, 0.7):
        assert finite_width.deep_linear_fixed_point(200, c / math.sqrt(200)) == pytest.approx(1 - c, abs=1e-4)
    assert abs(finite_width.deep_linear_fixed_point(200, 1.5 / math.sqrt(200))) < 1e-6


def test_gradient_descent_tracks_eq1_for_a_wide_net_at_early_times_and_flags_divergence():
    x = standard_normal(jax.random.PRNGKey(0), (8, 10))
    y = jnp.sign(standard_normal(jax.random.PRNGKey(1), (8,)))
    apply_fn, params = finite_width.ntk_mlp(10, 2048, 2, seed=0)
    hist = finite_width.train_mse_gd(apply_fn, params, x, y, lr=0.05, lam=0.01, steps=40, record_every=10)
    assert not hist.diverged and hist.loss[-1] < hist.loss[0]
    from replication.theory import function_dynamics
    from replication.theory.ntk import empirical_ntk

    theta0 = np.asarray(empirical_ntk(apply_fn, params, x), dtype=float)
    pred = function_dynamics(theta0, hist.outputs[0], np.asarray(y), 0.01, 2, hist.time)
    np.testing.assert_allclose(hist.outputs, pred, atol=0.05)
    bad = finite_width.train_mse_gd(apply_fn, params, x, y, lr=50.0, lam=0.01, steps=200, record_every=10)
    assert bad.diverged and np.all(np.isfinite(bad.loss))


def test_kernel_deviation_is_zero_for_an_exact_decay():
    theta0 = np.array([[2.0, 0.5], [0.5, 1.0]])
    times = [0.0, 3.0, 10.0]
    kernels = [np.exp(-2 * 2 * 0.05 * t) * theta0 for t in times]
    np.testing.assert_allclose(finite_width.kernel_deviation(kernels, times, 0.05, 3), 0.0, atol=1e-12)
    assert finite_width.kernel_deviation(kernels, times, 0.05, 2)[-1] > 0.1
