"""What every dataset loader shares: the image record, the errors (each message says how to fix the problem),
the data cache folder, file digests, and the rule for data locations: a location that is asked for (a data variable
such as ``REPLICATION_CIFAR10``, or a path argument) means that data, so one that holds nothing usable stops the
run with one line saying what is there, never a silent fallback."""

from __future__ import annotations

import contextlib
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


class DataLocationError(DatasetNotFoundError):
    """A location that was asked for (a data variable or a path argument) holds nothing usable; one-line message."""


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


def asked_for_location(
    path: str | os.PathLike | None, variable: str, *, argument: str = "path"
) -> tuple[Path, str] | None:
    """The data location that was asked for and how, for messages: ``path`` (``"<argument>=<path>"``), else
    ``$variable`` (``"<variable>=<value>"``); None when neither is set (an empty variable counts as unset)."""
    if path:
        return Path(path).expanduser(), f"{argument}={path}"
    value = os.environ.get(variable)
    if value:
        return Path(value).expanduser(), f"{variable}={value}"
    return None


def folder_contents(folder: Path, limit: int = 4) -> str:
    """The first ``limit`` names in ``folder``, for a message that says what is there instead."""
    names = sorted(p.name for p in folder.iterdir())
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def folder_problem(folder: Path, missing: list[str], needed: int) -> str | None:
    """What is wrong with ``folder``, which should hold ``needed`` files of which ``missing`` (their names) are not
    there: "no such folder", "a file, not a folder", "an empty folder", "none of <names> (it holds ...)" or
    "missing <names>"; None when nothing is."""
    if not folder.exists():
        return "no such folder"
    if not folder.is_dir():
        return "a file, not a folder"
    if not any(folder.iterdir()):
        return "an empty folder"
    if len(missing) == needed:
        return f"none of {', '.join(missing)} (it holds {folder_contents(folder)})"
    return f"missing {', '.join(missing)}" if missing else None


@contextlib.contextmanager
def naming(asked_as: str | None):
    """Prefix any :class:`DataError` raised inside with ``asked_as`` (e.g. ``REPLICATION_CIFAR10=/data``), so its
    one line also names the setting that led to the file; nothing changes when ``asked_as`` is None."""
    try:
        yield
    except DataError as err:
        if asked_as is None:
            raise
        raise type(err)(f"{asked_as}: {err}") from err
