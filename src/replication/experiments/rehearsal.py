"""The rehearsal of a preset: what every chapter's declared studies would train and what that would cost, without
training anything (``python -m replication.experiments rehearse all --preset paper``, ``make rehearse``).

Each study of a chapter (its ``STUDIES``) runs under :func:`replication.experiments.grid.rehearsing`: every grid
it asks for is planned as the engine would run it (:func:`replication.training.plan_grid`: programs, their lengths,
runs and evaluations, on one device and on ``devices``), or found stored. For each distinct training step (model,
batch, input shape) one step of one run is compiled ahead of time on this machine (``jax.jit(...).lower(...)
.compile()``, convolutions as XLA convolutions, as on an accelerator) and XLA's cost and memory analyses give its
FLOPs and its buffers. From those, per grid:

* FLOPs = run-steps × step FLOPs + evaluated images × step FLOPs / (3 × batch) (an evaluation is a forward pass,
  about a third of a training step per image), run-steps as the engine computes them (a vmapped program's shorter
  runs train on until its longest ends; copies padding runs over devices count too);
* memory per device = the largest program's runs on one device × one run's buffers (parameters, gradients,
  activations; a vmapped program holds each run's), or with the batch split over devices, the activations divided;
* time = FLOPs / (``fraction`` × the accelerator's dense TF32 peak), but no step faster than :data:`STEP_FLOOR_S`;
  ``fraction`` defaults to what one H200 reached on WRN-28-10 at batch 1024 (:data:`MEASURED`).

A study that raises is listed with its error; a grid that would not fit an accelerator's memory is flagged. Nothing
is refused silently and nothing is written.

With ``--programs N`` (or ``--cpu-devices N``, which first forces N CPU devices) each grid's programs are also built
as the engine builds them over N devices, started, compiled and, where cheap, stepped once
(:mod:`replication.experiments.program_check`); their memory per device is XLA's, not an estimate.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import math
import os
import time
from collections.abc import Iterable, Mapping

from replication.core.presets import check_preset, check_seed
from replication.core.validation import check_positive, check_positive_int
from replication.experiments.grid import PlannedGrid, rehearsing
from replication.experiments.program_check import ProgramCheck, check_programs
from replication.training.plan import GridPlan, plan_grid

__all__ = ["Accelerator", "ACCELERATORS", "MEASURED", "STEP_FLOOR_S", "StepCost", "GridCost", "ChapterRehearsal",
           "plan_study", "decider_study", "plan_decider", "plan_studies", "rehearse_chapter", "analyze_step",
           "time_step", "step_cost", "cached_step_cost", "grid_cost", "format_table", "grid_line", "listing",
           "si_text", "environment_variable"]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Accelerator:
    name: str
    memory_bytes: float
    tf32_flops: float  # dense peak, FLOP/s
    bf16_flops: float


# NVIDIA's datasheets (dense, without sparsity): H100 SXM and H200 have the same tensor cores.
ACCELERATORS = (
    Accelerator("H100 80 GB", 80e9, 494.7e12, 989.4e12),
    Accelerator("H200 141 GB", 141e9, 494.7e12, 989.4e12),
)
# benchmarks/gpu/2026-12-04-h200: WRN-28-10, batch 1024, one run, JAX's default precision (TF32): 192 ms a step of
# 3.25e13 FLOPs, i.e. 169 TFLOP/s, 0.34 of the TF32 peak.
MEASURED = dict(fraction=0.34, source="WRN-28-10 at batch 1024 on one H200, 2026-12-04 (benchmarks/gpu/)")
# The same run: the fastest engine step of any model was 0.25 ms (FC-2048 at batch 512; CNN-8 0.32 ms): a small
# model's steps are bound by latency, not FLOPs, so no step is counted faster than this.
STEP_FLOOR_S = 0.25e-3


@dataclasses.dataclass(frozen=True)
class StepCost:
    """One training step of one run, from XLA's analyses of the compiled step."""

    flops: float
    run_bytes: float  # arguments + outputs + temporaries of one run's step
    param_bytes: float
    compile_s: float


