"""What every dataset loader shares: the image record, the errors (each message says how to fix the problem),
the data cache folder and file digests."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import numpy as np

DATASETS = ("mnist", "cifar10", "fashion-mnist")
SPLITS = ("train", "test")


class DataError(RuntimeError):
    """Base class for data-layer errors; the message always says how to fix the problem."""


class ChecksumError(DataError):
    """A file's hash does not match the published one."""


class DatasetNotFoundError(DataError, FileNotFoundError):
    """The dataset is not on this machine and cannot be fetched."""


class CorruptDataError(DataError):
    """A file exists but its content is not what the format requires."""


@dataclasses.dataclass(frozen=True)
class ImageDataset:
    """Images as uint8 ``(N, H, W, C)`` and integer labels ``(N,)``, with where they came from."""

    images: np.ndarray
    labels: np.ndarray
    name: str
    split: str
    source: str

    def __post_init__(self):
        if self.images.ndim != 4 or self.images.dtype != np.uint8:
            raise CorruptDataError(
                f"{self.name}/{self.split}: images must be uint8 (N, H, W, C), got "
                f"{self.images.dtype} {self.images.shape}."
            )
        if self.labels.shape != (self.images.shape[0],):
            raise CorruptDataError(
                f"{self.name}/{self.split}: {self.images.shape[0]} images but labels of shape {self.labels.shape}."
            )

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def num_classes(self) -> int:
        return 10

    def label_counts(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=self.num_classes)


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The data cache folder: ``path``, else ``$REPLICATION_DATA``, else ``~/.cache/replication``."""
    if path is None:
        path = os.environ.get("REPLICATION_DATA") or Path.home() / ".cache" / "replication"
    return Path(path).expanduser()


def file_digest(path: str | os.PathLike, algorithm: str = "sha256") -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_digest(path: str | os.PathLike, expected: str, *, algorithm: str = "sha256", fix: str) -> None:
    """Raise :class:`ChecksumError` (with ``fix`` as the remedy) unless ``path`` hashes to ``expected``."""
    actual = file_digest(path, algorithm)
    if actual != expected:
        raise ChecksumError(
            f"{path}: {algorithm} is {actual}, expected {expected}. The file is truncated, "
            f"corrupted or not the published one. {fix}"
        )
