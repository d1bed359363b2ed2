"""`make bench`: speed of the training engine on this machine (not a test; numbers go in the README).

1. One SGD step of the paper's FC model (3 × 2048, batch 512, MNIST-sized input) in achieved FLOP/s, divided by
   the FLOP/s of a dense float32 matmul measured in the same run (the machine's practical peak).
2. A grid of (η, λ) runs trained as one vmapped program, against a Python loop over the same runs.

usage: python benchmarks/bench_engine.py [--out results/bench.json] [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

from replication.core.provenance import device_description, software_versions
from replication.experiments import fc_mnist
from replication.experiments.store import write_json_atomic
from replication.training import Dataset, TrainSpec, l2_term, softmax_xent, train_grid


def best_time(fn, repeats):
    fn()  # compile / warm up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def matmul_flops(n=2048, repeats=5):
    a = jax.random.normal(jax.random.PRNGKey(0), (n, n), jnp.float32)
    b = jax.random.normal(jax.random.PRNGKey(1), (n, n), jnp.float32)
    f = jax.jit(lambda a, b: a @ b)
    t = best_time(lambda: f(a, b).block_until_ready(), repeats)
    return 2 * n**3 / t


def fc_step_flops(width=2048, depth=3, batch=512, repeats=5):
    apply_fn, params = fc_mnist.make_model(width, depth, seed=0)
    x = jax.random.normal(jax.random.PRNGKey(2), (batch, 784), jnp.float32)
    y = jax.nn.one_hot(jnp.arange(batch) % 10, 10)

    @jax.jit
    def step(p):
        g = jax.grad(lambda q: softmax_xent(apply_fn(q, x), y) + 1e-3 * l2_term(q))(p)
        return jax.tree.map(lambda a, b: a - 0.1 * b, p, g)

    t = best_time(lambda: jax.block_until_ready(step(params)), repeats)
    sizes = [784] + [width] * depth + [10]
    macs = batch * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    flops = 6 * macs  # forward 2·MAC, backward 4·MAC (input and weight gradients)
    return flops / t, t


def grid_speedup(width=256, runs=8, steps=256):
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="results/bench.json")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    peak = matmul_flops(repeats=args.repeats)
    achieved, step_time = fc_step_flops(repeats=args.repeats)
    t_vmap, t_loop = grid_speedup()
    report = dict(
        device=device_description(),
        versions=software_versions(),
        matmul_gflops=peak / 1e9,
        fc_step_gflops=achieved / 1e9,
        fc_step_ms=step_time * 1e3,
        fc_step_fraction_of_matmul=achieved / peak,
        grid_vmap_s=t_vmap,
        grid_loop_s=t_loop,
        grid_speedup=t_loop / t_vmap,
    )
    print(f"device: {report['device']}")
    print(f"dense matmul (2048², float32): {report['matmul_gflops']:.1f} GFLOP/s")
    print(
        f"FC 3×2048 SGD step, batch 512: {report['fc_step_ms']:.1f} ms = {report['fc_step_gflops']:.1f} GFLOP/s "
        f"= {report['fc_step_fraction_of_matmul']:.2f} of the matmul rate"
    )
    print(
        f"grid of 8 runs (width 256, 256 steps, compile included): vmapped {t_vmap:.1f} s, Python loop "
        f"{t_loop:.1f} s, speed-up {report['grid_speedup']:.2f}×"
    )
    write_json_atomic(args.out, report)


if __name__ == "__main__":
    main()