@dataclasses.dataclass(frozen=True)
class GridCost:
    grid: PlannedGrid
    run_steps: int  # Σ over programs of steps computed × runs (padded runs included), one device
    eval_images: int  # Σ over programs of evaluations × runs × (training-metric + test images)
    flops: float
    bytes_per_device: float  # the largest program, one device
    flops_per_device_8: float  # the same grid planned over 8 devices: the busiest device's share
    bytes_per_device_8: float
    step: StepCost | None
    sequential_steps: int = 0  # steps taken one after another (a vmapped program's runs step together)
    sequential_steps_8: int = 0
    programs: tuple[ProgramCheck, ...] = ()  # its programs compiled over several devices (--programs)

    def seconds(self, rate: float, devices: int = 1) -> float:
        """At ``rate`` FLOP/s per device, and no step faster than :data:`STEP_FLOOR_S`."""
        flops, steps = (self.flops, self.sequential_steps) if devices == 1 else (self.flops_per_device_8,
                                                                                  self.sequential_steps_8)  # fmt: skip
        return max(flops / rate, steps * STEP_FLOOR_S)


@dataclasses.dataclass(frozen=True)
class ChapterRehearsal:
    chapter: str
    preset: str
    grids: tuple[GridCost, ...]
    errors: tuple[str, ...]  # "study: what it raised"
    wall_s: float

    @property
    def flops(self) -> float:
        return sum(g.flops for g in self.grids)

    @property
    def flops_8(self) -> float:
        return sum(g.flops_per_device_8 for g in self.grids)

    @property
    def run_steps(self) -> int:
        return sum(g.run_steps for g in self.grids)

    @property
    def peak_bytes(self) -> float:
        return max((g.bytes_per_device for g in self.grids), default=0.0)

    @property
    def peak_bytes_8(self) -> float:
        return max((g.bytes_per_device_8 for g in self.grids), default=0.0)

    def hours(self, rate: float, devices: int = 1) -> float:
        return sum(g.seconds(rate, devices) for g in self.grids) / 3600


@contextlib.contextmanager
def environment_variable(name: str, value: str):
    """``$name`` is ``value`` inside; after, what it was (or unset)."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _xla_convolutions():
    """Models built inside use XLA's convolutions."""
    return environment_variable("REPLICATION_CONV", "lax")


def _sgd_l2_step(apply_fn, loss: str):
    """One SGD + L2 step of one run (what the rehearsal compiles and :func:`time_step` times)."""
    import jax

    from replication.training import l2_term, mse, softmax_xent

    loss_fn = softmax_xent if loss == "xent" else mse

    def step(p, x, y):
        g = jax.grad(lambda q: loss_fn(apply_fn(q, x), y) + 1e-4 * l2_term(q))(p)
        return jax.tree.map(lambda a, b: a - 0.01 * b, p, g)

    return step


def analyze_step(apply_fn, params, input_shape: tuple[int, ...], batch: int, loss: str = "xent") -> StepCost:
    """Compile (not run) one SGD + L2 step of one run of the model at ``batch`` on this machine's backend and read
    XLA's cost and memory analyses (on a GPU its FLOP count leaves out the convolutions cuDNN runs)."""
    import jax
    import jax.numpy as jnp

    start = time.perf_counter()
    shapes = jax.tree.map(lambda a: jax.ShapeDtypeStruct(jnp.shape(a), jnp.result_type(a)), params)
    x = jax.ShapeDtypeStruct((batch,) + tuple(input_shape), jnp.float32)
    y = jax.ShapeDtypeStruct((batch, 10), jnp.float32)
    compiled = jax.jit(_sgd_l2_step(apply_fn, loss)).lower(shapes, x, y).compile()
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, list | tuple) else cost
    memory = compiled.memory_analysis()
    fields = ("argument_size_in_bytes", "output_size_in_bytes", "temp_size_in_bytes")
    run_bytes = sum(getattr(memory, f, 0) for f in fields) if memory is not None else float("nan")
    param_bytes = sum(math.prod(s.shape) * s.dtype.itemsize for s in jax.tree.leaves(shapes))
    return StepCost(float((cost or {}).get("flops", float("nan"))), float(run_bytes), float(param_bytes),
                    time.perf_counter() - start)  # fmt: skip


