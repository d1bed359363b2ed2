"""Subprocess driver of tests/test_sharding.py: JAX on 4 CPU devices (``--xla_force_host_platform_device_count=4``
must be set before JAX initializes, hence a process of its own). Trains small grids sharded and on one device and
prints one JSON object of what the test compares.

    python sharding_driver.py runs|batch-norm
"""

import json
import os
import sys

if "xla_force_host_platform_device_count" not in os.environ.get("XLA_FLAGS", ""):  # (multihost_driver sets 2)
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4").strip()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from flax import nnx  # noqa: E402
from jax.sharding import PartitionSpec  # noqa: E402

import replication.training.engine as engine  # noqa: E402
from replication import data  # noqa: E402
from replication.experiments import fc_mnist  # noqa: E402
from replication.models import CNN, functional  # noqa: E402
from replication.training import Dataset, TrainSpec, softmax_xent, train_grid  # noqa: E402
from replication.training.plan import plan_grid  # noqa: E402
from replication.training.sharding import AXIS, make_placement  # noqa: E402
from replication.training.step import grouped_apply  # noqa: E402


def dataset(n_train: int, n_test: int, flat: bool) -> Dataset:
    tr = data.first_n(data.load_mnist("train", "embedded"), n_train)
    te = data.first_n(data.load_mnist("test", "embedded"), n_test)
    stats = data.normalization_stats(tr.images)

    def prep(images):
        x = data.standardize(images, stats)
        return data.flatten(x) if flat else x[:, 6:22, 6:22]  # the central 16×16 (the CNN needs >= 15)

    return Dataset(prep(tr.images), data.one_hot(tr.labels), tr.labels, prep(te.images), data.one_hot(te.labels),
                   te.labels)  # fmt: skip


def max_rel_diff(a_hists, b_hists) -> float:
    worst = 0.0
    for a, b in zip(a_hists, b_hists, strict=True):
        assert a.steps == b.steps and a.lr == b.lr and a.lam == b.lam
        for k in a.metrics:
            x, y = np.asarray(a.metrics[k]), np.asarray(b.metrics[k])
            assert x.shape == y.shape, k
            worst = max(worst, float(np.max(np.abs(x - y) / (np.abs(y) + 1e-6))))
    return worst


def runs_part(out: dict, one: list) -> None:
    """The grid over the runs axis, shard="auto", and where a program's start is created (FC networks)."""
    # 1a. The (η, λ) grid split over the runs axis: 5 runs in buckets of 3 and 2 (each padded to 4).
    fc = dataset(64, 64, flat=True)
    apply_fn, params = fc_mnist.make_model(16, 2, seed=1)
    lrs, lams, steps = [0.3, 0.2, 0.1, 0.5, 0.05], [0.01, 0.1, 0.0, 0.03, 0.2], [12, 16, 9, 30, 24]
    spec = TrainSpec(evals=4)
    sharded = train_grid(apply_fn, params, fc, lrs, lams, steps, spec, shard="runs")  # default: every device
    single = train_grid(apply_fn, params, fc, lrs, lams, steps, spec, devices=one)
    out["runs_grid_rel_diff"] = max_rel_diff(sharded, single)
    out["runs_grid_len"] = len(sharded)
    # shard="auto" (the default) on CPU devices: a bucket's largest multiple of the device count splits its runs,
    # the runs left over train on one device (on accelerators a small bucket trains data parallel: test_plan.py)
    modes = []
    real_runner = engine.make_grid_programs

    def spy(*args, **kwargs):
        modes.append(args[-1].mode if args[-1].mesh is not None else "none")
        return real_runner(*args, **kwargs)

    engine.make_grid_programs = spy
    mixed = dict(lrs=[0.3, 0.2, 0.1, 0.5, 0.05], lams=[0.01, 0.1, 0.0, 0.03, 0.2], steps=[12, 12, 12, 12, 30])
    auto = train_grid(apply_fn, params, fc, **mixed, spec=TrainSpec(evals=4, batch_size=32))
    engine.make_grid_programs = real_runner
    reference = train_grid(apply_fn, params, fc, **mixed, spec=TrainSpec(evals=4, batch_size=32), devices=one)
    out["auto_modes"] = modes
    out["auto_rel_diff"] = max_rel_diff(auto, reference)
    data_parallel = train_grid(apply_fn, params, fc, **mixed, spec=TrainSpec(evals=4, batch_size=32), shard="batch")
    out["batch_rel_diff"] = max_rel_diff(data_parallel, reference)
    # 1c. A program's starting state is created on the devices that train it, each device its own runs' rows
    # (from shared parameters, and from one initialization per run), with the values of the one-device start.
    momentum = TrainSpec(evals=4, optimizer="momentum")
    place = make_placement(shard="runs")
    program = plan_grid([0.1] * 8, [0.01] * 8, [16] * 8, momentum, n_train=64, n_devices=4, shard="runs").programs[0]
    jitted = engine.make_grid_programs(apply_fn, momentum, fc, 0, place)
    _, state = engine.start_program(jitted, program, place, params, [0.1] * 8, [0.01] * 8, [16] * 8, False)
    stacked_params = jax.tree.map(lambda a: jnp.stack([a + k for k in range(8)]), params)
    stacked_jitted = engine.make_grid_programs(apply_fn, momentum, fc, 0, place, per_run_params=True)
    hyper = ([0.1] * 8, [0.01] * 8, [16] * 8)
    _, stacked = engine.start_program(stacked_jitted, program, place, stacked_params, *hyper, True)
    leaves = jax.tree.leaves(state) + jax.tree.leaves(stacked)
    out["start_devices"] = sorted({len(a.sharding.device_set) for a in leaves})
    out["start_shard_rows"] = sorted({s.data.shape[0] for a in leaves for s in a.addressable_shards})
    out["start_params_equal"] = all(
        np.array_equal(np.asarray(g), np.broadcast_to(np.asarray(p), g.shape))
        for g, p in zip(jax.tree.leaves(state[0]), jax.tree.leaves(params), strict=True)
    ) and all(np.array_equal(np.asarray(g), np.asarray(p)[program.runs, ...])
              for g, p in zip(jax.tree.leaves(stacked[0]), jax.tree.leaves(stacked_params), strict=True))  # fmt: skip
    placed = make_placement().put_runs(jnp.zeros((8, 3)))
    out["runs_shards"] = len(placed.sharding.device_set)
    out["runs_shard_rows"] = sorted({s.data.shape[0] for s in placed.addressable_shards})


