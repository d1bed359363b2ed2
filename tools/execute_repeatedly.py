"""Execute one chapter many times with papermill, as `make book` does, and count the executions that hang.

    python tools/execute_repeatedly.py data --runs 100 [--preset smoke] [--engine replication|nbclient] [--limit 300]

Each execution gets a per-cell timeout of ``--limit`` seconds, far above the chapter's time, so a hang (nbclient
#312: the kernel finished the cell but the client never saw the reply) ends as a timeout and is counted, not waited
on forever. Prints one line per execution and a summary: ok, hung (timed out), failed otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    import jupytext
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("chapter")
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--preset", default="smoke")
    p.add_argument("--engine", default="replication", help="papermill engine (nbclient: papermill's default)")
    p.add_argument("--limit", type=int, default=300, help="seconds per cell before an execution counts as hung")
    p.add_argument("--kernel", default="replication")
    args = p.parse_args(argv)
    counts = {"ok": 0, "hung": 0, "failed": 0}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.ipynb"
        nbformat.write(jupytext.read(REPO / "book" / f"{args.chapter}.py"), src)
        for i in range(1, args.runs + 1):
            start = time.monotonic()
            try:
                papermill.execute_notebook(
                    str(src),
                    str(Path(tmp) / "out.ipynb"),
                    parameters={"preset": args.preset, "seed": 0},
                    kernel_name=args.kernel,
                    engine_name=args.engine,
                    execution_timeout=args.limit,
                    progress_bar=False,
                    log_output=False,
                    cwd=str(REPO),
                )
                outcome = "ok"
            except CellTimeoutError:
                outcome = "hung"
            except Exception as err:  # noqa: BLE001 - counted and shown, the loop goes on
                outcome = "failed"
                print(f"  {type(err).__name__}: {str(err)[:200]}")
            counts[outcome] += 1
            print(f"execution {i}/{args.runs}: {outcome} in {time.monotonic() - start:.1f} s", flush=True)
    print(
        f"{args.chapter} at {args.preset} with engine {args.engine}: "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    return 0 if counts["ok"] == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