def time_step(apply_fn, params, input_shape: tuple[int, ...], batch: int, loss: str = "xent", *,
              seconds: float = 1.0, max_steps: int = 20) -> float:  # fmt: skip
    """Seconds per SGD + L2 step of one run on this machine, as this machine's engine computes it (its
    convolutions), on zero inputs: after one step that compiles, steps until ``seconds`` have passed or
    ``max_steps`` ran (the median of their times)."""
    import statistics

    import jax
    import jax.numpy as jnp

    check_positive("seconds", seconds)
    check_positive_int("max_steps", max_steps)
    step = jax.jit(_sgd_l2_step(apply_fn, loss))
    x = jnp.zeros((batch,) + tuple(input_shape), jnp.float32)
    y = jnp.zeros((batch, 10), jnp.float32).at[:, 0].set(1.0)
    params = jax.block_until_ready(step(params, x, y))  # compiles
    times, spent = [], 0.0
    while spent < seconds and len(times) < max_steps:
        start = time.perf_counter()
        params = jax.block_until_ready(step(params, x, y))
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return statistics.median(times)


def _build(grid: PlannedGrid):
    """The grid's (apply_fn, params), its convolutions XLA's (as on an accelerator), not the CPU's patch matmul,
    whose patch buffers would overstate an accelerator's memory several times."""
    with _xla_convolutions():
        return grid.build()


def step_cost(grid: PlannedGrid, batch: int, model: tuple | None = None) -> StepCost:
    """:func:`analyze_step` for ``grid``'s model (``model``: its (apply_fn, params) if already built)."""
    apply_fn, params = model or _build(grid)
    return analyze_step(apply_fn, params, grid.input_shape, batch, grid.spec.loss)


def _shares(plan: GridPlan, n_eval: int, n_test: int, devices: int) -> tuple[float, float, int, float]:
    """On the busiest device of ``devices``: (run-steps, evaluated images, most runs of one program, the share of
    a step's batch it computes). A program whose runs are split over the devices gives each ⌈runs / devices⌉ whole
    runs; one whose batch is split gives each device every run and 1/devices of each batch."""
    steps = images = 0.0
    most, share = 0, 1.0
    for p in plan.programs:
        per_device = math.ceil(len(p.runs) / devices) if p.mode == "runs" else len(p.runs)
        split = devices if p.mode == "batch" else 1
        # what the engine computes: each program stops at its longest run, and retires runs as they end (Program)
        steps += p.work / len(p.runs) * per_device / split
        images += p.run_evaluations / len(p.runs) * per_device * (n_eval + n_test) / split
        if per_device > most or (per_device == most and 1.0 / split > share):
            most, share = per_device, 1.0 / split
    return steps, images, most, share


def grid_cost(grid: PlannedGrid, step: StepCost | None, devices: int = 8) -> GridCost:
    """FLOPs and memory of a planned grid on one device and, planned again over ``devices``, on the busiest one."""
    if grid.stored or grid.plan is None:
        return GridCost(grid, 0, 0, 0.0, 0.0, 0.0, 0.0, step)
    flops_step = step.flops if step else float("nan")
    per_image_eval = flops_step / (3 * grid.plan.batch)  # a forward pass: about a third of a step, per image
    n_eval = grid.spec.train_eval_size(grid.n_train)  # the training metrics' images
    run_steps, eval_images, most, _ = _shares(grid.plan, n_eval, grid.n_test, 1)
    # the same runs planned over the devices (placement depends only on the runs' steps, the batch and the spec)
    steps = list(grid.steps)
    plan8 = plan_grid([1.0] * len(steps), [0.0] * len(steps), steps, grid.spec, n_train=grid.n_train, n_devices=devices)
    steps8, images8, most8, share8 = _shares(plan8, n_eval, grid.n_test, devices)
    per_run = step.run_bytes if step else float("nan")
    params = step.param_bytes if step else 0.0
    return GridCost(
        grid, int(run_steps), int(eval_images), run_steps * flops_step + eval_images * per_image_eval,
        most * per_run, steps8 * flops_step + images8 * per_image_eval, most8 * (params + (per_run - params) * share8),
        step, sum(p.n_chunks * p.every for p in grid.plan.programs), sum(p.n_chunks * p.every for p in plan8.programs),
    )  # fmt: skip


