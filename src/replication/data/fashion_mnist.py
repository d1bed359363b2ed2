"""Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017), the CIFAR-10 stand-in: 60000/10000 28×28 grey images of ten
kinds of clothing, read from the four standard IDX ``.gz`` files that Debian's package ``dataset-fashion-mnist``
installs under ``/usr/share/datasets/fashion-mnist/``, or from the folder named by ``$REPLICATION_FASHION_MNIST``
(which then must hold them: a set variable is never passed over for Debian's copy or for MNIST).
Each file is read only after its sha256 matches the one recorded here (computed once from Debian's package, which
ships Zalando's published files), and the label counts are checked (6000 per class in train, 1000 in test)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from replication.core.validation import check_choice
from replication.data.integrity import (
    SPLITS,
    CorruptDataError,
    DataLocationError,
    DatasetNotFoundError,
    ImageDataset,
    asked_for_location,
    folder_problem,
    naming,
    verify_digest,
)
from replication.data.mnist import read_idx

__all__ = [
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DEBIAN_DIR",
    "FASHION_MNIST_ENV",
    "FASHION_MNIST_NOT_INSTALLED",
    "FASHION_MNIST_SHA256",
    "fashion_mnist_location",
    "load_fashion_mnist",
]

FASHION_MNIST_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_ENV = "REPLICATION_FASHION_MNIST"
# why no Fashion-MNIST was used, when none was asked for (no machine path: the book's banner shows it)
FASHION_MNIST_NOT_INSTALLED = f"{FASHION_MNIST_ENV} unset, Debian's dataset-fashion-mnist not installed"
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
}
_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_PER_CLASS = {"train": 6000, "test": 1000}
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
_FIX = (
    "Reinstall Debian's package (apt-get install --reinstall dataset-fashion-mnist), or point "
    "REPLICATION_FASHION_MNIST at a folder holding Zalando's four original .gz files."
)


def _missing_files(folder: Path) -> list[str]:
    return [name for name in FASHION_MNIST_SHA256 if not (folder / name).is_file()]


def fashion_mnist_location(path: str | os.PathLike | None = None) -> Path | None:
    """The folder holding the four Fashion-MNIST ``.gz`` files: ``path``, else ``$REPLICATION_FASHION_MNIST`` (either
    must hold all four, else :class:`DataLocationError` says what is there), else Debian's
    ``/usr/share/datasets/fashion-mnist``; None only when nothing is asked for and Debian's copy is incomplete."""
    asked = asked_for_location(path, FASHION_MNIST_ENV)
    if asked is None:
        return None if _missing_files(FASHION_MNIST_DEBIAN_DIR) else FASHION_MNIST_DEBIAN_DIR
    folder, asked_as = asked
    problem = folder_problem(folder, _missing_files(folder), len(FASHION_MNIST_SHA256))
    if problem:
        raise DataLocationError(
            f"{asked_as}: {problem}. Fix: name the folder holding {', '.join(FASHION_MNIST_SHA256)}, or unset "
            f"{FASHION_MNIST_ENV} and apt-get install dataset-fashion-mnist."
        )
    return folder


def _read_split(where: Path, split: str, verify_checksum: bool) -> tuple[np.ndarray, np.ndarray]:
    """The split's images and labels from ``where``, each file checked against its sha256 first."""
    images_file, labels_file = (where / name for name in _SPLIT_FILES[split])
    if verify_checksum:
        for f in (images_file, labels_file):
            verify_digest(f, FASHION_MNIST_SHA256[f.name], fix=_FIX)
    images = read_idx(images_file, 2051)
    labels = read_idx(labels_file, 2049).astype(np.int64)
    if images.shape[1:] != (28, 28) or labels.shape != (images.shape[0],):
        raise CorruptDataError(f"{where}: images {images.shape}, labels {labels.shape}; expected (N, 28, 28), (N,).")
    counts = np.bincount(labels, minlength=10)
    if verify_checksum and (counts.size != 10 or not np.all(counts == _PER_CLASS[split])):
        raise CorruptDataError(f"{where}: {split} label counts {counts.tolist()}, expected {_PER_CLASS[split]} each.")
    return images, labels


def load_fashion_mnist(
    split: str = "train", path: str | os.PathLike | None = None, *, verify_checksum: bool = True
) -> ImageDataset:
    """Fashion-MNIST as uint8 ``(N, 28, 28, 1)`` images and int labels; ``verify_checksum=True`` (default) refuses
    a file whose sha256 is not the recorded one."""
    check_choice("split", split, SPLITS)
    where = fashion_mnist_location(path)
    if where is None:
        raise DatasetNotFoundError(
            f"Fashion-MNIST not found ({FASHION_MNIST_NOT_INSTALLED}). Fix: apt-get install dataset-fashion-mnist "
            f"(Debian/Ubuntu), or set {FASHION_MNIST_ENV} to a folder holding {', '.join(FASHION_MNIST_SHA256)}."
        )
    asked = asked_for_location(path, FASHION_MNIST_ENV)
    with naming(
        asked[1] if asked else None
    ):  # a bad file in a folder the user named: the one line names the setting too
        images, labels = _read_split(where, split, verify_checksum)
    return ImageDataset(images[..., None], labels, "fashion-mnist", split, f"idx:{where}")
