"""The CNN and Wide ResNet of appendix A: shapes, init, parameter counts, batch norm."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from replication.models import functional, parameter_count
from replication.models.convnets import CNN, WideResNet
from replication.models.init import standard_normal


def test_wrn_28_10_has_the_reference_parameter_count():
    """WRN-28-10 has 36.5M parameters (Zagoruyko & Komodakis, Table 1); built abstractly, without allocating."""
    model = nnx.eval_shape(lambda: WideResNet(28, 10, rngs=nnx.Rngs(0)))
    count = sum(int(np.prod(v.shape)) for v in jax.tree.leaves(nnx.state(model, nnx.Param)))
    assert count == pytest.approx(36.5e6, rel=0.01)


@pytest.mark.slow
def test_small_wrn_and_cnn_run_and_have_lecun_init():
    x = standard_normal(jax.random.PRNGKey(0), (4, 32, 32, 3))
    for model in (WideResNet(10, 1, rngs=nnx.Rngs(0)), *(CNN(channels=8, hidden=16, batch_norm=bn, rngs=nnx.Rngs(0))
                                                         for bn in (False, True))):  # fmt: skip
        apply_fn, params = functional(model)
        assert jax.jit(apply_fn)(params, x).shape == (4, 10)  # compiled: op by op the WRN took seconds
    big = CNN(channels=64, hidden=16, rngs=nnx.Rngs(1))
    w = big.convs[1].kernel[...]  # fan_in = 3·3·64
    assert float(jnp.std(w)) == pytest.approx(math.sqrt(2.0 / (9 * 64)), rel=0.03)
    assert parameter_count(functional(CNN(channels=8, hidden=16, rngs=nnx.Rngs(0)))[1]) == (
        (27 * 8 + 8) + 3 * (72 * 8 + 8) + (18 * 18 * 8 * 16 + 16) + (16 * 10 + 10)
    )


def test_bad_architecture_arguments_are_refused():
    with pytest.raises(ValueError, match="depth"):
        WideResNet(27, 10, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="image_size"):
        CNN(channels=4, image_size=12, rngs=nnx.Rngs(0))
