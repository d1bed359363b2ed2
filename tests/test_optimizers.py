"""The engine's optimizers equal their definitions step for step on a small model: AdamW against optax.adamw, SGDW
against a hand-written loop of p ← p − ηm − ηλp (m ← βm + ∇loss), Adam with the coupled L2 term against optax.adam
on ∇(loss + ½λ‖θ‖²); and SGD/momentum against the engine's earlier implementation (optax.inject_hyperparams). Each
optimizer's Optax chain against Optax's own optimizer, update for update, without the engine."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from replication import data
from replication.experiments import fc_mnist
from replication.training import Dataset, TrainSpec, l2_term, softmax_xent, train
from replication.training.optimizers import add_l2, optimizer_direction
from replication.training.step import schedule_factor

STEPS = 12


@pytest.fixture(scope="module")
def tiny():
    tr = data.first_n(data.load_mnist("train", "embedded"), 64)
    stats = data.normalization_stats(tr.images)
    x = data.flatten(data.standardize(tr.images, stats))
    ds = Dataset(x, data.one_hot(tr.labels), tr.labels, x, data.one_hot(tr.labels), tr.labels)
    return ds, fc_mnist.make_model(16, 2, seed=0)


def _reference(ds, apply_fn, params, update):
    """Train full batch with ``update(step, grads_of_loss, params, state) -> (params, state)``; record the training
    loss and ‖θ‖² before the first step and after each one (what the engine's history holds at evals = steps)."""
    x, y = jnp.asarray(ds.x_train), jnp.asarray(ds.y_train)

    def loss(p):
        return softmax_xent(apply_fn(p, x), y)

    grad = jax.jit(jax.grad(loss))
    p, state, losses, norms = params, None, [], []
    for t in range(STEPS + 1):
        losses.append(float(loss(p)))
        norms.append(float(2 * l2_term(p)))
        if t < STEPS:
            p, state = update(t, grad(p), p, state)
    return np.array(losses), np.array(norms)


def _engine(ds, apply_fn, params, optimizer, lr, lam, schedule="constant"):
    spec = TrainSpec(optimizer=optimizer, momentum=0.9, schedule=schedule, evals=STEPS)
    h = train(apply_fn, params, ds, lr=lr, lam=lam, steps=STEPS, spec=spec)
    return h.metrics["train_loss"], h.metrics["sq_norm"]


def _check(engine, reference):
    np.testing.assert_allclose(engine[0], reference[0], rtol=2e-5, err_msg="train_loss")
    np.testing.assert_allclose(engine[1], reference[1], rtol=2e-5, err_msg="sq_norm")


def _optax(tx, grads_of):
    def update(t, g, p, state):
        state = tx.init(p) if state is None else state
        u, state = tx.update(grads_of(g, p), state, p)
        return optax.apply_updates(p, u), state

    return update


@pytest.mark.parametrize("schedule", ["constant", "step"])
def test_adamw_is_optax_adamw(tiny, schedule):
    ds, (apply_fn, params) = tiny
    lr, lam = 3e-3, 0.5

    def rate(count):  # the engine's η × schedule factor at step `count`
        return lr * schedule_factor(schedule, count, STEPS)

    ref = _reference(ds, apply_fn, params, _optax(optax.adamw(rate, weight_decay=lam), lambda g, p: g))
    _check(_engine(ds, apply_fn, params, "adamw", lr, lam, schedule), ref)


def test_adam_with_coupled_l2_is_optax_adam_on_the_regularized_loss(tiny):
    ds, (apply_fn, params) = tiny
    lr, lam = 3e-3, 0.5
    with_l2 = _optax(optax.adam(lr), lambda g, p: jax.tree.map(lambda a, b: a + lam * b, g, p))
    _check(_engine(ds, apply_fn, params, "adam", lr, lam), _reference(ds, apply_fn, params, with_l2))


def test_sgdw_is_momentum_on_the_gradient_plus_decoupled_decay(tiny):
    ds, (apply_fn, params) = tiny
    lr, lam, beta = 0.05, 0.3, 0.9

    def sgdw(t, g, p, m):
        m = g if m is None else jax.tree.map(lambda a, b: beta * a + b, m, g)
        return jax.tree.map(lambda q, v: q - lr * v - lr * lam * q, p, m), m

    _check(_engine(ds, apply_fn, params, "sgdw", lr, lam), _reference(ds, apply_fn, params, sgdw))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_sgd_and_momentum_equal_the_earlier_inject_hyperparams_step(tiny, optimizer):
    """The engine used to rewrite the learning rate of optax.inject_hyperparams(optax.sgd) every step; it now scales
    the optimizer's direction by −η × schedule factor. Same numbers (and for plain SGD coupled = decoupled)."""
    ds, (apply_fn, params) = tiny
    lr, lam = 0.2, 0.05
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=1.0, momentum=0.9 if optimizer == "momentum" else None)

    def old(t, g, p, state):
        state = tx.init(p) if state is None else state
        hyper = {**state.hyperparams, "learning_rate": lr * schedule_factor("step", jnp.int32(t), STEPS)}
        state = state._replace(hyperparams=hyper)
        u, state = tx.update(jax.tree.map(lambda a, b: a + lam * b, g, p), state, p)
        return optax.apply_updates(p, u), state

    _check(_engine(ds, apply_fn, params, optimizer, lr, lam, "step"), _reference(ds, apply_fn, params, old))


