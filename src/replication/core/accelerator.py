"""Whether this machine has an accelerator, and the guard before a ``paper``-preset run on one that has none.

``make book PRESET=paper`` (and ``python -m replication.experiments ... --preset paper``) on a machine where JAX sees
only CPUs prints each chapter's estimated time there (``[paper-no-accelerator]`` of ``book/_chapter_times.toml``)
and asks before starting. ``CONFIRM=1`` (make) or ``--yes`` starts without asking; without a terminal to ask on
(CI, a batch job) it refuses with a message instead of waiting for an answer that never comes.

    python -m replication.core.accelerator --preset paper --times book/_chapter_times.toml --chapters "fc_mnist ..."
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from replication.core.presets import PRESETS, check_preset
from replication.core.progress import expected_time

__all__ = ["Accelerator", "accelerator", "confirm_paper_run", "DEFAULT_TIMES"]

DEFAULT_TIMES = Path("book") / "_chapter_times.toml"
NO_ACCELERATOR_TABLE = "paper-no-accelerator"


@dataclasses.dataclass(frozen=True)
class Accelerator:
    """What JAX sees: platform (``cpu``, ``gpu``, ``tpu``), the first device's kind and the device count."""

    platform: str
    kind: str
    count: int

    @property
    def present(self) -> bool:
        return self.platform != "cpu"


def accelerator() -> Accelerator:
    import jax

    dev = jax.devices()[0]
    return Accelerator(dev.platform, str(getattr(dev, "device_kind", dev.platform)), jax.device_count())


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def confirm_paper_run(
    preset: str,
    chapters,
    *,
    assume_yes: bool = False,
    times: str | os.PathLike | None = None,
    found: Accelerator | None = None,
    stdin=None,
    out=None,
) -> bool:
    """True if the run may start: any preset but ``paper``, ``paper`` on an accelerator, or ``paper`` on CPUs after
    the estimates are printed and the user agrees (``assume_yes``, or "y" typed on a terminal). Never waits for
    input without a terminal: it refuses, saying how to override."""
    check_preset(preset)
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if out is None else out
    if preset != "paper":
        return True
    found = accelerator() if found is None else found
    if found.present:
        print(f"paper preset on {found.count} × {found.kind} ({found.platform})", file=out)
        return True
    table = Path(times) if times is not None else DEFAULT_TIMES
    print("The paper preset trains appendix A's full sizes; JAX sees no accelerator here (CPU only).", file=out)
    print(f"Estimated time on this kind of machine ({table}, [{NO_ACCELERATOR_TABLE}]):", file=out)
    for chapter in chapters:
        print(f"  {chapter}: {expected_time(chapter, NO_ACCELERATOR_TABLE, table) or 'no estimate'}", file=out)
    print("On a GPU: make book PRESET=paper DEVICE=cuda (README, Install).", file=out)
    if assume_yes:
        print("Starting anyway (confirmed with CONFIRM=1 / --yes).", file=out)
        return True
    if not _isatty(stdin):
        print("Not started: no terminal to confirm on. Run with CONFIRM=1 (make) or --yes to start anyway.", file=out)
        return False
    out.write("Start anyway? [y/N] ")
    out.flush()
    answer = stdin.readline().strip().lower()
    if answer in ("y", "yes"):
        return True
    print("Not started.", file=out)
    return False


def _main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m replication.core.accelerator", description=__doc__.split("\n\n")[0])
    p.add_argument("--preset", required=True, choices=PRESETS)
    p.add_argument("--chapters", default="", help="space-separated chapter names")
    p.add_argument("--times", default=str(DEFAULT_TIMES))
    p.add_argument("--yes", action="store_true")
    args = p.parse_args(argv)
    ok = confirm_paper_run(args.preset, args.chapters.split(), assume_yes=args.yes, times=args.times)
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(_main())
