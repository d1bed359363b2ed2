"""Progress lines for a person watching a long build, kept out of the book.

papermill and ipykernel capture a chapter's stdout and stderr (even at the file-descriptor level) into the executed
notebook, so progress cannot be printed. Instead :class:`Reporter` appends lines to the file named by the environment
variable ``REPLICATION_PROGRESS`` (``make execute`` sets it) and does nothing when the variable is unset; ``make``
streams that file to the terminal with ``python -m replication.core.progress follow``, which also prints each
chapter's expected time at the preset (from ``book/_chapter_times.toml``) and a line whenever a minute passes
without one. A headless run (``python -m replication.experiments``) has no notebook capturing its output, so there
:func:`to_terminal` sends the same lines to the terminal when the variable is unset.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
import tomllib
from pathlib import Path

__all__ = ["ENV", "Reporter", "reporter", "to_terminal", "grid_label", "format_duration", "expected_time", "follow"]

ENV = "REPLICATION_PROGRESS"


def format_duration(seconds: float) -> str:
    """``42 s``, ``3.5 min`` or ``1.2 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class Reporter:
    """A ``progress(done, total, fraction)`` hook that appends a line to ``path`` at most every ``interval`` seconds
    (and once at the end): chunks done / total, elapsed time and the estimated time left. ``fraction`` is the share
    of the work done (chunks can differ in cost). The estimate extrapolates from the work done since the first chunk
    of this process ended: that chunk carries the program's compilation (seconds to minutes, once), the rest run at
    the speed to come; a grid resumed from a checkpoint is likewise estimated from what this process did. Without a
    ``path`` the lines go to ``stream`` (flushed at once); without either, does nothing."""

    def __init__(
        self,
        label: str,
        path: str | os.PathLike | None,
        *,
        interval: float = 30.0,
        clock=time.monotonic,
        stream=None,
    ):
        self.label, self.path, self.interval, self.clock, self.stream = label, path, interval, clock, stream
        self.start = self.last = clock()
        self.baseline: float | None = None  # the fraction done when this process started on the grid
        self.origin: tuple[float, float] | None = None  # (time, fraction) when its first chunk ended

    def __call__(self, done: int, total: int, fraction: float | None = None) -> None:
        if not self.path and self.stream is None:
            return
        fraction = done / max(total, 1) if fraction is None else fraction
        if self.baseline is None:
            self.baseline = fraction
            if done < total:
                return
        now = self.clock()
        if self.origin is None and fraction > self.baseline:
            self.origin = (now, fraction)
        if done < total and now - self.last < self.interval:
            return
        self.last = now
        elapsed = now - self.start
        line = f"  {self.label}: chunk {done}/{total} ({100 * fraction:.0f}%), {format_duration(elapsed)} elapsed"
        if done >= total:
            line += ", done"
        elif self.origin is not None and fraction > self.origin[1]:
            left = (now - self.origin[0]) * (1 - fraction) / (fraction - self.origin[1])
            line += f", about {format_duration(left)} left"
        self.write(line)

    def write(self, line: str) -> None:
        if self.path:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        elif self.stream is not None:
            print(line, file=self.stream, flush=True)


_terminal: tuple | None = None  # (stream or None for sys.stdout, interval) while inside to_terminal()


@contextlib.contextmanager
def to_terminal(stream=None, *, interval: float = 10.0):
    """Inside the block, the default :func:`reporter` writes to ``stream`` (default: ``sys.stdout`` when the reporter
    is made) at most every ``interval`` seconds, plus each grid's last line, when ``$REPLICATION_PROGRESS`` is unset.
    For headless runs; a chapter executed by papermill must not print progress (it would land in the notebook)."""
    global _terminal
    previous, _terminal = _terminal, (stream, interval)
    try:
        yield
    finally:
        _terminal = previous


def reporter(label: str, **kwargs) -> Reporter:
    """The default progress hook: writes to ``$REPLICATION_PROGRESS`` when it is set, else to the terminal inside
    :func:`to_terminal`, else does nothing."""
    path = os.environ.get(ENV) or None
    if path is None and _terminal is not None:
        stream, interval = _terminal
        kwargs = {"interval": interval, **kwargs}
        return Reporter(label, None, stream=sys.stdout if stream is None else stream, **kwargs)
    return Reporter(label, path, **kwargs)


