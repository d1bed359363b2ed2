"""The (η, λ) convention: one step of the authors' objective at (η, λ) is one step of ours at from_authors(η, λ),
by hand with jax.grad and through the training engine."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from replication import data
from replication.models import MLP, functional
from replication.training import Dataset, TrainSpec, l2_term, mse, softmax_xent, train_grid
from replication.training.conventions import (
    authors_mse_objective,
    authors_objective,
    from_authors,
    mse_from_authors,
    to_authors,
)

LR, LAM = 0.3, 0.02  # in the authors' units


@pytest.fixture(scope="module")
def tiny():
    ds = data.first_n(data.load_mnist("train", "embedded"), 32)
    stats = data.normalization_stats(ds.images)
    x = data.flatten(data.standardize(ds.images, stats))
    y = data.one_hot(ds.labels)
    apply_fn, params = functional(MLP(x.shape[1], 10, width=16, depth=2, rngs=nnx.Rngs(0)))
    return apply_fn, params, jnp.asarray(x), jnp.asarray(y), ds.labels


def _sgd_step(objective, params, lr):
    grads = jax.grad(objective)(params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)


def _authors_step(apply_fn, params, x, y):
    return _sgd_step(lambda p: authors_objective(apply_fn(p, x), y, p, LAM), params, LR)


def _sq_norm(params):
    return float(sum(jnp.sum(jnp.square(p)) for p in jax.tree.leaves(params)))


def test_authors_objective_is_twice_ours(tiny):
    apply_fn, params, x, y, _ = tiny
    ours = softmax_xent(apply_fn(params, x), y) + LAM * l2_term(params)
    assert float(authors_objective(apply_fn(params, x), y, params, LAM)) == pytest.approx(2 * float(ours), rel=1e-6)


def test_one_authors_step_is_one_of_ours_at_the_converted_lr_lam(tiny):
    apply_fn, params, x, y, _ = tiny
    theirs = _authors_step(apply_fn, params, x, y)
    lr, lam = from_authors(LR, LAM)
    assert (lr, lam) == (2 * LR, LAM)
    ours = _sgd_step(lambda p: softmax_xent(apply_fn(p, x), y) + lam * l2_term(p), params, lr)
    moved = jax.tree.map(lambda a, b: float(jnp.max(jnp.abs(a - b))), theirs, params)
    assert max(jax.tree.leaves(moved)) > 1e-3  # the step is not trivially small
    chex.assert_trees_all_close(theirs, ours, rtol=1e-5, atol=1e-6)


def test_engine_step_at_the_converted_lr_lam_matches_the_authors_step(tiny):
    apply_fn, params, x, y, labels = tiny
    theirs = _authors_step(apply_fn, params, x, y)
    ds = Dataset(np.asarray(x), np.asarray(y), labels, np.asarray(x[:8]), np.asarray(y[:8]), labels[:8])
    lr, lam = from_authors(LR, LAM)
    (h,) = train_grid(apply_fn, params, ds, [lr], [lam], [1], TrainSpec(evals=1), progress=lambda *a: None)
    assert list(h.metrics["step"]) == [0.0, 1.0]
    assert h.metrics["sq_norm"][0] == pytest.approx(_sq_norm(params), rel=1e-5)
    assert h.metrics["sq_norm"][-1] == pytest.approx(_sq_norm(theirs), rel=1e-5)
    assert h.metrics["train_loss"][-1] == pytest.approx(float(softmax_xent(apply_fn(theirs, x), y)), rel=1e-5)
    assert h.metrics["sq_norm"][-1] != pytest.approx(h.metrics["sq_norm"][0], rel=1e-4)  # the step did something


def test_one_authors_mse_step_is_one_of_ours_at_the_same_lr_and_twice_the_lam(tiny):
    """Fig. S5: google/autol2's MSE, 0.5·mean((y − f)²) over batch and classes, is ours; its λΣθ² is our ½(2λ)‖θ‖²."""
    apply_fn, params, x, y, labels = tiny
    assert float(authors_mse_objective(apply_fn(params, x), y, params, 0.0)) == pytest.approx(
        float(mse(apply_fn(params, x), y)), rel=1e-6
    )
    theirs = _sgd_step(lambda p: authors_mse_objective(apply_fn(p, x), y, p, LAM), params, LR)
    lr, lam = mse_from_authors(LR, LAM)
    assert (lr, lam) == (LR, 2 * LAM)
    ours = _sgd_step(lambda p: mse(apply_fn(p, x), y) + lam * l2_term(p), params, lr)
    chex.assert_trees_all_close(theirs, ours, rtol=1e-5, atol=1e-6)
    ds = Dataset(np.asarray(x), np.asarray(y), labels, np.asarray(x[:8]), np.asarray(y[:8]), labels[:8])
    spec = TrainSpec(evals=1, loss="mse")  # and through the engine
    (h,) = train_grid(apply_fn, params, ds, [lr], [lam], [1], spec, progress=lambda *a: None)
    assert h.metrics["sq_norm"][-1] == pytest.approx(_sq_norm(theirs), rel=1e-5)


@pytest.mark.parametrize("lr, lam", [(0.2, 0.0), (0.1, 5e-4), (1.6, 1e-5), (3e-3, 0.3)])
def test_round_trip(lr, lam):
    assert to_authors(*from_authors(lr, lam)) == (lr, lam)
    assert from_authors(*to_authors(lr, lam)) == (lr, lam)
    assert to_authors(lr, lam) == (lr / 2, lam)


@pytest.mark.parametrize("lr, lam", [(0.0, 0.1), (-0.1, 0.1), (0.1, -1e-3), (float("nan"), 0.1), (0.1, True)])
def test_bad_values_are_refused(lr, lam):
    with pytest.raises(ValueError, match="lr=|lam="):
        from_authors(lr, lam)
    with pytest.raises(ValueError, match="lr=|lam="):
        to_authors(lr, lam)


def test_c_in_steps_counts_t_star_in_steps():
    from replication.experiments import optimal_l2
    from replication.experiments.configs import get_config, paper_config

    paper = optimal_l2.wrn_setting(paper_config("optimal_l2"))
    # the paper's c = 0.0066 (t* in epochs of 50000 // 1024 = 48 steps, η = 0.2 in its units, 0.4 in ours)
    assert optimal_l2.c_in_steps(optimal_l2.PAPER_C, paper) == pytest.approx(0.0066 * 48 * 0.4)
    cpu = optimal_l2.wrn_setting(get_config("optimal_l2", "cpu"))  # 512 images in batches of 32, η = 0.6
    assert optimal_l2.c_in_steps(2 * 0.01, cpu) == pytest.approx(2 * 16 * 0.6 * 0.01)  # t* = 2 epochs at λ = 0.01