def plan_study(module, name: str, cfg, *, seed: int, cifar_shapes: bool = True,
               options: Mapping | None = None) -> tuple[list[PlannedGrid], str | None]:  # fmt: skip
    """Every grid the study ``name`` of the experiment ``module`` asks for with ``cfg`` (and ``options``), as
    :func:`rehearsing` plans them (nothing trains, nothing is written), and "name: what it raised" if it raised."""
    with rehearsing(cifar_shapes=cifar_shapes) as grids:
        try:
            getattr(module, name)(cfg, seed=seed, **dict(options or {}))
        except Exception as err:
            return list(grids), f"{name}: {type(err).__name__}: {err}"
    return list(grids), None


def decider_study(chapter: str, decider):
    """The experiment module of ``chapter`` and the config (its size) of its
    :class:`~replication.experiments.claims.Decider` ``decider``: what its study is called with."""
    from replication.experiments.configs import decider_config

    module = importlib.import_module(f"replication.experiments.{chapter}")
    return module, decider_config(chapter, decider.config, decider.base)


def plan_decider(chapter: str, decider, *, seed: int) -> tuple[list[PlannedGrid], str | None]:
    """The grids a :class:`~replication.experiments.claims.Decider` of ``chapter`` asks for at its size: its study
    on its ``decide_...`` config (:func:`decider_study`), planned at its base preset (:func:`plan_study`)."""
    module, cfg = decider_study(chapter, decider)
    return plan_study(module, decider.study, cfg, seed=seed, cifar_shapes=decider.base == "paper",
                      options=dict(decider.options))  # fmt: skip


def plan_studies(chapter: str, *, preset: str, seed: int = 0,
                 cifar_shapes: bool = True) -> tuple[list[PlannedGrid], list[str]]:  # fmt: skip
    """Every grid ``chapter``'s declared studies ask for at ``preset``, in order (:func:`plan_study`), and "study:
    what it raised" for each study that raised (listed, not hidden: finding what breaks is the point)."""
    from replication.experiments.configs import get_config
    from replication.experiments.headless import studies

    check_preset(preset)
    seed = check_seed(seed)
    cfg = get_config(chapter, preset)
    module = importlib.import_module(f"replication.experiments.{chapter}")
    planned, errors = [], []
    for name in studies(chapter):
        grids, error = plan_study(module, name, cfg, seed=seed, cifar_shapes=cifar_shapes)
        planned += grids
        errors += [error] if error else []
    return planned, errors


def cached_step_cost(grid: PlannedGrid, costs: dict, log=print) -> tuple[StepCost, tuple]:
    """:func:`step_cost` of ``grid``'s model at its batch, once per step shape (``costs`` caches them by (input
    shape, batch, loss, parameter shapes)); returns it with the built (apply_fn, params)."""
    import jax

    model = _build(grid)  # once per grid: its parameters' shapes key the compiled step
    shapes = tuple((tuple(a.shape), str(a.dtype)) for a in jax.tree.leaves(model[1]))
    key = (grid.input_shape, grid.plan.batch, grid.spec.loss, shapes)
    if key not in costs:
        log(f"  compiling one step of {grid.name} (batch {grid.plan.batch}, input {grid.input_shape}) ...")
        costs[key] = step_cost(grid, grid.plan.batch, model)
    return costs[key], model


