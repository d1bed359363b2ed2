"""Several hosts: ``jax.distributed.initialize`` before the first JAX computation.

Every process (one per host, or one per GPU) runs the same command; JAX then sees the devices of all of them
(``jax.devices()``), and the training engine spreads a grid over all of them (``replication.training.sharding``).
On a cluster JAX detects the processes itself (Slurm, Open MPI, Cloud TPU); elsewhere name the coordinator (process
0's address and a free port), the number of processes and this process's index.
"""

from __future__ import annotations

import dataclasses
import os

from replication.core.validation import check_positive_int

__all__ = ["DistributedSetup", "setup_from_env", "initialize"]

ENV_FLAG = "REPLICATION_DISTRIBUTED"


@dataclasses.dataclass(frozen=True)
class DistributedSetup:
    """What :func:`initialize` passes to ``jax.distributed.initialize``; None fields are detected by JAX."""

    coordinator: str | None = None  # "host:port" of process 0
    num_processes: int | None = None
    process_id: int | None = None

    def __post_init__(self):
        if self.num_processes is not None:
            check_positive_int("num_processes", self.num_processes)
        if self.process_id is not None:
            limit = "" if self.num_processes is None else f" below num_processes={self.num_processes}"
            if (
                not isinstance(self.process_id, int)
                or self.process_id < 0
                or (self.num_processes is not None and self.process_id >= self.num_processes)
            ):
                raise ValueError(f"process_id={self.process_id!r} must be an integer >= 0{limit}.")
        if self.coordinator is not None and ":" not in self.coordinator:
            raise ValueError(f"coordinator={self.coordinator!r} must be host:port (process 0's address and a port).")


def setup_from_env(environ=os.environ) -> DistributedSetup | None:
    """``REPLICATION_DISTRIBUTED=1`` (detect the cluster) or ``=host:port`` (the coordinator, with
    ``REPLICATION_NUM_PROCESSES`` and ``REPLICATION_PROCESS_ID``); None when the variable is unset, empty or 0."""
    value = environ.get(ENV_FLAG, "").strip()
    if value in ("", "0"):
        return None
    if value == "1":
        return DistributedSetup()

    def number(name):
        raw = environ.get(name)
        if raw is None:
            raise ValueError(f"{ENV_FLAG}={value} names a coordinator, so {name} must be set too.")
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} must be an integer.") from None

    return DistributedSetup(value, number("REPLICATION_NUM_PROCESSES"), number("REPLICATION_PROCESS_ID"))


def initialize(setup: DistributedSetup) -> str:
    """Call ``jax.distributed.initialize`` (before any JAX computation); return one line saying what JAX sees."""
    import jax

    jax.distributed.initialize(
        coordinator_address=setup.coordinator, num_processes=setup.num_processes, process_id=setup.process_id
    )
    return (
        f"JAX distributed: process {jax.process_index()} of {jax.process_count()}, "
        f"{jax.local_device_count()} local of {jax.device_count()} devices"
    )
