"""Beyond one device: the (η, λ) grid split over devices along its runs, one run data parallel with per-device
("ghost") batch norm, and the checks of both options. The multi-device cases run in a subprocess on 4 CPU devices
(tests/sharding_driver.py): the XLA flag that creates them must be set before JAX initializes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import replication
from replication import data
from replication.models import CNN, functional
from replication.training import Dataset, TrainSpec, train_grid
from replication.training.sharding import Placement, make_placement
from replication.training.step import grouped_apply

DRIVER = Path(__file__).with_name("sharding_driver.py")
# the drivers import the replication package this test imports (a worktree's src, not the editable install's)
DRIVER_PATH = os.pathsep.join([str(DRIVER.parent), str(Path(replication.__file__).resolve().parents[1])])


def _four_devices(part: str) -> dict:
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", PYTHONPATH=DRIVER_PATH)
    proc = subprocess.run([sys.executable, str(DRIVER), part], capture_output=True, text=True, env=env, timeout=400)
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.fixture(scope="module")
def four_devices() -> dict:
    """The driver's FC part: grids over the runs axis, shard="auto", programs' starts."""
    return _four_devices("runs")


@pytest.fixture(scope="module")
def four_devices_bn() -> dict:
    """The driver's CNN part: per-device batch norm (a process of its own, so xdist can run it beside the other)."""
    return _four_devices("batch-norm")


@pytest.mark.slow
def test_grid_sharded_over_runs_equals_the_unsharded_grid(four_devices):
    assert four_devices["devices"] == 4
    assert four_devices["runs_grid_len"] == 5  # the padding copies are dropped
    assert four_devices["runs_grid_rel_diff"] < 1e-5
    assert four_devices["runs_shards"] == 4 and four_devices["runs_shard_rows"] == [2]  # 8 rows, 2 per device


@pytest.mark.slow
def test_a_programs_start_is_created_on_its_devices(four_devices):
    """Parameters, optimizer and λ states of 8 runs over 4 devices: every leaf spread over all 4, 2 runs' rows on
    each (never a whole grid on one device), with the values of the shared or per-run initialization."""
    assert four_devices["start_devices"] == [4]
    assert four_devices["start_shard_rows"] == [2]
    assert four_devices["start_params_equal"]


@pytest.mark.slow
def test_per_device_batch_norm_equals_ghost_batch_norm(four_devices_bn):
    """4 devices × 16 images with shard="batch", bn_group=16 trains like ghost BN of 16 on one device, and its step's
    gradient equals a shard_map in which each device normalizes its own 16 images."""
    assert four_devices_bn["devices"] == 4
    assert four_devices_bn["bn_per_device_vs_ghost_rel_diff"] < 1e-4
    assert four_devices_bn["shard_map_vs_grouped_grad_rel_diff"] < 1e-4
    # ... and that differs from batch norm over all 64 images, so the comparison above tests something
    assert four_devices_bn["whole_batch_vs_grouped_grad_rel_diff"] > 1e-2


@pytest.mark.slow
def test_auto_on_cpu_devices_splits_runs_that_fill_them_and_data_parallel_equals_one_device(four_devices):
    """shard="auto" on CPU devices splits a bucket's runs when they fill the devices and trains a smaller bucket on
    one device ("none": no mesh); data parallel without batch-norm groups (the batch split over the devices) equals
    one device."""
    assert four_devices["auto_modes"] == ["runs", "none"]  # 4 runs of 16 steps, then 1 run of 32
    assert four_devices["auto_rel_diff"] < 1e-4
    assert four_devices["batch_rel_diff"] < 1e-4


@pytest.fixture(scope="module")
def images():
    tr = data.first_n(data.load_mnist("train", "embedded"), 32)
    te = data.first_n(data.load_mnist("test", "embedded"), 16)
    x_tr, x_te = tr.images[:, 6:22, 6:22] / 255.0, te.images[:, 6:22, 6:22] / 255.0
    ds = Dataset(x_tr, data.one_hot(tr.labels), tr.labels, x_te, data.one_hot(te.labels), te.labels)
    model = CNN(channels=4, hidden=8, image_size=16, in_channels=1, batch_norm=True, rngs=nnx.Rngs(0))
    return ds, functional(model)


