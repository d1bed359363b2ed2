"""Run a chapter's experiments without the book: ``python -m replication.experiments <chapter> --preset paper``.

It calls the same entry points as the chapter, so the runs land in the same store (``results/<preset>/runs/``, or
``$REPLICATION_RESULTS``) and a later ``make book PRESET=<preset>`` reuses them instead of training. This is how
to run the ``paper`` sweeps on a cluster (several hosts: ``--distributed``, see :mod:`replication.core.distributed`)
and build the book afterwards on any machine. A stored result is reused here too, so a second call trains nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys
import time
from pathlib import Path

from replication.core import progress
from replication.core.presets import PRESETS, check_preset, check_seed
from replication.core.validation import check_choice

__all__ = ["ENTRY_POINTS", "HeadlessRun", "run_chapter", "main"]

# chapter -> the functions of replication.experiments.<chapter> that compute (and store) its results, in the order
# the chapter calls them. The theory chapter's computations are not stored (about 1.5 min at `cpu`); `data` trains
# nothing.
ENTRY_POINTS = {
    "fc_mnist": ("tstar_sweep", "mse_sweep"),
    "cnn_cifar": ("sweeps",),
    "wrn_cifar": ("sgd_sweep", "schedule_comparison", "momentum_constant", "sigma_runs"),
    "failure_case": ("sweep",),
    "optimal_l2": ("prediction_study",),
    "autol2": ("constant_lr_race", "schedule_race"),
}

# Where the store sets a damaged or foreign stored file ``X`` aside before recomputing it: ``X.damaged-<UTC time>``.
DAMAGED = ".damaged-"
# How often a headless run prints a grid's progress on the terminal (seconds), besides each grid's last line.
PROGRESS_INTERVAL = 10.0


@dataclasses.dataclass(frozen=True)
class HeadlessRun:
    """One chapter's experiments run headless: each entry point with its wall time, the result files it trained
    (new) and recomputed (a stored file of that name was damaged, set aside or overwritten), and how many stored
    results its entry points returned from the store (``reused``)."""

    chapter: str
    preset: str
    seed: int
    timings: tuple[tuple[str, float], ...]
    trained: tuple[str, ...]
    recomputed: tuple[str, ...]
    reused: int

    @property
    def written(self) -> tuple[str, ...]:
        return tuple(sorted(self.trained + self.recomputed))

    def summary(self) -> str:
        """One line: what was trained, recomputed and reused, and how long it took."""
        total = sum(seconds for _, seconds in self.timings)
        if self.written:
            what = f"{len(self.trained)} trained, {len(self.recomputed)} recomputed, {self.reused} reused"
        else:
            what = f"nothing trained or recomputed: {self.reused} stored result{'s' * (self.reused != 1)} reused"
        return f"{self.chapter} at {self.preset}: {what} in {total:.1f} s"


def _snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """name -> (inode, mtime in ns, size) of each file in ``folder``: a file written anew (atomically: a new inode)
    or in place (a new mtime or size) differs from its entry."""
    if not folder.is_dir():
        return {}
    out = {}
    for p in folder.iterdir():
        try:
            st = p.stat()
        except FileNotFoundError:  # removed while listing
            continue
        out[p.name] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


def _changes(before: dict, after: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(trained, recomputed) result files between two snapshots: a ``*.json`` file is written if it is new or
    changed; recomputed if its name was there before or its ``X.damaged-*`` twin appeared, else trained."""
    written = {n for n, st in after.items() if n.endswith(".json") and before.get(n) != st}
    set_aside = {n.split(DAMAGED, 1)[0] for n in after.keys() - before.keys() if DAMAGED in n}
    recomputed = {n for n in written if n in before or n in set_aside}
    return tuple(sorted(written - recomputed)), tuple(sorted(recomputed))


