"""Parameter initialization from one compiled draw per power-of-two size is the per-shape draw, bit for bit."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from replication.models import CNN, MLP, functional
from replication.models import init as init_mod


@pytest.mark.parametrize("shape", [(), (1,), (10,), (16,), (17,), (7, 5, 3), (3, 3, 16, 32)])
@pytest.mark.parametrize("make_key", [jax.random.PRNGKey, jax.random.key], ids=["raw", "typed"])
def test_standard_normal_is_jax_random_normal_bit_for_bit(shape, make_key):
    key = make_key(11)
    got = init_mod.standard_normal(key, shape)
    assert got.shape == shape and got.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(got), np.asarray(jax.random.normal(key, shape)))


def test_standard_normal_under_a_trace_is_the_plain_draw():
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    got = jax.vmap(lambda k: init_mod.standard_normal(k, (4, 5)))(keys)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(jax.vmap(lambda k: jax.random.normal(k, (4, 5)))(keys)))


def _models():
    """One model of each kind of initialized layer: Dense (standard and NTK), nnx.Conv, nnx.Linear (a WideResNet
    adds only more shapes of the same ``lecun_normal``, and each shape of the reference costs a compile of ~0.8 s)."""
    return {
        "FC standard": lambda: MLP(12, 10, width=16, depth=3, rngs=nnx.Rngs(3), sigma_b=0.1),
        "FC ntk": lambda: MLP(12, 10, width=16, depth=3, rngs=nnx.Rngs(4), parameterization="ntk", sigma_b=0.1),
        "CNN with BN": lambda: CNN(channels=4, hidden=8, batch_norm=True, rngs=nnx.Rngs(6)),
    }


def test_every_model_is_initialized_as_with_jax_random_normal_and_variance_scaling(monkeypatch):
    """The models' parameters with the bucketed draw, against the same models built with ``jax.random.normal``
    (FC layers) and ``jax.nn.initializers.variance_scaling(σ_w², "fan_in", "normal")`` (convnets), as before."""
    ours = {name: functional(make())[1] for name, make in _models().items()}
    monkeypatch.setattr(
        init_mod, "standard_normal", lambda key, shape, dtype=jnp.float32: jax.random.normal(key, shape, dtype)
    )
    from replication.models import convnets, layers

    monkeypatch.setattr(layers, "standard_normal", init_mod.standard_normal)
    monkeypatch.setattr(
        convnets, "lecun_normal", lambda s: jax.nn.initializers.variance_scaling(s**2, "fan_in", "normal")
    )
    for name, make in _models().items():
        theirs = functional(make())[1]
        leaves, ref = jax.tree.leaves(ours[name]), jax.tree.leaves(theirs)
        assert len(leaves) == len(ref) > 0, name
        for a, b in zip(leaves, ref):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=name)
