"""`make bench`: the training engine's speed on this machine, against PyTorch (not a test; targets are printed).

Per model row (the speed issue's table): one SGD + L2 step
* of our engine as the chapters run it: the marginal cost of a step inside the jitted, vmapped chunk
  that ``train_grid`` calls (a chunk of 2s steps minus one of s steps, both with one evaluation: compilation and
  evaluation excluded);
* of the same step jitted alone ("bare"), so the engine's overhead shows;
* of a PyTorch eager step of the same model, loss and update, NCHW and channels_last (if PyTorch is installed).
Speed ratios are ours ÷ theirs in speed (> 1: we are faster). Also: the FC step's FLOP/s against a dense matmul
measured in the same run, and a vmapped grid against a Python loop over the same runs.

usage: python benchmarks/bench_engine.py [--out results/bench.json] [--repeats 3] [--paper-models] [--rows fc,cnn8]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from replication.core.provenance import device_description, software_versions
from replication.experiments import cifar, fc_mnist
from replication.experiments.deciders import matmul_rate
from replication.experiments.store import write_json_atomic
from replication.training import Dataset, TrainSpec, l2_term, softmax_xent, train_grid
from replication.training.step import make_grid_programs, schedule_horizon

# Targets of the speed issue (#14): ours ÷ PyTorch eager in speed, engine overhead, FC against the matmul rate.
TARGET_FC_VS_TORCH = 1.2
TARGET_CONV_VS_TORCH = 1.0
TARGET_ENGINE_OVERHEAD = 0.05
TARGET_FC_MATMUL_FRACTION = 0.9


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    kind: str  # "fc", "cnn" or "wrn"
    input_shape: tuple[int, ...]
    batch: int
    steps: int  # s: the engine is timed on chunks of s and 2s steps
    model: dict


ROWS = (
    Row("FC 784-2048×3-10, batch 512", "fc", (784,), 512, 4, dict(width=2048, depth=3)),
    Row("CNN 8 ch, 28×28×1, batch 64", "cnn", (28, 28, 1), 64, 8, dict(channels=8, hidden=64)),
    Row("CNN 64 ch, 32×32×3, batch 128", "cnn", (32, 32, 3), 128, 1, dict(channels=64, hidden=500)),
    Row("WRN-10-1, 14×14×1, batch 32", "wrn", (14, 14, 1), 32, 8, dict(depth=10, widen=1)),
    Row("WRN-16-4, 32×32×3, batch 128", "wrn", (32, 32, 3), 128, 1, dict(depth=16, widen=4)),
)
PAPER_ROWS = (
    Row("CNN 300 ch (paper), 32×32×3, batch 128", "cnn", (32, 32, 3), 128, 1, dict(channels=300, hidden=500)),
    Row("WRN-28-10 (paper), 32×32×3, batch 128", "wrn", (32, 32, 3), 128, 1, dict(depth=28, widen=10)),
)
SHORT_NAMES = dict(zip(("fc", "cnn8", "cnn64", "wrn10", "wrn16", "cnn300", "wrn28"), ROWS + PAPER_ROWS))


def best_time(fn, repeats):
    fn()  # compile / warm up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def fc_flops_per_step(width, depth, batch):
    sizes = [784] + [width] * depth + [10]
    return 6 * batch * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))  # forward 2·MAC, backward 4·MAC


def _model(row: Row):
    if row.kind == "fc":
        return fc_mnist.make_model(row.model["width"], row.model["depth"], seed=0)
    return cifar.make_model(row.kind, image_shape=row.input_shape, seed=0, **row.model)


def _data(row: Row, images: int) -> Dataset:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(images,) + row.input_shape).astype(np.float32)
    labels = np.arange(images) % 10
    onehot = np.eye(10, dtype=np.float32)[labels]
    return Dataset(x, onehot, labels, x[: row.batch], onehot[: row.batch], labels[: row.batch])


def bare_step_seconds(row: Row, repeats: int) -> float:
    """One SGD + L2 step of the model jitted alone, on a fixed batch."""
    apply_fn, params = _model(row)
    data = _data(row, row.batch)
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)

    @jax.jit
    def step(p):
        g = jax.grad(lambda q: softmax_xent(apply_fn(q, x), y) + 1e-4 * l2_term(q))(p)
        return jax.tree.map(lambda a, b: a - 0.01 * b, p, g)

    return best_time(lambda: jax.block_until_ready(step(params)), repeats)


def engine_chunk_seconds(row: Row, repeats: int, lengths, runs: int = 1, **spec_options) -> list[float]:
    """The time of one chunk of each of ``lengths`` steps (of ``runs`` vmapped runs) with one evaluation, as
    train_grid runs it: minibatches drawn from 4 batches' worth of images (full batch for FC), compilation excluded.
    ``spec_options`` go to :class:`TrainSpec` (e.g. ``bn_group``)."""
    apply_fn, params = _model(row)
    full_batch = row.kind == "fc"
    data = _data(row, row.batch if full_batch else 4 * row.batch)
    spec = TrainSpec(batch_size=None if full_batch else row.batch, evals=1, eval_batch_size=row.batch, **spec_options)
    lr, lam = jnp.full((runs,), 0.01), jnp.full((runs,), 1e-4)
    jitted = make_grid_programs(apply_fn, spec, data, seed=0)  # one program: the step count is an argument
    opt_state, ctrl = jitted.init(params, lr, lam)
    p = jax.tree.map(lambda a: jnp.broadcast_to(a, (runs,) + a.shape), params)
    times = []
    for length in lengths:
        count, total = jnp.int32(length), jnp.full((runs,), schedule_horizon(spec.schedule, length))

        def chunk(count=count, total=total):
            return jax.block_until_ready(jitted.run_chunk(p, opt_state, ctrl, jnp.int32(0), count, lr, total))

        times.append(best_time(chunk, repeats))
    return times


def engine_step_seconds(row: Row, repeats: int, runs: int = 1, **spec_options) -> float:
    """The marginal time of one step in the engine's chunk: a chunk of 2s steps minus one of s steps."""
    short, long = engine_chunk_seconds(row, repeats, (row.steps, 2 * row.steps), runs, **spec_options)
    return max(long - short, 1e-9) / row.steps


