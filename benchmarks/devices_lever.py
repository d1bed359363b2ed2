"""Two CPU devices as a lever on a grid's throughput (issue #26): the same grid of ``--runs`` vmapped runs trained
by :func:`~replication.training.engine.train_grid` on one CPU device (JAX's default: one device, Eigen's thread pool
over every core) against two forced CPU devices (``train_grid``'s ``--shard``, "auto" by default: the engine's own
choice), each variant in its own process (XLA reads ``XLA_FLAGS`` and PJRT its thread count once, at start-up), in
alternating rounds.

Small convnets on a 2-core machine are bound by per-operation overhead, not by the matmul rate: one thread of
the pool is idle while the other runs a small operation. Two devices run two halves of the grid side by side, so
the overhead of one overlaps the other's work. Per variant: the wall time of the whole grid (compilation excluded:
a first call compiles, the second is timed), run-steps per second, and the largest difference in any run's final
test loss from the first variant's (the placement must not change the numbers beyond float rounding). Rows: those
of ``bench_engine.py`` and ``fc512`` (the FC chapter's cpu network on its full batch).

usage: python benchmarks/devices_lever.py [--row wrn10] [--runs 6] [--steps 256] [--rounds 2] [--variants ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from xla_levers import alternating_rounds, in_own_process  # run from benchmarks/, as bench_engine is

VARIANTS = {
    "one_device": {},
    "two_devices": {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"},
    "two_devices_one_thread": {"XLA_FLAGS": "--xla_force_host_platform_device_count=2", "PJRT_NPROC": "1"},
}


def _rows_here():
    from bench_engine import Row

    # the FC chapter's cpu network (width 512) on its full batch of 512 images
    return {
        "fc512": Row("FC 784-512×3-10, batch 512", "fc", (784,), 512, 4, dict(width=512, depth=3)),
        "wrn10cpu": Row("WRN-10-1, 16×16×3, batch 32", "wrn", (16, 16, 3), 32, 8, dict(depth=10, widen=1)),
    }


def child(row_name: str, runs: int, steps: int, evals: int, shard: str, images: int, test_images: int,
          train_eval: int | None) -> dict:  # fmt: skip
    import dataclasses

    import jax
    import numpy as np
    from bench_engine import SHORT_NAMES, _data, _model

    from replication.training import TrainSpec
    from replication.training.engine import train_grid

    row = _rows_here().get(row_name) or SHORT_NAMES[row_name]
    apply_fn, params = _model(row)
    full_batch = row.kind == "fc"  # as the FC chapter trains
    data = _data(row, row.batch if full_batch else images)
    if test_images:  # the test split: the first test_images training images (bench_engine's holds one batch)
        data = dataclasses.replace(data, x_test=data.x_train[:test_images], y_test=data.y_train[:test_images],
                                   labels_test=data.labels_train[:test_images])  # fmt: skip
    spec = TrainSpec(batch_size=None if full_batch else row.batch, evals=evals, train_eval_samples=train_eval,
                     eval_batch_size=min(256, len(data.x_test)))  # fmt: skip
    lrs = [0.05 * (1 + i % 3) for i in range(runs)]
    lams = [1e-3 * (1 + i) for i in range(runs)]

    def grid():
        return train_grid(apply_fn, params, data, lrs, lams, [steps] * runs, spec, devices=jax.devices(),
                          shard=shard, progress=lambda *a: None, log=lambda *a: None)  # fmt: skip

    grid()  # compiles (the in-process program cache keeps them for the timed call)
    start = time.perf_counter()
    histories = grid()
    seconds = time.perf_counter() - start
    final = [float(np.asarray(h.metrics["test_loss"])[-1]) for h in histories]
    return dict(devices=len(jax.devices()), seconds=seconds, run_steps_per_s=runs * steps / seconds, final=final)


def run_variant(name: str, args) -> dict:
    return in_own_process(__file__, VARIANTS[name], [
        "--row", args.row, "--runs", str(args.runs), "--steps", str(args.steps), "--evals", str(args.evals),
        "--shard", args.shard, "--images", str(args.images), "--test-images", str(args.test_images),
        "--train-eval", str(args.train_eval)], cache=args.cache)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--row", default="wrn10")
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--evals", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shard", default="auto", help="train_grid's shard: auto, runs or batch")
    parser.add_argument("--images", type=int, default=512, help="training images (convnets)")
    parser.add_argument("--cache", default="", help="JAX's persistent compilation cache for the variants (none)")
    parser.add_argument("--test-images", type=int, default=0, help="test images (0: one batch, as bench_engine)")
    parser.add_argument("--train-eval", type=int, default=0, help="training images evaluated (0: all)")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.row, args.runs, args.steps, args.evals, args.shard, args.images, args.test_images,
                               args.train_eval or None)))  # fmt: skip
        return
    names = args.variants.split(",")
    if unknown := [n for n in names if n not in VARIANTS]:
        raise SystemExit(f"--variants: unknown {unknown}; choose from {list(VARIANTS)}")
    samples = alternating_rounds(names, args.rounds, lambda name: run_variant(name, args))
    base = statistics.median(s["seconds"] for s in samples[names[0]] if "error" not in s)
    ref = next(s["final"] for s in samples[names[0]] if "error" not in s)
    print(f"\n{args.row}: {args.runs} runs × {args.steps} steps, {args.evals} evaluations; median of {args.rounds}")
    for name in names:
        ok = [s for s in samples[name] if "error" not in s]
        if not ok:
            print(f"{name:24s} failed: {samples[name][0]['error']}")
            continue
        sec = statistics.median(s["seconds"] for s in ok)
        drift = max(abs(a - b) for a, b in zip(ok[0]["final"], ref))
        print(f"{name:24s} {sec:7.2f} s  {args.runs * args.steps / sec:7.1f} run-steps/s  speed {base / sec:4.2f}×  "
              f"max |Δ final test loss| {drift:.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