def test_grouped_apply_is_the_model_on_each_group(images):
    ds, (apply_fn, params) = images
    x = jnp.asarray(ds.x_train[:24])
    model = jax.jit(apply_fn)  # compiled once per batch shape (op by op, the CNN took 12 s cold)
    grouped = jax.jit(lambda p, xs: grouped_apply(apply_fn, p, xs, 8))(params, x)
    by_hand = jnp.concatenate([model(params, x[i : i + 8]) for i in range(0, 24, 8)])
    np.testing.assert_allclose(grouped, by_hand, rtol=1e-5, atol=1e-6)
    whole = jax.jit(lambda p, xs: grouped_apply(apply_fn, p, xs, 24))(params, x)
    np.testing.assert_allclose(whole, model(params, x), rtol=1e-6, atol=1e-6)
    assert not np.allclose(grouped, model(params, x), atol=1e-4)  # batch norm sees the groups


def test_ghost_batch_norm_of_the_whole_batch_is_plain_batch_norm(images):
    ds, (apply_fn, params) = images
    args = (apply_fn, params, ds, [0.2], [0.01], [4])
    plain = train_grid(*args, TrainSpec(batch_size=16, evals=2))[0]
    ghost = train_grid(*args, TrainSpec(batch_size=16, evals=2, bn_group=16))[0]
    for k in plain.metrics:
        np.testing.assert_array_equal(ghost.metrics[k], plain.metrics[k])


def test_bn_group_and_shard_are_checked(images):
    ds, (apply_fn, params) = images
    with pytest.raises(ValueError, match="bn_group=12 must divide batch_size=16"):
        TrainSpec(batch_size=16, bn_group=12)
    with pytest.raises(ValueError, match="bn_group"):
        TrainSpec(bn_group=0)
    with pytest.raises(ValueError, match="bn_group=5 must divide the training batch of 32"):
        train_grid(apply_fn, params, ds, [0.1], [0.0], [2], TrainSpec(bn_group=5))  # full batch of 32
    with pytest.raises(ValueError, match="shard"):
        train_grid(apply_fn, params, ds, [0.1], [0.0], [2], shard="everything")
    with pytest.raises(ValueError, match="devices"):
        make_placement([])


def test_one_device_places_nothing():
    placement = make_placement(jax.devices()[:1], "runs")
    assert placement.mesh is None and placement.size == 1 and placement.padded(5) == 5
    tree = {"a": jnp.ones(3)}
    assert placement.put_runs(tree) is tree
    x = jnp.ones(4)
    assert placement.constrain_batch(x) is x


def test_padding_rounds_runs_up_to_the_device_count():
    class FakeMesh:
        size = 4

    runs = Placement("runs", FakeMesh())
    assert [runs.padded(n) for n in (1, 4, 5, 8, 9)] == [4, 4, 8, 8, 12]
    assert Placement("batch", FakeMesh()).padded(5) == 5


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_processes_joined_by_jax_distributed_train_like_one_device():
    """Two JAX processes of 2 CPU devices each (jax.distributed.initialize on localhost, as on two hosts): the grid
    split over the 4 devices, and one run data parallel over them, both equal one device's."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=DRIVER_PATH)
    env.pop("XLA_FLAGS", None)
    driver = DRIVER.with_name("multihost_driver.py")
    procs = [
        subprocess.Popen(
            [sys.executable, str(driver), str(i), str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for i in range(2)
    ]
    try:
        outputs = [p.communicate(timeout=400) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p, (stdout, stderr) in zip(procs, outputs):
        assert p.returncode == 0, stderr[-4000:]
        got = json.loads(next(x for x in stdout.splitlines() if x.startswith("RESULT ")).removeprefix("RESULT "))
        assert got["processes"] == 2 and got["devices"] == 4 and got["n"] == 5
        assert got["runs"] < 1e-5 and got["data_parallel"] < 1e-4
