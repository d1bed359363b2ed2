"""The rehearsal over several devices: a grid's programs as the engine builds them over ``devices`` devices (its
placement, its per-device batch norm), compiled at their real shapes, with XLA's memory analysis per device, and one
real step where that is cheap on this machine (``python -m replication.experiments rehearse … --cpu-devices 8``).

On a machine without accelerators the devices are forced CPU devices (``--xla_force_host_platform_device_count``,
set before JAX starts its backend). Each grid's largest program of each placement mode is built with
:func:`replication.training.step.make_grid_programs` and started with the engine's own
:func:`replication.training.engine.start_program` (the starting state created on the devices that train it), and
its chunk program (``every`` steps, then an evaluation) is compiled (``jax.jit(...).lower(...).compile()``) over
placeholder data of the real shapes. The step it runs takes the real batch of the real model, evaluated on one batch
of images instead of the whole split (a placeholder's numbers prove nothing but that the program runs).
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from replication.experiments.grid import PlannedGrid
from replication.training.plan import Program, plan_grid
from replication.training.records import Dataset

__all__ = ["ProgramCheck", "RUN_LIMIT_FLOPS", "check_programs", "placeholder_dataset"]

# One real step is run when the program's step and its small evaluation cost at most this many FLOPs (a few seconds
# on 2 CPU cores); a larger model is compiled only.
RUN_LIMIT_FLOPS = 3e11
# A program's starting state (parameters and optimizer state of all its runs, over all devices) is created for real
# when it is at most this large; a larger one is described to the compiler by its shapes and shardings only (forced
# CPU devices share this machine's memory).
REAL_START_BYTES = 2e9


@dataclasses.dataclass(frozen=True)
class ProgramCheck:
    """One program of a grid, built by the engine over ``devices`` devices and compiled at its real shapes."""

    devices: int
    mode: str  # "runs" (the runs split over the devices) or "batch" (each step's batch split)
    runs: int  # runs the program trains at once (padding copies included)
    bytes_per_device: float  # XLA's memory analysis of the chunk program: arguments + outputs + temporaries
    compile_s: float
    ran: str  # what one real step showed, or why none was run
    state_bytes: float = math.nan  # the program's starting state over all devices
    started: bool = True  # created on the devices by the engine's start_program (else described by shapes only)

    def line(self) -> str:
        gb = self.bytes_per_device / 1e9
        start = "started on the devices" if self.started else f"state of {self.state_bytes / 1e9:.3g} GB by shape"
        return (f"{self.mode} over {self.devices}: {self.runs} runs, {gb:.3g} GB per device, {start}, compiled in "
                f"{self.compile_s:.0f} s; {self.ran}")  # fmt: skip


def placeholder_dataset(n_train: int, n_test: int, input_shape: tuple[int, ...], *, rng=None) -> Dataset:
    """A :class:`Dataset` of the given shapes: zeros (untouched pages cost no memory), or standard normal images with
    random labels when ``rng`` is given."""

    def images(n):
        shape = (n,) + tuple(input_shape)
        return np.zeros(shape, np.float32) if rng is None else rng.standard_normal(shape, dtype=np.float32)

    def labels(n):
        return np.zeros(n, np.int32) if rng is None else rng.integers(0, 10, n).astype(np.int32)

    y_tr, y_te = labels(n_train), labels(n_test)
    return Dataset(images(n_train), np.eye(10, dtype=np.float32)[y_tr], y_tr, images(n_test),
                   np.eye(10, dtype=np.float32)[y_te], y_te)  # fmt: skip


def _largest_per_mode(programs: tuple[Program, ...]) -> list[Program]:
    chosen: dict[str, Program] = {}
    for p in programs:
        if p.mode not in chosen or len(p.runs) > len(chosen[p.mode].runs):
            chosen[p.mode] = p
    return list(chosen.values())


def _abstract_start(jitted, program: Program, place, params):
    """What :func:`replication.training.engine.start_program` would return for ``program`` as shapes with their
    shardings only: ((η, step budget), (parameters, optimizer state, λ state)), each with the runs axis."""
    import jax
    import jax.numpy as jnp

    sharding, n = place.runs_sharding(), len(program.runs)

    def sds(shape, dtype):
        return jax.ShapeDtypeStruct(tuple(shape), dtype, sharding=sharding)

    vec = sds((n,), jnp.float32)
    grid_params = jax.tree.map(lambda a: sds((n,) + tuple(jnp.shape(a)), jnp.result_type(a)), params)
    opt_state, ctrl = jax.tree.map(lambda a: sds(a.shape, a.dtype), jax.eval_shape(jitted.init, params, vec, vec))
    return (vec, vec), (grid_params, opt_state, ctrl)


def _one_step(apply_fn, params, grid: PlannedGrid, program: Program, place, batch: int) -> str:
    """Run one chunk of one step (and an evaluation on one batch) of ``program`` for real; what it gave."""
    import jax
    import jax.numpy as jnp

    from replication.training.engine import start_program
    from replication.training.step import make_grid_programs

    n_test = min(grid.n_test, grid.spec.eval_batch_size or batch)
    small = placeholder_dataset(batch, n_test, grid.input_shape, rng=np.random.default_rng(0))
    n = len(grid.steps)
    jitted = make_grid_programs(apply_fn, grid.spec, small, 0, place)  # run below for a chunk of one step
    hyper, state = start_program(jitted, program, place, params, [0.05] * n, [1e-4] * n, list(grid.steps), False)
    start = time.perf_counter()
    *_, metrics = jitted.run_chunk(*state, jnp.int32(0), jnp.int32(1), *hyper)
    loss = np.asarray(jax.device_get(metrics["train_loss"]))
    took = time.perf_counter() - start
    finite = "finite" if np.isfinite(loss).all() else "NOT finite"
    return f"one step ran in {took:.1f} s (compilation included), train loss {finite}"


def check_programs(
    grid: PlannedGrid,
    model: tuple,
    devices: int,
    *,
    step_flops: float = math.nan,
    run_limit_flops: float = RUN_LIMIT_FLOPS,
    cache: dict | None = None,
) -> tuple[ProgramCheck, ...]:
    """Build, start and compile ``grid``'s largest program of each placement mode over the first ``devices``
    devices JAX sees (``model``: its (apply_fn, params); ``step_flops``: one run's training step, to decide
    whether one real step is affordable here). ``cache`` reuses checks of programs with the same shapes."""
    import jax
    import jax.numpy as jnp

    from replication.training.engine import start_program
    from replication.training.sharding import make_placement
    from replication.training.step import make_grid_programs

    available = jax.devices()
    if len(available) < devices:
        raise ValueError(
            f"devices={devices}, but JAX sees {len(available)} device(s); on a CPU, --cpu-devices {devices} (or "
            f"XLA_FLAGS=--xla_force_host_platform_device_count={devices} before JAX starts) creates them."
        )
    if grid.plan is None:
        return ()
    apply_fn, params = model
    n = len(grid.steps)
    lrs, lams = [0.1] * n, [1e-3] * n  # placement depends on the steps alone; η and λ are program arguments
    plan = plan_grid(lrs, lams, list(grid.steps), grid.spec, n_train=grid.n_train, n_devices=devices)
    data = None
    mesh = make_placement(available[:devices])
    shapes = tuple((tuple(a.shape), str(a.dtype)) for a in jax.tree.leaves(params))
    cache = {} if cache is None else cache
    out = []
    for program in _largest_per_mode(plan.programs):
        key = (shapes, grid.input_shape, grid.n_train, grid.n_test, repr(grid.spec), program.mode, len(program.runs),
               devices)  # fmt: skip
        if key not in cache:
            if data is None:
                data = placeholder_dataset(grid.n_train, grid.n_test, grid.input_shape)
            place = dataclasses.replace(mesh, mode=program.mode)
            start = time.perf_counter()
            jitted = make_grid_programs(apply_fn, grid.spec, data, 0, place)
            hyper, state = _abstract_start(jitted, program, place, params)
            state_bytes = sum(math.prod(a.shape) * a.dtype.itemsize for a in jax.tree.leaves(state))
            started = state_bytes <= REAL_START_BYTES
            if started:  # the engine's own start: each device creates its share
                hyper, state = start_program(jitted, program, place, params, lrs, lams, list(grid.steps), False)
            compiled = jitted.run_chunk.lower(*state, jnp.int32(0), jnp.int32(program.every), *hyper).compile()
            memory = compiled.memory_analysis()
            fields = ("argument_size_in_bytes", "output_size_in_bytes", "temp_size_in_bytes")
            per_device = sum(getattr(memory, f, 0) for f in fields) if memory is not None else math.nan
            took = time.perf_counter() - start
            del state, compiled, jitted
            batch = grid.plan.batch
            cost = step_flops * len(program.runs) * 2  # the step, and evaluations of about as much
            if math.isfinite(cost) and cost <= run_limit_flops:
                ran = _one_step(apply_fn, params, grid, program, place, batch)
            else:
                ran = f"not run here (one step of its runs ≈ {cost:.2g} FLOPs, above {run_limit_flops:.0e})"
            cache[key] = ProgramCheck(devices, program.mode, len(program.runs), float(per_device), took, ran,
                                      float(state_bytes), started)  # fmt: skip
        out.append(cache[key])
    return tuple(out)
