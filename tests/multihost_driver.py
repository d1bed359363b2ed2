"""Subprocess driver of tests/test_sharding.py's multi-host test: one of two JAX processes on this machine (2 CPU
devices each, joined by ``jax.distributed.initialize`` through :mod:`replication.core.distributed`), training a grid
split over all 4 devices and one run data parallel over them; prints how far each is from the same
training on this process's first device.

    python multihost_driver.py PROCESS_ID PORT
"""

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"

from replication.core import distributed  # noqa: E402

process_id, port = int(sys.argv[1]), int(sys.argv[2])
line = distributed.initialize(distributed.DistributedSetup(f"localhost:{port}", 2, process_id))

import jax  # noqa: E402
from sharding_driver import dataset, max_rel_diff  # noqa: E402

from replication.experiments import fc_mnist  # noqa: E402
from replication.training import TrainSpec, train_grid  # noqa: E402

one = jax.local_devices()[:1]
fc = dataset(64, 64, flat=True)
apply_fn, params = fc_mnist.make_model(16, 2, seed=1)
grid = dict(lrs=[0.3, 0.2, 0.1, 0.5, 0.05], lams=[0.01, 0.1, 0.0, 0.03, 0.2], steps=[12, 16, 9, 30, 24])
# checkpoint after every chunk: a collective gather of the state, and a decision every process must share
ckpt = Path(tempfile.gettempdir()) / f"multihost-{port}-{process_id}.ckpt"
split = train_grid(apply_fn, params, fc, **grid, spec=TrainSpec(evals=4), shard="runs", checkpoint=ckpt,
                   checkpoint_seconds=0.0)  # fmt: skip
alone = train_grid(apply_fn, params, fc, **grid, spec=TrainSpec(evals=4), devices=one)

one_run = dict(lrs=[0.3], lams=[0.01], steps=[12], spec=TrainSpec(evals=4, batch_size=32))
data_parallel = train_grid(apply_fn, params, fc, **one_run, shard="batch")
alone_dp = train_grid(apply_fn, params, fc, **one_run, devices=one)
out = dict(line=line, processes=jax.process_count(), devices=jax.device_count(), runs=max_rel_diff(split, alone),
           data_parallel=max_rel_diff(data_parallel, alone_dp), n=len(split))  # fmt: skip
print("RESULT " + json.dumps(out), flush=True)
