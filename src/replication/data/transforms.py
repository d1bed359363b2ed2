"""The preprocessing the paper needs: the first n samples (512 for FC, 200 for the NTK run), one-hot and even/odd
targets, per-channel standardization with the training split's statistics, block averaging and flattening."""

from __future__ import annotations

import dataclasses

import numpy as np

from replication.core.validation import check_positive_int
from replication.data.integrity import ImageDataset


def first_n(dataset: ImageDataset, n: int) -> ImageDataset:
    """The first ``n`` samples, as the paper uses them (512 MNIST samples for FC, 200 for the NTK run)."""
    check_positive_int("n", n, maximum=len(dataset))
    return dataclasses.replace(
        dataset, images=dataset.images[:n], labels=dataset.labels[:n], source=f"{dataset.source}[:{n}]"
    )


def even_odd_targets(labels: np.ndarray) -> np.ndarray:
    """Scalar regression targets for the even/odd task of Fig. 5c: +1 for an even digit, -1 for an odd one."""
    labels = np.asarray(labels)
    return np.where(labels % 2 == 0, 1.0, -1.0).astype(np.float32)


def one_hot(labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """One-hot float32 targets (appendix A's y_i)."""
    labels = np.asarray(labels)
    check_positive_int("num_classes", num_classes)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes - 1}], got range [{labels.min()}, {labels.max()}].")
    return np.eye(num_classes, dtype=np.float32)[labels]


@dataclasses.dataclass(frozen=True)
class NormalizationStats:
    """Per-channel mean and standard deviation of pixel values in [0, 1]."""

    mean: np.ndarray
    std: np.ndarray


def normalization_stats(images: np.ndarray) -> NormalizationStats:
    """Per-channel statistics of uint8 images ``(N, H, W, C)``, computed on the training split."""
    x = np.asarray(images, dtype=np.float64) / 255.0
    return NormalizationStats(
        mean=x.mean(axis=(0, 1, 2)).astype(np.float32), std=x.std(axis=(0, 1, 2)).astype(np.float32)
    )


def standardize(images: np.ndarray, stats: NormalizationStats | None = None) -> np.ndarray:
    """Standard normalization: ``(x/255 - mean) / std`` per channel, float32. Pass the *training* stats."""
    if stats is None:
        stats = normalization_stats(images)
    std = np.where(stats.std > 0, stats.std, 1.0)
    return ((np.asarray(images, dtype=np.float32) / 255.0 - stats.mean) / std).astype(np.float32)


def average_pool(images: np.ndarray, factor: int) -> np.ndarray:
    """Downsample ``(N, H, W[, C])`` images by averaging ``factor``×``factor`` blocks (float32); the `cpu` presets of
    the convnet chapters use it to cut the cost of XLA's CPU convolutions (28×28 → 14×14 is 4× fewer FLOPs)."""
    images = np.asarray(images, dtype=np.float32)
    check_positive_int("factor", factor)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, C), got {images.shape}.")
    n, h, w = images.shape[:3]
    if h % factor or w % factor:
        raise ValueError(f"factor must divide the image height and width ({h}×{w}), got {factor}.")
    blocks = images.reshape(n, h // factor, factor, w // factor, factor, *images.shape[3:])
    return blocks.mean(axis=(2, 4))


def flatten(images: np.ndarray) -> np.ndarray:
    """``(N, H, W, C)`` to ``(N, H*W*C)`` for fully-connected networks."""
    images = np.asarray(images)
    return images.reshape(images.shape[0], -1)
