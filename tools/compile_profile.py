"""Where the test suite's time goes to XLA: per test and per program name, the seconds of backend compilation (cache
reads included), tracing and lowering, with their counts. A pytest plugin and its report (NOTES.md, session 26):

    rm -rf /tmp/cold && JAX_COMPILATION_CACHE_DIR=/tmp/cold PYTHONPATH=tools \\
        .venv/bin/python -m pytest -q -n auto -p compile_profile
    .venv/bin/python tools/compile_profile.py [DIR]

Each worker writes ``$COMPILE_PROFILE_DIR/<worker>.json`` (default /tmp/compile_profile; a run first clears the
folder's earlier files) and the report adds them up; what runs outside any test is summed apart.
Only what runs in the pytest processes is seen: tests that start processes (drivers, kernels) compile there.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

OUT = Path(os.environ.get("COMPILE_PROFILE_DIR", "/tmp/compile_profile"))
BACKEND = "/jax/core/compile/backend_compile_duration"
TRACE = "/jax/core/compile/jaxpr_trace_duration"
LOWER = "/jax/core/compile/jaxpr_to_mlir_module_duration"
BY_PROGRAM = "<by program>"
OUTSIDE = "<outside a test>"  # collection, fixtures' teardown after the last test, the xdist controller

_current = {"test": OUTSIDE}
_seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))


def _listener(event: str, duration: float, **kwargs) -> None:
    row = _seconds[_current["test"]]
    row[event] += duration
    row[event + "#n"] += 1
    if event == BACKEND:
        name = kwargs.get("fun_name", "?")
        _seconds[BY_PROGRAM][name] += duration
        _seconds[BY_PROGRAM][name + "#n"] += 1


def pytest_configure(config) -> None:
    import jax.monitoring

    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist): an earlier run's files go
        for old in OUT.glob("*.json"):
            old.unlink()
    jax.monitoring.register_event_duration_secs_listener(_listener)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _current["test"] = item.nodeid
    start = time.monotonic()
    yield
    _seconds[item.nodeid]["wall"] += time.monotonic() - start
    _current["test"] = OUTSIDE


def pytest_unconfigure(config) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (OUT / f"{worker}.json").write_text(json.dumps({k: dict(v) for k, v in _seconds.items()}))


def report(folder: Path, top: int = 25) -> str:
    tests, programs, outside = {}, defaultdict(float), defaultdict(float)
    for path in sorted(folder.glob("*.json")):
        for key, row in json.loads(path.read_text()).items():
            if key in (BY_PROGRAM, OUTSIDE):  # summed over the workers
                for name, value in row.items():
                    (programs if key == BY_PROGRAM else outside)[name] += value
            else:
                tests[key] = row
    names = sorted((n for n in programs if not n.endswith("#n")), key=lambda n: -programs[n])
    compile_s, wall_s = sum(programs[n] for n in names), sum(r.get("wall", 0.0) for r in tests.values())
    lines = [
        f"{len(tests)} tests, {wall_s:.0f} s of the workers' time; backend compilation {compile_s:.0f} s over "
        f"{sum(int(programs[n + '#n']) for n in names)} programs (cache reads included), of which "
        f"{outside.get(BACKEND, 0.0):.0f} s outside any test",
        "",
        "seconds  count  program",
    ]
    lines += [f"{programs[n]:7.1f}  {int(programs[n + '#n']):5d}  {n}" for n in names[:top]]
    lines += ["", "  wall  compile (count)  trace  lower  test"]
    for name, row in sorted(tests.items(), key=lambda kv: -kv[1].get("wall", 0.0))[:top]:
        lines.append(
            f"{row.get('wall', 0.0):6.1f}  {row.get(BACKEND, 0.0):7.1f} ({int(row.get(BACKEND + '#n', 0)):4d})  "
            f"{row.get(TRACE, 0.0):5.1f}  {row.get(LOWER, 0.0):5.1f}  {name}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