def grid_label(checkpoint: str | os.PathLike | None, n_runs: int) -> str:
    """A grid's name in progress lines: its checkpoint's name without the key
    (``results/cpu/checkpoints/fc_sweep-1a2b3c4d.ckpt`` → ``fc_sweep``), and its number of runs."""
    name = "grid" if checkpoint is None else re.sub(r"-[0-9a-f]{6,}$", "", Path(checkpoint).stem)
    return f"{name} ({n_runs} run{'s' if n_runs != 1 else ''})"


def expected_time(chapter: str, preset: str, table: str | os.PathLike) -> str | None:
    """The chapter's expected wall time at ``preset`` from the TOML ``table`` (``[preset] chapter = "10 min"``)."""
    try:
        data = tomllib.loads(Path(table).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return data.get(preset, {}).get(chapter)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_GRID_DONE = re.compile(r"\((\d+) runs?\): chunk \d+/\d+ \(100%\).*, done$")


def follow(
    path: str | os.PathLike,
    *,
    chapter: str,
    preset: str,
    pid: int | None = None,
    stop_file: str | os.PathLike | None = None,
    table: str | os.PathLike | None = None,
    heartbeat: float = 60.0,
    poll: float = 1.0,
    out=None,
    live: bool | None = None,
) -> None:
    """Print ``chapter``'s header with its expected time, its progress, and at the end the time it took with what it
    trained, until ``stop_file`` exists or process ``pid`` is gone.

    Progress is every line appended to ``path``, and a line saying the chapter is still running whenever
    ``heartbeat`` seconds pass without one. On a terminal (``live``, default: ``out`` is a TTY) it is one line
    rewritten in place; otherwise (a log, CI) the lines of grids under way are printed and each grid's last line
    is only counted in the end line, so a chapter whose grids are quick prints two lines."""
    out = sys.stdout if out is None else out
    live = out.isatty() if live is None else live
    expected = expected_time(chapter, preset, table) if table else None
    print(f"== {chapter} ({preset}): expected {expected or 'time not measured at this preset'}", file=out, flush=True)
    start = last = time.monotonic()
    path = Path(path)
    pos, grids, runs = 0, 0, 0

    def show(line: str) -> None:
        out.write(f"\r\x1b[K{line.strip()[:120]}" if live else line + "\n")
        out.flush()

    while True:
        finished = (stop_file is not None and os.path.exists(stop_file)) or (pid is not None and not _alive(pid))
        try:
            with open(path, encoding="utf-8") as f:
                f.seek(pos)
                new = f.read()
                pos = f.tell()
        except FileNotFoundError:
            new = ""
        now = time.monotonic()
        for line in new.splitlines():
            done = _GRID_DONE.search(line)
            if done:
                grids, runs = grids + 1, runs + int(done.group(1))
            if live or not done:
                show(line)
            last = now
        if not new and now - last >= heartbeat:
            show(f"  {chapter}: still running, {format_duration(now - start)} elapsed")
            last = now
        if finished:
            break
        time.sleep(poll)
    trained = (
        f"trained {grids} grid{'s' * (grids != 1)} ({runs} run{'s' * (runs != 1)})" if grids else "trained nothing"
    )
    end = f"   {chapter} took {format_duration(time.monotonic() - start)}; {trained}"
    print(("\r\x1b[K" if live else "") + end, file=out, flush=True)


def _main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m replication.core.progress", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("follow", help="stream a chapter's progress file to the terminal")
    f.add_argument("file")
    f.add_argument("--chapter", required=True)
    f.add_argument("--preset", required=True)
    f.add_argument("--pid", type=int, help="stop when this process is gone (e.g. the calling shell)")
    f.add_argument("--stop-file", help="stop once this file exists (the caller creates it when the chapter ends)")
    f.add_argument("--times", help="TOML table of expected times per preset and chapter")
    f.add_argument("--heartbeat", type=float, default=60.0)
    args = ap.parse_args(argv)
    try:
        follow(
            args.file,
            chapter=args.chapter,
            preset=args.preset,
            pid=args.pid,
            stop_file=args.stop_file,
            table=args.times,
            heartbeat=args.heartbeat,
        )
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    _main()
