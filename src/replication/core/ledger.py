"""Where a process's time goes (#26): compilation, training, evaluation, data loading and figures, with the counts
behind each (programs compiled, cache hits, steps, evaluation passes and images).

The engine, the data loaders and :func:`replication.viz.plotting.show` add to one ledger per process
(:func:`timed`, :func:`count`); JAX's own compile events feed it through :func:`install` (tracing, lowering and
XLA, the persistent cache's hits). A :func:`timed` block records its time *less* the compilation that happened
inside it, so no second is counted twice. With ``$REPLICATION_LEDGER`` set to a file, :func:`install` also appends
the ledger there as one JSON line when the process ends, labelled with ``$REPLICATION_LEDGER_LABEL`` (the chapter);
``python -m replication.core.ledger FILE`` (``make ledger PRESET=...``) prints the table (:func:`table`).
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import functools
import json
import os
import threading
import time
from pathlib import Path

__all__ = ["LEDGER_ENV", "LABEL_ENV", "COMPILE", "timed", "timed_calls", "count", "snapshot", "reset", "install",
           "table"]  # fmt: skip

LEDGER_ENV = "REPLICATION_LEDGER"
LABEL_ENV = "REPLICATION_LEDGER_LABEL"
COMPILE = "compilation"
# JAX's events (jax._src.dispatch, compiler): their durations are compilation; the XLA one includes cache reads
_COMPILE_EVENTS = {
    "/jax/core/compile/jaxpr_trace_duration": "tracing",
    "/jax/core/compile/jaxpr_to_mlir_module_duration": "lowering",
    "/jax/core/compile/backend_compile_duration": "XLA",
}
_lock = threading.Lock()
_seconds: collections.Counter = collections.Counter()
_counts: collections.Counter = collections.Counter()
_started = time.perf_counter()
_installed = False


def count(what: str, n: float = 1) -> None:
    """Add ``n`` to the count ``what`` (e.g. "steps", "evaluation images")."""
    with _lock:
        _counts[what] += n


def _add_seconds(what: str, seconds: float) -> None:
    with _lock:
        _seconds[what] += seconds


@contextlib.contextmanager
def timed(what: str):
    """Add the block's wall time, less the compilation inside it, to ``what``."""
    start, compiled = time.perf_counter(), _seconds[COMPILE]
    try:
        yield
    finally:
        _add_seconds(what, time.perf_counter() - start - (_seconds[COMPILE] - compiled))


def timed_calls(what: str):
    """Decorator: every call of the function is :func:`timed` as ``what``."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            with timed(what):
                return fn(*args, **kwargs)

        return inner

    return wrap


def _on_duration(event: str, seconds: float, **_) -> None:
    part = _COMPILE_EVENTS.get(event)
    if part is not None:
        _add_seconds(COMPILE, seconds)
        _add_seconds(f"{COMPILE}: {part}", seconds)
        if part == "XLA":
            count("programs compiled or read from the cache")


def _on_event(event: str, **_) -> None:
    if event == "/jax/compilation_cache/cache_hits":
        count("programs read from the persistent cache")


def snapshot() -> dict:
    """The ledger so far: wall seconds since the process started (or :func:`reset`), seconds and counts."""
    with _lock:
        return {"wall": time.perf_counter() - _started, "seconds": dict(_seconds), "counts": dict(_counts)}


def reset() -> None:
    """Empty the ledger and restart its clock (tests)."""
    global _started
    with _lock:
        _seconds.clear()
        _counts.clear()
        _started = time.perf_counter()


def _write_at_exit(path: str, label: str) -> None:
    line = json.dumps({"label": label, **snapshot()})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:  # one short line per process: appends do not interleave
        f.write(line + "\n")


def install() -> None:
    """Listen to JAX's compile events (once per process); with ``$REPLICATION_LEDGER`` set, append the ledger to that
    file when the process ends."""
    global _installed
    if _installed:
        return
    import jax.monitoring

    jax.monitoring.register_event_duration_secs_listener(_on_duration)
    jax.monitoring.register_event_listener(_on_event)
    if path := os.environ.get(LEDGER_ENV):
        atexit.register(_write_at_exit, path, os.environ.get(LABEL_ENV, "process"))
    _installed = True


# The table's rows: what a reader compares across chapters. "other" is the wall time none of them account for
# (imports, building figures, analysis, the kernel's own work).
ROWS = ("compilation", "training", "first evaluation", "data loading", "figures")


def table(lines: list[dict]) -> str:
    """One row per label (the last line of each: a re-run replaces a run), one column per part of the time, each
    "seconds (share of wall)", then the counts. "wall" runs from the ledger's first import in the process (a
    chapter's first cell, after JAX is imported) to its end; compilation includes reading programs back from the
    persistent cache and the tracing and lowering that a cache hit still needs."""
    latest = {line["label"]: line for line in lines}
    head = ["chapter", "wall", *ROWS, "other"]
    out = [" | ".join(head), " | ".join("---" for _ in head)]
    for label, line in latest.items():
        wall, secs = line["wall"], line["seconds"]
        parts = [secs.get(k, 0.0) for k in ROWS]
        cells = [f"{s:.1f} s ({s / wall:.0%})" if wall > 0 else f"{s:.1f} s" for s in [*parts, wall - sum(parts)]]
        out.append(" | ".join([label, f"{wall:.1f} s", *cells]))
    out.append("")
    for label, line in latest.items():
        counts = ", ".join(f"{k}: {v:,.0f}" for k, v in sorted(line["counts"].items()))
        compile_parts = ", ".join(
            f"{k.split(': ')[1]} {v:.1f} s" for k, v in sorted(line["seconds"].items()) if k.startswith(f"{COMPILE}: ")
        )
        out.append(f"{label}: {counts or 'no counts'}" + (f"; compilation: {compile_parts}" if compile_parts else ""))
        first, passes = line["counts"].get("evaluation passes (first)", 0), line["counts"].get(
            "evaluation passes (in chunks)", 0)  # fmt: skip
        if first and passes:  # the chunks' evaluations are fused with their steps: estimated from the first ones
            per_pass = line["seconds"].get("first evaluation", 0.0) / first
            train = line["seconds"].get("training", 0.0)
            out.append(
                f"  evaluation inside training ≈ {per_pass * passes:.1f} s of its {train:.1f} s "
                f"({passes:,.0f} passes at the first evaluations' {per_pass * 1e3:.1f} ms a pass)"
            )
    return "\n".join(out)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m replication.core.ledger", description=table.__doc__)
    parser.add_argument("file", type=Path, help=f"the JSON lines written with ${LEDGER_ENV}")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"no ledger at {args.file}: run the chapters with make (make book / make chapter) first")
        return 1
    print(table([json.loads(line) for line in args.file.read_text().splitlines() if line.strip()]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
