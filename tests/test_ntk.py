"""Empirical NTK: two independent implementations agree, and match the closed form of a linear model.
Homogeneity degree (Lemma 1): an L-layer bias-free ReLU net is L-homogeneous."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replication.models.init import standard_normal
from replication.theory.ntk import empirical_ntk, homogeneity_degree


def mlp_params(key, sizes, bias=False):
    """NTK parameterization: every parameter ~ N(0, 1); the 1/sqrt(fan_in) lives in the forward pass."""
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        key, kw, kb = jax.random.split(key, 3)
        layer = {"w": standard_normal(kw, (n_in, n_out))}
        if bias:
            layer["b"] = standard_normal(kb, (n_out,))
        params.append(layer)
    return params


def mlp_apply(params, x):
    h = x
    for i, layer in enumerate(params):
        h = h @ layer["w"] / jnp.sqrt(layer["w"].shape[0])
        if "b" in layer:
            h = h + layer["b"]
        if i < len(params) - 1:
            h = jax.nn.relu(h)
    return h[:, 0]


@pytest.fixture(scope="module")
def net():
    key = jax.random.PRNGKey(0)
    params = mlp_params(key, [6, 64, 64, 1])
    x = standard_normal(jax.random.PRNGKey(1), (9, 6))
    return params, x


def test_jacobian_and_jvp_ntk_agree(net):
    params, x = net
    x2 = x[:4] * 0.5
    a = empirical_ntk(mlp_apply, params, x, x2, method="jacobian")
    b = empirical_ntk(mlp_apply, params, x, x2, method="jvp")
    assert a.shape == (9, 4)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_ntk_on_the_training_set_is_symmetric_psd(net):
    params, x = net
    theta = np.asarray(empirical_ntk(mlp_apply, params, x))
    np.testing.assert_allclose(theta, theta.T, rtol=1e-6, atol=1e-6)
    assert np.linalg.eigvalsh(theta).min() > -1e-5 * np.abs(theta).max()


def test_ntk_of_a_linear_model_is_the_gram_matrix():
    w = {"w": jnp.array([0.3, -1.0, 2.0])}
    x1 = jnp.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]])
    x2 = jnp.array([[2.0, 0.0, 1.0]])
    for method in ("jacobian", "jvp"):
        theta = empirical_ntk(lambda p, x: x @ p["w"], w, x1, x2, method=method)
        np.testing.assert_allclose(theta, x1 @ x2.T, rtol=1e-6)


@pytest.mark.parametrize("layers", [1, 2, 3, 4])
def test_bias_free_relu_net_with_L_layers_is_L_homogeneous(layers):
    sizes = [5] + [32] * (layers - 1) + [1]
    params = mlp_params(jax.random.PRNGKey(layers), sizes)
    x = standard_normal(jax.random.PRNGKey(7), (16, 5))
    assert homogeneity_degree(mlp_apply, params, x) == pytest.approx(layers, rel=1e-4)
    # cross-check against the definition f(aθ) = a^k f(θ)
    scaled = jax.tree.map(lambda p: 1.7 * p, params)
    np.testing.assert_allclose(mlp_apply(scaled, x), 1.7**layers * mlp_apply(params, x), rtol=1e-4)


def test_biases_break_homogeneity():
    params = mlp_params(jax.random.PRNGKey(3), [5, 32, 32, 1], bias=True)
    x = standard_normal(jax.random.PRNGKey(4), (16, 5))
    k = homogeneity_degree(mlp_apply, params, x)
    assert abs(k - 3) > 0.05, k  # without biases this net gives exactly 3


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="method='exact'"):
        empirical_ntk(lambda p, x: x @ p, jnp.ones(2), jnp.ones((1, 2)), method="exact")
    with pytest.raises(ValueError, match=r"one scalar per sample.*\(3, 2\)"):
        empirical_ntk(lambda p, x: x * p, jnp.ones(2), jnp.ones((3, 2)))
    with pytest.raises(ValueError, match="zero on every sample"):
        homogeneity_degree(lambda p, x: x @ p, jnp.ones(2), jnp.zeros((3, 2)))