def rehearse_chapter(chapter: str, *, preset: str, seed: int = 0, devices: int = 8, compile_steps: bool = True,
                     log=print, costs: dict | None = None, planned: set | None = None,
                     program_devices: int = 0, programs: dict | None = None,
                     cifar_shapes: bool = True) -> ChapterRehearsal:  # fmt: skip
    """Rehearse every declared study of ``chapter`` at ``preset`` (see the module's docstring). ``costs`` caches
    :class:`StepCost` by step shape across chapters; ``planned`` holds the grids planned so far (by identity): a
    grid asked for again (by this chapter or an earlier one) is reused from the store in a real run, so it costs
    nothing again and is listed as stored. ``compile_steps=False`` plans without compiling (no FLOPs).
    ``program_devices``: also build and compile each grid's engine programs over that many devices
    (:func:`replication.experiments.program_check.check_programs`; ``programs`` caches them across chapters).
    ``cifar_shapes=False``: plan on the data this machine has (the stand-in where CIFAR-10 is missing), as a run here
    would, instead of CIFAR-10's shapes (:func:`replication.experiments.grid.rehearsing`)."""
    check_positive_int("devices", devices)
    costs = {} if costs is None else costs
    programs = {} if programs is None else programs
    planned_before = set() if planned is None else planned
    start = time.perf_counter()
    grids, errors = plan_studies(chapter, preset=preset, seed=seed, cifar_shapes=cifar_shapes)
    asked = []
    for g in grids:
        if not g.stored and g.identity in planned_before:  # trained once, then reused from the store
            g = dataclasses.replace(g, stored=True, plan=None, steps=(), build=None)
        planned_before.add(g.identity)
        asked.append(g)
    out = []
    for g in asked:
        step, checks = None, ()
        if compile_steps and not g.stored:
            step, model = cached_step_cost(g, costs, log)
            if program_devices:
                log(f"  compiling the programs of {g.name} over {program_devices} devices ...")
                checks = check_programs(g, model, program_devices, step_flops=step.flops, cache=programs)
            del model
        # kept without its builder: that closure holds the grid's data (a chapter's grids would add up to many GB)
        out.append(dataclasses.replace(grid_cost(dataclasses.replace(g, build=None), step, devices), programs=checks))
    return ChapterRehearsal(chapter, preset, tuple(out), tuple(errors), time.perf_counter() - start)


def grid_line(cost: GridCost) -> str:
    """``  name: 66 runs, 66 programs, 7,930,112 run-steps`` (or stored / planned before: reused)."""
    g = cost.grid
    if g.stored:
        return f"  {g.name}: {g.n_runs} runs, stored or planned before: reused"
    line = f"  {g.name}: {g.n_runs} runs, {len(g.plan.programs)} programs, {cost.run_steps:,} run-steps"
    return "\n".join([line] + [f"    {p.line()}" for p in cost.programs])


def listing(chapters: Iterable[str], *, preset: str, seed: int = 0, estimate=None, log=print) -> bool:
    """Print, before anything trains, every grid each chapter's studies will train (plan only, nothing compiled)
    and the chapter's estimate (``estimate(chapter)``: e.g. from ``book/_chapter_times.toml``). Returns whether
    every study could be planned (a study that raises is printed)."""
    ok, planned = True, set()
    for chapter in chapters:
        ch = rehearse_chapter(
            chapter, preset=preset, seed=seed, compile_steps=False, planned=planned, log=log, cifar_shapes=False
        )  # what this run will train, on the data it has
        when = estimate(chapter) if estimate else None
        log(f"{chapter} at {preset}: {len(ch.grids)} grids, {ch.run_steps:,} run-steps"
            + (f"; estimate {when}" if when else ""))  # fmt: skip
        for g in ch.grids:
            log(grid_line(g))
        for e in ch.errors:
            log(f"  study {e}")
        ok = ok and not ch.errors
    return ok


