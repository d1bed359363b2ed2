"""CIFAR-10: the standard ``cifar-10-batches-py`` folder or ``cifar-10-python.tar.gz``, located by argument,
``REPLICATION_CIFAR10`` or in the data folder (where :func:`~replication.data.download_cifar10` puts it). Batches
are unpickled only after their md5 matches the published one, and always with an unpickler that can build nothing
but plain containers and numpy arrays. Without CIFAR-10 the chapters run on a named stand-in, Fashion-MNIST when
Debian's package is installed and MNIST otherwise (:func:`load_cifar10_or_stand_in`), but only when no location asks
for CIFAR-10: a set ``REPLICATION_CIFAR10`` that holds nothing usable stops the run with one line instead."""

from __future__ import annotations

import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np

from replication.core.validation import check_choice
from replication.data.fashion_mnist import (
    FASHION_MNIST_ENV,
    FASHION_MNIST_NOT_INSTALLED,
    fashion_mnist_location,
    load_fashion_mnist,
)
from replication.data.integrity import (
    DATASETS,
    SPLITS,
    CorruptDataError,
    DataLocationError,
    DatasetNotFoundError,
    ImageDataset,
    asked_for_location,
    data_dir,
    folder_contents,
    naming,
    verify_digest,
)
from replication.data.mnist import MNIST_IDX_ENV, load_mnist

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
CIFAR10_ENV = "REPLICATION_CIFAR10"
# why the stand-in is used (no machine path: the book's banner shows it)
CIFAR10_NOT_FOUND = f"{CIFAR10_ENV} unset, no {CIFAR10_ARCHIVE} in the data cache"
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


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
        raise CorruptDataError(
            f"refusing to unpickle {module}.{name}: a CIFAR-10 batch holds only arrays, lists and bytes."
        )


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


def _cifar10_at(p: Path) -> Path | str:
    """The archive or batches folder at ``p`` (either itself, or a folder holding either), else what is there."""
    if not p.exists():
        return "no such file or folder"
    if p.is_file():
        return p if p.name.endswith((".tar.gz", ".tgz")) else "a file that is not a .tar.gz archive"
    if (p / CIFAR10_FOLDER).is_dir():
        p = p / CIFAR10_FOLDER
    elif (p / CIFAR10_ARCHIVE).is_file():
        return p / CIFAR10_ARCHIVE
    elif not any(p.iterdir()):
        return "an empty folder"
    elif not any((p / name).exists() for name in CIFAR10_BATCH_MD5):
        return f"no {CIFAR10_FOLDER}/ or {CIFAR10_ARCHIVE} (it holds {folder_contents(p)})"
    if (p / "test_batch").is_file():  # each split's batches are checked when it is loaded
        return p
    missing = [name for name in CIFAR10_BATCH_MD5 if not (p / name).is_file()]
    return f"{p.name}/ is missing {', '.join(missing)}"


def cifar10_location(path: str | os.PathLike | None = None) -> Path | None:
    """Where CIFAR-10 is: ``path``, else ``$REPLICATION_CIFAR10`` (either must lead to the batches folder or the
    archive, else :class:`DataLocationError` says what is there), else the archive that
    :func:`~replication.data.download_cifar10` puts in :func:`~replication.data.data_dir`; None only when nothing
    is asked for and nothing was downloaded."""
    asked = asked_for_location(path, CIFAR10_ENV)
    if asked is None:
        downloaded = data_dir() / CIFAR10_ARCHIVE
        return downloaded if downloaded.is_file() else None
    where, asked_as = asked
    found = _cifar10_at(where)
    if isinstance(found, str):
        raise DataLocationError(
            f"{asked_as}: {found}. Fix: name {CIFAR10_ARCHIVE} or the folder holding {CIFAR10_FOLDER}/, or unset "
            f"{CIFAR10_ENV} to run on the stand-in."
        )
    return found


def _md5_fix(label: str) -> str:
    return (
        f"{label} is not the published CIFAR-10 file, so it is not unpickled (pickle can run code). Use the "
        "original cifar-10-python.tar.gz, or pass verify_checksum=False for a file you made yourself."
    )


def load_cifar10(
    split: str = "train", path: str | os.PathLike | None = None, *, verify_checksum: bool = True
) -> ImageDataset:
    """CIFAR-10 as uint8 ``(N, 32, 32, 3)`` images, from the batches folder or the ``.tar.gz``.

    ``verify_checksum=True`` (default) refuses any batch whose md5 is not the published one.
    """
    check_choice("split", split, SPLITS)
    where = cifar10_location(path)
    if where is None:
        raise DatasetNotFoundError(
            f"CIFAR-10 not found ({CIFAR10_NOT_FOUND}: {data_dir()}). Fix: run `make cifar10` (or "
            f"replication.data.download_cifar10()) to fetch it there, or download {CIFAR10_ARCHIVE} yourself and set "
            f"{CIFAR10_ENV} to it or to the folder holding {CIFAR10_FOLDER}/."
        )
    asked = asked_for_location(path, CIFAR10_ENV)
    with naming(asked[1] if asked else None):  # a bad file in a place the user named: the one line names it too
        images, labels = _read_split(where, split, verify_checksum)
    return ImageDataset(images, labels, "cifar10", split, f"cifar10:{where}")


