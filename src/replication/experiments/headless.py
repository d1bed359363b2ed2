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
import tempfile
import time
from pathlib import Path

from replication.core import progress
from replication.core.atomic import SET_ASIDE_SUFFIX
from replication.core.presets import PRESETS, check_preset, check_seed
from replication.core.validation import check_choice

__all__ = ["CHAPTERS", "studies", "chapters_named", "HeadlessRun", "run_chapter", "main"]

# The chapters whose experiment module (replication.experiments.<chapter>) stores results; each declares its studies
# once, as ``STUDIES`` (:func:`studies`). Named here too so that arguments are checked before anything heavy is
# imported; tests/test_headless.py holds the two lists to each other. The theory chapter's computations are not
# stored (about 1.5 min at `cpu`); `data` and the landing page train nothing.
CHAPTERS = ("fc_mnist", "cnn_cifar", "wrn_cifar", "failure_case", "optimal_l2", "autol2", "beyond")


def studies(chapter: str) -> tuple[str, ...]:
    """The functions of ``replication.experiments.<chapter>`` that compute and store its results, in the chapter's
    order: its ``STUDIES``, the one list the chapter, this runner and the tests share."""
    check_choice("chapter", chapter, CHAPTERS)
    return importlib.import_module(f"replication.experiments.{chapter}").STUDIES


# How often a headless run prints a grid's progress on the terminal (seconds), besides each grid's last line.
PROGRESS_INTERVAL = 10.0


@dataclasses.dataclass(frozen=True)
class HeadlessRun:
    """One chapter's experiments run headless: each entry point with its wall time, the result files it trained
    (new) and recomputed (a stored file of that name was damaged, set aside or overwritten), and how many of the grids
    its entry points asked for came from the store (``reused``)."""

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
    # the store sets a damaged or foreign file ``X`` aside as ``X.damaged-<UTC time>`` before recomputing it
    set_aside = {n.split(SET_ASIDE_SUFFIX, 1)[0] for n in after.keys() - before.keys() if SET_ASIDE_SUFFIX in n}
    recomputed = {n for n in written if n in before or n in set_aside}
    return tuple(sorted(written - recomputed)), tuple(sorted(recomputed))


def run_chapter(chapter: str, *, preset: str, seed: int = 0, log=print) -> HeadlessRun:
    """Compute (or reuse) every stored result of ``chapter`` at ``preset``, as executing the chapter would."""
    from replication.experiments.configs import get_config
    from replication.experiments.grid import recording
    from replication.experiments.store import results_root

    check_choice("chapter", chapter, CHAPTERS)
    check_preset(preset)
    seed = check_seed(seed)
    cfg = get_config(chapter, preset)
    module = importlib.import_module(f"replication.experiments.{chapter}")
    runs = results_root() / preset / "runs"
    before = _snapshot(runs)
    timings, reused = [], 0
    for name in studies(chapter):
        start = time.perf_counter()
        log(f"{chapter}.{name} at preset {preset}, seed {seed} ...")
        with recording() as used:  # every grid the study asked for, whatever it returns
            getattr(module, name)(cfg, seed=seed)
        reused += sum(g.reused for g in used)
        timings.append((name, time.perf_counter() - start))
        log(f"{chapter}.{name}: {timings[-1][1]:.1f} s")
    trained, recomputed = _changes(before, _snapshot(runs))
    return HeadlessRun(chapter, preset, seed, tuple(timings), trained, recomputed, reused)


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (the message and a pointer to --help, no usage block), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message.rstrip('.')} (see --help)\n")


def _integer(text: str, low: int, high: int | None = None) -> int:
    allowed = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}") from None
    if value < low or (high is not None and value > high):
        raise argparse.ArgumentTypeError(f"{value} is not {allowed}")
    return value


def _seed(text: str) -> int:
    return _integer(text, 0, 2**31 - 1)  # a JAX PRNG seed, as check_seed