def torch_row(row: Row) -> dict:
    """The row as :func:`torch_reference.time_row` takes it (without ``repeats``)."""
    kw = dict(row.model)
    if row.kind == "cnn":
        kw.update(image_size=row.input_shape[0], in_channels=row.input_shape[-1])
    if row.kind == "wrn":
        kw.update(in_channels=row.input_shape[-1])
    layouts = ("eager",) if row.kind == "fc" else ("NCHW", "channels_last")
    return dict(kind=row.kind, input_shape=list(row.input_shape), batch=row.batch, layouts=layouts, model=kw)


def _imports_torch(python: str) -> bool:
    if python == sys.executable:
        return importlib.util.find_spec("torch") is not None
    return Path(python).exists() and subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0


def find_torch_python(choice: str) -> str | None:
    """The interpreter that times PyTorch: "here" (this one), a path, "none" (no PyTorch columns), or "auto": this
    one if it imports torch, else the system's ``/usr/bin/python3`` if that does (Debian's ``python3-torch``), else
    None. "here" or a path that cannot import torch is an error."""
    if choice == "none":
        return None
    if choice == "auto":
        return next((python for python in (sys.executable, "/usr/bin/python3") if _imports_torch(python)), None)
    python = sys.executable if choice == "here" else choice
    if not _imports_torch(python):
        raise SystemExit(f"--torch-python {choice}: that interpreter cannot import torch")
    return python


