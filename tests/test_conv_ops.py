"""The matmul convolution and the sliding max-pool against XLA's own (values and gradients)."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from replication.models import conv_ops
from replication.models.convnets import CNN, WideResNet
from replication.models.init import standard_normal
from replication.models.layers import functional


@pytest.mark.parametrize(
    "shape, kernel, stride, padding",
    [
        ((3, 9, 9, 2), (3, 3, 2, 5), 1, "SAME"),
        ((3, 9, 9, 2), (3, 3, 2, 5), 1, "VALID"),
        ((2, 8, 8, 3), (3, 3, 3, 4), 2, "SAME"),
        ((2, 7, 7, 3), (1, 1, 3, 4), 2, "SAME"),
        ((2, 7, 6, 1), (3, 3, 1, 4), 2, ((1, 0), (2, 1))),
        ((2, 7, 6, 2), (3, 3, 2, 3), 1, ((2, 0), (0, 3))),  # padding wider than the kernel
        ((2, 5, 5, 3), (1, 1, 3, 4), 1, "SAME"),
        ((2, 6, 5, 2), (2, 3, 2, 3), 1, "SAME"),
    ],
)
def test_conv_as_matmul_matches_lax_values_and_gradients(shape, kernel, stride, padding):
    kx, kw, kg = jax.random.split(jax.random.PRNGKey(0), 3)
    x, w = standard_normal(kx, shape), standard_normal(kw, kernel)
    dn = ("NHWC", "HWIO", "NHWC")

    def ours(x, w):
        return conv_ops.conv_as_matmul(x, w, (stride, stride), padding, dimension_numbers=dn)

    def xla(x, w):
        return jax.lax.conv_general_dilated(x, w, (stride, stride), padding, dimension_numbers=dn)

    ref = xla(x, w)
    np.testing.assert_allclose(ours(x, w), ref, rtol=1e-5, atol=1e-5)
    g = standard_normal(kg, ref.shape)
    grads_ours = jax.vjp(ours, x, w)[1](g)
    grads_xla = jax.vjp(xla, x, w)[1](g)
    for a, b in zip(grads_ours, grads_xla):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_conv_as_matmul_refuses_dilation_and_groups():
    x, w = jnp.ones((1, 5, 5, 2)), jnp.ones((3, 3, 2, 2))
    with pytest.raises(ValueError, match="dilation"):
        conv_ops.conv_as_matmul(x, w, (1, 1), "SAME", rhs_dilation=(2, 2))
    with pytest.raises(ValueError, match="conv"):
        conv_ops.conv_function("cudnn")


def test_max_pool_matches_reduce_window_values_and_gradients():
    x = standard_normal(jax.random.PRNGKey(1), (2, 13, 11, 3))  # continuous values: no ties

    def xla(x):
        return nnx.max_pool(x, window_shape=(6, 6), strides=(1, 1), padding="VALID")

    np.testing.assert_array_equal(conv_ops.max_pool(x), xla(x))
    g = standard_normal(jax.random.PRNGKey(2), xla(x).shape)
    ours = jax.vjp(conv_ops.max_pool, x)[1](g)[0]
    ref = jax.vjp(xla, x)[1](g)[0]
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5)
    # every output's gradient lands on exactly one input entry, so the gradient's total is kept
    np.testing.assert_allclose(jnp.sum(ours), jnp.sum(g), rtol=1e-5)


def test_max_pool_sends_a_tied_window_gradient_to_one_entry():
    x = jnp.zeros((1, 6, 6, 1))  # one window, all 36 entries tied (as after a ReLU)
    grad = jax.grad(lambda z: jnp.sum(conv_ops.max_pool(z)))(x)
    assert float(jnp.sum(grad)) == 1.0 and int(jnp.sum(grad != 0)) == 1


def test_max_pool_gradient_gathered_equals_each_output_scattered_to_its_maximum():
    """The backward gathers each input's share from the outputs whose maximum it was; written the other way round
    (each output's gradient padded back onto its maximum's position, summed over the window's offsets) it is the same
    sum in the same order: equal bit for bit, ties included (ReLU-like zeros and repeated values)."""
    x = jnp.round(jax.nn.relu(standard_normal(jax.random.PRNGKey(4), (3, 17, 15, 2))) * 2) / 2
    g = standard_normal(jax.random.PRNGKey(5), (3, 12, 10, 2))

    def scattered(a, g, window, axis):
        _, where = conv_ops._sliding_max(a, window, axis)
        out = jnp.zeros_like(a)
        for k in range(window):
            pads = [(0, 0, 0)] * a.ndim
            pads[axis] = (k, a.shape[axis] - g.shape[axis] - k, 0)
            out = out + jax.lax.pad(jnp.where(where == k, g, 0.0), 0.0, pads)
        return out

    _, pull = jax.vjp(conv_ops.max_pool, x)
    rows = conv_ops._sliding_max(x, 6, 1)[0]
    np.testing.assert_array_equal(pull(g)[0], scattered(x, scattered(rows, g, 6, 2), 6, 1))


@pytest.mark.parametrize(
    "make",
    [
        lambda conv: CNN(channels=3, hidden=8, image_size=16, in_channels=1, conv=conv, rngs=nnx.Rngs(0)),
        lambda conv: WideResNet(10, 1, in_channels=1, conv=conv, rngs=nnx.Rngs(0)),
    ],
)
def test_models_give_the_same_outputs_and_gradients_with_either_convolution(make):
    x = standard_normal(jax.random.PRNGKey(3), (4, 16, 16, 1))
    results = []
    for conv in ("matmul", "lax"):
        apply_fn, params = functional(make(conv))
        loss, grads = jax.jit(jax.value_and_grad(lambda p: jnp.sum(apply_fn(p, x) ** 2)))(params)
        results.append((loss, grads))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-4)
    chex.assert_trees_all_close(results[0][1], results[1][1], rtol=1e-3, atol=1e-4)


def test_forward_only_makes_the_matmul_convolution_xlas_own_inside_its_block():
    """Traced inside ``forward_only`` the matmul convolution is one ``conv_general_dilated`` (no patches' dot) with
    the same values up to rounding; outside the block, and after it, it is the matrix product again."""
    x, w = standard_normal(jax.random.PRNGKey(4), (2, 9, 9, 3)), standard_normal(jax.random.PRNGKey(5), (3, 3, 3, 4))
    dn = ("NHWC", "HWIO", "NHWC")

    def conv(x, w):
        return conv_ops.conv_as_matmul(x, w, (2, 2), "SAME", dimension_numbers=dn)

    def primitives():  # a new function each time: a traced function keeps its trace (the choice is made in it)
        return {str(e.primitive) for e in jax.make_jaxpr(lambda a, b: conv(a, b))(x, w).jaxpr.eqns}

    with conv_ops.forward_only():
        inside, fast = primitives(), conv(x, w)
    assert "conv_general_dilated" in inside and "dot_general" not in inside
    after = primitives()
    assert "dot_general" in after and "conv_general_dilated" not in after
    np.testing.assert_allclose(fast, conv(x, w), rtol=1e-5, atol=1e-5)


def test_the_engines_evaluation_under_forward_only_is_the_matmul_forwards():
    """The engine evaluates under ``forward_only`` (XLA's convolutions on CPU, where the models' are matrix
    products): its first evaluation equals the matmul forward of the initial parameters, computed here, up to
    rounding (a CNN with batch norm, its statistics over chunks of 16 as the engine's ``eval_batch_size``)."""
    from replication.training.engine import train
    from replication.training.losses import softmax_xent
    from replication.training.records import Dataset, TrainSpec

    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 16, 16, 1)).astype(np.float32)
    labels = np.arange(48) % 10
    onehot = np.eye(10, dtype=np.float32)[labels]
    ds = Dataset(x, onehot, labels, x[:32], onehot[:32], labels[:32])
    model = CNN(channels=3, hidden=8, image_size=16, in_channels=1, batch_norm=True, conv="matmul", rngs=nnx.Rngs(0))
    apply_fn, params = functional(model)
    first = train(apply_fn, params, ds, lr=0.1, lam=1e-3, steps=4, spec=TrainSpec(evals=1, eval_batch_size=16))
    forward = jax.jit(apply_fn)
    for split, n in (("train", 48), ("test", 32)):
        chunks = [slice(i, i + 16) for i in range(0, n, 16)]  # equal chunks: the loss is the mean of their means
        outs = [forward(params, jnp.asarray(x[c])) for c in chunks]
        loss = np.mean([float(softmax_xent(o, jnp.asarray(onehot[c]))) for c, o in zip(chunks, outs)])
        accuracy = np.mean(np.concatenate([np.argmax(np.asarray(o), -1) for o in outs]) == labels[:n])
        assert first.metrics[f"{split}_loss"][0] == pytest.approx(loss, rel=1e-5)
        if split == "train":
            assert first.metrics["train_error"][0] == pytest.approx(1 - accuracy)
        else:
            assert first.metrics["test_accuracy"][0] == pytest.approx(accuracy)
