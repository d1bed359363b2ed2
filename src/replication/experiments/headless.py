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

# How often a headless run prints a grid's progress on the terminal (seconds), besides each grid's last line.
PROGRESS_INTERVAL = 10.0


@dataclasses.dataclass(frozen=True)
class HeadlessRun:
    """One chapter's experiments run headless: each entry point with its wall time, and the result files it wrote
    (none when every stored result was reused)."""

    chapter: str
    preset: str
    seed: int
    timings: tuple[tuple[str, float], ...]
    written: tuple[str, ...]


def _stored(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.json")} if folder.is_dir() else set()


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
    before = _stored(runs)
    timings = []
    for name in ENTRY_POINTS[chapter]:
        start = time.perf_counter()
        log(f"{chapter}.{name} at preset {preset}, seed {seed} ...")
        getattr(module, name)(cfg, seed=seed)
        timings.append((name, time.perf_counter() - start))
        log(f"{chapter}.{name}: {timings[-1][1]:.1f} s")
    written = tuple(sorted(_stored(runs) - before))
    return HeadlessRun(chapter, preset, seed, tuple(timings), written)


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
            total = sum(seconds for _, seconds in run.timings)
            stored = f"{len(run.written)} result file(s) written" if run.written else "every stored result reused"
            print(f"{chapter} at {args.preset}: {stored} in {total:.1f} s", flush=True)
    return 0