def _read_split(where: Path, split: str, verify_checksum: bool) -> tuple[np.ndarray, np.ndarray]:
    """The split's images and labels from the batches folder or archive ``where``, each md5-checked first."""
    payloads: dict[str, bytes] = {}
    if where.is_dir():
        missing = [name for name in CIFAR10_SPLIT_BATCHES[split] if not (where / name).is_file()]
        if missing:
            raise DataLocationError(
                f"{where}/ is missing {', '.join(missing)}: the {CIFAR10_FOLDER} folder is incomplete."
            )
        for name in CIFAR10_SPLIT_BATCHES[split]:
            f = where / name
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
            raise CorruptDataError(
                f"{where}: cannot read {CIFAR10_FOLDER}/ batches from the archive ({err}). "
                "Replace it with an intact copy."
            ) from err
    parts = [_unpickle_batch(payloads[name], f"{where}:{name}") for name in CIFAR10_SPLIT_BATCHES[split]]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


STAND_INS = ("fashion-mnist", "mnist")


def load_cifar10_or_stand_in(
    split: str = "train",
    path: str | os.PathLike | None = None,
    *,
    stand_in: str = "fashion-mnist",
    mnist_source: str = "full",
    fashion_mnist_path: str | os.PathLike | None = None,
) -> tuple[ImageDataset, str | None]:
    """CIFAR-10 if present, else a named real stand-in; returns ``(dataset, notice)``.

    The order is CIFAR-10, then Fashion-MNIST (Debian's ``dataset-fashion-mnist``, checksummed; skipped when
    ``stand_in="mnist"``), then MNIST (``mnist_source``). ``notice`` is ``None`` for the real CIFAR-10 and otherwise a
    sentence that a chapter must show in a banner, saying why. A location that is asked for (``path`` or
    ``$REPLICATION_CIFAR10``; ``fashion_mnist_path`` or ``$REPLICATION_FASHION_MNIST``) and holds nothing usable
    raises :class:`DataLocationError` instead of passing to the next data set.
    """
    check_choice("stand_in", stand_in, STAND_INS)
    if cifar10_location(path) is not None:  # a location that was asked for but holds nothing usable raised here
        return load_cifar10(split, path), None
    fashion = fashion_mnist_location(fashion_mnist_path) if stand_in == "fashion-mnist" else None
    if fashion is not None:
        ds = load_fashion_mnist(split, fashion_mnist_path)  # as asked, so its errors name the setting
        what = f"Fashion-MNIST (Zalando's clothing images, 28×28 grey, from {_fashion_origin(fashion_mnist_path)}, "
        what += "sha256-checked"
    else:
        ds = load_mnist(split, mnist_source)
        missing = (
            f" (Fashion-MNIST, the preferred stand-in, is not installed ({FASHION_MNIST_NOT_INSTALLED}): "
            "apt-get install dataset-fashion-mnist)"
        )
        source = f"IDX files from {MNIST_IDX_ENV}" if ds.source.startswith("idx:") else ds.source
        what = f"MNIST ({source}" + (missing if stand_in == "fashion-mnist" else "")
    notice = (
        f"CIFAR-10 not found ({CIFAR10_NOT_FOUND}), so this chapter ran on a stand-in: {what}; {len(ds)} {split} "
        f"images). Numbers here are not CIFAR-10 numbers. To use CIFAR-10, fetch it with `make cifar10` or set "
        f"{CIFAR10_ENV} to your {CIFAR10_ARCHIVE}, and re-run."
    )
    return ds, notice


def _fashion_origin(path: str | os.PathLike | None) -> str:
    """Where the Fashion-MNIST stand-in came from, for the banner: the variable's name rather than its value (the
    book shows the banner, and a value is a path on the machine that built it)."""
    asked = asked_for_location(path, FASHION_MNIST_ENV)
    if asked is None:
        return "Debian's dataset-fashion-mnist"
    return f"the folder in {FASHION_MNIST_ENV}" if path is None else str(path)


def load_dataset(name: str, split: str = "train", **kwargs) -> ImageDataset:
    """Load ``name`` (one of :data:`DATASETS`)."""
    check_choice("dataset", name, DATASETS)
    return {"mnist": load_mnist, "cifar10": load_cifar10, "fashion-mnist": load_fashion_mnist}[name](split, **kwargs)
