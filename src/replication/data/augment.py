"""Data augmentation of the paper's CIFAR-10 runs (appendix A, as in google/autol2): random horizontal flips,
4-pixel zero-pad-and-crop, and mixup with α = 1. Pure JAX on NHWC batches: jittable, runs on the device, and
deterministic given the PRNG key (the engine derives one key per step from the run's seed).

Differences from the authors' pipeline, on purpose: crop offsets are drawn from {0, …, 8} (both borders reachable;
the authors' ``randint(0, 8)`` never shifts by +4), and mixup pairs each image with a random permutation of the
batch rather than with the reversed batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

from replication.core.validation import check_choice, check_positive, check_positive_int

__all__ = ["AUGMENTATIONS", "random_flip", "random_crop", "mixup", "make_augmenter"]

AUGMENTATIONS = ("flip", "crop", "mixup")


def _check_images(images):
    if images.ndim != 4:
        raise ValueError(
            f"images must be a batch of NHWC images (4-D); got shape {images.shape}. "
            "Augmentation needs image-shaped inputs (not flattened ones)."
        )


def random_flip(key, images):
    """Mirror each image left-right with probability ½."""
    _check_images(images)
    flip = jax.random.bernoulli(key, 0.5, (images.shape[0], 1, 1, 1))
    return jnp.where(flip, images[:, :, ::-1, :], images)


def random_crop(key, images, pad: int = 4):
    """Zero-pad by ``pad`` pixels on each side and cut a random window of the original size from each image."""
    _check_images(images)
    check_positive_int("pad", pad)
    n, h, w, c = images.shape
    padded = jnp.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    corners = jax.random.randint(key, (n, 2), 0, 2 * pad + 1)

    def cut(img, corner):
        return jax.lax.dynamic_slice(img, (corner[0], corner[1], 0), (h, w, c))

    return jax.vmap(cut)(padded, corners)


def _symmetric_beta(key, alpha: float, n: int):
    """n draws of Beta(α, α). For α = 1 (the paper's) that is the uniform distribution on [0, 1), drawn as such:
    ``jax.random.beta`` samples two gammas with rejection loops, which added seconds to every compiled training
    program that augments (NOTES.md, session 26)."""
    if alpha == 1.0:
        return jax.random.uniform(key, (n,))
    return jax.random.beta(key, alpha, alpha, (n,))


def mixup(key, images, targets, alpha: float = 1.0):
    """Mixup (Zhang et al. 2018): x = w·x_i + (1−w)·x_j, y = w·y_i + (1−w)·y_j with w ~ Beta(α, α) per sample and j a
    random permutation of the batch. Label rows keep their sum (1 for one-hot targets)."""
    check_positive("alpha", alpha)
    k_w, k_p = jax.random.split(key)
    n = images.shape[0]
    w = _symmetric_beta(k_w, alpha, n).astype(images.dtype)
    perm = jax.random.permutation(k_p, n)
    wx = w.reshape((n,) + (1,) * (images.ndim - 1))
    wy = w.reshape((n,) + (1,) * (targets.ndim - 1))
    return wx * images + (1 - wx) * images[perm], wy * targets + (1 - wy) * targets[perm]


def make_augmenter(names: Sequence[str], *, pad: int = 4, alpha: float = 1.0):
    """A function ``(key, images, targets) -> (images, targets)`` applying ``names`` in the paper's order
    (flip, crop, mixup)."""
    names = tuple(names)
    for name in names:
        check_choice("augment", name, AUGMENTATIONS)

    def augment(key, images, targets):
        k_flip, k_crop, k_mix = jax.random.split(key, 3)
        if "flip" in names:
            images = random_flip(k_flip, images)
        if "crop" in names:
            images = random_crop(k_crop, images, pad)
        if "mixup" in names:
            images, targets = mixup(k_mix, images, targets, alpha)
        return images, targets

    return augment