def _coordinator(text: str) -> str:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT (process 0's address, a port in [1, 65535])")
    return text


def chapter_parser(prog: str, description: str, *, preset: str = "cpu", raw: bool = False) -> argparse.ArgumentParser:
    """The parser of a command over chapters (``python -m replication.experiments`` and its ``rehearse`` and ``why``):
    errors in one line; the chapters (or all, see :func:`chapters_named`), ``--preset`` and ``--seed``. ``raw``:
    print ``description`` as written (a module docstring)."""
    p = _Parser(prog=prog, description=description,
                formatter_class=argparse.RawDescriptionHelpFormatter if raw else argparse.HelpFormatter)  # fmt: skip
    p.add_argument("chapters", nargs="+", metavar="chapter", help=f"one or more of: {', '.join(CHAPTERS)}, or all")
    p.add_argument("--preset", default=preset, choices=PRESETS)
    p.add_argument("--seed", type=_seed, default=0, help="the data order and initialization seed, in [0, 2**31 - 1]")
    return p


def _parser() -> argparse.ArgumentParser:
    p = chapter_parser(
        "python -m replication.experiments",
        "Run a chapter's experiments without building the book; results go to results/<preset>/runs/ "
        "(or $REPLICATION_RESULTS) and make book reuses them. Progress goes to $REPLICATION_PROGRESS when set, "
        f"else to the terminal (a line every {PROGRESS_INTERVAL:.0f} s per grid, and its last).",
    )
    p.add_argument("--results", help="results folder (default: $REPLICATION_RESULTS, else results/ in the checkout)")
    p.add_argument("--yes", action="store_true", help="start a paper-preset run on a machine without an accelerator")
    p.add_argument("--times", help="the table of estimated times (default: book/_chapter_times.toml)")
    g = p.add_argument_group("several hosts (jax.distributed.initialize, before any JAX computation)")
    g.add_argument("--distributed", action="store_true", help="detect the cluster (Slurm, Open MPI, Cloud TPU)")
    g.add_argument("--coordinator", type=_coordinator, metavar="HOST:PORT", help="process 0's address and a free port")
    g.add_argument("--num-processes", type=lambda t: _integer(t, 1), metavar="N", help="with --coordinator: >= 1")
    g.add_argument("--process-id", type=lambda t: _integer(t, 0), metavar="I", help="with --coordinator: 0 … N-1")
    return p


def chapters_named(parser, names: list[str]) -> list[str]:
    """The chapters named (``all``: every one), in order, each once; an unknown name is a usage error."""
    out = []
    for name in names:
        if name != "all" and name not in CHAPTERS:
            parser.error(f"unknown chapter {name!r}; choose from {', '.join(CHAPTERS)}, or all")
        out += [c for c in (CHAPTERS if name == "all" else [name]) if c not in out]
    return out


def _distributed(parser, args):
    """The multi-host setup from the flags (which win) or ``$REPLICATION_DISTRIBUTED``; None for one process.
    Inconsistent settings are usage errors."""
    from replication.core import distributed

    n, i = args.num_processes, args.process_id
    if not (args.coordinator or args.distributed):
        for flag, value in (("--num-processes", n), ("--process-id", i)):
            if value is not None:
                parser.error(f"argument {flag}: needs --coordinator HOST:PORT (or --distributed); it would be ignored")
        try:
            return distributed.setup_from_env()
        except ValueError as err:
            parser.error(str(err))
    if args.coordinator:
        missing = [flag for flag, value in (("--num-processes", n), ("--process-id", i)) if value is None]
        if missing:
            parser.error(f"argument --coordinator: needs {' and '.join(missing)} too")
    if n is not None and i is not None and i >= n:
        parser.error(f"argument --process-id: {i} is not in [0, {n - 1}] (--num-processes {n})")
    try:
        return distributed.DistributedSetup(args.coordinator, n, i)
    except ValueError as err:  # its own checks, should they grow beyond the ones above
        parser.error(str(err))


def _results_folder(parser, given: str | None) -> Path:
    """The results folder (``--results``, else ``$REPLICATION_RESULTS``, else ``./results``), created and checked
    writable now rather than after hours of training."""
    where = "argument --results" if given else "$REPLICATION_RESULTS" if os.environ.get("REPLICATION_RESULTS") else ""
    path = Path(given or os.environ.get("REPLICATION_RESULTS") or "results").expanduser().resolve()
    where = where or f"the default results folder {path}"
    if path.exists() and not path.is_dir():
        parser.error(f"{where}: {path} exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        parser.error(f"{where}: cannot create or write to {path} ({err.strerror or err})")
    return path


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_intermixed_args(argv)  # chapters may follow options: `fc_mnist --preset smoke autol2`
    # Every argument is checked here, before JAX is imported or anything trains.
    chapters = chapters_named(parser, args.chapters)
    if args.times is not None and not Path(args.times).is_file():
        parser.error(f"argument --times: no file {args.times}")
    setup = _distributed(parser, args)
    results = _results_folder(parser, args.results)
    if args.results:
        os.environ["REPLICATION_RESULTS"] = str(results)
    if setup is not None:
        from replication.core import distributed

        print(distributed.initialize(setup), flush=True)
    from replication.core.accelerator import confirm_paper_run

    if not confirm_paper_run(args.preset, chapters, assume_yes=args.yes, times=args.times):
        return 3
    if args.preset == "paper":  # days of training: say first what will be trained and how long it is expected to take
        from replication.core.accelerator import DEFAULT_TIMES
        from replication.experiments.rehearsal import listing

        table = args.times or DEFAULT_TIMES
        print("What this run will train (planned, nothing compiled; python -m replication.experiments rehearse "
              "gives FLOPs, memory and times):", flush=True)  # fmt: skip
        listing(chapters, preset=args.preset, seed=args.seed, log=lambda line: print(line, flush=True),
                estimate=lambda chapter: progress.expected_time(chapter, "paper", table))  # fmt: skip
    with progress.to_terminal(sys.stdout, interval=PROGRESS_INTERVAL):
        for chapter in chapters:
            run = run_chapter(chapter, preset=args.preset, seed=args.seed, log=lambda line: print(line, flush=True))
            print(run.summary(), flush=True)
    return 0