def _reused(result) -> int:
    """How many grids in an entry point's return value (through dataclasses, dicts, lists and tuples) came from the
    store; each object counted once."""
    from replication.experiments.grid import GridResult

    seen, count, todo = set(), 0, [result]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, GridResult):
            count += bool(obj.reused)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            todo.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))
        elif isinstance(obj, dict):
            todo.extend(obj.values())
        elif isinstance(obj, (list, tuple)):
            todo.extend(obj)
    return count


def run_chapter(chapter: str, *, preset: str, seed: int = 0, log=print) -> HeadlessRun:
    """Compute (or reuse) every stored result of ``chapter`` at ``preset``, as executing the chapter would."""
    from replication.experiments.configs import get_config
    from replication.experiments.store import results_root

    check_choice("chapter", chapter, tuple(ENTRY_POINTS))
    check_preset(preset)
    seed = check_seed(seed)
    cfg = get_config(chapter, preset)
    module = importlib.import_module(f"replication.experiments.{chapter}")
    runs = results_root() / preset / "runs"
    before = _snapshot(runs)
    timings, reused = [], 0
    for name in ENTRY_POINTS[chapter]:
        start = time.perf_counter()
        log(f"{chapter}.{name} at preset {preset}, seed {seed} ...")
        reused += _reused(getattr(module, name)(cfg, seed=seed))
        timings.append((name, time.perf_counter() - start))
        log(f"{chapter}.{name}: {timings[-1][1]:.1f} s")
    trained, recomputed = _changes(before, _snapshot(runs))
    return HeadlessRun(chapter, preset, seed, tuple(timings), trained, recomputed, reused)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m replication.experiments",
        description="Run a chapter's experiments without building the book; results go to results/<preset>/runs/ "
        "(or $REPLICATION_RESULTS) and make book reuses them. Progress goes to $REPLICATION_PROGRESS when set, "
        f"else to the terminal (a line every {PROGRESS_INTERVAL:.0f} s per grid, and its last).",
    )
    p.add_argument("chapters", nargs="+", metavar="chapter", help=f"one or more of: {', '.join(ENTRY_POINTS)}, or all")
    p.add_argument("--preset", default="cpu", choices=PRESETS)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--results", help="results folder (default: $REPLICATION_RESULTS, else ./results)")
    p.add_argument("--yes", action="store_true", help="start a paper-preset run on a machine without an accelerator")
    p.add_argument("--times", help="the table of estimated times (default: book/_chapter_times.toml)")
    g = p.add_argument_group("several hosts (jax.distributed.initialize, before any JAX computation)")
    g.add_argument("--distributed", action="store_true", help="detect the cluster (Slurm, Open MPI, Cloud TPU)")
    g.add_argument("--coordinator", metavar="HOST:PORT", help="process 0's address and a free port")
    g.add_argument("--num-processes", type=int)
    g.add_argument("--process-id", type=int)
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    chapters = list(ENTRY_POINTS) if args.chapters == ["all"] else args.chapters
    for chapter in chapters:
        if chapter not in ENTRY_POINTS:
            print(f"unknown chapter {chapter!r}; choose from {', '.join(ENTRY_POINTS)} or all", file=sys.stderr)
            return 2
    if args.results:
        os.environ["REPLICATION_RESULTS"] = str(Path(args.results).resolve())
    from replication.core import distributed

    setup = distributed.setup_from_env()
    if args.distributed or args.coordinator:
        setup = distributed.DistributedSetup(args.coordinator, args.num_processes, args.process_id)
    if setup is not None:
        print(distributed.initialize(setup), flush=True)
    from replication.core.accelerator import confirm_paper_run

    if not confirm_paper_run(args.preset, chapters, assume_yes=args.yes, times=args.times):
        return 3
    with progress.to_terminal(sys.stdout, interval=PROGRESS_INTERVAL):
        for chapter in chapters:
            run = run_chapter(chapter, preset=args.preset, seed=args.seed, log=lambda line: print(line, flush=True))
            print(run.summary(), flush=True)
    return 0