def si_text(value: float, unit: str = "") -> str:
    """``value`` with an SI prefix: ``si_text(2.2e6) == "2.2 M"``, ``si_text(1.1e15, "FLOPs") == "1.1 PFLOPs"``."""
    if not math.isfinite(value):
        return "?"
    for factor, prefix in ((1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}".rstrip()


def _hours(h: float) -> str:
    if not math.isfinite(h):
        return "?"
    return f"{h * 60:.0f} min" if h < 1 else f"{h:.1f} h" if h < 48 else f"{h / 24:.1f} d"


def format_table(chapters: Iterable[ChapterRehearsal], *, fraction: float, devices: int = 8) -> str:
    """The rehearsal's table (Markdown): per chapter its grids, run-steps, FLOPs, memory per device, whether it fits
    each accelerator, and its time on one and on ``devices`` H200s at ``fraction`` of the TF32 peak; then the
    assumptions and every error and memory flag."""
    check_positive("fraction", fraction)
    h200 = ACCELERATORS[-1]
    rate = fraction * h200.tf32_flops
    lines = [
        f"| chapter | grids (stored) | run-steps | FLOPs | memory/device (1; {devices}) | fits 80 GB; 141 GB "
        f"| H200 × 1 | H200 × {devices} |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes, total, total8 = [], 0.0, 0.0
    for ch in chapters:
        stored = sum(g.grid.stored for g in ch.grids)
        fits = "; ".join("?" if not math.isfinite(ch.peak_bytes) else "yes" if ch.peak_bytes <= a.memory_bytes
                         else "NO" for a in ACCELERATORS)  # fmt: skip
        lines.append(
            f"| {ch.chapter} | {len(ch.grids)} ({stored}) | {si_text(ch.run_steps)} | {si_text(ch.flops)} "
            f"| {si_text(ch.peak_bytes, 'B')}; {si_text(ch.peak_bytes_8, 'B')} | {fits} | {_hours(ch.hours(rate))} "
            f"| {_hours(ch.hours(rate, devices))} |"
        )
        total += ch.hours(rate)
        total8 += ch.hours(rate, devices)
        notes += [f"{ch.chapter}: study {e}" for e in ch.errors]
        for g in ch.grids:
            for acc in ACCELERATORS:
                if g.bytes_per_device > acc.memory_bytes:
                    notes.append(f"{ch.chapter}: grid {g.grid.name} needs {si_text(g.bytes_per_device, 'B')} on one "
                                 f"device, more than an {acc.name}")  # fmt: skip
    lines.append(f"| all | | | | | | {_hours(total)} | {_hours(total8)} |")
    lines += [
        "",
        f"Assumptions: time = FLOPs / ({fraction:.2f} × {h200.tf32_flops / 1e12:.0f} TFLOP/s, the H200's and H100's "
        f"dense TF32 peak; measured fraction {MEASURED['fraction']} from {MEASURED['source']}); float32 programs with "
        f"JAX's default precision (TF32 tensor cores); at the bf16 peak ({h200.bf16_flops / 1e12:.0f} TFLOP/s) the "
        "times would halve, but the programs are not bf16. FLOPs: XLA's count of one compiled training step (on "
        "this machine) × run-steps (as the engine computes them: a vmapped program's shorter runs train on until "
        "its longest ends) + evaluations as forward passes (a third of a step per image); no step faster than "
        f"{STEP_FLOOR_S * 1e3:g} ms (the fastest measured on the H200: small models are latency-bound). "
        f"{devices} devices: each grid planned over {devices} (runs split, or the batch split when a "
        "program has fewer runs than devices), the busiest device's share, no communication cost. Memory: one "
        "run's step buffers × the runs a program holds on one device.",
    ]
    checked = [(ch.chapter, g) for ch in chapters for g in ch.grids if g.programs]
    if checked:
        lines += ["", f"Programs as the engine builds them, compiled over {checked[0][1].programs[0].devices} devices "
                      "(each grid's largest of each placement; memory per device from XLA's analysis, the data "
                      "included):", "", "| chapter | grid | placement | runs | memory/device | one step |",
                  "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
        lines += [f"| {c} | {g.grid.name} | {p.mode} | {p.runs} | {si_text(p.bytes_per_device, 'B')} | {p.ran} |"
                  for c, g in checked for p in g.programs]  # fmt: skip
        for c, g in checked:
            for p in g.programs:
                if p.bytes_per_device > ACCELERATORS[0].memory_bytes:
                    notes.append(f"{c}: a program of grid {g.grid.name} needs {si_text(p.bytes_per_device, 'B')} per "
                                 f"device over {p.devices}")  # fmt: skip
    if notes:
        lines += ["", "Found:"] + [f"- {n}" for n in notes]
    return "\n".join(lines)


def force_cpu_devices(n: int) -> None:
    """Make JAX's CPU backend show ``n`` devices: adds ``--xla_force_host_platform_device_count`` to ``XLA_FLAGS``,
    which JAX reads when it starts its backend (importing JAX does not start it; a started one cannot change)."""
    import jax

    check_positive_int("cpu_devices", n)
    flags = [f for f in os.environ.get("XLA_FLAGS", "").split() if "xla_force_host_platform_device_count" not in f]
    os.environ["XLA_FLAGS"] = " ".join(flags + [f"--xla_force_host_platform_device_count={n}"])
    if len(jax.devices("cpu")) != n:
        raise RuntimeError(f"JAX's backend started before --cpu-devices {n} could take effect; set XLA_FLAGS first")


def main(argv=None) -> int:
    """``python -m replication.experiments rehearse <chapter>... [--preset paper]``: print the rehearsal's table."""
    from replication.experiments.headless import chapter_parser, chapters_named

    p = chapter_parser("python -m replication.experiments rehearse", __doc__, preset="paper", raw=True)
    p.add_argument("--devices", type=int, default=8, help="also plan every grid over this many devices (default 8)")
    p.add_argument(
        "--fraction",
        type=float,
        default=MEASURED["fraction"],
        help=f"of the TF32 peak reached (default {MEASURED['fraction']}, measured: {MEASURED['source']})",
    )
    p.add_argument("--no-compile", action="store_true", help="plan only: no FLOPs, memory or times")
    p.add_argument("--programs", type=int, default=0, metavar="N",
                   help="also build and compile every grid's engine programs over N devices (placement, per-device "
                        "batch norm) and run one step where cheap")  # fmt: skip
    p.add_argument("--cpu-devices", type=int, default=0, metavar="N",
                   help="force N CPU devices (XLA_FLAGS, before JAX starts); implies --programs N")  # fmt: skip
    p.add_argument("--out", help="also write the table (Markdown) to this file")
    args = p.parse_args(argv)
    chapters = chapters_named(p, args.chapters)
    if args.devices < 1 or not 0 < args.fraction <= 1:
        p.error(f"--devices must be >= 1 and --fraction in (0, 1]; got {args.devices} and {args.fraction}")
    if args.programs < 0 or args.cpu_devices < 0 or (args.no_compile and (args.programs or args.cpu_devices)):
        p.error("--programs and --cpu-devices take a device count >= 1, and need compiling (not --no-compile)")
    if args.cpu_devices:
        force_cpu_devices(args.cpu_devices)
    program_devices = args.programs or args.cpu_devices
    costs, planned, programs, done = {}, set(), {}, []
    for chapter in chapters:
        print(f"{chapter} at {args.preset}: planning its studies ...", flush=True)
        say = lambda line: print(line, flush=True)  # noqa: E731
        ch = rehearse_chapter(chapter, preset=args.preset, seed=args.seed, devices=args.devices,
                              compile_steps=not args.no_compile, costs=costs, planned=planned, log=say,
                              program_devices=program_devices, programs=programs)  # fmt: skip
        for g in ch.grids:
            print(grid_line(g), flush=True)
        for e in ch.errors:
            print(f"  study {e}", flush=True)
        done.append(ch)
    table = format_table(done, fraction=args.fraction, devices=args.devices)
    print(table)
    if args.out:
        from replication.core.atomic import atomic_write_bytes

        atomic_write_bytes(args.out, (table + "\n").encode())
    return 0
