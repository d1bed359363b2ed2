"""Augmentation (flip, pad-and-crop, mixup): shapes, label mass, determinism for a key, and what each one does."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replication.data.augment import make_augmenter, mixup, random_crop, random_flip


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    images = jnp.asarray(rng.standard_normal((32, 8, 8, 3)), jnp.float32)
    labels = rng.integers(0, 10, 32)
    return images, jnp.asarray(np.eye(10, dtype=np.float32)[labels])


def test_flip_mirrors_about_half_and_keeps_the_rest(batch):
    images, _ = batch
    out = random_flip(jax.random.PRNGKey(1), images)
    assert out.shape == images.shape
    same = np.all(np.asarray(out) == np.asarray(images), axis=(1, 2, 3))
    mirrored = np.all(np.asarray(out) == np.asarray(images)[:, :, ::-1], axis=(1, 2, 3))
    assert np.all(same | mirrored) and 4 < mirrored.sum() < 28


def test_crop_is_a_shifted_window_of_the_zero_padded_image(batch):
    images, _ = batch
    out = np.asarray(random_crop(jax.random.PRNGKey(2), images, pad=4))
    assert out.shape == images.shape
    padded = np.pad(np.asarray(images), ((0, 0), (4, 4), (4, 4), (0, 0)))
    shifts = []
    for i in range(len(out)):
        hits = [
            (dy, dx)
            for dy in range(9)
            for dx in range(9)
            if np.array_equal(padded[i, dy : dy + 8, dx : dx + 8], out[i])
        ]
        assert hits, f"image {i} is not a window of its padded original"
        shifts.append(hits[0])
    assert len(set(shifts)) > 5


def test_mixup_keeps_label_mass_and_mixes_images_linearly(batch):
    images, targets = batch
    x, y = mixup(jax.random.PRNGKey(3), images, targets, alpha=1.0)
    assert x.shape == images.shape and y.shape == targets.shape
    np.testing.assert_allclose(np.asarray(y).sum(-1), 1.0, rtol=1e-6)
    assert np.all(np.asarray(y) >= 0) and np.asarray(y).max(-1).min() >= 0.5 - 1e-6
    assert not np.allclose(x, images)


def test_mixups_weights_are_beta_alpha_alpha_drawn_as_uniform_for_alpha_one():
    """The weights of α = 1 (drawn as U(0, 1), which is Beta(1, 1)) and of another α against ``jax.random.beta``:
    two-sample Kolmogorov-Smirnov distances of 20000 draws each, below 0.02 (p ≈ 0.0007 for equal laws at 0.02)."""
    from scipy.stats import ks_2samp

    from replication.data.augment import _symmetric_beta

    key, ref_key = jax.random.PRNGKey(0), jax.random.PRNGKey(1)
    for alpha in (1.0, 0.4):
        ours = np.asarray(_symmetric_beta(key, alpha, 20000))
        ref = np.asarray(jax.random.beta(ref_key, alpha, alpha, (20000,)))
        assert ks_2samp(ours, ref).statistic < 0.02, alpha
    other = np.asarray(jax.random.beta(ref_key, 0.4, 0.4, (20000,)))  # and the distance sees another α
    assert ks_2samp(np.asarray(_symmetric_beta(key, 1.0, 20000)), other).statistic > 0.1


def test_augmenter_is_deterministic_for_a_key_and_jittable(batch):
    images, targets = batch
    aug = jax.jit(make_augmenter(("flip", "crop", "mixup")))
    a = aug(jax.random.PRNGKey(4), images, targets)
    b = aug(jax.random.PRNGKey(4), images, targets)
    c = aug(jax.random.PRNGKey(5), images, targets)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_bad_names_and_flat_inputs_are_refused(batch):
    with pytest.raises(ValueError, match="augment='rotate'"):
        make_augmenter(("rotate",))
    with pytest.raises(ValueError, match="NHWC"):
        random_flip(jax.random.PRNGKey(0), jnp.zeros((4, 784)))


@pytest.mark.slow
def test_engine_trains_with_augmentation_deterministically_and_refuses_flat_inputs():
    from replication.experiments import cifar
    from replication.training import TrainSpec, train_grid

    ds, name, notice = cifar.load_data(64, 64, mnist_source="embedded")
    assert ds.x_train.shape == ((64, 32, 32, 3) if notice is None else (64, 28, 28, 1))
    assert notice is None or "stand-in" in notice
    assert (name == "cifar10") == (notice is None) and name in ("cifar10", "fashion-mnist", "mnist")
    apply_fn, params = cifar.make_model("cnn", image_shape=ds.x_train.shape[1:], seed=0, channels=2, hidden=8)
    spec = TrainSpec(batch_size=16, evals=4, augment=("flip", "crop", "mixup"), eval_batch_size=32)
    a = train_grid(apply_fn, params, ds, [0.1], [0.01], [8], spec, seed=3)[0]
    b = train_grid(apply_fn, params, ds, [0.1], [0.01], [8], spec, seed=3)[0]
    plain = train_grid(apply_fn, params, ds, [0.1], [0.01], [8], TrainSpec(batch_size=16, evals=4), seed=3)[0]
    assert a.to_json() == b.to_json()
    assert not np.allclose(a.metrics["sq_norm"][1:], plain.metrics["sq_norm"][1:])  # augmentation changed training
    flat, _, _ = cifar.load_data(64, 64, mnist_source="embedded", flatten=True)
    with pytest.raises(ValueError, match="augment=.*NHWC"):
        train_grid(lambda p, x: x @ p, jnp.zeros((784, 10)), flat, [0.1], [0.0], [4], spec)
