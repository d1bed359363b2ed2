"""Where a training step's time goes on CPU (issue #26): the engine's chunk program for one run of a cpu preset's
convnet (``eval_lever.MODELS``), traced with JAX's profiler, and the time of each of XLA's thunks summed per step
by kind (``ynn_fusion``: a dot or an elementwise fusion run by YNNPACK; ``pad_slice_fusion``: one tap of a
convolution's patches or of its gradient; ``concatenate``: the patches; ``sort``: a random permutation), with how
many run a step. Thunks run two at a time on two cores, so their sum exceeds the step's wall time. ``--top`` lists
the costliest thunks with their shape and the JAX operation XLA's metadata names (NOTES.md, session 31).

usage: python benchmarks/step_profile.py [--model wrn|cnn|cnnbn|fc] [--steps 64] [--top 12]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import statistics
import tempfile
from pathlib import Path

from eval_lever import MODELS, engine_chunk  # run from benchmarks/, as bench_engine is

_NOT_THUNKS = ("ThunkExecutor", "$", "Slinky", "Threadpool", "end:")


def thunk_times(trace_dir: str) -> tuple[collections.Counter, collections.Counter]:
    """Total microseconds and calls of each thunk in the perfetto trace JAX's profiler wrote under ``trace_dir``."""
    path = sorted(Path(trace_dir).rglob("*.trace.json.gz"))[-1]
    events = json.loads(gzip.decompress(path.read_bytes()))
    events = events["traceEvents"] if isinstance(events, dict) else events
    total, calls = collections.Counter(), collections.Counter()
    for e in events:
        name = e.get("name", "")
        if e.get("ph") == "X" and not name.startswith(_NOT_THUNKS):
            total[name] += e.get("dur", 0)
            calls[name] += 1
    return total, calls


def op_names(hlo: str) -> dict[str, str]:
    """Each instruction of the compiled HLO text: its shape and the JAX operation its metadata names (for a fusion
    XLA wrote without metadata, that of the root of the computation it calls, or the root's opcode)."""
    roots, current = {}, None
    for line in hlo.splitlines():
        if header := re.match(r"^%?([\w.\-]+) \(.*\{$", line):
            current = header.group(1)
        elif current and line.lstrip().startswith("ROOT"):
            op = re.search(r'op_name="([^"]+)"', line) or re.search(r"= \S+ ([\w\-]+)\(", line)  # or its opcode
            roots[current] = op.group(1).split("/")[-1] if op else "?"
    names = {}
    for m in re.finditer(r"^\s*(?:ROOT\s+)?%?([\w.\-]+) = (\S+) (.*)$", hlo, flags=re.MULTILINE):
        op, called = re.search(r'op_name="([^"]+)"', m.group(3)), re.search(r"calls=%([\w.\-]+)", m.group(3))
        name = op.group(1).split("/")[-1] if op else roots.get(called.group(1), "?") if called else "?"
        names[m.group(1)] = f"{m.group(2)} {name}"
    return names


def main() -> None:
    import jax

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="wrn", choices=sorted(MODELS))
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    chunk, hlo = engine_chunk(args.model)
    chunk(0), chunk(args.steps)  # compiles
    step_ms = [1e3 * (chunk(args.steps)[0] - chunk(0)[0]) / args.steps for _ in range(5)]
    print(f"{args.model}: step {statistics.median(step_ms):.2f} ms (median of 5 chunks of {args.steps} minus 0)")
    with tempfile.TemporaryDirectory() as trace_dir:
        jax.profiler.start_trace(trace_dir, create_perfetto_trace=True)
        chunk(args.steps)
        jax.profiler.stop_trace()
        total, calls = thunk_times(trace_dir)
    kinds, kind_calls = collections.Counter(), collections.Counter()
    for name, us in total.items():
        kind = re.sub(r"\.\d+$", "", name)
        kinds[kind] += us
        kind_calls[kind] += calls[name]
    per_step = 1e3 * args.steps
    print(f"thunk time {sum(kinds.values()) / per_step:.2f} ms a step, by kind (ms a step, thunks a step):")
    for kind, us in kinds.most_common():
        if us / per_step >= 0.05:
            print(f"  {us / per_step:6.2f}  {kind_calls[kind] / args.steps:5.1f}  {kind}")
    names = op_names(hlo())
    print(f"the {args.top} costliest thunks (ms a step, the JAX operation):")
    for name, us in total.most_common(args.top):
        print(f"  {us / per_step:6.2f}  {name}  {names.get(name, '?')}")


if __name__ == "__main__":
    main()