def test_decoupled_decay_alone_shrinks_weights_by_one_minus_lr_lam(tiny):
    """With a loss that does not depend on θ, SGDW and AdamW only decay: ‖θ_t‖² = (1 − ηλ)^{2t}‖θ_0‖² (Adam's
    direction is 0/ (0 + ε) = 0 there), while Adam's coupled L2 is normalized: its decay is not (1 − ηλ)^t."""
    ds, (_, params) = tiny

    def constant_fn(p, x):
        return jnp.zeros((x.shape[0], 10)) + 0.0 * sum(jnp.sum(leaf) for leaf in jax.tree.leaves(p))

    lr, lam = 0.01, 2.0
    expected = (1 - lr * lam) ** (2 * np.arange(STEPS + 1))
    for optimizer in ("sgdw", "adamw"):
        _, norms = _engine(ds, constant_fn, params, optimizer, lr, lam)
        np.testing.assert_allclose(norms / norms[0], expected, rtol=1e-5, err_msg=optimizer)
    _, adam = _engine(ds, constant_fn, params, "adam", lr, lam)
    assert not np.allclose(adam / adam[0], expected, rtol=1e-2)


def _tree(seed):
    rng = np.random.default_rng(seed)
    return {"w": jnp.asarray(rng.normal(size=(5, 3)), jnp.float32), "b": jnp.asarray(rng.normal(size=3), jnp.float32)}


def test_add_l2_is_optax_add_decayed_weights_with_lambda_per_update():
    """λ comes with each update (it is scanned state: AutoL2 changes it); the arithmetic is Optax's u + λθ."""
    grads, params = _tree(0), _tree(1)
    for lam in (0.0, 0.03, 2.0):
        ours, _ = add_l2().update(grads, add_l2().init(params), params, lam=jnp.float32(lam))
        theirs, _ = optax.add_decayed_weights(jnp.float32(lam)).update(grads, optax.EmptyState(), params)
        for k in grads:
            np.testing.assert_array_equal(ours[k], theirs[k])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "sgdw", "adam", "adamw"])
def test_each_optimizer_is_its_optax_chain(optimizer):
    """optimizer_direction followed by −η is the Optax optimizer of the definition, bit for bit: coupled L2
    enters before the core transform (sgd, momentum, adam on ∇loss + λθ), decoupled decay after it (sgdw; adamw is
    optax.adamw = chain(scale_by_adam, add_decayed_weights, scale_by_learning_rate))."""
    lr, lam = 0.01, 0.3
    spec = TrainSpec(optimizer=optimizer, momentum=0.9)
    ours = optax.chain(optimizer_direction(spec), optax.scale(-lr))
    coupled = optax.add_decayed_weights(lam)
    reference = {
        "sgd": optax.chain(coupled, optax.sgd(lr)),
        "momentum": optax.chain(coupled, optax.sgd(lr, momentum=0.9)),
        "sgdw": optax.chain(optax.trace(0.9), optax.add_decayed_weights(lam), optax.scale_by_learning_rate(lr)),
        "adam": optax.chain(coupled, optax.adam(lr)),
        "adamw": optax.adamw(lr, weight_decay=lam),
    }[optimizer]
    params = _tree(1)
    s_ours, s_ref = ours.init(params), reference.init(params)
    for t in range(4):
        grads = _tree(10 + t)
        u_ours, s_ours = ours.update(grads, s_ours, params, lam=jnp.float32(lam))
        u_ref, s_ref = reference.update(grads, s_ref, params)
        for k in params:
            np.testing.assert_array_equal(u_ours[k], u_ref[k], err_msg=f"{optimizer} step {t}")
        params = optax.apply_updates(params, u_ours)


@pytest.mark.parametrize("reader,trainer", [("sgdw", "momentum"), ("adam", "adamw")])
def test_the_pairs_that_share_lambda_zero_runs_take_the_same_steps_there(tiny, reader, trainer):
    """beyond.comparison trains λ = 0 once for each pair of ``ZERO_FROM``: without the L2 term and the decay, SGDW is
    momentum SGD and Adam + L2 is AdamW, step for step (and at λ > 0 they differ, so the pairs are not one)."""
    from replication.experiments.beyond import ZERO_FROM

    assert ZERO_FROM[reader] == trainer
    ds, (apply_fn, params) = tiny
    lr = 0.05 if trainer == "momentum" else 1e-3
    np.testing.assert_array_equal(_engine(ds, apply_fn, params, reader, lr, 0.0)[0],
                                  _engine(ds, apply_fn, params, trainer, lr, 0.0)[0])  # fmt: skip
    assert not np.allclose(_engine(ds, apply_fn, params, reader, lr, 0.5)[1],
                           _engine(ds, apply_fn, params, trainer, lr, 0.5)[1])  # fmt: skip
