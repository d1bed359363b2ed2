"""Parts of ``tools/gpu_check.sh`` that need Python: the environment line and one WRN-28-10 epoch's time.

    python tools/gpu_check.py env --out env.json
    python tools/gpu_check.py wrn-epoch --out wrn_epoch.json [--depth 28 --widen 10 --batch 1024 --bn-group 128]

``wrn-epoch`` times one SGD + L2 step of the engine as the WRN chapter runs it (the marginal step inside the
scanned chunk, :func:`bench_engine.engine_step_seconds`; batch norm over groups of ``--bn-group`` images, as the
``paper`` preset's ``train.bn_group``), reads XLA's FLOP count and memory of the bare step, and reports an epoch of
``--train-images`` images (the paper's 50000 // 1024 = 48 steps, as google/autol2 counts). On a GPU, XLA's FLOP
count leaves out the convolutions that cuDNN runs (2026-12-04, H200: 8.5e10 against 3.2e13 on the CPU for
WRN-28-10 at batch 1024), so it is recorded as XLA's and not turned into a rate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "benchmarks")]


def _write(path: str, record: dict) -> None:
    from replication.experiments.store import write_json_atomic

    write_json_atomic(path, record)
    print(json.dumps(record, indent=1))


def _nvidia_smi() -> str:
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version,clocks.max.sm", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        return out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.SubprocessError) as err:
        return f"nvidia-smi unavailable ({err.__class__.__name__})"


def environment(args) -> None:
    t0 = time.perf_counter()
    import jax

    from replication.core.provenance import device_description, git_commit, software_versions

    versions = software_versions()
    for name in ("torch", "scipy"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    record = dict(
        device=device_description(),
        devices=[str(d) for d in jax.devices()],
        nvidia_smi=_nvidia_smi(),
        versions=versions,
        python=sys.executable,
        machine=f"{platform.machine()}, {os.cpu_count()} CPU cores",
        matmul_precision=str(jax.config.jax_default_matmul_precision),
        commit=git_commit(),
        startup_s=round(time.perf_counter() - t0, 2),
    )
    _write(args.out, record)


def _memory_stats() -> dict:
    import jax

    stats = jax.devices()[0].memory_stats() or {}
    return {k: stats[k] for k in ("peak_bytes_in_use", "bytes_limit") if k in stats}


def _bare_step_analysis(row) -> dict:
    """XLA's FLOP count and memory of one bare SGD + L2 step (compiled ahead of time, not run): the rehearsal's
    :func:`replication.experiments.rehearsal.analyze_step`."""
    import jax
    from bench_engine import _model

    from replication.experiments.rehearsal import analyze_step

    apply_fn, params = _model(row)
    cost = analyze_step(apply_fn, params, row.input_shape, row.batch)
    return dict(flops=cost.flops, run_bytes=cost.run_bytes, param_bytes=cost.param_bytes,
                params=int(sum(a.size for a in jax.tree.leaves(params))))  # fmt: skip


def wrn_epoch(args) -> None:
    from bench_engine import Row, engine_chunk_seconds

    from replication.core.provenance import device_description

    side, channels = args.image, 3 if args.image == 32 else 1
    row = Row(f"WRN-{args.depth}-{args.widen}, {side}×{side}×{channels}, batch {args.batch}", "wrn",
              (side, side, channels), args.batch, args.steps, dict(depth=args.depth, widen=args.widen))  # fmt: skip
    t0 = time.perf_counter()
    analysis = _bare_step_analysis(row)
    t_analysis = time.perf_counter() - t0
    t0 = time.perf_counter()
    short, long = engine_chunk_seconds(
        row, args.repeats, (args.steps, 2 * args.steps), args.runs, bn_group=args.bn_group
    )
    t_engine = time.perf_counter() - t0
    # the marginal step (a chunk of 2s steps minus one of s: evaluation excluded); if timing noise makes that
    # difference meaningless, the whole long chunk per step (an upper bound: it includes one evaluation)
    marginal = (long - short) / args.steps
    step = marginal if marginal > 0.2 * long / (2 * args.steps) else long / (2 * args.steps)
    steps_per_epoch = args.train_images // args.batch
    record = dict(
        model=row.name,
        device=device_description(),
        runs_vmapped=args.runs,
        bn_group=args.bn_group,
        step_ms=step * 1e3,
        chunk_ms={str(args.steps): short * 1e3, str(2 * args.steps): long * 1e3},
        steps_per_epoch=steps_per_epoch,
        epoch_s=step * steps_per_epoch,
        xla_flops_per_step=analysis["flops"],
        bare_step_memory=analysis,
        memory_after=_memory_stats(),
        analysis_wall_s=round(t_analysis, 1),
        engine_wall_s=round(t_engine, 1),
        note="step_ms: marginal step in the engine's scanned chunk (chunk of 2s steps minus one of s; compilation "
        "and evaluation excluded), or the long chunk per step where the difference is within noise; xla_flops: XLA's "
        "count for one bare step of one run, which on a GPU leaves out the convolutions cuDNN runs (custom calls): "
        "count FLOPs on the CPU (the rehearsal)",
    )
    _write(args.out, record)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("env", help="the environment line")
    e.add_argument("--out", required=True)
    w = sub.add_parser("wrn-epoch", help="one WRN epoch's time at the paper's batch")
    w.add_argument("--out", required=True)
    w.add_argument("--depth", type=int, default=28)
    w.add_argument("--widen", type=int, default=10)
    w.add_argument("--image", type=int, default=32, choices=(14, 28, 32))
    w.add_argument("--batch", type=int, default=1024)
    w.add_argument("--bn-group", type=int, default=128)
    w.add_argument("--steps", type=int, default=4, help="the chunks timed are of s and 2s steps")
    w.add_argument("--runs", type=int, default=1, help="runs vmapped in one program")
    w.add_argument("--repeats", type=int, default=2)
    w.add_argument("--train-images", type=int, default=50000)
    args = p.parse_args(argv)
    {"env": environment, "wrn-epoch": wrn_epoch}[args.command](args)


if __name__ == "__main__":
    main()
