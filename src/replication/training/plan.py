"""How a grid is cut into compiled programs, decided before anything is traced: :func:`plan_grid` returns a
:class:`GridPlan` (plain numbers, no JAX), which the engine's loop then follows.

* Runs are grouped into buckets of equal length, their step budget rounded up to a power of two
  (:func:`bucket_steps`), so that a run of 20 steps does not wait for one of 20000.
* ``TrainSpec.runs_per_program`` splits a bucket into programs of at most that many runs (``vmap=False``: one run
  each, the reference the vectorized grid is tested against).
* Each program runs its length in ``n_chunks`` chunks of ``every`` steps, one evaluation after each
  (:func:`chunking`; ``TrainSpec.evals`` evaluations per bucket), and stops after the chunk that reaches its
  longest run's steps: the bucket's length sets the evaluation spacing, not the steps computed. A program on one
  device retires its runs as they end, once that saves at least ``RETIRE_MIN_WORK`` run-steps: from then on its
  runs axis holds only the runs still training (:func:`retirements`; each narrower width is one more compile). With
  ``TrainSpec.evals_per_octave`` only some chunks end in an evaluation, spaced in log time
  (:func:`evaluated_chunks`). The chunk programs take their step count as an argument
  (:class:`replication.training.step.GridPrograms`), so every chunk length of a grid runs one compiled program.
* With several devices each program is placed: its runs split over the devices (``"runs"``, padded with copies of
  its last run to a multiple of the device count), or each step's batch split (``"batch"``, data parallel).
  ``shard="auto"`` picks ``"batch"`` for a program with fewer runs than devices whose batch splits evenly. On CPU
  devices (``data_parallel=False``: several CPU devices share one machine's cores, so a step split over them only
  adds communication) it never splits a batch and never pads: a bucket's largest multiple of the device count is
  split over them, and the runs left over train on the first device alone (``"single"``;
  :func:`cpu_parts`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from replication.core.validation import check_choice, check_nonnegative, check_positive, check_positive_int
from replication.training.records import TrainSpec
from replication.training.sharding import SHARD_MODES

__all__ = ["Program", "GridPlan", "GridProgress", "plan_grid", "bucket_steps", "chunking", "evaluated_chunks",
           "cpu_parts", "retirements", "RETIRE_MIN_WORK"]  # fmt: skip

# A program retires its finished runs (narrows its runs axis) only where that saves at least this many run-steps:
# each new width is one more compile (fc_mnist's cpu chapter compiled or read 165 programs in 10 s in all, against
# 134,252 run-steps of 15-20 ms), so a narrowing is kept for where the steps it saves are far more than that
RETIRE_MIN_WORK = 2048


def cpu_parts(runs: Sequence[int], n_devices: int) -> list[tuple[list[int], str]]:
    """How ``runs`` (one program's share of a bucket) train on ``n_devices`` CPU devices: (runs, mode) parts.

    Several CPU devices on one machine (``CPU_SPLIT``) split its cores between parts of a grid, so that one part's
    per-operation overhead may overlap another's work. Padding to a multiple of the device count is paid in full,
    so nothing is padded: the largest multiple of the device count is split over the devices (``"runs"``), and the
    rest train on one device (``"single"``), as does a share smaller than the device count (the chapters' one-run
    convnet programs, ``ModelRequest.runs_per_program``). Off by default: what was measured, and why it did not
    speed up a chapter, is in NOTES.md (sessions 29 and 30)."""
    split = len(runs) - len(runs) % n_devices if n_devices > 1 else 0
    parts = [(list(runs[:split]), "runs"), (list(runs[split:]), "single")]
    return [(part, mode) for part, mode in parts if part]


def bucket_steps(steps: int) -> int:
    """The bucket length of a run of ``steps`` steps: the next power of two (so runs differ by at most 2×)."""
    return 1 << max(0, math.ceil(math.log2(max(1, steps))))


def chunking(length: int, evals: int) -> tuple[int, int]:
    """A bucket of ``length`` steps runs in chunks of ``every`` steps, each followed by one evaluation.

    Returns (every, number of chunks)."""
    every = max(1, length // evals)
    return every, length // every


def evaluated_chunks(n_chunks: int, per_octave: int | None, ends: Sequence[int] = ()) -> tuple[bool, ...]:
    """Which of ``n_chunks`` chunks end in an evaluation (ours, for speed: NOTES.md, session 15).

    ``per_octave`` None: every chunk. Otherwise evaluations spaced in log time: each of the first 2·per_octave
    chunks, then ``per_octave`` per doubling of the chunk count (chunk c, counted from 1, when c is a multiple of
    2^k, k = ⌈log2(c / (2·per_octave))⌉), so that consecutive evaluations lie between 1/(2·per_octave) and
    1/per_octave of the step apart; every power of two of chunks from 2·per_octave on is among them (a budget of
    2^j chunks is evaluated at its end). The last chunk and the chunks in which a run ends (``ends``: chunk counts,
    from 1) are always evaluated."""
    if per_octave is None:
        return (True,) * n_chunks
    dense = 2 * per_octave
    keep = [c <= dense or c % (1 << math.ceil(math.log2(c / dense))) == 0 for c in range(1, n_chunks + 1)]
    for c in (*ends, n_chunks):
        if 1 <= c <= n_chunks:
            keep[c - 1] = True
    return tuple(keep)


@dataclasses.dataclass(frozen=True)
class Program:
    """One compiled program's share of the grid."""

    length: int  # steps it is built for (the bucket length)
    runs: tuple[int, ...]  # indices of its runs in the grid, padded with copies of the last one
    n_real: int  # runs[:n_real] are real; the copies after them only fill the devices (their histories are dropped)
    mode: str  # placement over several devices: "runs", "batch" (sharding.Placement.mode) or "single" (one device)
    every: int  # steps per chunk (one evaluation after each, unless ``evaluate`` says otherwise)
    n_chunks: int
    evaluate: tuple[bool, ...] | None = None  # evaluate[c]: chunk c ends in an evaluation (None: every chunk)
    ends: tuple[int, ...] = ()  # ends[j]: the chunks runs[j] needs (its steps, rounded up to whole chunks)
    retire: tuple[int, ...] = ()  # chunks before which the runs that have ended leave the runs axis

    def evaluates(self, chunk: int) -> bool:
        """Whether chunk ``chunk`` (counted from 0) ends in an evaluation."""
        return self.evaluate is None or self.evaluate[chunk]

    def active(self, chunk: int) -> tuple[int, ...]:
        """Positions in ``runs`` of the runs that train in chunk ``chunk`` (all of them before the first
        retirement; -1: before the first chunk)."""
        last = max((s for s in self.retire if s <= chunk), default=None)
        if last is None:
            return tuple(range(len(self.runs)))
        return tuple(j for j, end in enumerate(self.ends) if end > last)

    def work_of(self, chunk: int) -> int:
        """Run-steps of chunk ``chunk`` (padding included): the unit of progress."""
        return self.every * len(self.active(chunk))

    @property
    def n_evals(self) -> int:
        """Evaluations after chunks (the one at step 0 not counted)."""
        return self.n_chunks if self.evaluate is None else sum(self.evaluate)

    def work_between(self, first: int, stop: int) -> int:
        """Run-steps of chunks ``first`` … ``stop - 1``."""
        return sum(self.work_of(c) for c in range(first, stop))

    @property
    def work(self) -> int:
        return self.work_between(0, self.n_chunks)

    @property
    def run_evaluations(self) -> int:
        """Evaluations of single runs: the one at step 0 of every run, then each evaluated chunk's active runs."""
        return len(self.runs) + sum(len(self.active(c)) for c in range(self.n_chunks) if self.evaluates(c))


@dataclasses.dataclass(frozen=True)
class GridPlan:
    """The programs of a grid in the order they run, and the training batch they share."""

    programs: tuple[Program, ...]
    batch: int  # images per training step (TrainSpec.batch_for)

    @property
    def total_chunks(self) -> int:
        return sum(p.n_chunks for p in self.programs)

    @property
    def total_work(self) -> int:
        return sum(p.work for p in self.programs)

    def done_before(self, index: int) -> tuple[int, int]:
        """(chunks, run-steps) of the programs before ``programs[index]``."""
        return sum(p.n_chunks for p in self.programs[:index]), sum(p.work for p in self.programs[:index])


def plan_grid(
    lrs: Sequence[float],
    lams: Sequence[float],
    steps: Sequence[int],
    spec: TrainSpec,
    *,
    n_train: int,
    n_devices: int = 1,
    shard: str = "auto",
    vmap: bool = True,
    data_parallel: bool = True,
) -> GridPlan:
    """The :class:`GridPlan` of ``train_grid``'s runs (lrs[i], lams[i], steps[i]) on ``n_train`` training examples
    over ``n_devices`` devices. Checks the runs, ``shard`` and the batch (its batch-norm groups, and with
    ``shard="batch"`` its split over the devices) and raises ValueError naming what is wrong. ``data_parallel``
    False (CPU devices): ``shard="auto"`` never splits a step's batch nor pads, and cuts each program's runs as
    :func:`cpu_parts` does (split over the devices, the rest on one device: mode ``"single"``)."""
    lrs, lams, steps = list(lrs), list(lams), list(steps)
    if not (len(lrs) == len(lams) == len(steps)) or not lrs:
        raise ValueError(
            f"lrs, lams and steps must be non-empty and of equal length; got {len(lrs)}, {len(lams)}, {len(steps)}."
        )
    for lr in lrs:
        check_positive("lr", lr)
    for lam in lams:
        check_nonnegative("lam", lam)
    for s in steps:
        check_positive_int("steps", s)
    check_choice("shard", shard, SHARD_MODES + ("auto",))
    check_positive_int("n_devices", n_devices)
    batch = spec.batch_for(n_train)
    units = batch // (spec.bn_group or 1)  # what a data-parallel step splits: the batch-norm groups, or the images
    if shard == "batch" and n_devices > 1 and units % n_devices:
        what = f"batch of {units} groups of {spec.bn_group}" if spec.bn_group else f"batch of {batch} images"
        raise ValueError(f'shard="batch" over {n_devices} devices needs a multiple of {n_devices}; got a {what}.')

    def mode(n_runs: int) -> str:  # "auto": data parallel for a program too small to fill the devices
        if shard == "auto":
            return "batch" if 1 < n_devices and n_runs < n_devices and units % n_devices == 0 else "runs"
        return shard

    def padded(n_runs: int, mode: str) -> int:  # runs split over devices: a multiple of the device count
        return math.ceil(n_runs / n_devices) * n_devices if n_devices > 1 and mode == "runs" else n_runs

    buckets: dict[int, list[int]] = {}
    for i, s in enumerate(steps):
        buckets.setdefault(bucket_steps(s), []).append(i)
    per_program = 1 if not vmap else spec.runs_per_program or len(lrs)
    on_cpu = shard == "auto" and not data_parallel and n_devices > 1
    one_device = n_devices == 1

    def parts(runs: list[int]) -> list[tuple[list[int], str]]:  # a program's share of a bucket, placed
        return cpu_parts(runs, n_devices) if on_cpu else [(runs, mode(len(runs)))]

    programs = []
    for length, members in sorted(buckets.items()):
        for j in range(0, len(members), per_program):
            for runs, m in parts(members[j : j + per_program]):
                retiring = one_device or m == "single"  # a runs axis split over devices keeps its width
                programs.append(_program(length, runs, m, padded(len(runs), m), steps, spec, retiring))
    return GridPlan(tuple(programs), batch)


def retirements(ends: Sequence[int], every: int, min_work: int | None = None) -> tuple[int, ...]:
    """The chunks before which a program of runs needing ``ends[j]`` chunks of ``every`` steps narrows its runs
    axis to the runs still training: at each run's end (in order), where the runs ended since the last narrowing
    would otherwise train on for at least ``min_work`` run-steps (default ``RETIRE_MIN_WORK``). Their evaluations
    after their own steps are not kept (:func:`replication.training.engine.train_grid`), so nothing is lost."""
    min_work = RETIRE_MIN_WORK if min_work is None else min_work
    n_chunks, points, gone = max(ends), [], 0
    for s in sorted(set(ends)):
        ended = sum(1 for e in ends if e <= s)
        if s < n_chunks and (ended - gone) * every * (n_chunks - s) >= min_work:
            points.append(s)
            gone = ended
    return tuple(points)


def _program(
    length: int, runs: list[int], mode: str, padded: int, steps: Sequence[int], spec: TrainSpec, retiring: bool
) -> Program:
    """The :class:`Program` of ``runs`` in a bucket of ``length`` steps, padded to ``padded`` runs; ``retiring``:
    its runs axis may narrow as runs end (:func:`retirements`)."""
    real = len(runs)
    runs = runs + [runs[-1]] * (padded - real)
    every, n_chunks = chunking(length, spec.evals)
    # evaluations after the one that reaches the program's longest run would only be trained and thrown away (a
    # history keeps evaluations up to its run's steps + every - 1): the program ends there
    n_chunks = min(n_chunks, math.ceil(max(steps[i] for i in runs) / every))
    ends = tuple(min(n_chunks, math.ceil(steps[i] / every)) for i in runs)
    evaluate = None
    if spec.evals_per_octave is not None:
        evaluate = evaluated_chunks(n_chunks, spec.evals_per_octave, ends)
    retire = retirements(ends, every) if retiring else ()
    return Program(length, tuple(runs), real, mode, every, n_chunks, evaluate, ends, retire)


class GridProgress:
    """Counts a plan's chunks and run-steps done and reports them through ``report(chunks done, chunks in all,
    share of the run-steps done)``: as each program starts, after each of its chunks but the last, and as it ends."""

    def __init__(self, plan: GridPlan, report, first_program: int = 0):
        self.report = report
        self.total_chunks, self.total_work = plan.total_chunks, plan.total_work
        self.chunks, self.work = plan.done_before(first_program)  # programs finished before a resumed call

    def _add(self, program: Program, first: int, stop: int) -> None:
        self.chunks += stop - first
        self.work += program.work_between(first, stop)

    def _send(self) -> None:
        self.report(self.chunks, self.total_chunks, self.work / self.total_work)

    def start(self, program: Program, first_chunk: int = 0) -> None:
        """A program starts at ``first_chunk`` (> 0 when resumed from a checkpoint)."""
        self._add(program, 0, first_chunk)
        self._send()

    def chunk_done(self, program: Program, chunk: int) -> None:
        self._add(program, chunk, chunk + 1)
        if chunk + 1 < program.n_chunks:  # the last chunk is reported by end()
            self._send()

    def skip(self, program: Program, first: int) -> None:
        """Chunks ``first`` … left out because every run of the program diverged: counted as done."""
        self._add(program, first, program.n_chunks)

    def end(self) -> None:
        self._send()
