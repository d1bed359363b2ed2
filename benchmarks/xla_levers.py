"""XLA's CPU settings as levers on the engine's step (issue #26): each variant against the default, in alternating
rounds, each variant in its own process (XLA reads ``XLA_FLAGS`` and PJRT its thread count once, at start-up).

Per variant and row: the engine's time per step in a chunk of ``CHUNK_STEPS`` × the row's steps (with its one
evaluation; the marginal step of `make bench`, a difference of two chunks, came out at 0.0–38 ms for a 12 ms step in
separate processes, too noisy for an A/B), the bare step's, the median of each over rounds and its speed against the
default's median in the same run (> 1: faster), and the loss after a few bare SGD steps at a small η against the
default's (a fusion that miscompiles shows there: summation order alone moved it by up to 6e-5 here). With
``--dump`` each variant also compiles the first row once with ``--xla_dump_to`` and counts the markers of the
libraries the flags route work to (``__ynn_fusion``, ``onednn``, ``xnn``), so a flag that changed nothing shows.

Machine noise on a small 2-core machine moves one process's step times by ±20–50%: read ratios of medians over
several rounds, and re-run a variant that looks like a win before keeping it.

usage: python benchmarks/xla_levers.py [--rows cnn8,cnn64,wrn10] [--rounds 3] [--variants default,no_ynn_fusion,...]
       [--dump] [--out results/xla_levers.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# The variants: extra XLA flags and environment. The default is jaxlib's own configuration (XNNPACK on; its YNN
# fusions of dots, convolutions and reductions on; Eigen's thread pool sized by PJRT to the cores).
VARIANTS = {
    "default": {},
    # E1: no YNN fusions; then no XNNPACK at all (Eigen's kernels only)
    "no_ynn_fusion": {"XLA_FLAGS": "--xla_cpu_experimental_ynn_fusion_type="},
    "no_xnnpack": {"XLA_FLAGS": "--xla_cpu_use_xnnpack=false"},
    # E2: oneDNN with its fusions, and as custom calls
    "onednn_fusion": {"XLA_FLAGS": "--xla_cpu_use_onednn=true --xla_cpu_experimental_onednn_fusion_type=dot,eltwise"},
    "onednn_custom_call": {"XLA_FLAGS": "--xla_cpu_experimental_onednn_custom_call=true"},
    # E3: the thread pool
    "threads_1": {"PJRT_NPROC": "1"},
    "threads_3": {"PJRT_NPROC": "3"},
    "eigen_single_thread": {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"},
    # E4: XNNPACK's graph fusion
    "xnn_graph_greedy": {
        "XLA_FLAGS": "--xla_cpu_experimental_xnn_graph_fusion_mode=XNN_GRAPH_FUSION_MODE_GREEDY "
        "--xla_cpu_experimental_xnn_fusion_type=dot,eltwise"
    },
}
MARKERS = ("__ynn_fusion", "onednn", "xnn")
LOSS_STEPS, LOSS_LR = 3, 0.01
CHUNK_STEPS = 4


def child(rows: list[str], repeats: int) -> dict:
    """In the variant's process: per row, the engine's and the bare step (ms) and the loss after :data:`LOSS_STEPS`
    bare steps."""
    import jax
    import jax.numpy as jnp
    from bench_engine import SHORT_NAMES, _data, _model, bare_step_seconds, engine_chunk_seconds

    from replication.training import l2_term, softmax_xent

    out = {}
    for name in rows:
        row = SHORT_NAMES[name]
        apply_fn, params = _model(row)
        data = _data(row, row.batch)
        x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)

        def loss(p, apply_fn=apply_fn, x=x, y=y):
            return softmax_xent(apply_fn(p, x), y) + 1e-4 * l2_term(p)

        step = jax.jit(lambda p, loss=loss: jax.tree.map(lambda a, g: a - LOSS_LR * g, p, jax.grad(loss)(p)))
        for _ in range(LOSS_STEPS):
            params = step(params)
        steps = CHUNK_STEPS * row.steps
        (chunk,) = engine_chunk_seconds(row, repeats, (steps,))
        out[name] = dict(engine_ms=chunk / steps * 1e3, bare_ms=bare_step_seconds(row, repeats) * 1e3,
                         loss=float(jax.jit(loss)(params)))  # fmt: skip
    return out


def in_own_process(script: str, extra_env: dict, child_args: list[str], cache: str = "") -> dict:
    """``script --child child_args`` in a process of its own, with ``extra_env`` (its ``XLA_FLAGS`` appended to the
    environment's) and JAX's compilation cache at ``cache`` ("": none, so that no variant reads programs compiled
    under another's flags): the JSON of its last line of output, or {"error": its last line of errors}."""
    env = dict(os.environ)
    extra = dict(extra_env)
    env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + extra.pop("XLA_FLAGS", "")).strip()
    env.update(extra)
    env["JAX_COMPILATION_CACHE_DIR"] = cache
    cmd = [sys.executable, script, "--child", *child_args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=Path(script).parent)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def alternating_rounds(names: list[str], rounds: int, run) -> dict[str, list[dict]]:
    """``run(name)`` for every variant in each of ``rounds`` rounds, the order rotated each round (so no variant
    always runs first), each result printed as it comes; the results by variant."""
    samples: dict[str, list[dict]] = {n: [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            samples[name].append(result := run(name))
            print(f"round {r + 1}/{rounds} {name}: {result}", flush=True)
    return samples


def run_variant(name: str, rows: list[str], repeats: int, dump: Path | None = None) -> dict:
    extra = dict(VARIANTS[name])
    if dump is not None:
        extra["XLA_FLAGS"] = f"{extra.get('XLA_FLAGS', '')} --xla_dump_to={dump} --xla_dump_hlo_as_text".strip()
    return in_own_process(__file__, extra, ["--rows", ",".join(rows), "--repeats", str(repeats)])


def marker_counts(name: str, row: str) -> dict[str, int]:
    """How often each of :data:`MARKERS` appears in the optimized HLO of ``row``'s programs under ``name``."""
    with tempfile.TemporaryDirectory() as tmp:
        result = run_variant(name, [row], 1, dump=Path(tmp))
        if "error" in result:
            return {"error": result["error"]}
        texts = [p.read_text(errors="replace") for p in Path(tmp).glob("*after_optimizations*.txt")]
    return {m: sum(t.count(m) for t in texts) for m in MARKERS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="cnn8,cnn64,wrn10")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated subset of {list(VARIANTS)}")
    parser.add_argument("--dump", action="store_true", help="count library markers in each variant's optimized HLO")
    parser.add_argument("--out", default="results/xla_levers.json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    rows = args.rows.split(",")
    if args.child:
        print(json.dumps(child(rows, args.repeats)))
        return
    names = args.variants.split(",")
    if unknown := [n for n in names if n not in VARIANTS]:
        raise SystemExit(f"--variants: unknown {unknown}; choose from {list(VARIANTS)}")
    if "default" not in names:
        names.insert(0, "default")
    samples = alternating_rounds(names, args.rounds, lambda name: run_variant(name, rows, args.repeats))
    report = {}
    base = {row: statistics.median(s[row]["engine_ms"] for s in samples["default"] if row in s) for row in rows}
    base_bare = {row: statistics.median(s[row]["bare_ms"] for s in samples["default"] if row in s) for row in rows}
    base_loss = next(s for s in samples["default"] if "error" not in s)
    print(f"\n{'variant':22s}" + "".join(f"{row:>44s}" for row in rows))
    for name in names:
        ok = [s for s in samples[name] if "error" not in s]
        entry = {"errors": [s["error"] for s in samples[name] if "error" in s]}
        cells = []
        for row in rows:
            if not ok:
                cells.append("error")
                continue
            ms = statistics.median(s[row]["engine_ms"] for s in ok)
            bare = statistics.median(s[row]["bare_ms"] for s in ok)
            drift = abs(ok[0][row]["loss"] - base_loss[row]["loss"]) / abs(base_loss[row]["loss"])
            entry[row] = dict(engine_ms=ms, speed_vs_default=base[row] / ms, bare_ms=bare,
                              bare_speed_vs_default=base_bare[row] / bare, loss_rel_diff=drift)  # fmt: skip
            cells.append(f"{ms:7.2f} ms {base[row] / ms:4.2f}× (bare {base_bare[row] / bare:4.2f}×) Δloss {drift:.0e}")
        if args.dump:
            entry["markers"] = marker_counts(name, rows[0])
        report[name] = entry
        print(
            f"{name:22s}" + "".join(f"{c:>44s}" for c in cells) + (f"  {entry['errors'][0]}" if entry["errors"] else "")
        )
        if args.dump:
            print(f"{'':22s}markers in {rows[0]}'s optimized HLO: {entry['markers']}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(dict(rows=rows, rounds=args.rounds, variants=VARIANTS, report=report), indent=1)
    )


if __name__ == "__main__":
    main()
