"""Evaluations with XLA's own convolutions (``conv_ops.forward_only``) against the matmul forward (issue #26,
NOTES.md session 30): one evaluation pass of the engine's chunk program (a chunk of 0 steps) for the cpu presets'
convnets, and with ``--steps`` the training step too (a chunk of that many steps minus one of 0), each variant in
its own process (``--child``), in alternating rounds. The metrics printed must agree to float rounding.

usage: python benchmarks/eval_lever.py [--model wrn|cnn|cnnbn|fc] [--rounds 2] [--steps 0]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from xla_levers import alternating_rounds, in_own_process  # run from benchmarks/, as bench_engine is

# the cpu presets' shapes: WRN-10-1 (wrn_cifar), the CNN without and with batch norm (cnn_cifar)
MODELS = {
    "wrn": ((16, 16, 3), dict(depth=10, widen=1), dict(batch_size=32, eval_batch_size=256), 4096, 512),
    "cnn": ((32, 32, 3), dict(channels=16, hidden=64, batch_norm=False), dict(batch_size=64, eval_batch_size=32),
            1024, 500),
    "cnnbn": ((32, 32, 3), dict(channels=16, hidden=64, batch_norm=True), dict(batch_size=64, eval_batch_size=512),
              1024, 500),
    "fc": ((784,), dict(width=512, depth=3), dict(batch_size=None), 512, 2000),  # fc_mnist's cpu run: full batch
}  # fmt: skip


def engine_chunk(model: str):
    """The engine's chunk program for one run of ``model`` (a key of MODELS) on synthetic data of the preset's
    sizes: ``chunk(count)`` trains ``count`` steps then evaluates, returning (seconds, the metrics), and the compiled
    program's HLO text (for naming what a profile shows)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from replication.experiments import cifar
    from replication.training import step as step_module
    from replication.training.records import Dataset, TrainSpec

    shape, options, train, n_train, n_test = MODELS[model]
    apply_fn, params = cifar.make_model(model[:3], image_shape=shape, seed=0, **options)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n_train,) + shape).astype(np.float32)
    labels = np.arange(n_train) % 10
    onehot = np.eye(10, dtype=np.float32)[labels]
    data = Dataset(x, onehot, labels, x[:n_test], onehot[:n_test], labels[:n_test])
    spec = TrainSpec(evals=1, train_eval_samples=512, **train)
    programs = step_module.make_grid_programs(apply_fn, spec, data, seed=0)
    lr, lam = jnp.full((1,), 0.01), jnp.full((1,), 1e-4)
    opt_state, ctrl = programs.init(params, lr, lam)
    stacked = jax.tree.map(lambda a: a[None], params)
    args = (stacked, opt_state, ctrl, jnp.int32(0), jnp.int32(0), lr, jnp.full((1,), jnp.inf))

    def chunk(count: int):
        start = time.perf_counter()
        out = jax.block_until_ready(programs.run_chunk(*args[:4], jnp.int32(count), *args[5:]))
        return time.perf_counter() - start, out[3]

    return chunk, lambda: programs.run_chunk.lower(*args).compile().as_text()


def child(variant: str, model: str, steps: int) -> dict:
    import contextlib

    from replication.training import step as step_module

    if variant == "matmul":
        step_module.forward_only = contextlib.nullcontext  # the evaluation traced as the training step is
    chunk, _ = engine_chunk(model)
    _, metrics = chunk(0)  # compiles
    passes = sorted(chunk(0)[0] for _ in range(7))
    result = dict(eval_ms=1e3 * statistics.median(passes), test_accuracy=float(metrics["test_accuracy"][0]),
                  test_loss=float(metrics["test_loss"][0]))  # fmt: skip
    if steps:
        chunk(steps)
        result["step_ms"] = 1e3 * statistics.median((chunk(steps)[0] - chunk(0)[0]) / steps for _ in range(5))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="wrn", choices=sorted(MODELS))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=0, help="also time the training step over this many steps")
    parser.add_argument("--variant", default="forward_only", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.variant, args.model, args.steps)))
        return
    child_args = ["--model", args.model, "--steps", str(args.steps)]
    samples = alternating_rounds(
        ["matmul", "forward_only"], args.rounds, lambda v: in_own_process(__file__, {}, [*child_args, "--variant", v])
    )
    for name, runs in samples.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            print(f"{args.model} {name}: every run failed ({runs[0]})")
            continue
        line = f"{args.model} {name}: evaluation pass {statistics.median(r['eval_ms'] for r in ok):.1f} ms"
        if args.steps:
            line += f", training step {statistics.median(r['step_ms'] for r in ok):.2f} ms"
        print(line, "(medians over rounds)")


if __name__ == "__main__":
    main()
