"""Where a grid's arrays live when there is more than one device (``jax.sharding``).

Two ways to spread one call of :func:`replication.training.train_grid` over devices, both on a one-axis
:class:`jax.sharding.Mesh` (axis types ``Auto``: XLA's SPMD partitioner inserts the communication):

* ``"runs"`` (the default): the (η, λ) grid's runs axis is split over the devices. Every run is independent, so
  nothing is communicated during training; a bucket with fewer runs than a multiple of the device count is padded
  with copies of its last run, whose histories are dropped.
* ``"batch"``: every run sees all devices, and each step's training batch is split over them (data parallel). The
  parameters are replicated and XLA all-reduces the gradients. With ``TrainSpec.bn_group`` the batch is split into
  groups of that many images whose batch-norm statistics are computed separately ("ghost" batch norm); the group
  axis is the one split over the devices, so with ``bn_group = batch / devices`` each device normalizes with its own
  images' statistics, as the authors' per-device batch norm on a TPU v3-8 (128 images per device).

On one device nothing is placed and nothing changes. Several hosts (``jax.distributed.initialize``) work the same
way over the global devices: every process runs the same program, feeds the same (replicated) host data and
receives the whole result (gathered across processes).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import AxisType, NamedSharding, PartitionSpec

from replication.core.validation import check_choice

__all__ = ["SHARD_MODES", "Placement", "make_placement"]

SHARD_MODES = ("runs", "batch")
AXIS = "devices"


@dataclasses.dataclass(frozen=True)
class Placement:
    """A mesh over ``devices`` (None: a single device, nothing placed) and what is split over it (``mode``)."""

    mode: str = "runs"
    mesh: jax.sharding.Mesh | None = None

    @property
    def size(self) -> int:
        """Number of devices (1 without a mesh)."""
        return 1 if self.mesh is None else self.mesh.size

    @property
    def splits_runs(self) -> bool:
        return self.mesh is not None and self.mode == "runs"

    @property
    def splits_batch(self) -> bool:
        return self.mesh is not None and self.mode == "batch"

    @property
    def on_cpu(self) -> bool:
        """Whether the mesh's devices are CPU devices (forced on one machine: they share its cores)."""
        return self.mesh is not None and self.mesh.devices.flat[0].platform == "cpu"

    def padded(self, n_runs: int) -> int:
        """How many runs a bucket of ``n_runs`` trains: a multiple of the device count when runs are split."""
        return math.ceil(n_runs / self.size) * self.size if self.splits_runs else n_runs

    def leading_axis(self) -> NamedSharding | None:
        """The sharding that splits an array's first axis over the devices (None without a mesh)."""
        return None if self.mesh is None else NamedSharding(self.mesh, PartitionSpec(AXIS))

    def replicated(self) -> NamedSharding | None:
        return None if self.mesh is None else NamedSharding(self.mesh, PartitionSpec())

    def runs_sharding(self) -> NamedSharding | None:
        """Where a grid state whose leaves lead with the runs axis lives: split over the devices in ``"runs"`` mode,
        replicated in ``"batch"`` mode (None without a mesh)."""
        if self.mesh is None:
            return None
        return self.leading_axis() if self.mode == "runs" else self.replicated()

    def put_runs(self, tree):
        """Place a grid state whose leaves lead with the runs axis (:meth:`runs_sharding`); untouched without a
        mesh."""
        if self.mesh is None:
            return tree
        sharding = self.runs_sharding()
        return jax.tree.map(lambda a: _put(a, sharding), tree)

    def start_runs(self, params, runs: Sequence[int], stacked: bool):
        """The starting parameters of ``runs``, with a leading runs axis, placed as :meth:`put_runs` places them:
        ``params[runs]`` when ``stacked`` (one initialization per run), else ``params`` repeated. With a mesh each
        device receives only its own shard, cut on the host from a view, so that a grid's parameters are never
        whole on one device (nor copied whole on the host when repeated); without one they are built on the
        device."""
        idx = np.asarray(runs)
        if self.mesh is None:
            if stacked:
                return jax.tree.map(lambda a: jnp.asarray(a)[idx], params)
            return jax.tree.map(lambda a: jnp.broadcast_to(a, (len(idx),) + jnp.shape(a)), params)
        sharding = self.runs_sharding()

        def place(a):
            host = np.asarray(a)
            view = host[idx] if stacked else np.broadcast_to(host, (len(idx),) + host.shape)
            return jax.make_array_from_callback(view.shape, sharding, lambda index: np.ascontiguousarray(view[index]))

        return jax.tree.map(place, params)

    def constrain_batch(self, x):
        """Inside a jitted step: split ``x``'s first axis (the batch, or the batch-norm groups) over the devices in
        ``"batch"`` mode; the identity otherwise."""
        if not self.splits_batch:
            return x
        return jax.lax.with_sharding_constraint(x, self.leading_axis())

    def to_host(self, tree):
        """The whole value of every leaf as NumPy arrays on this host (gathered from all processes if needed)."""
        if self.mesh is not None and jax.process_count() > 1:
            from jax.experimental import multihost_utils

            return jax.tree.map(np.asarray, multihost_utils.process_allgather(tree, tiled=True))
        return jax.device_get(tree)

    def agree(self, flag: bool) -> bool:
        """Process 0's ``flag`` in every process (a decision taken on a local clock, e.g. when to checkpoint, must be
        the same everywhere before a collective operation); ``flag`` itself with one process."""
        if jax.process_count() == 1:
            return bool(flag)
        from jax.experimental import multihost_utils

        return bool(multihost_utils.broadcast_one_to_all(np.asarray(bool(flag))))


def _put(a, sharding: NamedSharding):
    if isinstance(a, jax.Array) and not a.is_fully_addressable:  # already spread over processes: reshard in XLA
        return a if a.sharding == sharding else jax.jit(lambda x: x, out_shardings=sharding)(a)
    if jax.process_count() == 1:
        return jax.device_put(a, sharding)
    host = np.asarray(a)  # every process holds the same value: each fills its own devices' shards from it
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def make_placement(devices: Sequence | None = None, shard: str = "runs") -> Placement:
    """The placement of a grid over ``devices`` (None: every device JAX sees, ``jax.devices()``, which on several
    hosts is all of them). One device gives the empty placement (nothing changes)."""
    check_choice("shard", shard, SHARD_MODES)
    devices = list(jax.devices() if devices is None else devices)
    if not devices:
        raise ValueError("devices must name at least one device (or be None for all of them).")
    if len(devices) == 1:
        return Placement(shard, None)
    mesh = jax.make_mesh((len(devices),), (AXIS,), axis_types=(AxisType.Auto,), devices=devices)
    return Placement(shard, mesh)