def torch_step_seconds(row: Row, repeats: int, python: str | None) -> tuple[dict[str, float], str] | None:
    """Seconds of one PyTorch eager step per layout, and PyTorch's version: in this process when ``python`` is this
    interpreter, else in a subprocess of ``python`` (nothing of ours runs meanwhile); None without PyTorch."""
    if python is None:
        return None
    job = dict(torch_row(row), repeats=repeats)
    if python == sys.executable:
        import torch
        import torch_reference  # beside this file, so already on sys.path wherever this module was imported from

        return torch_reference.time_row(**job), torch.__version__
    script = str(Path(__file__).with_name("torch_reference.py"))
    out = subprocess.run([python, script, json.dumps(job)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"PyTorch under {python} failed on {row.name!r}:\n{out.stderr[-2000:]}")
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    return answer["seconds"], answer["version"]


def grid_speedup(width=256, runs=8, steps=256):
    """A vmapped grid of FC runs against a Python loop over the same runs (compilation included)."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, (2, 512))
    x = rng.normal(size=(2, 512, 784)).astype(np.float32)
    onehot = np.eye(10, dtype=np.float32)[labels]
    ds = Dataset(x[0], onehot[0], labels[0], x[1], onehot[1], labels[1])
    apply_fn, params = fc_mnist.make_model(width, 3, seed=0)
    lrs = list(np.geomspace(0.05, 0.8, runs))
    lams = list(np.geomspace(1e-3, 1e-1, runs))
    spec = TrainSpec(evals=8)
    out = {}
    for vmap in (True, False):
        t = time.perf_counter()
        train_grid(apply_fn, params, ds, lrs, lams, [steps] * runs, spec, vmap=vmap)
        out[vmap] = time.perf_counter() - t
    return out[True], out[False]


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="results/bench.json")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--paper-models", action="store_true", help="add the paper's CNN-300 and WRN-28-10 rows")
    parser.add_argument("--rows", default="", help=f"comma-separated subset of {','.join(SHORT_NAMES)}")
    parser.add_argument(
        "--torch-python", default="auto", help="the interpreter that times PyTorch: auto, here, none, or a path"
    )
    args = parser.parse_args()
    torch_python = find_torch_python(args.torch_python)
    rows = [SHORT_NAMES[r] for r in args.rows.split(",")] if args.rows else list(ROWS)
    if args.paper_models and not args.rows:
        rows += PAPER_ROWS
    print(f"device: {device_description()}; REPLICATION_CONV={os.environ.get('REPLICATION_CONV', 'auto')}")
    peak = matmul_rate(n=2048, repeats=args.repeats)
    print(f"dense matmul (2048², float32): {peak / 1e9:.1f} GFLOP/s")
    results, missed = [], []
    has_torch, torch_version = torch_python is not None, None
    for row in rows:
        bare = bare_step_seconds(row, args.repeats)
        engine = engine_step_seconds(row, args.repeats)
        torch_times = None
        if (timed := torch_step_seconds(row, args.repeats, torch_python)) is not None:
            torch_times, torch_version = timed
        entry = dict(name=row.name, bare_ms=bare * 1e3, engine_ms=engine * 1e3, overhead=engine / bare - 1)
        line = f"{row.name:42s} engine {engine * 1e3:8.1f} ms  bare {bare * 1e3:8.1f} ms"
        line += f"  overhead {entry['overhead']:+5.0%}"
        if torch_times:
            entry["torch_ms"] = {k: v * 1e3 for k, v in torch_times.items()}
            entry["speed_vs_torch"] = {k: v / engine for k, v in torch_times.items()}
            line += "  PyTorch " + ", ".join(
                f"{k} {v * 1e3:.1f} ms (ours {v / engine:.2f}×)" for k, v in torch_times.items()
            )
            target = TARGET_FC_VS_TORCH if row.kind == "fc" else TARGET_CONV_VS_TORCH
            if min(entry["speed_vs_torch"].values()) < target:
                missed.append(f"{row.name}: {min(entry['speed_vs_torch'].values()):.2f}× the faster PyTorch layout "
                              f"(target {target}×)")  # fmt: skip
        if entry["overhead"] > TARGET_ENGINE_OVERHEAD:
            missed.append(
                f"{row.name}: engine overhead {entry['overhead']:+.0%} (target ≤ {TARGET_ENGINE_OVERHEAD:.0%})"
            )
        if row.kind == "fc":
            entry["fc_fraction_of_matmul"] = fc_flops_per_step(**row.model, batch=row.batch) / engine / peak
            line += f"  = {entry['fc_fraction_of_matmul']:.2f} of the matmul rate"
            if entry["fc_fraction_of_matmul"] < TARGET_FC_MATMUL_FRACTION:
                missed.append(f"{row.name}: {entry['fc_fraction_of_matmul']:.2f} of the matmul rate "
                              f"(target {TARGET_FC_MATMUL_FRACTION})")  # fmt: skip
        print(line, flush=True)
        results.append(entry)
    if not has_torch and args.torch_python == "none":
        print("No PyTorch columns (--torch-python none).")
    elif not has_torch:
        print('PyTorch is not installed, so there are no PyTorch columns: pip install -e ".[bench]" adds it (or, on '
              "Debian, apt-get install python3-torch libopenblas0-pthread: the bench then times PyTorch under "
              "/usr/bin/python3; without OpenBLAS, Debian's PyTorch multiplies with the reference BLAS).")  # fmt: skip
    else:
        print(f"PyTorch {torch_version} under {torch_python}")
    t_vmap, t_loop = grid_speedup()
    print(f"grid of 8 FC runs (width 256, 256 steps, compilation included): vmapped {t_vmap:.1f} s, "
          f"Python loop {t_loop:.1f} s, speed-up {t_loop / t_vmap:.2f}×")  # fmt: skip
    print("targets: " + ("all met" if not missed else "; ".join(missed)))
    report = dict(
        device=device_description(),
        versions=software_versions(),
        conv=os.environ.get("REPLICATION_CONV", "auto"),
        matmul_gflops=peak / 1e9,
        rows=results,
        grid_vmap_s=t_vmap,
        grid_loop_s=t_loop,
        grid_speedup=t_loop / t_vmap,
        targets_missed=missed,
        torch=has_torch,
        torch_version=torch_version,
        torch_python=torch_python,
    )
    write_json_atomic(args.out, report)


if __name__ == "__main__":
    main()