def batch_norm_part(out: dict, one: list) -> None:
    """Per-device batch norm against ghost batch norm, and its gradient against a shard_map (a CNN)."""
    # 1b. One run data parallel with batch-norm statistics per device: 4 devices × 16 images.
    img = dataset(64, 32, flat=False)
    cnn_fn, cnn_params = functional(CNN(channels=4, hidden=16, image_size=16, in_channels=1, batch_norm=True,
                                        rngs=nnx.Rngs(0)))  # fmt: skip
    bn = TrainSpec(batch_size=64, evals=2, bn_group=16, eval_batch_size=32)
    args = (cnn_fn, cnn_params, img, [0.1], [0.01], [6])
    per_device = train_grid(*args, bn, shard="batch")
    ghost = train_grid(*args, bn, devices=one)
    out["bn_per_device_vs_ghost_rel_diff"] = max_rel_diff(per_device, ghost)
    # (plain data parallel, no groups, is the "batch" bucket of the shard="auto" grid above)

    # A second implementation of per-device batch norm: shard_map, each device applies the model to its own 16
    # images and the gradient is the mean over devices (check_vma=False: the classic semantics, where jax.grad
    # inside gives the local gradient). Against grouped_apply's gradient on one device, relative to the largest
    # gradient entry (the conv biases before batch norm have a gradient of zero up to rounding).
    x, y = jnp.asarray(img.x_train[:64]), jnp.asarray(img.y_train[:64])
    mesh = make_placement().mesh

    def per_device_grad(p, xs, ys):
        g = jax.grad(lambda q: softmax_xent(cnn_fn(q, xs), ys))(p)
        return jax.tree.map(lambda a: jax.lax.pmean(a, AXIS), g)

    spec_in = (PartitionSpec(), PartitionSpec(AXIS), PartitionSpec(AXIS))
    manual = jax.jit(jax.shard_map(per_device_grad, mesh=mesh, in_specs=spec_in, out_specs=PartitionSpec(),
                                   check_vma=False))(cnn_params, x, y)  # fmt: skip
    # jitted: op by op, these two gradients of the CNN took 19 s of the driver's 40 (cold)
    grouped = jax.jit(jax.grad(lambda p: softmax_xent(grouped_apply(cnn_fn, p, x, 16), y)))(cnn_params)
    whole = jax.jit(jax.grad(lambda p: softmax_xent(cnn_fn(p, x), y)))(cnn_params)
    scale = max(float(jnp.max(jnp.abs(b))) for b in jax.tree.leaves(grouped))

    def gap(a_tree, b_tree):
        return max(float(jnp.max(jnp.abs(a - b))) for a, b in zip(jax.tree.leaves(a_tree), jax.tree.leaves(b_tree)))

    out["shard_map_vs_grouped_grad_rel_diff"] = gap(manual, grouped) / scale
    out["whole_batch_vs_grouped_grad_rel_diff"] = gap(whole, grouped) / scale


PARTS = {"runs": runs_part, "batch-norm": batch_norm_part}


def main(part: str):
    """One part per process, so the suite's workers run the two side by side (each well under 30 s)."""
    out = {"devices": len(jax.devices())}
    PARTS[part](out, [jax.devices()[0]])
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
