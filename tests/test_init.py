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


def test_a_concrete_key_inside_jit_and_a_key_that_is_not_threefry_get_the_plain_draw(monkeypatch):
    """A key captured by someone's ``jax.jit`` is concrete but its draw is part of their trace; an rbg key's bits are
    not promised to be a prefix of a longer draw's (XLA's RngBitGenerator). Both are ``jax.random.normal`` itself."""
    key = jax.random.PRNGKey(5)
    got = jax.jit(lambda x: x + init_mod.standard_normal(key, (3, 2)))(jnp.zeros((3, 2)))
    np.testing.assert_array_equal(np.asarray(got), np.asarray(jax.random.normal(key, (3, 2))))

    def no_bucketed_draw(*args):
        raise AssertionError("an rbg key took the power-of-two draw")

    monkeypatch.setattr(init_mod, "_flat_normal", no_bucketed_draw)
    rbg = jax.random.key(5, impl="rbg")
    np.testing.assert_array_equal(
        np.asarray(init_mod.standard_normal(rbg, (5,))), np.asarray(jax.random.normal(rbg, (5,)))
    )


def test_lecun_normal_needs_a_kernel_with_an_input_axis():
    with pytest.raises(ValueError, match=r"lecun_normal needs a kernel of at least 2 axes.*\(7,\)"):
        init_mod.lecun_normal(1.0)(jax.random.PRNGKey(0), (7,))


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
